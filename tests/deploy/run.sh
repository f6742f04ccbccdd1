#!/bin/bash
# tests/deploy/run.sh - fast checks of deploy/ on the host (a few seconds, no CAN needed):
#   can-up.sh refuses wrong settings, naming the key, before it changes anything;
#   diagnose.sh reads real CAN interfaces' `ip -details -statistics` text (recorded from an MCP2515 bus-off and an
#   MCP2518FD in CAN FD, old and new iproute2 layouts; an `ip` stub on PATH serves them), reports, exits 1/0;
#   systemd-analyze verify finds nothing wrong in the units (ExecStart pointed at /bin/true: not installed here).
# The real thing (vcan, the capture running) is case i of tests/vm/suite. Prints PASS/FAIL per check, "N passed, M failed".
set -uo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
DEPLOY=$(cd "$HERE/../../deploy" && pwd)
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
PASSED=0 FAILED=0
check() { # name condition...
  local name=$1; shift
  if "$@"; then echo "PASS $name"; PASSED=$((PASSED + 1)); else echo "FAIL $name"; FAILED=$((FAILED + 1)); fi
}
has() { grep -qF -- "$2" "$1" || { echo "  missing in $(basename "$1"): $2"; sed 's/^/    | /' "$1"; return 1; }; }

# ---- can-up.sh: settings
refused() { # expected-text KEY=value...
  local want=$1; shift
  env -i PATH="$PATH" "$@" "$DEPLOY/can-up.sh" can9 > "$T/out" 2>&1; local rc=$?
  [ $rc = 2 ] || { echo "  exit $rc, expected 2"; cat "$T/out"; return 1; }
  has "$T/out" "$want"
}
check "can-up: BITRATE with a unit"      refused "BITRATE='500k' must be a whole number" BITRATE=500k
check "can-up: BITRATE out of range"     refused "BITRATE=2000000 is out of range" BITRATE=2000000
check "can-up: LISTEN_ONLY not on/off"   refused "LISTEN_ONLY='maybe' must be on or off" BITRATE=500000 LISTEN_ONLY=maybe
check "can-up: FD without DBITRATE"      refused "FD=on needs DBITRATE" BITRATE=500000 FD=on
check "can-up: DBITRATE without FD"      refused "DBITRATE=2000000 is set but FD=off" BITRATE=500000 DBITRATE=2000000
check "can-up: bad SAMPLE_POINT"         refused "SAMPLE_POINT='87.5' must be a fraction" BITRATE=500000 SAMPLE_POINT=87.5
check "can-up: missing interface"        refused "no such interface" BITRATE=500000

# ---- diagnose.sh on recorded ip output
mkdir -p "$T/bin"
cat > "$T/bin/ip" <<STUB
#!/bin/bash
# A stub of ip for the recorded interfaces.
case "\$*" in
  "-o link show type can") echo "3: can0: <UP> mtu 16"; echo "4: can1: <UP> mtu 72" ;;
  "-o link show type vcan") ;;
  *can0*) cat "$HERE/fixtures/ip-can0-busoff.txt" ;;
  *can1*) cat "$HERE/fixtures/ip-can1-active-old.txt" ;;
  *) echo "Device does not exist." >&2; exit 1 ;;
esac
STUB
chmod +x "$T/bin/ip"
diag() { PATH="$T/bin:$PATH" CANMESH_SOCKET="$T/none.sock" CANMESH=true CANMESH_DB="$T/none.db" "$DEPLOY/diagnose.sh" "$@" > "$T/diag" 2>&1; echo $? > "$T/rc"; }
diag
check "diagnose: can0 bus-off line"  has "$T/diag" "can0: can, up, state BUS-OFF, bitrate 500000, fd off, listen-only on, restart-ms 100"
check "diagnose: can0 counters"      has "$T/diag" "berr-counter tx 248 rx 0; restarts 0, bus-errors 0, error-warn 1, error-pass 1, bus-off 1"
check "diagnose: can0 rx (new ip)"   has "$T/diag" "rx packets 678, errors 0, dropped 5, overrun/missed 3"
check "diagnose: can1 FD (old ip)"   has "$T/diag" "can1: can, up, state ERROR-ACTIVE, bitrate 500000, dbitrate 2000000, fd on, listen-only on"
check "diagnose: can1 rx (old ip)"   has "$T/diag" "rx packets 1234, errors 0, dropped 0, overrun/missed 0"
check "diagnose: summary"            has "$T/diag" "attention: can0 is BUS-OFF"
check "diagnose: summary names drops" has "$T/diag" "can0: 5 frames dropped by the kernel"
check "diagnose: missing socket"     has "$T/diag" "capture socket $T/none.sock is missing"
check "diagnose: exit 1"             [ "$(cat "$T/rc")" = 1 ]
check "diagnose: ran to the end"     has "$T/diag" "== Recent warnings and errors"

# ---- systemd units
if command -v systemd-analyze > /dev/null; then
  mkdir -p "$T/units"
  for u in "$DEPLOY"/systemd/*.service; do
    sed -e 's|^ExecStart=/opt/canmesh/[^ ]*|ExecStart=/bin/true|' "$u" > "$T/units/${u##*/}"
  done
  cp "$T/units/canmesh-can@.service" "$T/units/canmesh-can@can0.service"
  for u in canmesh-can@can0 canmesh-capture canmesh-forwarder canmesh-flipper; do
    (cd "$T/units" && systemd-analyze verify --man=no "./$u.service") > "$T/verify" 2>&1
    check "systemd-analyze verify $u" eval "[ ! -s '$T/verify' ] || { sed 's/^/    | /' '$T/verify'; false; }"
  done
else
  echo "SKIP systemd-analyze verify: systemd-analyze is not installed"
fi

echo "$PASSED passed, $FAILED failed"
[ $FAILED = 0 ]
