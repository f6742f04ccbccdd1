#!/bin/bash
# install.sh - installs CanMesh on a Raspberry Pi (Raspberry Pi OS / Debian 12) to run under systemd, without Docker.
#
# Usage: sudo deploy/install.sh [--rid RID] [--from DIR] [--destdir DIR]
#        deploy/install.sh --publish-only [--rid RID]
#        sudo deploy/install.sh --host-only [--destdir DIR]
#   --rid RID        runtime to publish for (default from uname -m: aarch64 linux-arm64, armv7l linux-arm, x86_64 linux-x64)
#   --from DIR       use binaries published before (DIR/capture, DIR/forwarder, DIR/flipper, DIR/canmesh) instead of
#                    publishing here: publish on a PC with --publish-only --rid linux-arm64, copy artifacts/publish/linux-arm64
#   --publish-only   publish into artifacts/publish/RID and stop (needs the .NET SDK, not root)
#   --host-only      only what the host needs when the services run in containers (docker compose): the CAN
#                    interfaces at boot (can-up.sh, canmesh-can@, can0.conf), the sysctl, canmesh-diagnose;
#                    nothing is published, no user is created
#   --destdir DIR    install under DIR instead of / (also env DESTDIR): a dry install for packaging and tests;
#                    no user is created, nothing is chowned, systemd is not touched
# The services are published self-contained (the .NET runtime goes with them), so the Pi needs no .NET
# installed; only publishing needs the SDK. Running it again updates the binaries, scripts and units and
# never overwrites a configuration in /etc/canmesh.
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
usage() { sed -n '2,/^set /{/^#/s/^# \{0,1\}//p}' "$0"; }
die() { echo "install.sh: $*" >&2; exit 1; }
RID="" FROM="" PUBLISH_ONLY=0 HOST_ONLY=0 DESTDIR=${DESTDIR:-}
while [ $# -gt 0 ]; do
  case "$1" in
    --rid) RID=${2:-}; shift 2 || { usage >&2; exit 2; } ;;
    --from) FROM=${2:-}; shift 2 || { usage >&2; exit 2; } ;;
    --destdir|--prefix) DESTDIR=${2:-}; shift 2 || { usage >&2; exit 2; } ;;
    --publish-only) PUBLISH_ONLY=1; shift ;;
    --host-only) HOST_ONLY=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "install.sh: unknown argument $1" >&2; usage >&2; exit 2 ;;
  esac
done
[ $HOST_ONLY = 1 ] && { [ $PUBLISH_ONLY = 1 ] || [ -n "$FROM" ]; } && { echo "install.sh: --host-only installs no binaries: leave out --publish-only and --from" >&2; exit 2; }
if [ -z "$RID" ]; then
  case "$(uname -m)" in
    aarch64|arm64) RID=linux-arm64 ;;
    armv7l|armv6l) RID=linux-arm ;;
    x86_64) RID=linux-x64 ;;
    *) die "unknown machine $(uname -m): give --rid (linux-arm64, linux-arm, linux-x64)" ;;
  esac
fi
REAL=1; [ -n "$DESTDIR" ] && { REAL=0; mkdir -p "$DESTDIR" && DESTDIR=$(cd "$DESTDIR" && pwd) || die "cannot create $DESTDIR"; }
if [ $PUBLISH_ONLY = 0 ] && [ $REAL = 1 ] && [ "$(id -u)" != 0 ]; then
  die "run as root (sudo $0), or give --destdir DIR for an install into a folder"
fi

# ---------------------------------------------------------------- publish
SERVICES="capture forwarder flipper"
# --host-only: the services run in containers; only the host's part is installed.
[ $HOST_ONLY = 1 ] && SERVICES=""
declare -A PROJECT=([capture]=services/capture/CanMesh.Capture.csproj [forwarder]=services/forwarder/CanMesh.Forwarder.csproj
                    [flipper]=services/flipper/CanMesh.Flipper.csproj [canmesh]=tools/canmesh/CanMesh.Cli.csproj)
