#!/usr/bin/env bash
# tests/compose/faults.sh: the compose file itself on the Docker engine, with faults injected.
#   docker-compose.yml + docker-compose.no-can.yml + tests/compose/faults.yml, project canmesh-faults, profile db:
#   replay and a 1000 frames/s sim, a 1 MiB disk budget, the journal in a host folder, the flipper on a pty
#   whose other end (tests/compose/flipper-emulator.sh) answers as a Flipper.
# Faults: FAULTS_ROUNDS (2) rounds of crashing every service (SIGKILL of its process) in random order at random
# moments; `docker kill -s KILL` of each container then `docker compose start`; `docker compose restart capture`
# while the others keep running; PostgreSQL stopped until the disk budget evicts unforwarded frames, then started.
# At the end: every service healthy, the flipper still reporting, and PostgreSQL equal to the journal for every
# committed frame with every eviction recorded (lib.sh: verify_capture).
# FAULTS_SEED=N repeats the random choices; KEEP=1 leaves it running. One PASS/FAIL line per check, then
# "N passed, M failed". About 4 minutes with built images.
set -uo pipefail
source "$(dirname "$0")/lib.sh"

project=canmesh-faults
work=$root/artifacts/compose-faults
compose() { docker compose -p "$project" -f docker-compose.yml -f docker-compose.no-can.yml -f tests/compose/faults.yml --profile db "$@"; }
psql_value() { compose exec -T postgres psql -U canmesh -d canmesh -tAq -F $'\t' -v ON_ERROR_STOP=1 -c "$1"; }
teardown() { compose down -v --remove-orphans; }
keep_hint="docker compose -p $project down -v (in the repository)"
diagnose() {
  echo "--- compose ps"; compose ps -a
  echo "--- last log lines"; compose logs --no-color --tail 25
  echo "--- the Flipper's side of the UART (last lines)"; tail -n 5 "$work/flipper.log"
}
services=(capture forwarder flipper postgres)
container() { compose ps -a -q "$1"; }
all_healthy() { local s; for s in "${services[@]}"; do healthy "$(container "$s")" || return 1; done; }

echo "seed $seed (FAULTS_SEED=$seed repeats this run's choices), ${FAULTS_ROUNDS:=2} crash rounds"

# ---- Setup: images, the journal's folder, the password, the pty
for tool in docker sqlite3 socat setpriv; do command -v "$tool" >/dev/null || fatal "$tool is not installed"; done
scripts/docker-engine.sh >/dev/null && scripts/images.sh >/dev/null || fatal "the Docker engine or the base images (scripts/docker-engine.sh, scripts/images.sh)"
teardown >/dev/null 2>&1
rm -rf "$work" && mkdir -p "$work" && install -d -o 10001 -g 10001 "$work/data" "$work/ref"
export FAULTS_DATA=$work/data CANMESH_PG_HOST=postgres CANMESH_PG_PASSWORD_FILE=$work/pg_password
# A fresh password each run; world-readable because the forwarder (uid 10001) reads the bind-mounted file.
head -c 18 /dev/urandom | base64 | tr -d '/+=' > "$CANMESH_PG_PASSWORD_FILE" && chmod 0644 "$CANMESH_PG_PASSWORD_FILE"
journal=$work/data/capture.db ref=$work/ref/reference.db

socat pty,raw,echo=0,link="$work/flipper-pty" SYSTEM:"exec $compose_dir/flipper-emulator.sh $work/flipper.log $work/flipper-pty" 2>"$work/socat.log" &
background+=($!)
wait_for 10 test -e "$work/flipper-pty" || fatal "socat made no pty (socat.log: $(cat "$work/socat.log"))"
export FAULTS_FLIPPER_PTY; FAULTS_FLIPPER_PTY=$(readlink -f "$work/flipper-pty")
chmod 0666 "$FAULTS_FLIPPER_PTY"
# Held open on the host: when the service's last descriptor on the slave closes (a crash), socat would read EIO
# on the master and end; with this one open it stays.
sleep infinity <> "$FAULTS_FLIPPER_PTY" &
background+=($!)
pass "setup: base images, journal folder, flipper on $FAULTS_FLIPPER_PTY"

compose build > "$work/build.log" 2>&1 || { tail -n 40 "$work/build.log"; fatal "compose build (log in $work/build.log)"; }
pass "compose build (capture, forwarder, flipper)"
compose up -d --wait --wait-timeout 240 > "$work/up.log" 2>&1 || { cat "$work/up.log"; fatal "compose up --wait: not every service healthy"; }
check "up: capture, forwarder, flipper, postgres healthy" all_healthy
reference_init "$ref"
snapshots "$ref" "$journal"

synced_seq() { psql_value "SELECT coalesce(max(synced_seq), 0) FROM canmesh.captures"; }
synced_at_least() { [ "$(synced_seq)" -ge "$1" ]; }
# catch_up WHAT: PostgreSQL reaches the seq the capture had committed when asked.
catch_up() {
  local c; c=$(committed_seq "$(container capture)")
  [ -n "$c" ] || { fail "$1: no committed seq from canmesh health"; return 1; }
  if ! wait_for 180 synced_at_least "$c"; then fail "$1: PostgreSQL not synced through $c within 180 s (at $(synced_seq))"; return 1; fi
  local once; if once=$(pg_once psql_value "$(capture_id_of "$journal")"); then pass "$1: PostgreSQL synced through the committed seq $c, each seq once"
  else fail "$1: PostgreSQL synced through $c, but $once"; fi
}
# flipper_reports WHAT: a STATS line after the mark (set before each fault), saying the capture is up and the
# forwarder connected.
flipper_mark=0
mark_flipper() { flipper_mark=$(wc -l < "$work/flipper.log"); }
flipper_reports() {
  if wait_for 90 bash -c "tail -n +$((flipper_mark + 1)) '$work/flipper.log' | grep -q 'STATS:.*fwd=connected,capture=up'"; then
    pass "$1: the flipper reports on the UART ($(grep -c 'STATS:' "$work/flipper.log") STATS lines so far)"
  else
    fail "$1: no STATS line with fwd=connected,capture=up on the UART within 90 s"
  fi
}
flipper_reports "after up"

