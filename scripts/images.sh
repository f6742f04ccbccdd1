#!/usr/bin/env bash
# Builds the project's container images from Debian's packages alone (no image registry is reachable
# here or in CI):
#   local/debian:bookworm  a minimal Debian 12 made by mmdebstrap and `docker import`
#   local/postgres:15      deploy/images/postgres (Debian's postgresql-15, an official-like entrypoint)
#   local/dotnet-runtime:10.0  deploy/images/dotnet-runtime: this machine's .NET runtime folders on the
#                          base, the stand-in for mcr.microsoft.com/dotnet/aspnet:10.0 (Debian has no .NET)
#   local/dotnet-sdk:10.0  deploy/images/dotnet-sdk: this machine's whole dotnet folder on the base, the
#                          stand-in for mcr.microsoft.com/dotnet/sdk:10.0 (the services' build stage)
# With --platform arm64, also the linux/arm64 images a Pi's services run on (built under emulation,
# scripts/qemu-arm64.sh sets it up; the SDK stays this machine's, as the service Dockerfiles use it):
#   local/debian:bookworm-arm64       the same base, mmdebstrap --arch=arm64, imported as linux/arm64
#   local/dotnet-runtime:10.0-arm64   deploy/images/dotnet-runtime-packs: the runtime of this machine's
#                          version from NuGet's linux-arm64 runtime packs (this machine's own folder is x86-64)
# Per-architecture tags, not one multi-platform tag: the engine's classic image store holds one platform
# per tag, and `docker build --platform linux/arm64` uses a local base of the right platform by its tag.
# Each image carries a label canmesh.recipe = a hash of what it is made from (the mmdebstrap command
# and apt sources; the Dockerfile folder and the base image's id). An image whose label matches is
# kept, so a second test run spends no time here. --force rebuilds all (of the platforms asked for).
# Quiet when everything is up to date; one line per image built; the tail of the build log on failure.
# Needs a running engine (scripts/docker-engine.sh) and mmdebstrap (it installs it).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

usage="usage: scripts/images.sh [--force] [--platform arm64]"
force=0 arm64=0
while [ $# -gt 0 ]; do
  case "$1" in
    --force) force=1 ;;
    --platform)
      [ "${2:-}" = arm64 ] || { echo "images.sh: --platform takes arm64 (this machine's own platform is always built)" >&2; echo "$usage" >&2; exit 2; }
      arm64=1; shift ;;
    *) echo "images.sh: unknown argument '$1'" >&2; echo "$usage" >&2; exit 2 ;;
  esac
  shift
done

log_dir=$root/artifacts/images
mkdir -p "$log_dir"

base_image=local/debian:bookworm
arm64_base_image=local/debian:bookworm-arm64
# The machine's own Debian sources (its mirror and the security suite) go into the base image, so
# that apt-get inside later builds reaches the same mirror the machine does.
sources=/etc/apt/sources.list.d/debian.sources

recipe_of() { docker image inspect -f '{{index .Config.Labels "canmesh.recipe"}}' "$1" 2>/dev/null || true; }

fail() {
  local log=$1; shift
  echo "images.sh: $*" >&2
  if [ -s "$log" ]; then echo "--- last lines of $log" >&2; tail -n 30 "$log" >&2; fi
  exit 1
}

