#!/usr/bin/env bash
# tests/compose/fleet.sh: a fleet into one PostgreSQL. FLEET_SIZE (3) capture + forwarder pairs, each a compose
# project of its own (canmesh-fleet-1..N) from docker-compose.yml + docker-compose.no-can.yml +
# tests/compose/fleet.yml, each with its own journal (host folder) and so its own capture id; one PostgreSQL
# (project canmesh-fleet-db, profile db) on a network they share.
# Faults: every forwarder and one capture crashed (SIGKILL of the process) at random moments, PostgreSQL crashed,
# `docker compose restart capture` of one pair while the other pairs keep running, PostgreSQL stopped and
# started. At the end, per capture: healthy, and PostgreSQL equal to its journal (lib.sh: verify_capture).
# FAULTS_SEED=N repeats the random choices; KEEP=1 leaves it running. About 3 minutes with built images.
set -uo pipefail
source "$(dirname "$0")/lib.sh"

size=${FLEET_SIZE:-3}
work=$root/artifacts/compose-fleet
export FLEET_NETWORK=canmesh-fleet CANMESH_PG_HOST=postgres CANMESH_PG_PASSWORD_FILE=$work/pg_password
files=(-f docker-compose.yml -f docker-compose.no-can.yml -f tests/compose/fleet.yml)
# pair N ARGS...: docker compose for capture + forwarder pair N; db ARGS...: for the shared PostgreSQL.
pair() { local n=$1; shift; FLEET_DATA=$work/data-$n docker compose -p "canmesh-fleet-$n" "${files[@]}" "$@"; }
db() { docker compose -p canmesh-fleet-db "${files[@]}" --profile db "$@"; }
psql_value() { db exec -T postgres psql -U canmesh -d canmesh -tAq -F $'\t' -v ON_ERROR_STOP=1 -c "$1"; }
teardown() {
  local n
  for n in $(seq "$size"); do pair "$n" down -v --remove-orphans; done
  db down -v --remove-orphans
  docker network rm "$FLEET_NETWORK"
}
keep_hint="for p in canmesh-fleet-db \$(seq -f canmesh-fleet-%g $size); do docker compose -p \$p down -v; done; docker network rm $FLEET_NETWORK (in the repository)"
diagnose() {
  local n
  for n in $(seq "$size"); do echo "--- pair $n: compose ps"; pair "$n" ps -a; echo "--- pair $n: last log lines"; pair "$n" logs --no-color --tail 15; done
  echo "--- postgres"; db ps -a; db logs --no-color --tail 15
}
container() { if [ "$1" = db ]; then db ps -a -q postgres; else pair "$1" ps -a -q "$2"; fi; }
pair_healthy() { healthy "$(container "$1" capture)" "$(container "$1" forwarder)"; }
all_healthy() { local n; healthy "$(container db)" || return 1; for n in $(seq "$size"); do pair_healthy "$n" || return 1; done; }
journal() { echo "$work/data-$1/capture.db"; }

echo "seed $seed (FAULTS_SEED=$seed repeats this run's choices), $size capture + forwarder pairs"

for tool in docker sqlite3 setpriv; do command -v "$tool" >/dev/null || fatal "$tool is not installed"; done
scripts/docker-engine.sh >/dev/null && scripts/images.sh >/dev/null || fatal "the Docker engine or the base images (scripts/docker-engine.sh, scripts/images.sh)"
teardown >/dev/null 2>&1
rm -rf "$work" && mkdir -p "$work/ref" && chown 10001:10001 "$work/ref"
for n in $(seq "$size"); do install -d -o 10001 -g 10001 "$work/data-$n"; done
head -c 18 /dev/urandom | base64 | tr -d '/+=' > "$CANMESH_PG_PASSWORD_FILE" && chmod 0644 "$CANMESH_PG_PASSWORD_FILE"
docker network create "$FLEET_NETWORK" >/dev/null || fatal "docker network create $FLEET_NETWORK"
pair 1 build capture forwarder > "$work/build.log" 2>&1 || { tail -n 40 "$work/build.log"; fatal "compose build (log in $work/build.log)"; }
pass "setup: network $FLEET_NETWORK, $size journal folders, images built"

