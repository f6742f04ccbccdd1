#!/bin/bash
# can-up.sh - configure one CAN interface and bring it up (run by canmesh-can@IFACE.service at boot).
#
# Usage: can-up.sh [--conf FILE] IFACE
#   Settings come from the environment (systemd's EnvironmentFile=/etc/canmesh/can/IFACE.conf) or from
#   --conf FILE, a file of the same KEY=value lines:
#     BITRATE       nominal bit rate in bit/s, 1..1000000 (required for a real CAN interface)
#     SAMPLE_POINT  nominal sample point, e.g. 0.875 (optional; the driver picks one otherwise)
#     FD            on|off: CAN FD (default off)
#     DBITRATE      CAN FD data bit rate in bit/s, 1..15000000 (required when FD=on)
#     LISTEN_ONLY   on|off (default on: the controller never ACKs or sends error frames; CanMesh only listens)
#     RESTART_MS    automatic restart after bus-off, in ms; 0 = never (default 100)
#     TXQUEUELEN    transmit queue length in frames (optional)
#   A virtual interface (vcan) has no bit timing: it is only brought up (with MTU 72 when FD=on).
# Exit codes: 0 up; 1 ip failed (the message says what the kernel answered); 2 a setting is invalid or
# the interface does not exist.
set -uo pipefail

usage() { sed -n '2,/^set /{/^#/s/^# \{0,1\}//p}' "$0"; }
CONF=""
while [ $# -gt 0 ]; do
  case "$1" in
    --conf) CONF=${2:-}; shift 2 || { usage >&2; exit 2; } ;;
    -h|--help) usage; exit 0 ;;
    -*) echo "can-up.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
    *) break ;;
  esac
done
[ $# = 1 ] || { usage >&2; exit 2; }
IFACE=$1
die() { echo "can-up.sh: $IFACE: $*" >&2; exit 2; }

if [ -n "$CONF" ]; then
  [ -r "$CONF" ] || die "cannot read $CONF"
  # shellcheck disable=SC1090  # the same KEY=value format systemd's EnvironmentFile= reads
  set -a; . "$CONF"; set +a
fi

# on/off in the spellings people write; anything else is an error naming the key.
onoff() { # KEY VALUE DEFAULT
  case "${2:-$3}" in
    on|yes|true|1|ON|Yes|YES|True|TRUE) echo on ;;
    off|no|false|0|OFF|No|NO|False|FALSE) echo off ;;
    *) die "$1='$2' must be on or off" ;;
  esac
}
number() { # KEY VALUE MIN MAX  (a whole number in range, or empty = not set)
  [ -z "$2" ] && return 0
  [[ "$2" =~ ^[0-9]+$ ]] || die "$1='$2' must be a whole number (bit/s or ms, no units: 500000, not 500k)"
  [ "$2" -ge "$3" ] && [ "$2" -le "$4" ] || die "$1=$2 is out of range ($3..$4)"
}
BITRATE=${BITRATE:-} DBITRATE=${DBITRATE:-} SAMPLE_POINT=${SAMPLE_POINT:-} TXQUEUELEN=${TXQUEUELEN:-}
RESTART_MS=${RESTART_MS:-100}
# Validated before anything is changed, whatever the interface's type: a wrong file is wrong everywhere.
FD=$(onoff FD "${FD:-}" off) || exit 2
LISTEN_ONLY=$(onoff LISTEN_ONLY "${LISTEN_ONLY:-}" on) || exit 2
number BITRATE "$BITRATE" 1 1000000
number DBITRATE "$DBITRATE" 1 15000000
number RESTART_MS "$RESTART_MS" 0 3600000
number TXQUEUELEN "$TXQUEUELEN" 1 100000
if [ -n "$SAMPLE_POINT" ] && ! [[ "$SAMPLE_POINT" =~ ^0\.[0-9]{1,3}$ ]]; then
  die "SAMPLE_POINT='$SAMPLE_POINT' must be a fraction such as 0.875"
fi
[ "$FD" = on ] && [ -z "$DBITRATE" ] && die "FD=on needs DBITRATE (the data phase bit rate, e.g. 2000000)"
[ "$FD" = off ] && [ -n "$DBITRATE" ] && die "DBITRATE=$DBITRATE is set but FD=off: set FD=on for CAN FD, or remove DBITRATE"

command -v ip > /dev/null || { echo "can-up.sh: ip (iproute2) is not installed: apt-get install iproute2" >&2; exit 1; }
details=$(ip -details link show dev "$IFACE" 2>&1) ||
  die "no such interface (ip: ${details}). A CAN HAT's interface appears once its driver loaded: check dtoverlay= in /boot/firmware/config.txt and 'dmesg | grep -i can'"
kind=$(awk 'NR > 1 && ($1 == "can" || $1 == "vcan" || $1 == "vxcan") { print $1; exit }' <<< "$details")

case "$kind" in
  can) [ -n "$BITRATE" ] || die "BITRATE is not set (e.g. BITRATE=500000 in /etc/canmesh/can/$IFACE.conf)" ;;
  vcan|vxcan) ;;
  *) die "is not a CAN interface (ip -details shows no can link info), left as it is: $(head -1 <<< "$details")" ;;
esac

run() { # ip arguments...: runs it and says what failed
  local out
  out=$(ip "$@" 2>&1) || { echo "can-up.sh: $IFACE: 'ip $*' failed: $out" >&2; exit 1; }
}
# The bit timing can only change while the interface is down.
run link set dev "$IFACE" down
case "$kind" in
  can)
    args=(bitrate "$BITRATE")
    [ -n "$SAMPLE_POINT" ] && args+=(sample-point "$SAMPLE_POINT")
    # 'fd off' is accepted by controllers without CAN FD (an MCP2515): the kernel refuses only modes turned on.
    if [ "$FD" = on ]; then args+=(dbitrate "$DBITRATE" fd on); else args+=(fd off); fi
    args+=(listen-only "$LISTEN_ONLY" restart-ms "$RESTART_MS")
    run link set dev "$IFACE" type can "${args[@]}"
    ;;
  vcan|vxcan)
    # Virtual: no bit timing; CAN FD frames need the 72-byte MTU.
    [ "$FD" = on ] && run link set dev "$IFACE" mtu 72
    ;;
esac
[ -n "$TXQUEUELEN" ] && run link set dev "$IFACE" txqueuelen "$TXQUEUELEN"
run link set dev "$IFACE" up
if [ "$kind" = can ]; then
  echo "$IFACE is up (bitrate $BITRATE${DBITRATE:+, dbitrate $DBITRATE}, fd $FD, listen-only $LISTEN_ONLY, restart-ms $RESTART_MS)"
else
  echo "$IFACE is up ($kind: no bit timing to set$( [ "$FD" = on ] && echo ", mtu 72 for CAN FD"))"
fi
