#!/bin/bash
# cases.sh - the SocketCAN end-to-end cases, run INSIDE the test guest by run-suite.sh (one boot for all).
# Usage: cases.sh WORKDIR TARGET DLL
#   TARGET service: DLL is canmesh-capture.dll (JSON config, SQLite store, 'export' subcommand);
#                   case h also needs CANMESH_DLL, the canmesh command line's canmesh.dll
#   TARGET probe:   DLL is socketcan-probe.dll (SocketCanSource alone, candump log out, counters on stderr)
# Env: CASES (default "a b c d e f g h i"), A_FRAMES, A_GAP (case a), G_FRAMES, G_GAPS, G_BUF (case g), H_FRAMES, H_GAP (case h)
# Prints "PASS name" / "FAIL name: reason" per case, "MEASURE ..." lines, then "N passed, M failed".
set -u
W=$1 TARGET=$2 DLL=$3
mkdir -p "$W"
PASSED=0 FAILED=0
pass() { echo "PASS $1"; PASSED=$((PASSED + 1)); }
fail() { echo "FAIL $1: $2"; FAILED=$((FAILED + 1)); }
note() { echo "  $*"; }
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_gcServer=0

# Raw sockets registered on an interface, from the kernel's receive lists: tells when a reader is bound.
receivers() { cat /proc/net/can/rcvlist_* 2>/dev/null | grep -cE "^ +$1 .* raw$"; }
transmitted() { awk '/transmitted frames/{print $1}' /proc/net/can/stats; }
wait_until() { # seconds condition...  (by the clock: under TCG each check itself takes a while)
  local deadline=$((SECONDS + $1)); shift
  while [ $SECONDS -lt $deadline ]; do "$@" && return 0; sleep 0.1; done
  return 1
}