# The replay (tests/data/savvycan_candump.log at its recorded pace) ends; the sim goes on.
wait_for 120 bash -c "docker exec $(container capture) canmesh health | grep -q '1 of 2 sources running'" || fatal "the replay did not end within 120 s"
catch_up "after the replay"
replayed=$(grep -c . tests/data/savvycan_candump.log)
# A replayed frame keeps the interface name of its log line (vcan0 here), so: everything but sim0.
check "replay: all $replayed lines of the log are frames in PostgreSQL" test "$(psql_value "SELECT count(*) FROM canmesh.frames f
  JOIN canmesh.interfaces i USING (capture_id, interface_id) WHERE i.name <> 'sim0'")" = "$replayed"

# ---- Crash rounds
for round in $(seq "$FAULTS_ROUNDS"); do
  mark_flipper
  shuffle "${services[@]}"
  for s in "${order[@]}"; do
    random_pause 6
    c=$(container "$s") restarts=$(state "$(container "$s")" .RestartCount)
    crash "$c" || { fail "round $round: crash $s: no process found"; continue; }
    if wait_for 90 running_again "$c" "$restarts"; then
      pass "round $round: $s crashed (SIGKILL of its process): restarted by its policy (restart count $restarts -> $(state "$c" .RestartCount))"
    else
      fail "round $round: $s crashed: not running again within 90 s"
    fi
  done
  wait_for 180 all_healthy && pass "round $round: every service healthy again" || fail "round $round: not every service healthy within 180 s"
  catch_up "round $round"
  flipper_reports "round $round"
done

# ---- docker kill -s KILL, as an operator would: a manual stop, which the restart policy leaves alone
mark_flipper
shuffle "${services[@]}"
for s in "${order[@]}"; do
  c=$(container "$s") restarts=$(state "$(container "$s")" .RestartCount)
  random_pause 4
  docker kill -s KILL "$c" >/dev/null
  if ! wait_for 30 stopped "$c"; then fail "docker kill -s KILL $s: still running"; continue; fi
  stayed=$(state "$c" .RestartCount)
  compose start "$s" >/dev/null 2>&1
  if [ "$stayed" = "$restarts" ] && wait_for 120 healthy "$c"; then
    pass "docker kill -s KILL $s: stayed stopped (no restart), docker compose start $s: healthy again"
  else
    fail "docker kill -s KILL $s: restart count $restarts -> $stayed while stopped, health now $(state "$c" .State.Health.Status)"
  fi
done
wait_for 180 all_healthy && pass "after docker kill: every service healthy" || fail "after docker kill: not every service healthy within 180 s"
catch_up "after docker kill"
flipper_reports "after docker kill"

# ---- docker compose restart of one service while the others keep running
others() { local s; for s in forwarder flipper postgres; do state "$(container "$s")" .State.StartedAt; done; }
mark_flipper
before=$(others) capture_before=$(state "$(container capture)" .State.StartedAt)
compose restart capture >/dev/null 2>&1
after=$(others)
check "docker compose restart capture: forwarder, flipper, postgres untouched (same StartedAt)" \
  bash -c "[ '$before' = '$after' ] && [ '$(state "$(container capture)" .State.StartedAt)' != '$capture_before' ]"
wait_for 180 all_healthy && pass "after compose restart capture: every service healthy" || fail "after compose restart capture: not every service healthy within 180 s"
catch_up "after compose restart capture"
flipper_reports "after compose restart capture"

# ---- PostgreSQL stopped until the capture's disk budget evicts frames the forwarder has not sent, then started
mark_flipper
compose stop postgres >/dev/null 2>&1
# Enough that some were never received by the forwarder (its blocks and the stream's buffers hold a few thousand):
# those must end as gaps in PostgreSQL.
evicted_enough() { [ "$(unsynced_evictions "$journal")" -ge "${FAULTS_EVICT:-20000}" ]; }
if wait_for 240 evicted_enough; then
  pass "PostgreSQL stopped: the 1 MiB disk budget evicted $(unsynced_evictions "$journal") unforwarded frames (UnsyncedEviction)"
else
  fail "PostgreSQL stopped: fewer than ${FAULTS_EVICT:-20000} unforwarded frames evicted within 240 s ($(unsynced_evictions "$journal"))"
fi
check "during the outage: the capture stays healthy" healthy "$(container capture)"
compose start postgres >/dev/null 2>&1
wait_for 180 all_healthy && pass "PostgreSQL started: every service healthy" || fail "PostgreSQL started: not every service healthy within 180 s"
catch_up "after PostgreSQL's outage"
flipper_reports "at the end"

# ---- The invariants
check "at the end: every service healthy" all_healthy
stop_snapshots
verify_capture faults "$ref" "$journal" psql_value
check "the disk budget was reached: unforwarded frames evicted and recorded as gaps in PostgreSQL" \
  bash -c "[ '${verified_unsynced:-0}' -gt 0 ] && [ '${verified_gaps:-0}' -gt 0 ] && echo '$verified_unsynced seqs evicted unforwarded, $verified_gaps in frame_gaps'"
finish
