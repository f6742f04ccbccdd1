# tests/compose/lib.sh: sourced by the compose scenarios (faults.sh, fleet.sh). PASS/FAIL counting, waiting on
# conditions, crashing and stopping containers, reading a capture's journal from the host, and the check that
# PostgreSQL holds each committed seq of a capture exactly once and equal to its SQLite journal.
# Expects the scenario to define `diagnose` (what to print on a FAIL), `teardown` and `keep_hint` (the command
# that tears down by hand after KEEP=1).

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
root=$PWD
compose_dir=$root/tests/compose

# Here: the stand-ins for the official images (nothing can be pulled).
export CANMESH_SDK_IMAGE=${CANMESH_SDK_IMAGE:-local/dotnet-sdk:10.0}
export CANMESH_RUNTIME_IMAGE=${CANMESH_RUNTIME_IMAGE:-local/dotnet-runtime:10.0}
export CANMESH_POSTGRES_IMAGE=${CANMESH_POSTGRES_IMAGE:-local/postgres:15}
export CANMESH_TAG=${CANMESH_TAG:-compose-test}

# Random moments, repeatable: FAULTS_SEED=N re-runs a failure with the same choices.
seed=${FAULTS_SEED:-$$}
RANDOM=$seed

PASSED=0 FAILED=0 started=$SECONDS step_started=$SECONDS
pass() { echo "PASS  $* ($((SECONDS - step_started)) s)"; PASSED=$((PASSED + 1)); step_started=$SECONDS; }
fail() { echo "FAIL  $* ($((SECONDS - step_started)) s)"; FAILED=$((FAILED + 1)); step_started=$SECONDS; }
# check DESCRIPTION COMMAND...: one PASS or FAIL line; COMMAND's output goes under a FAIL.
check() {
  local what=$1 out; shift
  if out=$("$@" 2>&1); then pass "$what${out:+: $out}"; else fail "$what"; [ -z "$out" ] || printf '%s\n' "$out" | sed 's/^/      /' | head -n 40; fi
}
# A step the rest depends on failed: print what there is to see and stop (the EXIT trap tears down).
fatal() { fail "$*"; finish; }
finish() {
  if [ "$FAILED" -gt 0 ]; then diagnose 2>&1 | tail -n 200; fi
  echo "$(basename "$0") took $((SECONDS - started)) s (seed $seed)"
  echo "$PASSED passed, $FAILED failed"
  [ "$FAILED" = 0 ]
  exit
}
on_exit() {
  local rc=$?
  for pid in "${background[@]}"; do kill "$pid" 2>/dev/null; done
  wait 2>/dev/null
  if [ "${KEEP:-0}" = 1 ]; then echo "KEEP=1: left running; remove with: $keep_hint"; else teardown >/dev/null 2>&1; fi
  exit "$rc"
}
background=()
trap on_exit EXIT
trap 'exit 130' INT TERM

# wait_for SECONDS COMMAND...: true once COMMAND succeeds (tried every second), false after SECONDS.
wait_for() {
  local until=$((SECONDS + $1)); shift
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $until ] || return 1
    sleep 1
  done
}
# shuffle ITEM...: the items in a random order, into the array `order`. In this shell: a $(...) subshell reseeds
# RANDOM, and FAULTS_SEED would no longer repeat the order.
shuffle() { local keyed=() i; for i in "$@"; do keyed+=("$RANDOM $i"); done; mapfile -t order < <(printf '%s\n' "${keyed[@]}" | sort -n | cut -d' ' -f2-); }
# A random moment: up to $1 seconds (tenths). Not synchronisation: it spreads the faults over the services' states.
random_pause() { sleep "$((RANDOM % ($1 * 10) / 10)).$((RANDOM % 10))"; }

state() { docker inspect -f "{{$2}}" "$1"; }
healthy() { local c; for c in "$@"; do [ "$(state "$c" .State.Health.Status)" = healthy ] || return 1; done; }
running_again() { [ "$(state "$1" .RestartCount)" -gt "$2" ] && [ "$(state "$1" .State.Running)" = true ]; }
stopped() { [ "$(state "$1" .State.Running)" = false ]; }

# crash CONTAINER: SIGKILL of the service's process, the crash the issue means. Not `docker kill`: Docker 26
# counts any `docker kill` as a manual stop, which restart: unless-stopped does not undo. With init: true
# the service is the child of tini (the container's PID 1) and tini exits 137; without (postgres), PID 1 is
# the service itself. Both seen from the host by pid, so Docker sees the container die on its own.
crash() {
  local pid child
  pid=$(state "$1" .State.Pid)
  [ "$pid" -gt 0 ] || return 1
  if [ "$(state "$1" .HostConfig.Init)" = true ]; then child=$(pgrep -P "$pid" | head -n 1); pid=${child:?no process under tini}; fi
  kill -KILL "$pid"
}

