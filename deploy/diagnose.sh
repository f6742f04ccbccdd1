#!/bin/bash
# diagnose.sh - what a person needs when CanMesh misbehaves: CAN interfaces (state, bit rate, listen-only,
# error counters, bus-off, drops), the kernel's CAN stats, the services, the capture's health and status
# (committed seq, pending frames per subscriber, drops), the database and its disk, recent service errors.
#
# Usage: diagnose.sh [IFACE...]       (default: every CAN and vcan interface)
# Env:   CANMESH          the command line to run (default: canmesh; e.g. CANMESH="dotnet /path/canmesh.dll")
#        CANMESH_SOCKET   the capture's API socket (default /run/canmesh/capture.sock)
#        CANMESH_DB       the capture database when the capture does not answer (default /var/lib/canmesh/capture.db)
#        PENDING_WARN     frames a retaining subscriber may lag before it needs attention (default 100000)
#        DISK_WARN        disk use in percent that needs attention (default 90)
#        CANMESH_TIMEOUT  seconds each canmesh call may take (default 60; a busy Pi starts .NET slowly)
#        HEALTH_TIMEOUT   how long the capture may take to answer the health check (default 10s; canmesh's own is 3s)
# With docker compose (images canmesh/*): the containers' state, health and restart count; when the socket is not
# on the host (it lives in a volume), canmesh runs inside the capture container (docker exec), the database
# and its disk are looked at there, and the recent warnings come from the containers' logs.
# Exit: 0 when everything looks healthy, 1 when something needs attention; the last line lists what.
# Every section degrades to one line when its tool is missing; nothing aborts the script half-way.
set -u

SOCKET=${CANMESH_SOCKET:-/run/canmesh/capture.sock}
PENDING_WARN=${PENDING_WARN:-100000}
DISK_WARN=${DISK_WARN:-90}
TMO=${CANMESH_TIMEOUT:-60}
UNITS="canmesh-capture canmesh-forwarder canmesh-flipper"
ATTENTION=()
attention() { ATTENTION+=("$1"); echo "  !! $1"; }
heading() { printf '\n== %s\n' "$1"; }
have() { command -v "$1" > /dev/null 2>&1; }
if [ -n "${CANMESH:-}" ]; then read -r -a CLI <<< "$CANMESH"
elif have canmesh; then CLI=(canmesh)
elif [ -x /usr/local/bin/canmesh ]; then CLI=(/usr/local/bin/canmesh)
else CLI=(); fi

echo "CanMesh diagnosis on $(hostname 2>/dev/null || echo '?') at $(date -u '+%Y-%m-%d %H:%M:%S UTC'), kernel $(uname -r)"

# ---------------------------------------------------------------- CAN interfaces
heading "CAN interfaces"
if ! have ip; then
  echo "  ip (iproute2) is not installed: cannot show interfaces (apt-get install iproute2)"
