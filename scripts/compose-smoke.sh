#!/usr/bin/env bash
# End-to-end check of the container images and compose files, on this machine's engine
# (scripts/docker-engine.sh) with images built from Debian's packages (scripts/images.sh):
#   docker compose -f docker-compose.yml -f docker-compose.no-can.yml --profile db up -d --build --wait
# then: every service healthy; after the replay ends, PostgreSQL holds each committed seq exactly once;
# SIGKILL of the forwarder's process -> the restart policy brings it back and it catches up;
# `docker compose restart capture` leaves the other containers running (same StartedAt) and the
# forwarder catches up again. One PASS/FAIL line per step with its time; exit 1 at the first FAIL.
# Tears everything down (down -v) at the end, also on failure; KEEP=1 leaves it running to look at.
# About 3-4 minutes with built images on 2 cores; the first image build adds 3-4 minutes.
set -euo pipefail
cd "$(dirname "$0")/.."

project=canmesh-smoke
work=artifacts/compose-smoke
mkdir -p "$work"

# Here: the stand-ins for the official images (nothing can be pulled).
export CANMESH_SDK_IMAGE=${CANMESH_SDK_IMAGE:-local/dotnet-sdk:10.0}
export CANMESH_RUNTIME_IMAGE=${CANMESH_RUNTIME_IMAGE:-local/dotnet-runtime:10.0}
export CANMESH_POSTGRES_IMAGE=${CANMESH_POSTGRES_IMAGE:-local/postgres:15}
export CANMESH_TAG=${CANMESH_TAG:-smoke}
export CANMESH_PG_HOST=postgres
export CANMESH_PG_PASSWORD_FILE=$PWD/$work/pg_password
# A fresh password each run; world-readable because the forwarder (uid 10001) reads the bind-mounted file.
head -c 18 /dev/urandom | base64 | tr -d '/+=' > "$CANMESH_PG_PASSWORD_FILE"
chmod 0644 "$CANMESH_PG_PASSWORD_FILE"

compose() { docker compose -p "$project" -f docker-compose.yml -f docker-compose.no-can.yml --profile db "$@"; }
psql_value() { compose exec -T postgres psql -U canmesh -d canmesh -tAq -v ON_ERROR_STOP=1 -c "$1"; }
started=$SECONDS step_started=$SECONDS
pass() { echo "PASS  $* ($((SECONDS - step_started)) s)"; step_started=$SECONDS; }
fail() {
  echo "FAIL  $* ($((SECONDS - step_started)) s)"
  echo "--- compose ps"; compose ps -a || true
  echo "--- last log lines"; compose logs --no-color --tail 25 || true
  exit 1
}
cleanup() {
  if [ "${KEEP:-0}" = 1 ]; then echo "KEEP=1: left running; remove with: docker compose -p $project down -v"; return; fi
  compose down -v --remove-orphans >/dev/null 2>&1 || true
}
trap cleanup EXIT

# wait_for SECONDS DESCRIPTION COMMAND...: retries COMMAND every second until it succeeds.
wait_for() {
  local limit=$1 what=$2; shift 2
  local until=$((SECONDS + limit))
  while ! "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $until ] || fail "$what: not within $limit s"
    sleep 1
  done
}

