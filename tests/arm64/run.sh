#!/usr/bin/env bash
# tests/arm64/run.sh - the linux/arm64 images build on this x86-64 machine and the capture's Quick start
# runs in one, under emulation (qemu-user-static through binfmt_misc):
#   emulation and images   scripts/qemu-arm64.sh, scripts/docker-engine.sh, scripts/images.sh --platform arm64
#   build                  docker buildx build --platform linux/arm64 of services/capture/Dockerfile (the
#                          SDK stage runs natively and publishes for linux-arm64); the image is arm64 and
#                          its apphosts and runtime are aarch64 ELF files (`file`)
#   Quick start            canmesh-capture --config deploy/quickstart.json, unchanged, in the arm64 image:
#                          every frame committed, and the arm64 `canmesh export` reads them all back
#   long-running           the compose no-CAN configuration (deploy/compose/capture-no-can.json: the replay
#                          next to an endless simulated bus): the image's HEALTHCHECK turns healthy,
#                          `canmesh health` shows the committed seq growing, `canmesh status` the sources
#   forwarder, flipper     build for linux/arm64 too (FORWARDER_FLIPPER=0 skips them)
# Needs root (apt-get, binfmt_misc) on Debian 12 with the .NET 10 SDK, like scripts/test-all.sh.
# Its own image tags (canmesh-arm64/*:check), container and volume names (canmesh-arm64-*); removes only
# those, and leaves the images for the next run (their build is cached). KEEP=1 leaves the containers.
# Prints PASS/FAIL per check with its time, and "N passed, M failed".
set -uo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)

work=$root/artifacts/arm64
mkdir -p "$work"
tag=check
prefix=canmesh-arm64
data_volume=$prefix-data
passed=0 failed=0 started=$SECONDS step_started=$SECONDS

check() { # name command...: PASS or FAIL with the step's time; the command's own output explains a FAIL
  local name=$1; shift
  if "$@"; then echo "PASS $name ($((SECONDS - step_started)) s)"; passed=$((passed + 1))
  else echo "FAIL $name ($((SECONDS - step_started)) s)"; failed=$((failed + 1)); fi
  step_started=$SECONDS
}
finish() {
  echo "arm64 check took $(( (SECONDS - started) / 60 )) min $(( (SECONDS - started) % 60 )) s"
  echo "$passed passed, $failed failed"
  [ "$failed" = 0 ]
  exit
}
# Stop here when a step that the rest depends on failed.
require() { [ "$failed" = 0 ] || { echo "(the remaining checks need the failed step)"; finish; }; }
show_log() { echo "  --- last lines of $1"; tail -n "${2:-25}" "$1" | sed 's/^/  | /'; }

cleanup() {
  [ "${KEEP:-0}" = 1 ] && { echo "KEEP=1: left $prefix-capture and the volume $data_volume"; return; }
  docker rm -fv "$prefix-capture" "$prefix-quickstart" > /dev/null 2>&1 || true
  docker volume rm -f "$data_volume" > /dev/null 2>&1 || true
}
trap cleanup EXIT

# ---- emulation, engine, images
setup() {
  local out
  out=$(scripts/qemu-arm64.sh 2>&1) || { echo "$out"; return 1; }
  [ -z "$out" ] || echo "  $out"
  out=$(scripts/docker-engine.sh 2>&1) || { echo "$out"; return 1; }
  [ -z "$out" ] || echo "  $out"
  out=$(scripts/images.sh --platform arm64 2>&1) || { echo "$out"; return 1; }
  [ -z "$out" ] || echo "$out" | sed 's/^/  /'
  docker buildx ls | grep -q 'linux/arm64' || { echo "  docker buildx ls lists no linux/arm64 platform"; docker buildx ls; return 1; }
}
check "arm64 emulation, engine and images (qemu-arm64.sh, images.sh --platform arm64)" setup
require