else
  if [ $# -gt 0 ]; then IFACES=("$@")
  else
    mapfile -t IFACES < <( { ip -o link show type can; ip -o link show type vcan; } 2>/dev/null | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }')
  fi
  [ ${#IFACES[@]} = 0 ] && attention "no CAN interfaces: is the CAN HAT's overlay in /boot/firmware/config.txt (dmesg | grep -i can)?"
  for ifc in "${IFACES[@]}"; do
    out=$(ip -details -statistics link show dev "$ifc" 2>&1) || { attention "$ifc does not exist ($out)"; continue; }
    # One key=value per line from ip's text (its layout differs between iproute2 versions: columns are
    # taken by their header names, not their positions).
    # shellcheck disable=SC2016
    kv=$(awk '
      NR == 1 { up = ($0 ~ /[<,]UP[,>]/) ? "yes" : "no"; print "admin_up=" up
                for (i = 1; i <= NF; i++) if ($i == "mtu") print "mtu=" $(i + 1) }
      NR > 1 && ($1 == "can" || $1 == "vcan" || $1 == "vxcan") && kind == "" {
        kind = $1; print "kind=" kind
        if (kind == "can") {
          print "listen_only=" (($0 ~ /LISTEN-ONLY/) ? "on" : "off"); print "fd=" (($0 ~ /[<,]FD[,>]/) ? "on" : "off")
          for (i = 1; i <= NF; i++) {
            if ($i == "state") print "state=" $(i + 1)
            if ($i == "tx" && $(i - 1) == "(berr-counter") print "berr_tx=" $(i + 1)
            if ($i == "rx" && $(i - 2) == "tx") { v = $(i + 1); sub(/\)/, "", v); print "berr_rx=" v }
            if ($i == "restart-ms") print "restart_ms=" $(i + 1)
          } } }
      $1 == "bitrate" && !seen_bitrate { print "bitrate=" $2; seen_bitrate = 1 }
      $1 == "dbitrate" { print "dbitrate=" $2 }
      hdr != "" { n = split(hdr, names, " "); for (i = 1; i <= n; i++) print prefix names[i] "=" $i; hdr = "" ; next }
      $1 == "re-started" { hdr = $0; prefix = "can_"; next }
      $1 == "RX:" { sub(/^ *RX: */, ""); hdr = $0; prefix = "rx_"; next }
      $1 == "TX:" { sub(/^ *TX: */, ""); hdr = $0; prefix = "tx_"; next }
    ' <<< "$out")
    get() { sed -n "s/^$1=//p" <<< "$kv" | head -1; }
    kind=$(get kind) up=$(get admin_up) state=$(get state)
    if [ "$kind" = can ]; then
      echo "  $ifc: can, $( [ "$up" = yes ] && echo up || echo DOWN ), state ${state:-?}, bitrate $(get bitrate)$( [ -n "$(get dbitrate)" ] && echo ", dbitrate $(get dbitrate)"), fd $(get fd), listen-only $(get listen_only), restart-ms $(get restart_ms)"
      echo "    berr-counter tx $(get berr_tx) rx $(get berr_rx); restarts $(get can_re-started), bus-errors $(get can_bus-errors), error-warn $(get can_error-warn), error-pass $(get can_error-pass), bus-off $(get can_bus-off)"
    else
      echo "  $ifc: ${kind:-not CAN}, $( [ "$up" = yes ] && echo up || echo DOWN ), mtu $(get mtu)"
    fi
    # Older iproute2 calls the controller's FIFO overruns "overrun", newer "missed".
    overrun=$(get rx_overrun); overrun=${overrun:-$(get rx_missed)}
    echo "    rx packets $(get rx_packets), errors $(get rx_errors), dropped $(get rx_dropped), overrun/missed ${overrun:-?}"
    [ "$up" = yes ] || attention "$ifc is down (sudo systemctl restart canmesh-can@$ifc, or ip link set $ifc up)"
    case "$state" in
      BUS-OFF) attention "$ifc is BUS-OFF (wrong bit rate or wiring/termination; restart-ms $(get restart_ms))" ;;
      ERROR-PASSIVE|ERROR-WARNING) attention "$ifc is $state (bus errors: check bit rate, termination, wiring)" ;;
      STOPPED) [ "$up" = yes ] && attention "$ifc is STOPPED" ;;
    esac
    [ "$(get listen_only)" = off ] && [ "$kind" = can ] && echo "    note: listen-only is off: this node ACKs frames on the bus"
    v=$(get rx_dropped); [ -n "$v" ] && [ "$v" != 0 ] && attention "$ifc: $v frames dropped by the kernel (receive path overloaded)"
    [ -n "$overrun" ] && [ "$overrun" != 0 ] && attention "$ifc: $overrun controller overruns (frames lost before the kernel; SPI too slow for the bus load)"
  done
fi

heading "Kernel CAN stats (/proc/net/can/stats)"
if [ -r /proc/net/can/stats ]; then sed -n '/[0-9]/s/^ */  /p' /proc/net/can/stats | head -12
else echo "  not present: the can module is not loaded (sudo modprobe can-raw)"; attention "SocketCAN is not loaded"; fi

# ---------------------------------------------------------------- services
heading "Services"
if have systemctl && [ -d /run/systemd/system ]; then
  for u in $UNITS $(systemctl list-units --plain --no-legend 'canmesh-can@*' 2>/dev/null | awk '{print $1}'); do
    u=${u%.service}
    enabled=$(systemctl is-enabled "$u" 2>/dev/null); active=$(systemctl is-active "$u" 2>/dev/null)
    [ -z "$enabled" ] || [ "$enabled" = not-found ] && { echo "  $u: not installed"; continue; }
    echo "  $u: $active ($enabled)"
    [ "$enabled" = enabled ] && [ "$active" != active ] && attention "$u is $active (journalctl -u $u)"
  done
else
  echo "  systemd is not running here: no unit states"