db up -d --wait --wait-timeout 120 postgres > "$work/up.log" 2>&1 || { cat "$work/up.log"; fatal "PostgreSQL not healthy"; }
for n in $(seq "$size"); do pair "$n" up -d --no-build capture forwarder >> "$work/up.log" 2>&1 || fatal "pair $n: compose up"; done
wait_for 240 all_healthy && pass "up: PostgreSQL and $size capture + forwarder pairs healthy" || fatal "up: not every service healthy within 240 s"
for n in $(seq "$size"); do reference_init "$work/ref/pair-$n.db"; snapshots "$work/ref/pair-$n.db" "$(journal "$n")"; done

ids=$(for n in $(seq "$size"); do capture_id_of "$(journal "$n")"; done | sort -u | wc -l)
check "each pair's journal has its own capture id ($ids distinct)" test "$ids" = "$size"
# synced_of N: PostgreSQL's synced_seq for pair N's capture.
synced_of() { psql_value "SELECT coalesce(max(synced_seq), 0) FROM canmesh.captures WHERE capture_id = '$(capture_id_of "$(journal "$1")")'"; }
synced_at_least() { [ "$(synced_of "$1")" -ge "$2" ]; }
catch_up() {
  local n c
  for n in $(seq "$size"); do
    c=$(committed_seq "$(container "$n" capture)")
    [ -n "$c" ] || { fail "$1: pair $n: no committed seq from canmesh health"; continue; }
    if ! wait_for 180 synced_at_least "$n" "$c"; then fail "$1: pair $n: not synced through $c within 180 s (at $(synced_of "$n"))"; continue; fi
    if once=$(pg_once psql_value "$(capture_id_of "$(journal "$n")")"); then pass "$1: pair $n: PostgreSQL synced through the committed seq $c, each seq once"
    else fail "$1: pair $n: PostgreSQL synced through $c, but $once"; fi
  done
}
replay_ended() { docker exec "$(container "$1" capture)" canmesh health | grep -q '1 of 2 sources running'; }
for n in $(seq "$size"); do wait_for 120 replay_ended "$n" || fail "pair $n: the replay did not end within 120 s"; done
catch_up "after the replays"
check "PostgreSQL lists $size captures" test "$(psql_value "SELECT count(*) FROM canmesh.captures")" = "$size"

# ---- Crashes (SIGKILL of the process: see lib.sh's crash) at random moments
victim=$((RANDOM % size + 1))
shuffle $(seq -f '%g:forwarder' "$size") "$victim:capture" db:postgres
for target in "${order[@]}"; do
  n=${target%%:*} s=${target#*:}
  random_pause 5
  c=$(container "$n" "$s") restarts=$(state "$(container "$n" "$s")" .RestartCount)
  what="pair $n's $s"; [ "$n" = db ] && what="the fleet's PostgreSQL"
  crash "$c" || { fail "crash $what: no process"; continue; }
  if wait_for 90 running_again "$c" "$restarts"; then pass "$what crashed (SIGKILL of its process): restarted by its policy"
  else fail "$what crashed: not running again within 90 s"; fi
done
wait_for 180 all_healthy && pass "after the crashes: every service healthy" || fail "after the crashes: not every service healthy within 180 s"
catch_up "after the crashes"

# ---- docker compose restart of one pair's capture; the other pairs and PostgreSQL keep running
restarted=$((RANDOM % size + 1))
others() { local n; state "$(container db)" .State.StartedAt; for n in $(seq "$size"); do [ "$n" = "$restarted" ] || state "$(container "$n" capture)" .State.StartedAt; done; }
before=$(others)
pair "$restarted" restart capture >/dev/null 2>&1
check "docker compose restart capture of pair $restarted: the other pairs' captures and PostgreSQL untouched" test "$before" = "$(others)"

# ---- PostgreSQL stopped and started
db stop postgres >/dev/null 2>&1
random_pause 15
db start postgres >/dev/null 2>&1
wait_for 180 all_healthy && pass "PostgreSQL stopped and started: every service healthy" || fail "after PostgreSQL's stop: not every service healthy within 180 s"
catch_up "at the end"

check "at the end: every service healthy" all_healthy
stop_snapshots
for n in $(seq "$size"); do verify_capture "pair-$n" "$work/ref/pair-$n.db" "$(journal "$n")" psql_value; done
finish