container_of() { compose ps -q "$1"; }
state_of() { docker inspect -f "{{$2}}" "$(container_of "$1")"; }
all_healthy() {
  local s
  for s in capture forwarder flipper postgres; do [ "$(state_of "$s" .State.Health.Status)" = healthy ] || return 1; done
}
# The capture's committed seq, from `canmesh health` ("healthy: 2 of 2 sources running, committed seq N").
committed_seq() { compose exec -T capture canmesh health | sed -n 's/.*committed seq \([0-9]*\).*/\1/p'; }
synced_seq() { psql_value "select coalesce(max(synced_seq), 0) from canmesh.captures"; }
synced_at_least() { [ "$(synced_seq)" -ge "$1" ]; }
# Every seq up to the synced one is in PostgreSQL exactly once (frames, or rejected_frames, or a gap).
exactly_once() {
  local s=$1 rows
  rows=$(psql_value "select (select count(*) from canmesh.frames where seq <= $s)
                          + (select count(*) from canmesh.rejected_frames where seq <= $s)
                          + (select coalesce(sum(last_missing - first_missing + 1), 0) from canmesh.frame_gaps),
                            (select count(distinct seq) from canmesh.frames where seq <= $s)
                          + (select count(*) from canmesh.rejected_frames where seq <= $s)" | tr '|' ' ')
  read -r total distinct <<< "$rows"
  [ "$total" = "$s" ] && [ "$distinct" = "$s" ] || fail "exactly once up to seq $s: PostgreSQL holds $total rows, $distinct distinct seqs"
}
catch_up() {
  local what=$1 c
  c=$(committed_seq); [ -n "$c" ] || fail "$what: no committed seq from canmesh health"
  wait_for 120 "$what: forwarder reaches committed seq $c" synced_at_least "$c"
  local s; s=$(synced_seq); exactly_once "$s"
  pass "$what: capture committed $c, PostgreSQL synced through $s, each seq once"
}

scripts/images.sh
pass "base images (scripts/images.sh)"
compose down -v --remove-orphans >/dev/null 2>&1 || true

compose build > "$work/build.log" 2>&1 || { tail -n 40 "$work/build.log"; fail "compose build (log in $work/build.log)"; }
pass "compose build (capture, forwarder, flipper)"
compose up -d --wait --wait-timeout 180 > "$work/up.log" 2>&1 || { cat "$work/up.log"; fail "compose up --wait: not every service healthy"; }
all_healthy || fail "health after up"
pass "up: capture, forwarder, flipper, postgres healthy"

# The replay (7524 frames, about 5 s at its recorded pace) ends; the sim goes on.
wait_for 90 "the replay ends" bash -c "docker compose -p $project -f docker-compose.yml -f docker-compose.no-can.yml exec -T capture canmesh health | grep -q '1 of 2 sources running'"
replayed=$(grep -c . tests/data/savvycan_candump.log)
catch_up "after the replay"
# A replayed frame keeps the interface name of its log line (vcan0 here), so: everything but sim0.
in_pg=$(psql_value "select count(*) from canmesh.frames f join canmesh.interfaces i using (capture_id, interface_id) where i.name <> 'sim0'")
[ "$in_pg" = "$replayed" ] || fail "replayed frames in PostgreSQL: $in_pg, the log has $replayed lines"
pass "replay: all $replayed lines of the log are frames in PostgreSQL"

restarts=$(state_of forwarder .RestartCount)
# A crash, not `docker kill`: Docker counts `docker kill` as a manual stop, and neither unless-stopped
# nor always restarts a manually stopped container. So SIGKILL the forwarder process itself (from the
# host, by its pid: the child of tini, the container's PID 1); tini exits with 137, as on a crash.
init_pid=$(state_of forwarder .State.Pid)
service_pid=$(pgrep -P "$init_pid" | head -n 1)
[ -n "$service_pid" ] || fail "no forwarder process under the container's init (pid $init_pid)"
kill -KILL "$service_pid"
wait_for 60 "forwarder restarted by its policy" bash -c "[ \$(docker inspect -f '{{.RestartCount}}' $(container_of forwarder)) -gt $restarts ] && [ \$(docker inspect -f '{{.State.Running}}' $(container_of forwarder)) = true ]"
pass "forwarder process SIGKILLed: restarted by restart: unless-stopped (restart count $restarts -> $(state_of forwarder .RestartCount))"
catch_up "after the forwarder's kill"
wait_for 90 "forwarder healthy again" bash -c "[ \$(docker inspect -f '{{.State.Health.Status}}' $(container_of forwarder)) = healthy ]"
pass "forwarder healthy again"

before=$(for s in forwarder flipper postgres; do state_of "$s" .State.StartedAt; done)
capture_before=$(state_of capture .State.StartedAt)
compose restart capture > /dev/null
after=$(for s in forwarder flipper postgres; do state_of "$s" .State.StartedAt; done)
[ "$before" = "$after" ] || fail "docker compose restart capture restarted others: $before / $after"
[ "$(state_of capture .State.StartedAt)" != "$capture_before" ] || fail "capture did not restart"
pass "compose restart capture: forwarder, flipper, postgres untouched (same StartedAt)"
wait_for 120 "every service healthy after the capture's restart" all_healthy
pass "all healthy after the capture's restart"
catch_up "after the capture's restart"

echo "PASS  compose smoke test, $((SECONDS - started)) s in all"