fi
# The compose deployment's containers: those running a canmesh/* image (whatever the project is called).
CONTAINERS=() CAPTURE_CONTAINER=""
if have docker; then
  ps_out=$(timeout 10 docker ps -a --format '{{.Names}} {{.Image}}' 2>&1); rc=$?
  if [ $rc = 0 ]; then
    mapfile -t CONTAINERS < <(awk '$2 ~ /^canmesh\// { print $1 }' <<< "$ps_out")
    [ ${#CONTAINERS[@]} = 0 ] && echo "  docker: no canmesh containers"
    for c in "${CONTAINERS[@]}"; do
      read -r image status health restarts < <(timeout 10 docker inspect -f \
        '{{.Config.Image}} {{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{else}}-{{end}} {{.RestartCount}}' "$c" 2>/dev/null)
      echo "  docker $c ($image): ${status:-?}, health ${health:-?}, restarted ${restarts:-?} times"
      case "$status" in
        running) [ "$health" = unhealthy ] && attention "container $c is unhealthy (docker inspect -f '{{json .State.Health}}' $c)" ;;
        restarting) attention "container $c keeps restarting (docker logs --tail 50 $c)" ;;
        *) attention "container $c is ${status:-?} (docker compose up -d; docker logs --tail 50 $c)" ;;
      esac
      [ "$status" = running ] && [[ $image == canmesh/capture* ]] && [ -z "$CAPTURE_CONTAINER" ] && CAPTURE_CONTAINER=$c
    done
  elif [ $rc = 124 ]; then echo "  docker: the engine did not answer within 10 s"
  else echo "  docker: cannot list containers (exit $rc${ps_out:+: $(head -1 <<< "$ps_out")})"; fi
else
  echo "  docker is not installed"
fi
# Compose keeps the socket in a volume: ask the capture from inside its container.
IN_CONTAINER=""
if [ ! -S "$SOCKET" ] && [ -n "$CAPTURE_CONTAINER" ] && [ -z "${CANMESH:-}" ]; then
  CLI=(docker exec "$CAPTURE_CONTAINER" canmesh) IN_CONTAINER=$CAPTURE_CONTAINER
  SOCKET=/run/canmesh/capture.sock
fi

