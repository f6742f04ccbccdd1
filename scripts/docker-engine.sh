#!/usr/bin/env bash
# Installs (only what is missing) and starts a Docker engine on a Debian 12 machine without systemd,
# idempotently. A second call while the engine answers does nothing. Quiet unless it installs or
# starts something (then one line with the time it took) or fails (then the tail of its logs).
#
# Why not Debian 12's own docker.io: it is 20.10 (API 1.41), older than the API Testcontainers asks
# for (1.44), and has no `docker compose` v2. Debian 13 (trixie) packages docker.io 26, the compose
# v2 plugin and buildx, and they run on bookworm's libc, containerd and runc. Only those three .debs
# come from trixie, through a private apt configuration: the system's sources stay bookworm-only,
# so no later `apt-get upgrade` drifts towards trixie. Everything else comes from bookworm.
# See /work/shared/notes/containers.md (the verified recipe) and README.md ("Tests").
#
# Logs: /var/log/canmesh/docker-install.log (apt) and /var/log/canmesh/dockerd.log (the daemon).
# The engine is machine-wide (one /var/run/docker.sock), so its logs are too, not per checkout.
set -euo pipefail

log_dir=/var/log/canmesh
install_log=$log_dir/docker-install.log
daemon_log=$log_dir/dockerd.log
socket=/var/run/docker.sock
# Downloaded trixie .debs and their private package lists; kept so that a reinstall needs no update.
work=/var/cache/canmesh/docker-debs
# Packages taken from trixie, and the bookworm packages the tests and image builds need beside them.
trixie_packages=(docker.io docker-compose docker-buildx)
bookworm_packages=(mmdebstrap iptables tini)
min_engine_version=26

started=$SECONDS

