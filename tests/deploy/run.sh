#!/bin/bash
# tests/deploy/run.sh - fast checks of deploy/ on the host (a few seconds, no CAN needed):
#   can-up.sh refuses wrong settings, naming the key, before it changes anything;
#   diagnose.sh reads real CAN interfaces' `ip -details -statistics` text (recorded from an MCP2515 bus-off and an
#   MCP2518FD in CAN FD, old and new iproute2 layouts; an `ip` stub on PATH serves them), reports, exits 1/0;
#   diagnose.sh with docker compose: a `docker` stub serves containers of canmesh/* images; canmesh runs inside the
#   capture container, its disk is looked at there, an unhealthy container needs attention;
#   install.sh --destdir: the full install from published binaries (configurations kept on a second run) and
#   --host-only (only the CAN interface units, sysctl and diagnose, for a compose deployment);
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
# No containers, whatever runs on this machine's engine.
printf '#!/bin/bash\nexit 0\n' > "$T/bin/docker"; chmod +x "$T/bin/docker"
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

# ---- diagnose.sh with docker compose: the socket lives in a volume, canmesh runs in the capture container
mkdir -p "$T/dbin"
cat > "$T/dbin/docker" <<'STUB'
#!/bin/bash
# A stub of docker: a compose deployment whose forwarder is unhealthy.
case "$*" in
  "ps -a --format "*) printf '%s\n' "pi-capture-1 canmesh/capture:latest" "pi-forwarder-1 canmesh/forwarder:latest" "other-db-1 postgres:15" ;;
  "inspect -f "*" pi-capture-1") echo "canmesh/capture:latest running healthy 0" ;;
  "inspect -f "*" pi-forwarder-1") echo "canmesh/forwarder:latest running unhealthy 3" ;;
  "exec pi-capture-1 canmesh health "*) echo "healthy: 2 of 2 sources running, committed seq 4242" ;;
  "exec pi-capture-1 canmesh status --json "*) echo '{"store":{"committed_seq":4242,"store_drops":0,"path":"/var/lib/canmesh/capture.db"},"sources":[],"subscribers":[]}' ;;
  "exec pi-capture-1 canmesh status "*) echo "sources: sim0 running" ;;
  "exec pi-capture-1 ls -l /var/lib/canmesh") printf '%s\n' "total 8" "-rw-r--r-- 1 canmesh canmesh 4096 Dec  3 04:00 capture.db" ;;
  "exec pi-capture-1 df "*) printf '%s\n' "Filesystem 1024-blocks Used Available Capacity Mounted on" "/dev/root 1000 960 40 96% /var/lib/canmesh" ;;
  "logs --since 1h pi-forwarder-1") echo "2026-12-03T04:00:00.000Z warn: CanMesh.Forwarder[202] PostgreSQL db:5432/canmesh: unreachable" ;;
  "logs "*) ;;
  *) echo "docker stub: unexpected: $*" >&2; exit 1 ;;
esac
STUB
chmod +x "$T/dbin/docker"
PATH="$T/dbin:$T/bin:$PATH" CANMESH_SOCKET="$T/none.sock" "$DEPLOY/diagnose.sh" > "$T/diag" 2>&1; echo $? > "$T/rc"
check "diagnose compose: containers listed"   has "$T/diag" "docker pi-forwarder-1 (canmesh/forwarder:latest): running, health unhealthy, restarted 3 times"
check "diagnose compose: other images left out" eval "! grep -q other-db-1 '$T/diag'"
check "diagnose compose: canmesh in the container" has "$T/diag" "health: healthy: 2 of 2 sources running, committed seq 4242"
check "diagnose compose: no socket complaint" eval "! grep -q 'socket .* is missing' '$T/diag'"
check "diagnose compose: disk in the container" has "$T/diag" "disk 96% full (/var/lib/canmesh in container pi-capture-1)"
check "diagnose compose: container logs"      has "$T/diag" "warn: CanMesh.Forwarder[202] PostgreSQL db:5432/canmesh: unreachable"
check "diagnose compose: summary"             has "$T/diag" "; container pi-forwarder-1 is unhealthy"
check "diagnose compose: exit 1"              [ "$(cat "$T/rc")" = 1 ]

# ---- install.sh into a folder
mkdir -p "$T/pub"
for p in capture:canmesh-capture forwarder:canmesh-forwarder flipper:canmesh-flipper canmesh:canmesh; do
  mkdir -p "$T/pub/${p%%:*}" && printf '#!/bin/sh\necho %s\n' "${p#*:}" > "$T/pub/${p%%:*}/${p#*:}" && chmod +x "$T/pub/${p%%:*}/${p#*:}"
done
"$DEPLOY/install.sh" --from "$T/pub" --destdir "$T/root" > "$T/install" 2>&1; rc=$?
check "install: full, exit 0" eval "[ $rc = 0 ] || { sed 's/^/    | /' '$T/install'; false; }"
check "install: binaries and units" eval "[ -x '$T/root/opt/canmesh/capture/canmesh-capture' ] && [ -f '$T/root/etc/systemd/system/canmesh-forwarder.service' ] && [ -f '$T/root/etc/canmesh/flipper.json' ] && [ -L '$T/root/usr/local/bin/canmesh' ]"
echo '{ "edited": true }' > "$T/root/etc/canmesh/capture.json"
"$DEPLOY/install.sh" --from "$T/pub" --destdir "$T/root" > "$T/install" 2>&1
check "install: again keeps an edited configuration" eval "grep -q edited '$T/root/etc/canmesh/capture.json' && [ -f '$T/root/etc/canmesh/capture.json.example' ]"
"$DEPLOY/install.sh" --host-only --destdir "$T/host" > "$T/install" 2>&1; rc=$?
check "install --host-only: exit 0" eval "[ $rc = 0 ] || { sed 's/^/    | /' '$T/install'; false; }"
check "install --host-only: CAN units, sysctl, diagnose" eval "[ -f '$T/host/etc/systemd/system/canmesh-can@.service' ] && [ -f '$T/host/etc/canmesh/can/can0.conf' ] && [ -f '$T/host/etc/sysctl.d/90-canmesh.conf' ] && [ -x '$T/host/opt/canmesh/bin/diagnose.sh' ]"
check "install --host-only: no services" eval "[ ! -e '$T/host/etc/systemd/system/canmesh-capture.service' ] && [ ! -e '$T/host/opt/canmesh/capture' ] && [ ! -e '$T/host/etc/canmesh/capture.json' ]"
check "install --host-only: says what next" has "$T/install" "docker compose up -d"

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