# The capture's committed seq, from `canmesh health` ("healthy: 2 of 2 sources running, committed seq N").
committed_seq() { docker exec "$1" canmesh health | sed -n 's/.*committed seq \([0-9]*\).*/\1/p'; }

# ---- A capture's journal, read from the host
# The journal's folder is bind-mounted from the host (tests/compose/*.yml), so sqlite3 reads it while the
# capture writes (WAL: a reader sees one committed state and never blocks the writer). It runs as uid 10001,
# the capture's, so a -wal or -shm file it happens to create is one the capture can open.
as_capture_user() { setpriv --reuid=10001 --regid=10001 --clear-groups "$@"; }
# journal_row: one frame as text, the same on both sides: seq|timestamp ns|interface|can id|flags|DATA.
# flags & 65535: the journal keeps a remote frame's requested length in bits 16-23, PostgreSQL in its dlc column.
journal_row="f.seq || '|' || f.ts_ns || '|' || i.name || '|' || f.can_id || '|' || (f.flags & 65535) || '|' || hex(f.data)"

# reference_init REF: a scratch database (as uid 10001) that collects every frame row ever read from a journal.
# A seq read twice with different contents stays twice: rows are (seq, row), so that shows up in the check.
reference_init() {
  rm -f "$1"
  as_capture_user sqlite3 "$1" "CREATE TABLE ref(seq INTEGER NOT NULL, row TEXT NOT NULL, PRIMARY KEY(seq, row)) WITHOUT ROWID;
    CREATE TABLE ev(kind TEXT, first_seq INTEGER, last_seq INTEGER); CREATE TABLE present(seq INTEGER PRIMARY KEY);"
}
# snapshot REF JOURNAL [all]: copy into REF the journal's frames after the newest one REF holds (all: every frame).
snapshot() {
  local since="WHERE f.seq > (SELECT coalesce(max(seq), 0) FROM ref)"
  [ "${3:-}" = all ] && since=""
  [ -s "$2" ] || return 0
  as_capture_user sqlite3 -bail "$1" ".timeout 10000" "ATTACH 'file:$2' AS j;
    INSERT OR IGNORE INTO ref SELECT f.seq, $journal_row FROM j.frames f JOIN j.interfaces i ON i.id = f.iface $since;" >/dev/null
}
# snapshots REF JOURNAL: in the background, every second, so that frames the disk budget evicts later
# (after forwarding them) have been seen. Frames evicted before they were read must then be in an event.
snapshots() { while :; do snapshot "$1" "$2" 2>/dev/null; sleep 1; done & background+=($!) snapshot_loops+=($!); }
# stop_snapshots: before the end checks, which read the reference databases (verify_capture reads the journal itself).
snapshot_loops=()
stop_snapshots() { kill "${snapshot_loops[@]}" 2>/dev/null; wait "${snapshot_loops[@]}" 2>/dev/null; snapshot_loops=(); }
journal_value() { as_capture_user sqlite3 "file:$1" ".timeout 10000" "$2"; }
capture_id_of() { journal_value "$1" "SELECT value FROM meta WHERE key = 'capture_id'"; }
unsynced_evictions() { journal_value "$1" "SELECT coalesce(sum(last_seq - first_seq + 1), 0) FROM events WHERE kind = 'UnsyncedEviction'"; }