ping_engine() { curl -fsS --max-time 2 --unix-socket "$socket" http://localhost/_ping >/dev/null 2>&1; }

fail() {
  echo "docker-engine.sh: $*" >&2
  for f in "$install_log" "$daemon_log"; do
    if [ -s "$f" ]; then echo "--- last lines of $f" >&2; tail -n 25 "$f" >&2; fi
  done
  exit 1
}

# Prints each package that is not installed; one dpkg-query for all, so the fast path stays fast.
missing_packages() {
  local all=("${trixie_packages[@]}" "${bookworm_packages[@]}") name status version
  declare -A ok=()
  while read -r name status version; do
    [ "$status" = installed ] || continue
    # Debian 12's own docker.io (20.10) counts as missing: it is too old for Testcontainers.
    if [ "$name" = docker.io ] && ! dpkg --compare-versions "$version" ge "$min_engine_version"; then continue; fi
    ok[$name]=1
  done < <(dpkg-query -W -f='${Package} ${db:Status-Status} ${Version}\n' "${all[@]}" 2>/dev/null)
  for name in "${all[@]}"; do [ -n "${ok[$name]:-}" ] || echo "$name"; done
}

# Writes W/trixie.sources from the bookworm entry of the system's deb822 sources (same mirror and
# key), so the private configuration reaches the same mirror the machine already trusts.
write_trixie_sources() {
  local system=/etc/apt/sources.list.d/debian.sources uris signed_by
  if [ -f "$system" ]; then
    uris=$(awk '/^URIs:/ {u=$2} /^Suites:/ && / bookworm( |$)/ {print u; exit}' "$system")
    signed_by=$(awk '/^Suites:/ && / bookworm( |$)/ {f=1} f && /^Signed-By:/ {print $2; exit} /^$/ {f=0}' "$system")
  fi
  cat > "$work/trixie.sources" <<SOURCES
Types: deb
URIs: ${uris:-http://deb.debian.org/debian}
Suites: trixie
Components: main
Signed-By: ${signed_by:-/usr/share/keyrings/debian-archive-keyring.gpg}
SOURCES
}

install_engine() {
  local missing=("$@")
  : > "$install_log"
  mkdir -p "$work/lists/partial" "$work/archives/partial"
  write_trixie_sources
  # apt-get with only W as its configuration of sources, lists and archives: nothing of it touches
  # the system's sources or package lists. The pkgcache options keep it from writing the system's
  # binary caches from the private lists.
  local private=(-o Dir::Etc::SourceList=/dev/null -o "Dir::Etc::SourceParts=$work"
    -o "Dir::State::Lists=$work/lists" -o "Dir::Cache::Archives=$work/archives"
    -o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache=)
  local need_trixie=0 p
  for p in "${missing[@]}"; do
    case " ${trixie_packages[*]} " in *" $p "*) need_trixie=1 ;; esac
  done
  {
    echo "== $(date -Is) installing ${missing[*]}"
    # The system's lists, for the bookworm packages and the .debs' dependencies (containerd, runc...).
    apt-get update -qq
    if [ "$need_trixie" = 1 ]; then
      rm -f "$work"/*.deb
      apt-get "${private[@]}" update -qq
      # `download` puts the .debs in the current folder.
      (cd "$work" && apt-get "${private[@]}" download "${trixie_packages[@]}")
    fi
    local debs=()
    if [ "$need_trixie" = 1 ]; then debs=("$work"/*.deb); fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends -o Dpkg::Use-Pty=0 \
      "${debs[@]}" "${bookworm_packages[@]}"
  } >> "$install_log" 2>&1 || fail "installing ${missing[*]} failed (apt-get; full log in $install_log)"
}

# docker.io's postinst starts the daemon through invoke-rc.d when the machine allows it, with the
# package's default flags (iptables on). This script starts it itself, with its own flags: forbid
# service starts during the install, the Debian way (a policy-rc.d exiting 101), unless the machine
# already has a policy of its own (this one has, denying every start).
with_no_service_starts() {
  local policy=/usr/sbin/policy-rc.d
  if [ -e "$policy" ]; then "$@"; return; fi
  # Removed on any exit: a failing install ends the script from inside "$@".
  trap "rm -f $policy" EXIT
  printf '#!/bin/sh\n# Written by CanMesh scripts/docker-engine.sh for the length of an install.\nexit 101\n' > "$policy"
  chmod 755 "$policy"
  "$@"
  rm -f "$policy"
  trap - EXIT
}

start_engine() {
  # dockerd of another caller may be up but not yet answering: wait for it rather than start a second
  # one (a second dockerd on the same state folder would fail, and one with --bridge=none would
  # delete docker0 under the first).
  if ! pgrep -x dockerd >/dev/null; then
    echo "== $(date -Is) starting dockerd" >> "$daemon_log"
    # No systemd here: dockerd runs detached in its own session (setsid), so it outlives this script
    # and the test command's process group. It starts its own containerd.
    # --iptables=false / --ip6tables=false / --ip-forward=false: leave the machine's firewall and
    # forwarding alone; the default bridge stays (Testcontainers publishes ports on it), and bridge
    # containers reach only this host. overlay2: the fast storage driver; / is ext4 here.
    # 9>&-: the daemon must not inherit the lock, or it would hold it for its whole life and the next
    # caller finding the engine down would wait forever.
    setsid -f dockerd --iptables=false --ip6tables=false --ip-forward=false --storage-driver=overlay2 \
      >> "$daemon_log" 2>&1 < /dev/null 9>&-
  fi
  local deadline=$((SECONDS + 60))
  until ping_engine; do
    [ $SECONDS -lt $deadline ] || fail "dockerd did not answer on $socket within 60 s"
    # The daemon gone means it failed to start: say so at once instead of waiting out the minute.
    pgrep -x dockerd >/dev/null || { sleep 0.5; ping_engine && break; fail "dockerd exited while starting"; }
    sleep 0.2
  done
}

# Fast path, no lock and no root needed: an engine that answers, with every package installed (the
# image builds need mmdebstrap), is all a caller wants.
if ping_engine && [ -z "$(missing_packages)" ]; then exit 0; fi

if [ "$(id -u)" != 0 ]; then
  # Everything below writes system folders; run the whole script as root once.
  exec sudo --preserve-env=PATH "$0" "$@"
fi

mkdir -p "$log_dir" "$work"
# Two checkouts (or a test command and a person) may call this at once: one installs and starts,
# the other waits here and then finds everything done.
exec 9>/run/canmesh-docker-engine.lock
flock 9

mapfile -t missing < <(missing_packages | sort -u)
did=""
if [ ${#missing[@]} -gt 0 ]; then
  with_no_service_starts install_engine "${missing[@]}"
  did="installed ${missing[*]} ($((SECONDS - started)) s)"
fi
if ! ping_engine; then
  start_started=$SECONDS
  start_engine
  did="${did:+$did, }started ($((SECONDS - start_started)) s)"
fi
# Another caller did it all while this one waited for the lock: nothing to say.
[ -n "$did" ] || exit 0
version=$(curl -fsS --unix-socket "$socket" http://localhost/version | sed -n 's/.*"Version":"\([^"]*\)".*/\1/p' | head -n 1)
echo "docker engine ${version:-?}: $did; logs in $log_dir"