# ---------------------------------------------------------------- the capture
heading "Capture ($SOCKET${IN_CONTAINER:+ in container $IN_CONTAINER})"
STATUS=""
if [ ${#CLI[@]} = 0 ]; then
  echo "  the canmesh command line is not installed (set CANMESH=/path/to/canmesh)"
elif [ -z "$IN_CONTAINER" ] && [ ! -S "$SOCKET" ]; then
  attention "capture socket $SOCKET is missing: is canmesh-capture running?"
else
  health=$(timeout "$TMO" "${CLI[@]}" health --socket "$SOCKET" --timeout "${HEALTH_TIMEOUT:-10s}" 2>&1); rc=$?
  [ $rc = 124 ] && health="canmesh health did not answer within $TMO s (CANMESH_TIMEOUT)"
  [ $rc = 127 ] && health="cannot run ${CLI[*]}: $health"
  echo "  health: $health"
  [ $rc = 0 ] || attention "capture is not healthy: $(head -1 <<< "$health") (exit $rc)"
  STATUS=$(timeout "$TMO" "${CLI[@]}" status --json --socket "$SOCKET" 2>&1 | grep -m1 '^{') || true
  [ -n "$STATUS" ] && timeout "$TMO" "${CLI[@]}" status --socket "$SOCKET" 2>&1 | sed 's/^/  /'
fi
if [ -n "$STATUS" ]; then
  if have jq; then
    seq=$(jq -r '.store.committed_seq' <<< "$STATUS")
    # shellcheck disable=SC2016
    jq -r --argjson warn "$PENDING_WARN" '
      (.sources[] | select(.state != "running") | "source \(.name) is \(.state): \(.state_detail)"),
      (.sources[] | select(.kernel_drops > 0) | "\(.name): \(.kernel_drops) kernel drops"),
      (.sources[] | select(.queue_drops > 0) | "\(.name): \(.queue_drops) queue drops"),
      (select(.store.store_drops > 0) | "store evicted \(.store.store_drops) unacknowledged frames (disk budget)"),
      (.subscribers[] | select(.retains and .pending > $warn) | "\(.name) pending \(.pending) frames")' <<< "$STATUS" > /tmp/canmesh-diagnose.$$ 2>/dev/null
    while IFS= read -r line; do [ -n "$line" ] && attention "$line"; done < /tmp/canmesh-diagnose.$$
    rm -f /tmp/canmesh-diagnose.$$
    DB=$(jq -r '.store.path' <<< "$STATUS")
  else
    # Without jq: the fields are written in a fixed order (tools/canmesh StatsJson).
    seq=$(grep -o '"committed_seq":[0-9]*' <<< "$STATUS" | cut -d: -f2)
    DB=$(grep -o '"path":"[^"]*"' <<< "$STATUS" | cut -d'"' -f4)
    while IFS=: read -r name pending; do
      [ "${pending:-0}" -gt "$PENDING_WARN" ] && attention "$name pending $pending frames"
    done < <(grep -o '"name":"[^"]*","acked_seq":[0-9]*,"pending":[0-9]*,"retains":true' <<< "$STATUS" | sed 's/"name":"\([^"]*\)".*"pending":\([0-9]*\).*/\1:\2/')
    grep -q '"state":"[^r]' <<< "$STATUS" && attention "a source is not running (see the sources table)"
    grep -q '"kernel_drops":[1-9]' <<< "$STATUS" && attention "kernel drops (see the sources table)"
  fi
  echo "  committed seq ${seq:-?}"
fi

# ---------------------------------------------------------------- database and disk
DB=${DB:-${CANMESH_DB:-/var/lib/canmesh/capture.db}}
heading "Database ($DB${IN_CONTAINER:+ in container $IN_CONTAINER})"
if [ -n "$IN_CONTAINER" ]; then
  dir=$(dirname "$DB")
  timeout "$TMO" docker exec "$IN_CONTAINER" ls -l "$dir" 2>&1 | awk 'NR > 1 { printf "  %s %s bytes\n", $NF, $5 }'
  timeout "$TMO" docker exec "$IN_CONTAINER" df -h "$dir" 2>&1 | sed 's/^/  /'
  use=$(timeout "$TMO" docker exec "$IN_CONTAINER" df -P "$dir" 2>/dev/null | awk 'NR == 2 { sub(/%/, "", $5); print $5 }')
  [ -n "$use" ] && [ "$use" -ge "$DISK_WARN" ] && attention "disk $use% full ($dir in container $IN_CONTAINER)"
elif [ -e "$DB" ]; then
  ls -l "$DB" "$DB-wal" 2>/dev/null | awk '{ printf "  %s %s bytes\n", $NF, $5 }'
  du -ch "$DB" "$DB-wal" "$DB-shm" 2>/dev/null | tail -1 | sed 's/^/  together: /'
  if have df; then
    df -h "$(dirname "$DB")" 2>/dev/null | sed 's/^/  /'
    use=$(df -P "$(dirname "$DB")" 2>/dev/null | awk 'NR == 2 { sub(/%/, "", $5); print $5 }')
    [ -n "$use" ] && [ "$use" -ge "$DISK_WARN" ] && attention "disk $use% full ($(dirname "$DB"))"
  else echo "  df is not installed"; fi
else
  echo "  not found here (the capture stores it elsewhere, or it has not started yet)"
fi

# ---------------------------------------------------------------- recent errors
heading "Recent warnings and errors (journal or container logs, last hour)"
if have journalctl && [ -d /run/systemd/system ]; then
  for u in $UNITS; do
    lines=$(journalctl -u "$u" -p warning --since -1h -n 5 --no-pager -q 2>&1)
    [ -n "$lines" ] && { echo "  $u:"; sed 's/^/    /' <<< "$lines"; }
  done
  echo "  (journalctl -u canmesh-capture -e for more)"
elif [ ${#CONTAINERS[@]} = 0 ]; then
  echo "  no systemd journal here"
fi
for c in "${CONTAINERS[@]}"; do
  lines=$(timeout 10 docker logs --since 1h "$c" 2>&1 | grep -E '^[^ ]* ?(warn|fail|crit):' | tail -n 5)
  [ -n "$lines" ] && { echo "  $c:"; sed 's/^/    /' <<< "$lines"; }
done
[ ${#CONTAINERS[@]} = 0 ] || echo "  (docker logs --since 1h ${CONTAINERS[0]} for more)"

echo
if [ ${#ATTENTION[@]} = 0 ]; then
  echo "healthy: nothing needs attention"; exit 0
fi
summary=$(printf '%s; ' "${ATTENTION[@]}"); echo "attention: ${summary%; }"
exit 1