# build_base TAG [ARCH]: ARCH a Debian architecture other than the machine's (arm64), made under
# emulation (mmdebstrap runs the packages' maintainer scripts with qemu-user) and imported as that
# platform.
build_base() {
  local tag=$1 arch=${2:-}
  # minbase: the essential packages and apt, about 30 MB compressed. The tar goes to a file rather
  # than a pipe so that a failing mmdebstrap is not hidden behind a successful import.
  local mmdebstrap_args=(--variant=minbase --format=tar bookworm) import_args=()
  [ -z "$arch" ] || { mmdebstrap_args=(--arch="$arch" "${mmdebstrap_args[@]}"); import_args=(--platform "linux/$arch"); }
  local changes=('ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' 'CMD ["/bin/bash"]')
  local source_arg=()
  [ -f "$sources" ] && source_arg=("$sources")
  local recipe
  recipe=$( { printf '%s\n' "${mmdebstrap_args[@]}" "${import_args[@]}" "${changes[@]}"; [ ${#source_arg[@]} = 0 ] || cat "$sources"; } | sha256sum | cut -c1-16)
  if [ "$force" = 0 ] && [ "$(recipe_of "$tag")" = "$recipe" ]; then return; fi

  command -v mmdebstrap >/dev/null || scripts/docker-engine.sh
  local started=$SECONDS log=$log_dir/$(echo "$tag" | tr '/:' '--').log tmp
  tmp=$(mktemp -d /var/tmp/canmesh-rootfs.XXXXXX)
  trap 'rm -rf "$tmp"' RETURN
  {
    mmdebstrap "${mmdebstrap_args[@]}" "$tmp/rootfs.tar" "${source_arg[@]}"
    local change_args=() c
    for c in "${changes[@]}" "LABEL canmesh.recipe=$recipe"; do change_args+=(--change "$c"); done
    docker import "${import_args[@]}" "${change_args[@]}" "$tmp/rootfs.tar" "$tag"
  } > "$log" 2>&1 || fail "$log" "building $tag failed (mmdebstrap and docker import; log in $log)"
  echo "built $tag ($((SECONDS - started)) s)"
}

# build_dockerfile BASE TAG FOLDER [CONTEXT [EXTRA [DOCKER-BUILD-ARGS...]]]: docker build of FOLDER's
# Dockerfile on BASE (its BASE_IMAGE argument); the context is FOLDER itself unless given. EXTRA is
# more text for the recipe: what in CONTEXT (or in the extra arguments) matters.
build_dockerfile() {
  local base=$1 tag=$2 folder=$3 context=${4:-$3} extra=${5:-} recipe
  shift $(( $# < 5 ? $# : 5 ))
  local more_args=("$@")   # anything after EXTRA goes to docker build as is
  # Every file of the folder by name and content, plus the base image's id: a rebuilt base
  # rebuilds everything on it.
  recipe=$( { (cd "$folder" && find . -type f -print0 | sort -z | xargs -0 sha256sum); docker image inspect -f '{{.Id}}' "$base"; printf '%s' "$extra"; } | sha256sum | cut -c1-16)
  if [ "$force" = 0 ] && [ "$(recipe_of "$tag")" = "$recipe" ]; then return; fi

  local started=$SECONDS log=$log_dir/$(echo "$tag" | tr '/:' '--').log
  # --network host: apt-get inside the build cannot resolve names on the default bridge here.
  docker build --network host --progress plain --build-arg "BASE_IMAGE=$base" \
    --label "canmesh.recipe=$recipe" "${more_args[@]}" -t "$tag" -f "$folder/Dockerfile" "$context" > "$log" 2>&1 \
    || fail "$log" "building $tag failed (docker build $folder; log in $log)"
  echo "built $tag ($((SECONDS - started)) s)"
}

curl -fsS --max-time 2 --unix-socket /var/run/docker.sock http://localhost/_ping >/dev/null 2>&1 \
  || { echo "images.sh: the Docker engine is not running: run scripts/docker-engine.sh first" >&2; exit 1; }

# Two checkouts building at once would both spend minutes on the same images; the second one waits
# and then finds them up to date.
exec 9>/tmp/canmesh-images.lock
flock 9

build_base "$base_image"
build_dockerfile "$base_image" local/postgres:15 deploy/images/postgres

# The .NET images copy this machine's dotnet installation (the folder the dotnet on PATH lives in). Its
# recipe part is the list of SDKs and runtimes: installing another version rebuilds them.
dotnet_bin=$(command -v dotnet || true)
[ -n "$dotnet_bin" ] || { echo "images.sh: no dotnet on PATH: the .NET images copy this machine's installation (install the .NET 10 SDK)" >&2; exit 1; }
dotnet_root=${DOTNET_ROOT:-$(dirname "$(readlink -f "$dotnet_bin")")}
[ -d "$dotnet_root/shared/Microsoft.AspNetCore.App" ] \
  || { echo "images.sh: $dotnet_root has no shared/Microsoft.AspNetCore.App: set DOTNET_ROOT to the .NET installation folder" >&2; exit 1; }
dotnet_versions=$("$dotnet_root/dotnet" --list-sdks; "$dotnet_root/dotnet" --list-runtimes)
build_dockerfile "$base_image" local/dotnet-runtime:10.0 deploy/images/dotnet-runtime "$dotnet_root" "$dotnet_versions"
# The SDK image also gets this machine's CA bundle: a restore inside a build talks HTTPS to nuget.org,
# and where that goes through a TLS-intercepting proxy (as on the development machines) only the
# machine's own trust store knows the proxy's CA. Debian's bundle has no such CA and fails with
# UntrustedRoot. The bundle holds certificates only (public material).
ca_bundle=/etc/ssl/certs/ca-certificates.crt
[ -s "$ca_bundle" ] || { echo "images.sh: no CA bundle at $ca_bundle: install ca-certificates" >&2; exit 1; }
build_dockerfile "$base_image" local/dotnet-sdk:10.0 deploy/images/dotnet-sdk "$dotnet_root" "$dotnet_versions$(sha256sum < "$ca_bundle")" \
  --build-context "hostcerts=$(dirname "$ca_bundle")"

if [ "$arm64" = 1 ]; then
  emulation=$(scripts/qemu-arm64.sh) || { echo "images.sh: arm64 emulation is not available (scripts/qemu-arm64.sh)" >&2; exit 1; }
  [ -z "$emulation" ] || echo "$emulation"
  build_base "$arm64_base_image" arm64
  # The same runtime version as this machine's (the highest Microsoft.AspNetCore.App 10.x it has), so
  # both platforms run what the SDK here was tested with.
  runtime_version=$("$dotnet_root/dotnet" --list-runtimes | awk '$1 == "Microsoft.AspNetCore.App" && $2 ~ /^10\./ {v=$2} END {print v}')
  [ -n "$runtime_version" ] || { echo "images.sh: no Microsoft.AspNetCore.App 10.x in $dotnet_root: its version picks the arm64 runtime packs" >&2; exit 1; }
  build_dockerfile "$arm64_base_image" local/dotnet-runtime:10.0-arm64 deploy/images/dotnet-runtime-packs \
    deploy/images/dotnet-runtime-packs "DOTNET_VERSION=$runtime_version" \
    --platform linux/arm64 --build-arg SDK_IMAGE=local/dotnet-sdk:10.0 --build-arg "DOTNET_VERSION=$runtime_version"
fi

# A rebuild leaves the previous image untagged; drop those of ours (never anyone else's).
docker image prune -f --filter label=canmesh.recipe > /dev/null