# pg_once PSQL_FUNCTION CAPTURE_ID: the quick check after each fault (verify_capture does the full one at the end):
# through the capture's synced_seq S, PostgreSQL's frames, rejected frames and gap seqs are S rows, S distinct seqs.
pg_once() {
  local line s total distinct
  line=$($1 "WITH c AS (SELECT capture_id, synced_seq AS s FROM canmesh.captures WHERE capture_id = '$2'),
    r AS (SELECT f.seq FROM canmesh.frames f JOIN c USING (capture_id) WHERE f.seq <= c.s
          UNION ALL SELECT j.seq FROM canmesh.rejected_frames j JOIN c USING (capture_id) WHERE j.seq <= c.s
          UNION ALL SELECT generate_series(g.first_missing, least(g.last_missing, c.s)) FROM canmesh.frame_gaps g JOIN c USING (capture_id))
    SELECT (SELECT s FROM c), count(*), count(DISTINCT seq) FROM r")
  IFS=$'\t' read -r s total distinct <<< "$line"
  [ -n "$s" ] && [ "$total" = "$s" ] && [ "$distinct" = "$s" ] && return 0
  echo "through synced seq ${s:-?}: $total rows in frames, rejected_frames and frame_gaps, $distinct distinct seqs"
  return 1
}

# ---- The invariant check
# verify_capture LABEL REF JOURNAL PSQL_FUNCTION: reads PostgreSQL's synced_seq S for the journal's capture,
# then one consistent read of the journal (all its frames and eviction events into REF), then PostgreSQL's
# rows through S, and checks:
#   - no seq of the journal ever had two different contents;
#   - PostgreSQL holds each seq 1..S exactly once: frames + rejected_frames + frame_gaps, no overlap, no double;
#   - PostgreSQL's frames equal the journal's: count and sha256 over (seq, timestamp, interface, id, flags, data);
#   - every journal frame through S is in PostgreSQL (a frame, a rejected frame, or inside a recorded gap);
#   - a seq through S the journal no longer holds (at that final read) was deleted by retention with an event
#     (Eviction or UnsyncedEviction) recording its range: nothing vanished silently;
#   - every gap in PostgreSQL lies inside the journal's UnsyncedEviction ranges, and every such seq through S
#     is a gap or a frame (forwarded just before its eviction) in PostgreSQL.
# Leaves the counts in verified_frames, verified_gaps, verified_unsynced for the caller.
verify_capture() {
  local label=$1 ref=$2 journal=$3 psql=$4 id s work
  work=$(dirname "$ref")/verify-$label
  mkdir -p "$work"
  id=$(capture_id_of "$journal") || { fail "$label: no capture id in $journal"; return; }
  s=$($psql "SELECT synced_seq FROM canmesh.captures WHERE capture_id = '$id'")
  [ -n "$s" ] || { fail "$label: capture $id is not in canmesh.captures"; return; }
  # One read transaction: the frames still there, and the events of every deletion before it.
  as_capture_user sqlite3 -bail "$ref" ".timeout 10000" "ATTACH 'file:$journal' AS j; BEGIN;
    INSERT OR IGNORE INTO ref SELECT f.seq, $journal_row FROM j.frames f JOIN j.interfaces i ON i.id = f.iface;
    DELETE FROM present; INSERT INTO present SELECT seq FROM j.frames;
    DELETE FROM ev; INSERT INTO ev SELECT kind, first_seq, last_seq FROM j.events WHERE kind IN ('Eviction', 'UnsyncedEviction');
    COMMIT;" || { fail "$label: reading the journal"; return; }
  local where="capture_id = '$id' AND seq <= $s"
  $psql "SELECT f.seq, f.seq || '|' || ((extract(epoch FROM f.ts) * 1000000)::bigint * 1000 + f.ts_ns_extra) || '|' || i.name
           || '|' || f.can_id || '|' || f.flags || '|' || upper(encode(f.data, 'hex'))
         FROM canmesh.frames f JOIN canmesh.interfaces i USING (capture_id, interface_id) WHERE f.$where" > "$work/pg-frames.tsv"
  $psql "SELECT seq FROM canmesh.rejected_frames WHERE $where" > "$work/pg-rejected.tsv"
  $psql "SELECT first_missing, last_missing FROM canmesh.frame_gaps WHERE capture_id = '$id' AND first_missing <= $s" > "$work/pg-gaps.tsv"
  rm -f "$work/check.db"
  # .timeout: a snapshot's sqlite3 may still be finishing its write to REF.
  sqlite3 -bail "$work/check.db" ".timeout 30000" "ATTACH '$ref' AS r;
    CREATE TABLE pg(seq INTEGER, row TEXT); CREATE TABLE rej(seq INTEGER); CREATE TABLE gaps(a INTEGER, b INTEGER);
    CREATE TABLE ref AS SELECT * FROM r.ref WHERE seq <= $s; CREATE INDEX ref_seq ON ref(seq);
    CREATE TABLE ev AS SELECT * FROM r.ev; CREATE TABLE present AS SELECT * FROM r.present; CREATE INDEX present_seq ON present(seq);" ".mode tabs" ".import $work/pg-frames.tsv pg" ".import $work/pg-rejected.tsv rej" \
    ".import $work/pg-gaps.tsv gaps" "CREATE INDEX pg_seq ON pg(seq); CREATE INDEX rej_seq ON rej(seq);
    CREATE TABLE gapseq AS WITH RECURSIVE g(x, b) AS (SELECT a, b FROM gaps UNION ALL SELECT x + 1, b FROM g WHERE x < b) SELECT x AS seq FROM g;
    CREATE INDEX gapseq_seq ON gapseq(seq);
    CREATE TABLE allseq AS WITH RECURSIVE n(x) AS (SELECT 1 WHERE $s > 0 UNION ALL SELECT x + 1 FROM n WHERE x < $s) SELECT x AS seq FROM n;" \
    || { fail "$label: loading PostgreSQL's rows for the check"; return; }
  q() { sqlite3 "$work/check.db" "$1"; }

  verified_frames=$(q "SELECT count(*) FROM pg") verified_gaps=$(q "SELECT count(*) FROM gapseq")
  verified_unsynced=$(q "SELECT coalesce(sum(min(last_seq, $s) - first_seq + 1), 0) FROM ev WHERE kind = 'UnsyncedEviction' AND first_seq <= $s")
  local rejected; rejected=$(q "SELECT count(*) FROM rej")

  check "$label: the journal never held two contents for one seq" \
    expect_zero "$(q "SELECT group_concat(seq) FROM (SELECT seq FROM ref GROUP BY seq HAVING count(*) > 1 LIMIT 10)")"
  check "$label: PostgreSQL holds seq 1..$s exactly once" exactly_once "$work/check.db" "$s"
  local pg_sum ref_sum in_ref
  pg_sum=$(q "SELECT row FROM pg ORDER BY seq" | sha256sum | cut -c1-16)
  ref_sum=$(q "SELECT row FROM ref WHERE seq IN (SELECT seq FROM pg) ORDER BY seq" | sha256sum | cut -c1-16)
  in_ref=$(q "SELECT count(*) FROM pg JOIN ref USING (seq, row)")
  check "$label: PostgreSQL's frames equal the journal's" same_frames "$verified_frames" "$in_ref" "$pg_sum" "$ref_sum" \
    "$(q "SELECT p.row || '  journal: ' || coalesce((SELECT group_concat(row) FROM ref r WHERE r.seq = p.seq), 'none') FROM pg p WHERE NOT EXISTS (SELECT 1 FROM ref r WHERE r.seq = p.seq AND r.row = p.row) LIMIT 5")"
  check "$label: every journal frame through $s is in PostgreSQL (frame, rejected, or a recorded gap)" \
    expect_zero "$(q "SELECT group_concat(seq) FROM (SELECT DISTINCT seq FROM ref WHERE seq NOT IN (SELECT seq FROM pg)
                      AND seq NOT IN (SELECT seq FROM rej) AND seq NOT IN (SELECT seq FROM gapseq) LIMIT 10)")"
  check "$label: every seq the journal lost was evicted with an event recording it" \
    expect_zero "$(q "SELECT group_concat(seq) FROM (SELECT seq FROM allseq a WHERE NOT EXISTS (SELECT 1 FROM present p WHERE p.seq = a.seq)
                      AND NOT EXISTS (SELECT 1 FROM ev WHERE a.seq BETWEEN first_seq AND last_seq) LIMIT 10)")"
  check "$label: every gap in PostgreSQL is an UnsyncedEviction of the journal" \
    expect_zero "$(q "SELECT group_concat(seq) FROM (SELECT seq FROM gapseq g WHERE NOT EXISTS
                      (SELECT 1 FROM ev WHERE kind = 'UnsyncedEviction' AND g.seq BETWEEN first_seq AND last_seq) LIMIT 10)")"
  check "$label: every UnsyncedEviction through $s is a gap or a frame in PostgreSQL" \
    expect_zero "$(q "SELECT group_concat(seq) FROM (SELECT a.seq FROM allseq a JOIN ev ON a.seq BETWEEN ev.first_seq AND ev.last_seq
                      WHERE ev.kind = 'UnsyncedEviction' AND a.seq NOT IN (SELECT seq FROM gapseq) AND a.seq NOT IN (SELECT seq FROM pg) LIMIT 10)")"
  echo "      $label: capture $id, synced seq $s: $verified_frames frames ($pg_sum), $rejected rejected, $verified_gaps in gaps; $verified_unsynced unforwarded seqs evicted"
}
expect_zero() { [ -z "$1" ] || { echo "seqs: $1"; return 1; }; }
exactly_once() {
  local line; line=$(sqlite3 "$1" "SELECT (SELECT count(*) FROM pg) + (SELECT count(*) FROM rej) + (SELECT count(*) FROM gapseq),
    (SELECT count(*) FROM (SELECT seq FROM pg UNION SELECT seq FROM rej UNION SELECT seq FROM gapseq)),
    (SELECT count(*) FROM (SELECT seq FROM pg UNION SELECT seq FROM rej UNION SELECT seq FROM gapseq) WHERE seq BETWEEN 1 AND $2)")
  IFS='|' read -r total distinct inside <<< "$line"
  [ "$total" = "$2" ] && [ "$distinct" = "$2" ] && [ "$inside" = "$2" ] \
    || { echo "rows (frames + rejected + gap seqs) $total, distinct seqs $distinct, of them in 1..$2: $inside"; return 1; }
}
same_frames() {
  [ "$1" = "$2" ] && [ "$3" = "$4" ] && { echo "$1 frames, sha256 $3"; return 0; }
  echo "PostgreSQL has $1 frames, $2 of them equal to the journal's; sha256 $3 vs the journal's $4; first differing:"
  printf '%s\n' "$5"
  return 1
}