# ---- the capture under test. An interface spec is "name;receive-buffer;filters;error-mask" (empty = default).
CAP_PID=""; CAP_DIR=""
cap_start() { # case-name spec...
  CAP_DIR=$W/$1; mkdir -p "$CAP_DIR"; shift
  local specs=("$@") spec name buf filters emask before=() i
  for spec in "${specs[@]}"; do before+=("$(receivers "${spec%%;*}")"); done
  if [ "$TARGET" = service ]; then
    local json="" sep=""
    for spec in "${specs[@]}"; do
      IFS=';' read -r name buf filters emask <<< "$spec"
      json+="$sep{ \"Name\": \"$name\", \"Source\": \"socketcan\", \"ReceiveBuffer\": \"${buf:-33554432}\", \"Timestamps\": \"kernel\", \"Fd\": true, \"RetryInterval\": \"500ms\""
      [ -n "$emask" ] && json+=", \"ErrorMask\": \"$emask\""
      [ -n "$filters" ] && json+=", \"Filters\": \"$filters\""
      json+=" }"; sep=", "
    done
    # SQLite's WAL needs shared memory maps, which the 9p share does not offer: the database lives in the guest.
    local db=/run/canmesh-suite/${CAP_DIR##*/}; mkdir -p "$db"
    cat > "$CAP_DIR/config.json" <<JSON
{ "Capture": { "Interfaces": [ $json ], "Stats": { "Interval": "1s" } },
  "Store": { "Path": "$db/capture.db" },
  "Logging": { "Format": "simple" } }
JSON
    dotnet "$DLL" --config "$CAP_DIR/config.json" > "$CAP_DIR/capture.log" 2>&1 &
  else
    local args=(--log "$CAP_DIR/frames.log" --retry-ms 500)
    for spec in "${specs[@]}"; do
      IFS=';' read -r name buf filters emask <<< "$spec"
      args+=(--no-filters --rcvbuf "${buf:-33554432}" --error-mask "${emask:-1FFFFFFF}")
      [ -n "$filters" ] && for f in ${filters//,/ }; do args+=(--filter "$f"); done
      args+=("$name")
    done
    dotnet "$DLL" "${args[@]}" > "$CAP_DIR/capture.log" 2>&1 &
  fi
  CAP_PID=$!
  # Ready when every interface has one more raw socket bound.
  for i in "${!specs[@]}"; do
    name=${specs[$i]%%;*}
    wait_until 90 eval "[ \$(receivers $name) -gt ${before[$i]} ]" || { note "capture did not bind $name within 90 s"; cat "$CAP_DIR/capture.log"; return 1; }
  done
}
cap_stop() {
  [ -n "$CAP_PID" ] || return 0
  kill -TERM "$CAP_PID" 2>/dev/null
  wait_until 20 eval '! kill -0 $CAP_PID 2>/dev/null'
  kill -0 "$CAP_PID" 2>/dev/null && { note "capture ignored SIGTERM for 20 s"; kill -KILL "$CAP_PID"; }
  wait "$CAP_PID"; local rc=$?; CAP_PID=""
  [ $rc = 0 ] || note "capture exited with $rc"
  return $rc
}
# The stored frames as a candump log.
cap_frames() {
  if [ "$TARGET" = service ]; then
    dotnet "$DLL" export --database "/run/canmesh-suite/${CAP_DIR##*/}/capture.db" --output "$CAP_DIR/frames.log" >> "$CAP_DIR/capture.log" 2>&1 || return 1
  fi
  cat "$CAP_DIR/frames.log"
}
cap_count() { cap_frames | awk -v i="$1" '$2 == i' | wc -l; }
cap_drops() { # iface -> kernel drops counted
  if [ "$TARGET" = service ]; then
    sqlite3 "/run/canmesh-suite/${CAP_DIR##*/}/capture.db" "select coalesce(sum(count),0) from events where kind='KernelDrop' and source='$1';"
  else
    sed -n "s/^counters: $1 .*kernel_drops=\([0-9]*\).*/\1/p" "$CAP_DIR/capture.log"
  fi
}
cap_events() { # kind iface -> number of such events
  if [ "$TARGET" = service ]; then
    sqlite3 "/run/canmesh-suite/${CAP_DIR##*/}/capture.db" "select count(*) from events where kind='$1' and source='$2';"
  else
    grep -c "^event: $1 $2 " "$CAP_DIR/capture.log"
  fi
}

# Normalised frames of one interface from a candump log: FD flags reduced to BRS/ESI (newer kernels add FDF), upper case.
frames_of() { # file iface
  awk -v want="$2" '$2 == want {
    f = toupper($3); p = index(f, "##")
    if (p) { n = index("0123456789ABCDEF", substr(f, p + 2, 1)) - 1; f = substr(f, 1, p + 1) sprintf("%X", n % 4) substr(f, p + 3) }
    print $1, $2, f }' "$1"
}

# ---------------------------------------------------------------- a) parallel capture equals candump
case_a() {
  local n=${A_FRAMES:-1500} g=${A_GAP:-0.3} d=$W/a-candump; mkdir -p "$d"
  cap_start a "vcan0;33554432;;" "vcan1;33554432;;" || { fail parallel-equals-candump "capture did not start"; cap_stop; return; }
  (cd "$d" && exec candump -l -r 33554432 vcan0 vcan1 >/dev/null 2>&1) & local cd_pid=$!
  wait_until 10 eval '[ $(receivers vcan0) -ge 2 ] && [ $(receivers vcan1) -ge 2 ]'
  local i pids=()
  # One sender at a time per interface (the two interfaces in parallel): a socket receives one sender's
  # frames in order, so both readers must hold each interface's frames in exactly the same order.
  for i in vcan0 vcan1; do
    ( cangen $i -g $g -n $n                 # classic, standard ids, random lengths
      cangen $i -g $g -n $n -e              # extended ids
      cangen $i -g $g -n $((n / 3)) -R      # remote frames
      cangen $i -g $g -n $n -f -b           # CAN FD with bit rate switch
    ) & pids+=($!)
  done
  local t0=$EPOCHREALTIME; wait "${pids[@]}"; local t1=$EPOCHREALTIME
  sleep 1; cap_stop; kill -INT $cd_pid; wait $cd_pid 2>/dev/null
  local log; log=$(ls "$d"/candump-*.log 2>/dev/null | head -1)
  cap_frames > "$W/a.capture.log" || { fail parallel-equals-candump "export failed"; return; }
  local why="" iface total=0
  for iface in vcan0 vcan1; do
    frames_of "$W/a.capture.log" $iface > "$W/a.$iface.capture"; frames_of "$log" $iface > "$W/a.$iface.candump"
    local nc nd; nc=$(wc -l < "$W/a.$iface.capture"); nd=$(wc -l < "$W/a.$iface.candump"); total=$((total + nd))
    note "$iface: capture $nc frames, candump $nd frames, sent $((3 * n + n / 3))"
    [ "$nd" = $((3 * n + n / 3)) ] || why+="candump saw $nd of $((3 * n + n / 3)) on $iface; "
    # Frame for frame, in per-interface order: timestamp (to the microsecond), interface, id, flags, data.
    cmp -s "$W/a.$iface.capture" "$W/a.$iface.candump" ||
      why+="$iface differs: $(diff "$W/a.$iface.capture" "$W/a.$iface.candump" | head -3 | tr '\n' ' '); "
  done
  note "sent at $(echo "scale=0; $total / ($t1 - $t0)" | bc) frames/s over both interfaces"
  [ -z "$why" ] && pass parallel-equals-candump || fail parallel-equals-candump "$why"
}

# ---------------------------------------------------------------- b) kernel drops are counted exactly
case_b() {
  local n=20000
  cap_start b "vcan0;4096;;" || { fail kernel-drops-counted "capture did not start"; cap_stop; return; }
  cangen vcan0 -g 0 -n $n; local rc=$?
  sleep 1; cap_stop
  local got drops; got=$(cap_count vcan0); drops=$(cap_drops vcan0)
  note "sent $n (cangen rc $rc), stored $got, kernel drops counted ${drops:-?}"
  if [ $rc != 0 ]; then fail kernel-drops-counted "cangen failed ($rc)"
  elif [ "${drops:-0}" -eq 0 ]; then fail kernel-drops-counted "no drops with a 4 KiB buffer: the case did not force any"
  elif [ $((got + drops)) -ne $n ]; then fail kernel-drops-counted "stored + dropped = $((got + drops)), sent $n"
  else pass kernel-drops-counted; fi
}

# ---------------------------------------------------------------- c) acceptance filters work in the kernel
case_c() {
  cap_start c "vcan0;;123:7FF;" "vcan1;;~200:700;" || { fail acceptance-filters "capture did not start"; cap_stop; return; }
  local id
  for id in 123 124 250 2FF 300 7FF; do cansend vcan0 $id#01; cansend vcan1 $id#02; done
  sleep 1; cap_stop
  local v0 v1; v0=$(cap_frames | awk '$2 == "vcan0" {print $3}' | tr '\n' ' '); v1=$(cap_frames | awk '$2 == "vcan1" {print $3}' | tr '\n' ' ')
  note "vcan0 (123:7FF): $v0"; note "vcan1 (~200:700): $v1"
  [ "$v0" = "123#01 " ] && [ "$v1" = "123#02 124#02 300#02 7FF#02 " ] && pass acceptance-filters \
    || fail acceptance-filters "expected vcan0 '123#01' and vcan1 '123#02 124#02 300#02 7FF#02'"
}

# ---------------------------------------------------------------- d) interface down and up while capturing
case_d() {
  cap_start d "vcan0;;;" || { fail interface-bounce "capture did not start"; cap_stop; return; }
  cangen vcan0 -g 1 -n 50
  ip link set vcan0 down; sleep 1.5; ip link set vcan0 up
  local back=yes; wait_until 15 eval '[ $(receivers vcan0) -ge 1 ]' || back=no
  sleep 0.3; cangen vcan0 -g 1 -n 50
  sleep 1; cap_stop
  local got down up; got=$(cap_count vcan0); down=$(cap_events InterfaceDown vcan0); up=$(cap_events InterfaceUp vcan0)
  note "reopened: $back; stored $got of 100; InterfaceDown events $down, InterfaceUp events $up"
  grep -iE "down|back up" "$CAP_DIR/capture.log" | head -3 | sed 's/^/    log: /'
  [ "$got" = 100 ] && [ "${down:-0}" -ge 1 ] && [ "${up:-0}" -ge 1 ] && pass interface-bounce \
    || fail interface-bounce "stored $got of 100, down events ${down:-0}, up events ${up:-0}"
}

# ---------------------------------------------------------------- e) error frames on vcan
case_e() {
  local d=$W/e-candump; mkdir -p "$d/plain" "$d/err"
  cap_start e "vcan0;;;1FFFFFFF" "vcan1;;;00000004" || { fail error-frames "capture did not start"; cap_stop; return; }
  (cd "$d/plain" && exec candump -l vcan0 >/dev/null 2>&1) & local p1=$!
  (cd "$d/err" && exec candump -l vcan0,0:0,#1FFFFFFF >/dev/null 2>&1) & local p2=$!
  wait_until 10 eval '[ $(receivers vcan0) -ge 3 ]'
  cansend vcan0 20000080#0011223344556677    # CAN_ERR_FLAG | CAN_ERR_BUSERROR-class bit 0x80 (8 digits: EFF too)
  cansend vcan1 20000080#0011223344556677    # class 0x80 is not in vcan1's mask 0x4: must not arrive
  cansend vcan1 20000004#0004000000000000    # CAN_ERR_CRTL: in the mask
  cansend vcan0 123#AA
  sleep 1; cap_stop; kill -INT $p1 $p2; wait $p1 $p2 2>/dev/null
  local v0 v1 plain err
  v0=$(cap_frames | awk '$2 == "vcan0" {print $3}' | tr '\n' ' '); v1=$(cap_frames | awk '$2 == "vcan1" {print $3}' | tr '\n' ' ')
  plain=$(cat "$d"/plain/*.log | awk '{print $3}' | tr '\n' ' '); err=$(cat "$d"/err/*.log | awk '{print $3}' | tr '\n' ' ')
  note "capture vcan0 (mask 1FFFFFFF): $v0"; note "capture vcan1 (mask 00000004): $v1"
  note "candump without error filter: $plain"; note "candump with error filter: $err"
  [ "$v0" = "20000080#0011223344556677 123#AA " ] && [ "$v1" = "20000004#0004000000000000 " ] && pass error-frames \
    || fail error-frames "expected vcan0 '20000080#0011223344556677 123#AA' and vcan1 '20000004#0004000000000000'"
}

# ---------------------------------------------------------------- f) the capture never transmits
case_f() {
  local d=$W/f-candump; mkdir -p "$d"
  (cd "$d" && exec candump -l vcan0,0:0,#1FFFFFFF vcan1,0:0,#1FFFFFFF >/dev/null 2>&1) & local p=$!
  wait_until 10 eval '[ $(receivers vcan1) -ge 1 ]'
  local tx0; tx0=$(transmitted)
  cap_start f "vcan0;;;" "vcan1;;;" || { fail never-transmits "capture did not start"; cap_stop; kill $p; return; }
  sleep 2; cap_stop; sleep 0.3
  local tx1 seen; tx1=$(transmitted); kill -INT $p; wait $p 2>/dev/null
  seen=$(cat "$d"/*.log | wc -l)
  note "frames on the buses while the capture ran: $seen; kernel CAN tx counter: $tx0 -> $tx1"
  [ "$seen" = 0 ] && [ "$tx0" = "$tx1" ] && pass never-transmits || fail never-transmits "another socket saw $seen frames, tx counter $tx0 -> $tx1"
}

# ---------------------------------------------------------------- g) zero-loss rate, capture vs candump (measured)
# Both interfaces flooded together; the reader's socket buffer is small (G_BUF) so keeping up is what counts.
rate_run() { # reader gap -> prints "lost rate"
  local reader=$1 gap=$2 n=${G_FRAMES:-8000} buf=${G_BUF:-1048576} d=$W/g-$1-$2 t0 t1 got pids=()
  mkdir -p "$d"
  if [ "$reader" = candump ]; then
    (cd "$d" && exec candump -l -r $buf vcan0 vcan1 >/dev/null 2>&1) & local p=$!
    wait_until 10 eval '[ $(receivers vcan1) -ge 1 ]'
  else
    cap_start "g-$gap" "vcan0;$buf;;" "vcan1;$buf;;" || { echo "? 0"; cap_stop; return; }
  fi
  t0=$EPOCHREALTIME
  cangen vcan0 -g $gap -n $n -i & pids+=($!); cangen vcan1 -g $gap -n $n -i & pids+=($!)
  wait "${pids[@]}"; t1=$EPOCHREALTIME
  sleep 1
  if [ "$reader" = candump ]; then kill -INT $p; wait $p 2>/dev/null; got=$(cat "$d"/*.log | wc -l)
  else cap_stop; got=$(cap_frames | wc -l); fi
  echo "$((2 * n - got)) $(echo "scale=0; 2 * $n / ($t1 - $t0)" | bc)"
}
case_g() {
  local reader gap result lost rate best
  for reader in capture candump; do
    best="none of the tried rates"
    for gap in ${G_GAPS:-0 0.02}; do
      result=$(rate_run $reader $gap); lost=${result% *}; rate=${result#* }
      note "$reader: gap ${gap} ms -> $rate frames/s offered over both interfaces, lost $lost"
      if [ "$lost" = 0 ]; then best="$rate frames/s (cangen -g $gap on both)"; break; fi
    done
    echo "MEASURE zero-loss-rate $reader: $best, receive buffer ${G_BUF:-1048576} bytes"
  done
}

# ---------------------------------------------------------------- h) canplayer replays canmesh's export
# The capture records a mix on vcan0; `canmesh export` writes it as a candump log; canplayer replays that log onto
# vcan1 (vcan1=vcan0) while candump records vcan1. What candump sees must be the exported frames, in order.
case_h() {
  if [ "$TARGET" != service ]; then echo "SKIP canplayer-replays-export: needs the capture service's database (target $TARGET)"; return; fi
  [ -n "${CANMESH_DLL:-}" ] && [ -f "$CANMESH_DLL" ] || { fail canplayer-replays-export "no canmesh.dll (CANMESH_DLL='${CANMESH_DLL:-}')"; return; }
  local n=${H_FRAMES:-300} g=${H_GAP:-0.3} d=$W/h-replay; mkdir -p "$d/candump"
  local sent=$((4 * n)) db=/run/canmesh-suite/h/capture.db
  cap_start h "vcan0;33554432;;" || { fail canplayer-replays-export "capture did not start"; cap_stop; return; }
  cangen vcan0 -g $g -n $n; cangen vcan0 -g $g -n $n -e; cangen vcan0 -g $g -n $n -R; cangen vcan0 -g $g -n $n -f -b
  sleep 1; cap_stop || { fail canplayer-replays-export "capture exited with an error"; return; }
  dotnet "$CANMESH_DLL" export --db "$db" -o "$d/export.log" > "$d/export.out" 2>&1 ||
    { fail canplayer-replays-export "canmesh export failed: $(tail -3 "$d/export.out" | tr '\n' ' ')"; return; }
  # What canmesh wrote, taken before the replay: timestamps are the replay's own there and the interface is mapped,
  # so the comparison is of id, flags and data.
  frames_of "$d/export.log" vcan0 | awk '{print $3}' > "$W/h.export"
  local exported; exported=$(wc -l < "$W/h.export")
  note "sent $sent on vcan0; $(tr -d '\n' < "$d/export.out"); vcan0 frames in the export: $exported"
  # candump stops by itself after as many frames as the export holds (so nothing it received is left unread
  # in its socket when it ends); a short replay shows as a timeout below.
  local before; before=$(receivers vcan1)
  (cd "$d/candump" && exec candump -l -r 33554432 -n "$exported" vcan1 >/dev/null 2>&1) & local p=$!
  wait_until 10 eval '[ $(receivers vcan1) -gt $before ]' || note "candump did not bind vcan1 within 10 s"
  local t0=$EPOCHREALTIME rc
  canplayer -t -g 0 -I "$d/export.log" vcan1=vcan0 > "$d/canplayer.out" 2>&1; rc=$?
  local t1=$EPOCHREALTIME
  local done=yes; wait_until 30 eval '! kill -0 $p 2>/dev/null' || { done=no; kill -INT $p; }
  wait $p 2>/dev/null
  local log; log=$(ls "$d"/candump/candump-*.log 2>/dev/null | head -1)
  frames_of "${log:-/dev/null}" vcan1 | awk '{print $3}' > "$W/h.replayed"
  local got; got=$(wc -l < "$W/h.replayed")
  note "canplayer rc $rc in $(awk -v a=$t0 -v b=$t1 'BEGIN { printf "%.2f", b - a }') s$( [ -s "$d/canplayer.out" ] && echo ": $(head -2 "$d/canplayer.out" | tr '\n' ' ')"); candump on vcan1: $got frames (finished by itself: $done)"
  local why=""
  [ $rc = 0 ] || why+="canplayer failed ($rc); "
  [ "$exported" = $sent ] || why+="the export holds $exported of $sent frames sent; "
  [ "$got" = $sent ] || why+="candump saw $got of $sent replayed frames; "
  cmp -s "$W/h.export" "$W/h.replayed" ||
    why+="replay differs from the export: $(diff "$W/h.export" "$W/h.replayed" | head -4 | tr '\n' ' '); "
  [ -z "$why" ] && pass canplayer-replays-export || fail canplayer-replays-export "$why"
}

# ---------------------------------------------------------------- i) deploy/can-up.sh and deploy/diagnose.sh
# can-up.sh on vcan1 (no bit timing on vcan: it only brings it down and up, after validating the file);
# diagnose.sh with the capture running on vcan0 names vcan0, its state, the health and the committed seq,
# exits 0; with vcan0 down it says so and exits 1.
case_i() {
  if [ "$TARGET" != service ]; then echo "SKIP deploy-scripts: needs the capture service's API (target $TARGET)"; return; fi
  [ -n "${CANMESH_DLL:-}" ] && [ -f "$CANMESH_DLL" ] || { fail deploy-scripts "no canmesh.dll (CANMESH_DLL='${CANMESH_DLL:-}')"; return; }
  local deploy; deploy=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../../deploy" && pwd)
  local d=$W/i-deploy why=""; mkdir -p "$d"
  printf 'BITRATE=500000\nLISTEN_ONLY=on\nRESTART_MS=100\n' > "$d/vcan1.conf"
  ip link set vcan1 down
  "$deploy/can-up.sh" --conf "$d/vcan1.conf" vcan1 > "$d/can-up.out" 2>&1 || why+="can-up.sh vcan1 failed: $(tr '\n' ' ' < "$d/can-up.out"); "
  ip -o link show vcan1 | grep -q '[<,]UP[,>]' || why+="vcan1 is not up after can-up.sh; "
  note "can-up.sh: $(cat "$d/can-up.out")"
  # A wrong value is refused before anything changes, naming the key.
  printf 'BITRATE=500k\n' > "$d/bad.conf"
  "$deploy/can-up.sh" --conf "$d/bad.conf" vcan1 > "$d/can-up-bad.out" 2>&1; local rc=$?
  note "can-up.sh with BITRATE=500k: exit $rc: $(cat "$d/can-up-bad.out")"
  [ $rc = 2 ] && grep -q "BITRATE='500k'" "$d/can-up-bad.out" || why+="can-up.sh accepted BITRATE=500k (exit $rc); "
  ip -o link show vcan1 | grep -q '[<,]UP[,>]' || why+="a refused can-up.sh took vcan1 down; "

  cap_start i "vcan0;;;" || { fail deploy-scripts "capture did not start"; cap_stop; return; }
  cangen vcan0 -g 1 -n 200; sleep 1.5
  # Under TCG the capture's first answer (JIT) takes longer than canmesh health's 3 s.
  export HEALTH_TIMEOUT=${HEALTH_TIMEOUT:-30s}
  CANMESH="dotnet $CANMESH_DLL" "$deploy/diagnose.sh" vcan0 vcan1 > "$d/diagnose-up.out" 2>&1; local up_rc=$?
  local seq; seq=$(sed -n 's/^  committed seq \([0-9]*\)$/\1/p' "$d/diagnose-up.out")
  note "diagnose.sh, vcan0 up: exit $up_rc; $(grep -E '^  vcan0:|^  health:|^  committed seq|^(healthy|attention):' "$d/diagnose-up.out" | sed 's/^ *//' | tr '\n' '|')"
  [ $up_rc = 0 ] || why+="diagnose.sh exit $up_rc with everything up: $(tail -1 "$d/diagnose-up.out"); "
  grep -q '^  vcan0: vcan, up' "$d/diagnose-up.out" || why+="vcan0 and its state not shown; "
  grep -q '^  health: healthy' "$d/diagnose-up.out" || why+="the capture's health not shown; "
  [ "${seq:-0}" -ge 200 ] || why+="committed seq '${seq:-}' (200 frames sent); "

  ip link set vcan0 down; sleep 1
  CANMESH="dotnet $CANMESH_DLL" "$deploy/diagnose.sh" vcan0 vcan1 > "$d/diagnose-down.out" 2>&1; local down_rc=$?
  ip link set vcan0 up
  note "diagnose.sh, vcan0 down: exit $down_rc; $(tail -1 "$d/diagnose-down.out")"
  [ $down_rc = 1 ] || why+="diagnose.sh exit $down_rc with vcan0 down; "
  tail -1 "$d/diagnose-down.out" | grep -q '^attention: .*vcan0 is down' || why+="the summary does not say vcan0 is down: $(tail -1 "$d/diagnose-down.out"); "
  cap_stop
  [ -z "$why" ] && pass deploy-scripts || { fail deploy-scripts "$why"; sed 's/^/    | /' "$d/diagnose-down.out"; }
}

echo "target: $TARGET ($DLL); kernel $(uname -r); $(nproc) CPUs"
for c in ${CASES:-a b c d e f g h i}; do
  s=$SECONDS; "case_$c"; echo "  (case $c: $((SECONDS - s)) s)"
done
echo "$PASSED passed, $FAILED failed"
[ $FAILED = 0 ]
