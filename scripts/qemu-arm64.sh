#!/usr/bin/env bash
# Lets this (x86-64) machine run arm64 programs, for linux/arm64 images: Debian's qemu-user-static,
# registered with the kernel's binfmt_misc through binfmt-support. Idempotent; quiet when all is in
# place, one line when it installs or registers something, the reason when it cannot.
#
# Why these pieces:
#   qemu-user-static  statically linked emulators: one works inside any container, whatever its libc.
#   binfmt-support    registers them (update-binfmts). Debian's entry for aarch64 has `fix_binary yes`,
#                     the kernel's F flag: the kernel opens the emulator once, at registration, so it
#                     runs in containers and BuildKit steps whose root file system has no
#                     /usr/libexec/qemu-binfmt. Without F, docker buildx's RUN on arm64 fails with
#                     "exec format error" or "no such file".
#   arch-test         mmdebstrap insists on it before it builds a foreign-architecture root file system.
# No systemd here (binfmt-support.service never runs): binfmt_misc is mounted and the entry enabled by
# this script. Both are kernel state: they last until the machine restarts, and this script puts them
# back after one. The engine needs no restart; docker buildx ls lists linux/arm64 at once.
set -euo pipefail

mount_point=/proc/sys/fs/binfmt_misc
entry=$mount_point/qemu-aarch64
packages=(qemu-user-static binfmt-support arch-test)
did=()

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
fail() { echo "qemu-arm64.sh: $*" >&2; exit 1; }

# Fast path: registered, enabled, with F.
if [ -r "$entry" ] && grep -qx enabled "$entry" && grep -q '^flags: .*F' "$entry"; then exit 0; fi

grep -qw binfmt_misc /proc/filesystems \
  || fail "this kernel has no binfmt_misc (CONFIG_BINFMT_MISC): arm64 programs cannot run here; build on an arm64 machine instead"

mapfile -t missing < <(for p in "${packages[@]}"; do
  [ "$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)" = installed ] || echo "$p"; done)
if [ ${#missing[@]} -gt 0 ]; then
  log=/var/log/canmesh/qemu-install.log
  as_root mkdir -p "$(dirname "$log")"
  { as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
      --no-install-recommends -o Dpkg::Use-Pty=0 "${missing[@]}"; } > "$log" 2>&1 \
    || { tail -n 20 "$log" >&2; fail "installing ${missing[*]} failed (apt-get; log in $log)"; }
  did+=("installed ${missing[*]}")
fi

if ! mountpoint -q "$mount_point"; then
  as_root mount -t binfmt_misc binfmt_misc "$mount_point" || fail "cannot mount binfmt_misc on $mount_point"
  did+=("mounted binfmt_misc")
fi

if [ ! -e "$entry" ] || ! grep -qx enabled "$entry"; then
  # update-binfmts reads Debian's entry (/usr/share/binfmts/qemu-aarch64, fix_binary yes) and writes it
  # to the kernel's register file.
  as_root update-binfmts --enable qemu-aarch64 || fail "update-binfmts --enable qemu-aarch64 failed"
  did+=("registered qemu-aarch64")
fi

[ -r "$entry" ] && grep -qx enabled "$entry" || fail "$entry is not enabled after registering it"
grep -q '^flags: .*F' "$entry" || fail "$entry lacks the F (fix-binary) flag ($(grep '^flags' "$entry")): \
containers cannot reach the emulator. Remove it (echo -1 > $entry) and run this script again"
printf 'arm64 emulation: %s\n' "$(IFS=,; echo "${did[*]}" | sed 's/,/, /g')"
