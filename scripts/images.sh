#!/usr/bin/env bash
# Builds the project's container images from Debian's packages alone (no image registry is reachable
# here or in CI):
#   local/debian:bookworm  a minimal Debian 12 made by mmdebstrap and `docker import`
#   local/postgres:15      deploy/images/postgres (Debian's postgresql-15, an official-like entrypoint)
# Each image carries a label canmesh.recipe = a hash of what it is made from (the mmdebstrap command
# and apt sources; the Dockerfile folder and the base image's id). An image whose label matches is
# kept, so a second test run spends no time here. --force rebuilds all.
# Quiet when everything is up to date; one line per image built; the tail of the build log on failure.
# Needs a running engine (scripts/docker-engine.sh) and mmdebstrap (it installs it).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

force=0
[ "${1:-}" != --force ] || force=1

log_dir=$root/artifacts/images
mkdir -p "$log_dir"

base_image=local/debian:bookworm
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

build_base() {
  # minbase: the essential packages and apt, about 30 MB compressed. The tar goes to a file rather
  # than a pipe so that a failing mmdebstrap is not hidden behind a successful import.
  local mmdebstrap_args=(--variant=minbase --format=tar bookworm)
  local changes=('ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' 'CMD ["/bin/bash"]')
  local source_arg=()
  [ -f "$sources" ] && source_arg=("$sources")
  local recipe
  recipe=$( { printf '%s\n' "${mmdebstrap_args[@]}" "${changes[@]}"; [ ${#source_arg[@]} = 0 ] || cat "$sources"; } | sha256sum | cut -c1-16)
  if [ "$force" = 0 ] && [ "$(recipe_of "$base_image")" = "$recipe" ]; then return; fi

  command -v mmdebstrap >/dev/null || scripts/docker-engine.sh
  local started=$SECONDS log=$log_dir/debian-bookworm.log tmp
  tmp=$(mktemp -d /var/tmp/canmesh-rootfs.XXXXXX)
  trap 'rm -rf "$tmp"' RETURN
  {
    mmdebstrap "${mmdebstrap_args[@]}" "$tmp/rootfs.tar" "${source_arg[@]}"
    local change_args=() c
    for c in "${changes[@]}" "LABEL canmesh.recipe=$recipe"; do change_args+=(--change "$c"); done
    docker import "${change_args[@]}" "$tmp/rootfs.tar" "$base_image"
  } > "$log" 2>&1 || fail "$log" "building $base_image failed (mmdebstrap and docker import; log in $log)"
  echo "built $base_image ($((SECONDS - started)) s)"
}

# build_dockerfile TAG FOLDER: docker build of FOLDER (a Dockerfile and what it copies) on the base.
build_dockerfile() {
  local tag=$1 folder=$2 recipe
  # Every file of the folder by name and content, plus the base image's id: a rebuilt base
  # rebuilds everything on it.
  recipe=$( { (cd "$folder" && find . -type f -print0 | sort -z | xargs -0 sha256sum); docker image inspect -f '{{.Id}}' "$base_image"; } | sha256sum | cut -c1-16)
  if [ "$force" = 0 ] && [ "$(recipe_of "$tag")" = "$recipe" ]; then return; fi

  local started=$SECONDS log=$log_dir/$(echo "$tag" | tr '/:' '--').log
  # --network host: apt-get inside the build cannot resolve names on the default bridge here.
  docker build --network host --progress plain --build-arg "BASE_IMAGE=$base_image" \
    --label "canmesh.recipe=$recipe" -t "$tag" "$folder" > "$log" 2>&1 \
    || fail "$log" "building $tag failed (docker build $folder; log in $log)"
  echo "built $tag ($((SECONDS - started)) s)"
}

curl -fsS --max-time 2 --unix-socket /var/run/docker.sock http://localhost/_ping >/dev/null 2>&1 \
  || { echo "images.sh: the Docker engine is not running: run scripts/docker-engine.sh first" >&2; exit 1; }

# Two checkouts building at once would both spend minutes on the same images; the second one waits
# and then finds them up to date.
exec 9>/tmp/canmesh-images.lock
flock 9

build_base
build_dockerfile local/postgres:15 deploy/images/postgres

# A rebuild leaves the previous image untagged; drop those of ours (never anyone else's).
docker image prune -f --filter label=canmesh.recipe > /dev/null
