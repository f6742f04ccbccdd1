#!/bin/bash
# run-suite.sh - the SocketCAN end-to-end suite: builds the capture on the host, boots the test guest
# once (tests/vm/run.sh) and runs every case of cases.sh in it. Prints PASS/FAIL per case and
# "N passed, M failed"; exits non-zero when a case failed or the guest did not finish.
#
# Usage: tests/vm/suite/run-suite.sh [--target service|probe|auto] [--keep] [--cases "a b c d e f g h i"]
#   service  the capture service executable (services/capture, canmesh-capture), and tools/canmesh for cases h and i
#   probe    tests/vm/suite/SocketCanProbe: SocketCanSource alone, no store
#   auto     (default) service when it implements 'export', probe otherwise
#   --keep   keep the work folder (logs, databases, candump logs) and print where it is
# Env: CASES, A_FRAMES, A_GAP, G_FRAMES, G_GAPS, G_BUF, H_FRAMES, H_GAP (see cases.sh); CANMESH_VM_* (see run.sh).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../../.." && pwd)
TARGET=auto KEEP=0
while [ $# -gt 0 ]; do
  case "$1" in
    --target) TARGET=$2; shift 2 ;;
    --keep) KEEP=1; shift ;;
    --cases) export CASES=$2; shift 2 ;;
    *) sed -n '2,/^set /{/^#/s/^# \{0,1\}//p}' "$0" >&2; exit 2 ;;
  esac
done

"$HERE/../setup.sh" > /dev/null
WORK=$(mktemp -d "${TMPDIR:-/tmp}/canmesh-vm-suite.XXXXXX")
cleanup() { if [ $KEEP = 1 ]; then echo "work folder kept: $WORK" >&2; else rm -rf "$WORK"; fi; }
trap cleanup EXIT

# Framework-dependent Release builds, in a folder of the suite's own so nothing else's output moves.
build() { # project output
  dotnet build -c Release --nologo -v q "$1" -o "$2" > "$WORK/build.log" 2>&1 || { cat "$WORK/build.log" >&2; exit 1; }
}
if [ "$TARGET" != probe ]; then
  echo "building services/capture (Release)"
  build "$ROOT/services/capture/CanMesh.Capture.csproj" "$WORK/bin/capture"
  DLL=$WORK/bin/capture/canmesh-capture.dll
  if [ "$TARGET" = auto ]; then
    if timeout 60 dotnet "$DLL" export --help > /dev/null 2>&1; then TARGET=service; else TARGET=probe; fi
  fi
fi
if [ "$TARGET" = probe ]; then
  echo "building tests/vm/suite/SocketCanProbe (Release)"
  build "$HERE/SocketCanProbe/SocketCanProbe.csproj" "$WORK/bin/probe"
  DLL=$WORK/bin/probe/socketcan-probe.dll
fi
if [ "$TARGET" = service ]; then
  # Case h exports the capture's database with the canmesh command line; cases.sh finds it in CANMESH_DLL
  # (run.sh hands the exported environment to the guest).
  echo "building tools/canmesh (Release)"
  build "$ROOT/tools/canmesh/CanMesh.Cli.csproj" "$WORK/bin/canmesh"
  export CANMESH_DLL=$WORK/bin/canmesh/canmesh.dll
fi
echo "target: $TARGET"

set +e
"$HERE/../run.sh" -w "$WORK" -t "${SUITE_TIMEOUT:-900}" -- bash "$HERE/cases.sh" "$WORK/cases" "$TARGET" "$DLL" | tee "$WORK/suite.out"
rc=${PIPESTATUS[0]}
set -e
if ! grep -qE '^[0-9]+ passed, [0-9]+ failed$' "$WORK/suite.out"; then
  echo "the suite did not finish (runner exit code $rc)" >&2
  [ $rc = 0 ] && rc=1
fi
exit $rc