declare -A EXE=([capture]=canmesh-capture [forwarder]=canmesh-forwarder [flipper]=canmesh-flipper [canmesh]=canmesh)
if [ $HOST_ONLY = 1 ]; then
  :
elif [ -z "$FROM" ]; then
  command -v dotnet > /dev/null || die "the .NET SDK is not installed, so nothing can be published here. Either install it
  (https://learn.microsoft.com/dotnet/core/install/linux-scripted-manual), or publish on another machine with
  'deploy/install.sh --publish-only --rid $RID', copy artifacts/publish/$RID here and run install.sh --from that folder"
  FROM=$ROOT/artifacts/publish/$RID
  for p in $SERVICES canmesh; do
    echo "publishing ${PROJECT[$p]} for $RID (self-contained) ..."
    log=$(mktemp)
    # A clean folder each time, so a file removed from the project does not linger in the install.
    rm -rf "${FROM:?}/$p"
    dotnet publish "$ROOT/${PROJECT[$p]}" -c Release -r "$RID" --self-contained -p:DebugType=none --nologo -v q \
      -o "$FROM/$p" > "$log" 2>&1 || { cat "$log" >&2; rm -f "$log"; die "publishing ${PROJECT[$p]} failed (above)"; }
    rm -f "$log"
  done
  echo "published into $FROM"
fi
[ $PUBLISH_ONLY = 1 ] && exit 0
for p in ${SERVICES:+$SERVICES canmesh}; do
  [ -x "$FROM/$p/${EXE[$p]}" ] || die "$FROM/$p/${EXE[$p]} is missing: publish first (install.sh --publish-only --rid $RID)"
done

# ---------------------------------------------------------------- user
if [ $HOST_ONLY = 1 ]; then
  :   # the containers run as their own user (uid 10001)
elif [ $REAL = 1 ]; then
  getent group canmesh > /dev/null || groupadd --system canmesh || die "groupadd canmesh failed"
  if ! id canmesh > /dev/null 2>&1; then
    # dialout: the Flipper Zero's serial port. No login, no home of its own beyond the state folder.
    useradd --system --gid canmesh --groups dialout --home-dir /var/lib/canmesh --no-create-home \
      --shell /usr/sbin/nologin --comment "CanMesh services" canmesh || die "useradd canmesh failed"
    echo "created the system user canmesh"
  else
    usermod -a -G dialout canmesh
  fi
else
  echo "(--destdir: the user and group canmesh are not created)"
fi

# ---------------------------------------------------------------- files
D=$DESTDIR
inst() { # mode src dest
  install -D -m "$1" "$2" "$3" || die "cannot install $3"
}
for p in ${SERVICES:+$SERVICES canmesh}; do
  # Copied next to the old one and swapped in, so a running service keeps a whole set of files until its restart.
  mkdir -p "$D/opt/canmesh"
  rm -rf "$D/opt/canmesh/$p.new" && cp -a "$FROM/$p" "$D/opt/canmesh/$p.new" || die "cannot copy $FROM/$p"
  rm -rf "$D/opt/canmesh/$p.old"; [ -e "$D/opt/canmesh/$p" ] && mv "$D/opt/canmesh/$p" "$D/opt/canmesh/$p.old"
  mv "$D/opt/canmesh/$p.new" "$D/opt/canmesh/$p" && rm -rf "$D/opt/canmesh/$p.old"
done
inst 755 "$HERE/can-up.sh" "$D/opt/canmesh/bin/can-up.sh"
inst 755 "$HERE/diagnose.sh" "$D/opt/canmesh/bin/diagnose.sh"
inst 644 "$HERE/README.md" "$D/opt/canmesh/deploy/README.md"
inst 644 "$HERE/networkd/80-can0.network" "$D/opt/canmesh/deploy/networkd/80-can0.network"
mkdir -p "$D/usr/local/bin"
[ -n "$SERVICES" ] && ln -sfn /opt/canmesh/canmesh/canmesh "$D/usr/local/bin/canmesh"
ln -sfn /opt/canmesh/bin/diagnose.sh "$D/usr/local/bin/canmesh-diagnose"
for u in "$HERE"/systemd/*.service; do
  [ -n "$SERVICES" ] || [ "${u##*/}" = canmesh-can@.service ] || continue
  inst 644 "$u" "$D/etc/systemd/system/${u##*/}"
