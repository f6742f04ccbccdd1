#!/usr/bin/env bash
# Builds canmesh-bench (Release) and runs the capture benchmark with its anchors in one session:
# the C SQLite insert loop (system libsqlite3 and CanMesh's e_sqlite3), the seed's Python path, and the
# CanMesh pipeline, interleaved run by run. Output goes to stdout and bench/results/latest.txt (not in git).
#
#   bench/run.sh                         2M frames, 3 runs, synchronous FULL, defaults of PipelineSettings
#   FRAMES=3000000 RUNS=5 bench/run.sh   more
#   bench/run.sh --synchronous normal --commit-frames 65536   any canmesh-bench anchors option
#   bench/run.sh stream [options]        the stream benchmark instead (canmesh-bench stream), to results/stream-latest.txt
#   bench/run.sh forward [options]       the PostgreSQL backlog drain (canmesh-bench forward; needs docker and local/postgres:15),
#                                        FRAMES default 5M, RUNS default 1, to results/forward-latest.txt
#   bench/run.sh export [options]        offline export speed per format (canmesh-bench export), FRAMES default 5M,
#                                        RUNS default 5, to results/export-latest.txt
#   bench/run.sh soak [options]          the long run at 40,000 frames/s with the forwarder and a PostgreSQL outage
#                                        (canmesh-bench soak; needs docker), DURATION default 30m, to results/soak-latest.txt
#                                        and the samples to results/soak-<UTC time>.csv
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
if [ "${1:-}" = stream ]; then
    shift
    dotnet build "$here/CanMesh.Bench/CanMesh.Bench.csproj" -c Release -nologo -v quiet
    mkdir -p "$here/results"
    "$here/CanMesh.Bench/bin/Release/net10.0/canmesh-bench" stream --frames "${FRAMES:-3000000}" --runs "${RUNS:-3}" "$@" | tee "$here/results/stream-latest.txt"
    exit "${PIPESTATUS[0]}"
fi
if [ "${1:-}" = forward ]; then
    shift
    command -v docker >/dev/null || { echo "docker is missing: run scripts/docker-engine.sh and scripts/images.sh first" >&2; exit 1; }
    dotnet build "$here/CanMesh.Bench/CanMesh.Bench.csproj" -c Release -nologo -v quiet
    mkdir -p "$here/results"
    "$here/CanMesh.Bench/bin/Release/net10.0/canmesh-bench" forward --frames "${FRAMES:-5000000}" --runs "${RUNS:-1}" "$@" | tee "$here/results/forward-latest.txt"
    exit "${PIPESTATUS[0]}"
fi
if [ "${1:-}" = export ]; then
    shift
    dotnet build "$here/CanMesh.Bench/CanMesh.Bench.csproj" -c Release -nologo -v quiet
    mkdir -p "$here/results"
    "$here/CanMesh.Bench/bin/Release/net10.0/canmesh-bench" export --frames "${FRAMES:-5000000}" --runs "${RUNS:-5}" "$@" | tee "$here/results/export-latest.txt"
    exit "${PIPESTATUS[0]}"
fi
if [ "${1:-}" = soak ]; then
    shift
    command -v docker >/dev/null || { echo "docker is missing: run scripts/docker-engine.sh and scripts/images.sh first" >&2; exit 1; }
    dotnet build "$here/CanMesh.Bench/CanMesh.Bench.csproj" -c Release -nologo -v quiet
    mkdir -p "$here/results"
    "$here/CanMesh.Bench/bin/Release/net10.0/canmesh-bench" soak --duration "${DURATION:-30m}" "$@" | tee "$here/results/soak-latest.txt"
    exit "${PIPESTATUS[0]}"
fi
frames="${FRAMES:-2000000}"
runs="${RUNS:-3}"

# The C anchor is compiled at run time: it needs gcc and SQLite's headers (Debian: libsqlite3-dev).
if ! command -v gcc >/dev/null || [ ! -f /usr/include/sqlite3.h ]; then
    if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
        echo "installing gcc and libsqlite3-dev for the C anchor ..." >&2
        apt-get install -y -qq gcc libsqlite3-dev >/dev/null || { apt-get update -qq && apt-get install -y -qq gcc libsqlite3-dev >/dev/null; }
    else
        echo "warning: gcc or /usr/include/sqlite3.h missing (apt-get install gcc libsqlite3-dev); the C anchor will be skipped" >&2
    fi
fi
command -v python3 >/dev/null || echo "warning: python3 missing; the seed Python anchor will fail" >&2

dotnet build "$here/CanMesh.Bench/CanMesh.Bench.csproj" -c Release -nologo -v quiet
bench="$here/CanMesh.Bench/bin/Release/net10.0/canmesh-bench"

mkdir -p "$here/results"
"$bench" anchors --frames "$frames" --runs "$runs" "$@" | tee "$here/results/latest.txt"