# ---- build: the same Dockerfile as for amd64, with the arm64 runtime image
# The default builder (the engine's own BuildKit) sees the local images by tag; a docker-container
# builder would try to pull them. --load: the result goes to the engine's image store.
build() { # service
  local service=$1 log=$work/build-$1.log
  docker buildx build --builder default --platform linux/arm64 --network host --progress plain \
    --build-arg SDK_IMAGE=local/dotnet-sdk:10.0 --build-arg RUNTIME_IMAGE=local/dotnet-runtime:10.0-arm64 \
    -f "services/$service/Dockerfile" --load -t "$prefix/$service:$tag" . > "$log" 2>&1 || { show_log "$log"; return 1; }
}
is_arm64_image() { # image
  local platform
  platform=$(docker image inspect -f '{{.Os}}/{{.Architecture}}' "$1") || return 1
  [ "$platform" = linux/arm64 ] || { echo "  $1 is $platform"; return 1; }
}
# The files that run: the service's apphost, the command line's, hostfxr and the runtime itself.
binaries_are_aarch64() { # image executable
  local image=$1 exe=$2 dir=$work/files c f description ok=0
  rm -rf "$dir" && mkdir -p "$dir"
  c=$(docker create --platform linux/arm64 "$image" 2> /dev/null) || return 1
  for f in "$exe" /app/cli/canmesh /usr/share/dotnet/host/fxr/ /usr/share/dotnet/shared/Microsoft.NETCore.App/; do
    docker cp -q "$c:$f" "$dir/" || ok=1
  done
  docker rm "$c" > /dev/null
  for f in "$dir/$(basename "$exe")" "$dir/canmesh" "$dir"/fxr/*/libhostfxr.so "$dir"/Microsoft.NETCore.App/*/libcoreclr.so; do
    description=$(file -b "$f")
    case "$description" in
      *"ARM aarch64"*) echo "  ${f#"$dir"/}: ${description%%, BuildID*}" ;;
      *) echo "  ${f#"$dir"/} is not aarch64: $description"; ok=1 ;;
    esac
  done
  return $ok
}
command -v file > /dev/null || { apt-get install -y -qq --no-install-recommends file > /dev/null 2>&1 || true; }

check "build canmesh-arm64/capture for linux/arm64 (log in artifacts/arm64/build-capture.log)" build capture
require
check "the capture image is linux/arm64" is_arm64_image "$prefix/capture:$tag"
check "its binaries are aarch64 (file)" binaries_are_aarch64 "$prefix/capture:$tag" /app/canmesh-capture
require

# ---- the Quick start, in the arm64 image
# deploy/quickstart.json as it is, in a folder laid out like the repository (its paths are relative to
# it): the replay log beside it, artifacts/ writable. The image's environment puts the database and the
# socket in /var/lib/canmesh and /run/canmesh (CANMESH_STORE__PATH, CANMESH_API__SOCKETPATH); the
# volume keeps the database for the export below.
#
# Emulation needs W^X off: DOTNET_EnableWriteXorExecute=0 in every emulated .NET process (the
# containers' environment; `docker exec` inherits it). With W^X on (the default) .NET maps its code
# memory twice, writes new and patched code (stubs, precode targets, tiered-up methods) through the
# writable view and runs it through the executable one. qemu-user notices code that changes only
# through writes to the guest addresses it translated, so it keeps running its stale translation of
# the executable view: seen here as a NullReferenceException inside a reflection invoke stub, the
# capture's gRPC routing failing for good and every call answered with HTTP 500 (intermittently; the
# same is reported in dotnet/runtime#94909, where .NET says QEMU is unsupported). Never set on real
# hardware: the image keeps W^X on. No GC or other setting was needed.
emulated=(-e DOTNET_EnableWriteXorExecute=0)
quickstart_frames=28974   # 12974 replayed lines + 16000 simulated frames (deploy/quickstart.json)
quickstart() {
  local log=$work/quickstart.log
  docker volume create "$data_volume" > /dev/null || return 1
  timeout 300 docker run --rm --platform linux/arm64 --name "$prefix-quickstart" --network none "${emulated[@]}" \
    -v "$data_volume:/var/lib/canmesh" -w /quickstart \
    -v "$root/deploy/quickstart.json:/quickstart/deploy/quickstart.json:ro" \
    -v "$root/tests/data/savvycan_candump.log:/quickstart/tests/data/savvycan_candump.log:ro" \
    --tmpfs /quickstart/artifacts:uid=10001,gid=10001 \
    "$prefix/capture:$tag" --config deploy/quickstart.json > "$log" 2>&1 \
    || { echo "  canmesh-capture exited $?"; show_log "$log"; return 1; }
  grep -q "Stopped: every frame read is committed ($quickstart_frames frames)" "$log" \
    || { echo "  no 'every frame read is committed ($quickstart_frames frames)' line"; show_log "$log"; return 1; }
  grep 'Stopped:' "$log" | sed 's/^.*info: /  /'
}
exported_frames() {
  local n
  n=$(docker run --rm --platform linux/arm64 --network none "${emulated[@]}" -v "$data_volume:/var/lib/canmesh" \
        --entrypoint canmesh "$prefix/capture:$tag" export --db /var/lib/canmesh/capture.db | wc -l) || return 1
  echo "  canmesh export: $n lines"
  [ "$n" = "$quickstart_frames" ]
}
check "Quick start in the arm64 image: deploy/quickstart.json, every frame committed (log in artifacts/arm64/quickstart.log)" quickstart
check "canmesh export (arm64) reads back all $quickstart_frames frames" exported_frames
require

