#!/usr/bin/env bash
# The whole test suite, as CI runs it, on a fresh Debian 12 machine with the .NET SDK:
#   1. installs what the tests need from Debian's packages, in one apt-get run (socat for the UART ptys;
#      can-utils for log2asc;
#      Node.js and npm for the interop clients; qemu, busybox and a Debian kernel for the VM)
#   2. installs the independent gRPC clients used by the interop tests (npm ci in tests/interop)
#   3. installs and starts a Docker engine and builds the container images (PostgreSQL) when missing
#   4. runs every xunit project (dotnet test, Release)
#   5. checks the deploy scripts and systemd units (tests/deploy, seconds)
#   6. runs the compose file on the Docker engine with faults injected, one Pi and a fleet (tests/compose)
#   7. runs the SocketCAN end-to-end suite inside a VM with real vcan interfaces (tests/vm)
# Ends with one line "N passed, M failed"; exits non-zero if anything failed.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
started=$SECONDS

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

step() { printf '\n== %s\n' "$*"; }

step "system packages"
# Everything missing, from Debian's packages, in one quiet apt-get run: socat (the pseudo-terminal pairs of
# the flipper tests and of tests/compose), sqlite3 (tests/compose reads the capture's journal), can-utils
# (log2asc for the candump interop tests), Node.js and npm (the independent gRPC clients; Debian 12 ships Node 18), and
# what the SocketCAN VM needs (qemu, busybox, kmod, cpio: tests/vm/setup.sh knows the list).
missing=()
command -v log2asc >/dev/null || missing+=(can-utils)
command -v socat >/dev/null || missing+=(socat)
command -v sqlite3 >/dev/null || missing+=(sqlite3)
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)
mapfile -t -O ${#missing[@]} missing < <(tests/vm/setup.sh --missing-packages)
if [ ${#missing[@]} -gt 0 ]; then
  mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
  echo "installing ${missing[*]} (apt-get, log in artifacts/apt.log)"
  mkdir -p artifacts
  { as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      -o Dpkg::Use-Pty=0 "${missing[@]}"; } > artifacts/apt.log 2>&1 || { tail -20 artifacts/apt.log; echo "apt-get failed"; exit 1; }
fi
node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
[ "$node_major" -ge 18 ] || { echo "Node.js 18 or newer is needed for the interop clients (found $(node --version 2>/dev/null || echo none))"; exit 1; }
tests/vm/setup.sh --no-install || { echo "VM setup failed"; exit 1; }

step "interop clients (npm ci in tests/interop)"
npm ci --prefix tests/interop --no-audit --no-fund --loglevel=error || exit 1

step "Docker engine and images (scripts/docker-engine.sh, scripts/images.sh)"
# The PostgreSQL tests run local/postgres:15 in containers through Testcontainers. A fresh machine has
# only the docker CLI: install and start the engine, then build the images from Debian's packages
# (no registry is reachable). Both do nothing when already done. About 3 minutes the first time.
t=$SECONDS
engine=$(scripts/docker-engine.sh) || { echo "the Docker engine did not start"; exit 1; }
engine_s=$((SECONDS - t))
# Without Ryuk (its image cannot be pulled), a test process that crashed leaves its containers
# running. Remove Testcontainers' containers whose owner process (PostgresContainer.OwnerLabel) is
# gone; a test run going on in another checkout keeps its own.
leftovers=0
while read -r id owner; do
  case "$owner" in
    *[!0-9]* | "") ;;   # no owner label: whose it is cannot be told; removed, as a crashed run's would be
    *) if kill -0 "$owner" 2>/dev/null; then continue; fi ;;
  esac
  docker rm -fv "$id" > /dev/null && leftovers=$((leftovers + 1))
done < <(docker ps -aq --filter label=org.testcontainers=true | xargs -r docker inspect -f '{{.Id}} {{index .Config.Labels "canmesh.owner-pid"}}')
t=$SECONDS
images=$(scripts/images.sh) || { echo "building the images failed"; exit 1; }
images_s=$((SECONDS - t))
images=${images:-up to date}
echo "engine: ${engine:-already running} (${engine_s} s); images: ${images//$'\n'/, } (${images_s} s); leftover containers removed: $leftovers"
# What Testcontainers needs here (tests/CanMesh.Testing/Postgres/DockerEngine.cs sets the same): no
# Ryuk, and containers reached on 127.0.0.1 (a /.dockerenv on this VM would make Testcontainers use the
# bridge gateway).
export TESTCONTAINERS_RYUK_DISABLED=true TESTCONTAINERS_HOST_OVERRIDE=127.0.0.1

step "dotnet test (Release): builds the solution first, then runs every test project (about 5 minutes)"
results="$root/artifacts/test-results"
rm -rf "$results"
mkdir -p "$results"
dotnet test CanMesh.sln -c Release --logger "trx" --results-directory "$results" 2>&1 | tee "$results/dotnet-test.log"
dotnet_rc=${PIPESTATUS[0]}

step "deploy scripts and systemd units (tests/deploy, seconds)"
tests/deploy/run.sh 2>&1 | tee "$results/deploy.log"
deploy_rc=${PIPESTATUS[0]}

step "compose file on the Docker engine with faults injected (tests/compose, about 10 minutes)"
tests/compose/run.sh 2>&1 | tee "$results/compose.log"
compose_rc=${PIPESTATUS[0]}

step "SocketCAN end-to-end suite in a VM (tests/vm/suite)"
tests/vm/suite/run-suite.sh 2>&1 | tee "$results/vm-suite.log"
vm_rc=${PIPESTATUS[0]}

# One summary line for people and CI: sum the per-project counts of dotnet test and the suite's own line.
passed=0; failed=0
while read -r f p; do failed=$((failed + f)); passed=$((passed + p)); done < <(
  sed -n 's/.*Failed: *\([0-9]*\), Passed: *\([0-9]*\),.*/\1 \2/p' "$results/dotnet-test.log")
for log in vm-suite deploy compose; do
  if line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$results/$log.log" | tail -n 1); then
    passed=$((passed + $(echo "$line" | cut -d' ' -f1))); failed=$((failed + $(echo "$line" | cut -d' ' -f3)))
  fi
done
[ "$dotnet_rc" = 0 ] && [ "$vm_rc" = 0 ] && [ "$deploy_rc" = 0 ] && [ "$compose_rc" = 0 ] || [ "$failed" -gt 0 ] || failed=$((failed + 1))
echo
echo "took $(( (SECONDS - started) / 60 )) min $(( (SECONDS - started) % 60 )) s"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
