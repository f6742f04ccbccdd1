#!/usr/bin/env bash
# CPU time of an idle canmesh-flipper over a measuring window (60 s by default), before INIT and while it sends
# STATS, against a socat pty pair. System.IO.Ports polls every 1 ms while a read is pending, so this is the
# number that tells the read modes apart on a Pi.
#
#   dotnet build services/flipper -c Release
#   bench/flipper-idle-cpu.sh poll            # Flipper:ReadMode=poll (the default)
#   bench/flipper-idle-cpu.sh pending         # a BaseStream.ReadAsync always pending
#
# Environment: WINDOW (seconds, default 60), SETTLE (seconds before each window, default 20), CAPTURE_SOCKET (a running capture's socket; default none, so the
# service also retries the capture every Flipper:ReopenDelay, as it would while the capture is down),
# FLIPPER_DLL (default services/flipper/bin/Release/net10.0/canmesh-flipper.dll). Needs socat.
set -euo pipefail
mode=${1:-poll}
window=${WINDOW:-60}
dll=${FLIPPER_DLL:-services/flipper/bin/Release/net10.0/canmesh-flipper.dll}
dir=$(mktemp -d /tmp/cm-flipcpu.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT

socat -d -d "pty,raw,echo=0,link=$dir/flipper" "pty,raw,echo=0,link=$dir/pi" 2>"$dir/socat.log" &
pids+=($!)
for _ in $(seq 100); do [[ -e $dir/flipper && -e $dir/pi ]] && break; sleep 0.1; done

CANMESH_FLIPPER__DEVICE=$dir/pi CANMESH_FLIPPER__READMODE=$mode \
  CANMESH_CAPTURE__SOCKET=${CAPTURE_SOCKET:-$dir/no-capture.sock} \
  dotnet "$dll" >"$dir/flipper.log" 2>&1 &
flipper=$!
pids+=("$flipper")
for _ in $(seq 300); do grep -q '\[200\] Opened' "$dir/flipper.log" && break; sleep 0.1; done
# The Flipper's end is read all along, so STATS never back up in the pty.
cat "$dir/flipper" >"$dir/received" 2>/dev/null &
pids+=($!)

hz=$(getconf CLK_TCK)
ticks() { awk '{print $14 + $15}' "/proc/$flipper/stat"; }
measure() {
  sleep "${SETTLE:-20}" # past start-up: the JIT's tier-1 recompilation runs for the first 10-20 s
  local t0 t1
  t0=$(ticks); sleep "$window"; t1=$(ticks)
  awk -v d=$((t1 - t0)) -v hz="$hz" -v w="$window" -v what="$1" -v mode="$mode" \
    'BEGIN { printf "%-8s %-22s %6.0f ms CPU in %d s = %5.1f ms/s (%.2f%% of a core)\n", mode, what, d * 1000 / hz, w, d * 1000 / hz / w, d * 100 / hz / w }'
}
measure "before INIT"
printf 'INIT:flipper\n' >"$dir/flipper"
measure "sending STATS"
echo "$mode: $(grep -c '^STATS:' "$dir/received") STATS lines received" >&2