# ---- a capture that keeps running: the compose no-CAN configuration, with the image's HEALTHCHECK
# EMULATED: every `canmesh` call is a new .NET process, and under qemu-user each one interprets its
# start and JITs its gRPC client (emulating the JIT too): 7-30 s on this 2-core machine, where a Pi
# takes about a second. The capture answers in time; the client's own deadlines do not hold. The
# image's HEALTHCHECK command stays; its timings are lengthened (canmesh health's deadline through
# CANMESH_HEALTHCHECK_TIMEOUT, docker's through --health-*), and so are the deadlines of the calls below.
health_deadline=90s
start_capture() {
  docker rm -fv "$prefix-capture" > /dev/null 2>&1
  docker run -d --platform linux/arm64 --name "$prefix-capture" --network none --init "${emulated[@]}" \
    -e CANMESH_HEALTHCHECK_TIMEOUT=$health_deadline --health-timeout 120s --health-interval 15s \
    -v "$root/deploy/compose/capture-no-can.json:/etc/canmesh/capture.json:ro" \
    -v "$root/tests/data/savvycan_candump.log:/usr/share/canmesh/replay.log:ro" \
    "$prefix/capture:$tag" > /dev/null 2> "$work/capture-run.err" || { cat "$work/capture-run.err"; return 1; }
}
health_status() { docker inspect -f '{{.State.Health.Status}}' "$prefix-capture" 2>/dev/null; }
turns_healthy() {
  # The HEALTHCHECK: first check 15 s after the start, then 15 s after each check ends; unhealthy after
  # 3 failures.
  local limit=$((SECONDS + 240)) status
  while status=$(health_status); [ "$status" != healthy ]; do
    if [ "$status" = unhealthy ] || [ $SECONDS -ge $limit ]; then
      echo "  health: ${status:-none}"; docker inspect -f '{{range .State.Health.Log}}  check: {{.Output}}{{end}}' "$prefix-capture"
      docker logs --tail 20 "$prefix-capture" 2>&1 | sed 's/^/  | /'; return 1
    fi
    sleep 2
  done
  docker inspect -f '{{range .State.Health.Log}}{{.Output}}{{end}}' "$prefix-capture" | grep . | tail -n 1 | sed 's/^/  check: /'
}
committed_seq() { docker exec "$prefix-capture" canmesh health --timeout $health_deadline | sed -n 's/.*committed seq \([0-9]*\).*/\1/p'; }
seq_grows() {
  local first second
  first=$(committed_seq); [ -n "$first" ] || { echo "  no committed seq from canmesh health"; return 1; }
  sleep 5
  second=$(committed_seq)
  echo "  canmesh health: committed seq $first, 5 s later ${second:-none}"
  [ -n "$second" ] && [ "$second" -gt "$first" ]
}
status_shows_sources() {
  # `canmesh status` has a fixed 10 s deadline, which an emulated start may exceed: three tries.
  local out try
  for try in 1 2 3; do
    out=$(docker exec "$prefix-capture" canmesh status 2>&1) && break
    echo "  try $try: $out" | head -n 3
  done
  [ -n "$out" ] && echo "$out" | grep -q '^canmesh capture ' || return 1
  echo "$out" | sed -n '1p' | sed 's/^/  /'
  echo "$out" | grep -E '^\| (replay0|sim0) ' | sed 's/^/  /'
  echo "$out" | grep -qE '^\| sim0 +\| sim +\| running '
}
check "the capture starts (deploy/compose/capture-no-can.json, as compose's no-CAN variant)" start_capture
require
check "its HEALTHCHECK turns healthy" turns_healthy
check "canmesh health in the container: committed seq grows" seq_grows
check "canmesh status in the container: sim0 running" status_shows_sources

# ---- the other two images build for arm64 as well
if [ "${FORWARDER_FLIPPER:-1}" = 1 ]; then
  for service in forwarder flipper; do
    check "build canmesh-arm64/$service for linux/arm64 (log in artifacts/arm64/build-$service.log)" build "$service"
    if docker image inspect "$prefix/$service:$tag" > /dev/null 2>&1; then
      check "its binaries are aarch64 (file)" binaries_are_aarch64 "$prefix/$service:$tag" "/app/canmesh-$service"
    fi
  done
fi

finish