done
inst 644 "$HERE/sysctl/90-canmesh.conf" "$D/etc/sysctl.d/90-canmesh.conf"

# Configurations: installed once, never overwritten (the shipped version goes next to an existing one as .example).
config() { # src dest
  if [ -e "$2" ]; then
    install -m 640 "$1" "$2.example" && echo "kept $2 (the shipped example is $2.example)"
  else
    install -D -m 640 "$1" "$2" && echo "installed $2"
  fi
  [ $REAL = 1 ] && chgrp canmesh "$2" "$2.example" 2>/dev/null
}
for p in $SERVICES; do config "$HERE/$p.json" "$D/etc/canmesh/$p.json"; done
config "$HERE/can/can0.conf" "$D/etc/canmesh/can/can0.conf"
if [ -n "$SERVICES" ]; then
  # Root only: systemd hands the forwarder its copy (LoadCredential=).
  install -d -m 700 "$D/etc/canmesh/credentials"
  [ $REAL = 1 ] && chgrp canmesh "$D/etc/canmesh" "$D/etc/canmesh/can" && chmod 750 "$D/etc/canmesh"
fi

if [ $REAL = 1 ]; then
  sysctl -q -p /etc/sysctl.d/90-canmesh.conf || echo "warning: could not apply /etc/sysctl.d/90-canmesh.conf now (it applies at boot)"
  if [ -d /run/systemd/system ]; then systemctl daemon-reload || echo "warning: systemctl daemon-reload failed"
  else echo "systemd is not running: run 'systemctl daemon-reload' once it is"; fi
fi

if [ $HOST_ONLY = 1 ]; then
  cat <<NEXT

The host's part of CanMesh is installed${DESTDIR:+ under $DESTDIR} (the services run in containers). Next:
  1. CAN interface: edit /etc/canmesh/can/can0.conf (BITRATE, LISTEN_ONLY), then
       sudo systemctl enable --now canmesh-can@can0        (copy the file to can1.conf for a second channel)
  2. The services: docker compose up -d (deploy/README-docker.md)
  When something is wrong: sudo canmesh-diagnose   (it looks into the containers; deploy/README.md has a troubleshooting table)
NEXT
  exit 0
fi
cat <<NEXT

CanMesh is installed${DESTDIR:+ under $DESTDIR} (binaries for $RID in /opt/canmesh, self-contained). Next:
  1. CAN interface: edit /etc/canmesh/can/can0.conf (BITRATE, LISTEN_ONLY), then
       sudo systemctl enable --now canmesh-can@can0        (copy the file to can1.conf for a second channel)
  2. Capture: edit /etc/canmesh/capture.json (interfaces, retention), then
       sudo systemctl enable --now canmesh-capture && canmesh health
  3. Forwarder: edit /etc/canmesh/forwarder.json (Postgres host, database, user), put the password in
       /etc/canmesh/credentials/pg-password (sudo install -m 600 /dev/stdin /etc/canmesh/credentials/pg-password), then
       sudo systemctl enable --now canmesh-forwarder
  4. Flipper Zero (optional): edit /etc/canmesh/flipper.json (Flipper:Device), then sudo systemctl enable --now canmesh-flipper
  When something is wrong: sudo canmesh-diagnose   (deploy/README.md has a troubleshooting table)
NEXT
