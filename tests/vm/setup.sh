#!/bin/bash
# setup.sh - prepares what tests/vm/run.sh boots: a Debian kernel with SocketCAN (can, can-raw, vcan as
# modules) and a busybox initramfs. Idempotent and cached: a second run only checks and returns.
#
# Usage: tests/vm/setup.sh [--no-install | --missing-packages]
#   --no-install         do not apt-get install missing host tools (fail instead)
#   --missing-packages   print the Debian packages this machine lacks, one per line, and exit (the test
#                        command installs them with everything else in one apt-get run)
# Env:
#   CANMESH_VM_CACHE  cache folder (default ${XDG_CACHE_HOME:-$HOME/.cache}/canmesh-vm)
#   CANMESH_VM_KPKG   kernel package to use (default: the one linux-image-amd64 depends on)
# Needs a Debian 12 host; root (or sudo) only when packages are missing.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE=${CANMESH_VM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/canmesh-vm}
INSTALL=1
LIST_ONLY=0
case "${1:-}" in
  --no-install) INSTALL=0 ;;
  --missing-packages) LIST_ONLY=1 ;;
  "") ;;
  *) echo "usage: $0 [--no-install | --missing-packages]" >&2; exit 2 ;;
esac

die() { echo "canmesh-vm setup: $*" >&2; exit 1; }

# Modules the initramfs loads, in dependency order (Debian 6.1 amd64: all of them are =m).
MODULES="virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci virtio_console
netfs fscache 9pnet 9pnet_virtio 9p overlay can can-raw can-bcm can-gw can-isotp can-dev vcan"

# ---- host packages: tool -> package; install only what is missing
missing_packages() {
  local -A need=([qemu-system-x86_64]=qemu-system-x86 [cpio]=cpio [candump]=can-utils [cangen]=can-utils
                 [depmod]=kmod [sqlite3]=sqlite3 [xz]=xz-utils [flock]=util-linux)
  local missing=() tool pkg
  for tool in "${!need[@]}"; do command -v "$tool" >/dev/null || missing+=("${need[$tool]}"); done
  [ -x /bin/busybox ] && ! ldd /bin/busybox >/dev/null 2>&1 || missing+=(busybox-static)
  [ ${#missing[@]} = 0 ] || printf '%s\n' "${missing[@]}" | sort -u
}

install_packages() {
  local missing=()
  mapfile -t missing < <(missing_packages)
  [ ${#missing[@]} = 0 ] && return 0
  [ $INSTALL = 1 ] || die "missing packages: ${missing[*]} (run without --no-install, as root)"
  local sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
  echo "canmesh-vm setup: installing ${missing[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# ---- kernel: download the package, unpack, depmod, extract the uncompressed ELF vmlinux
prepare_kernel() {
  [ -e "$CACHE/kroot/.done" ] && return 0
  local pkg=${CANMESH_VM_KPKG:-}
  if [ -z "$pkg" ]; then
    pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/{print $2; exit}')
    if [ -z "$pkg" ]; then
      local sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
      $sudo apt-get update -qq
      pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/{print $2; exit}')
    fi
  fi
  [ -n "$pkg" ] || die "cannot tell which kernel linux-image-amd64 depends on (apt-get update?)"
  echo "canmesh-vm setup: fetching $pkg" >&2
  rm -rf "$CACHE/kroot" "$CACHE/kdeb"; mkdir -p "$CACHE/kdeb"
  # As root, apt would try to download as _apt, which may not reach a cache under $HOME.
  local sandbox=(); [ "$(id -u)" = 0 ] && sandbox=(-o APT::Sandbox::User=root)
  (cd "$CACHE/kdeb" && apt-get download -qq "${sandbox[@]}" "$pkg") || die "apt-get download $pkg failed"
  dpkg-deb -x "$CACHE"/kdeb/*.deb "$CACHE/kroot"
  rm -rf "$CACHE/kdeb"
  local kver; kver=$(ls "$CACHE/kroot/lib/modules" | head -1)
  [ -n "$kver" ] || die "$pkg holds no modules"
  depmod -b "$CACHE/kroot" "$kver"
  local vmlinuz="$CACHE/kroot/boot/vmlinuz-$kver"
  ln -sf "boot/vmlinuz-$kver" "$CACHE/kroot/vmlinuz"
  # The uncompressed ELF boots straight through PVH: no firmware, no decompressor (~2.5 s less under TCG).
  local off; off=$(grep -abo $'\xfd7zXZ\x00' "$vmlinuz" 2>/dev/null | head -1 | cut -d: -f1 || true)
  if [ -n "$off" ]; then
    tail -c +$((off + 1)) "$vmlinuz" | xz -dcq > "$CACHE/kroot/vmlinux" 2>/dev/null || true
    head -c 4 "$CACHE/kroot/vmlinux" 2>/dev/null | grep -q ELF || rm -f "$CACHE/kroot/vmlinux"
  fi
  echo "$kver" > "$CACHE/kroot/.done"
}

# ---- initramfs: busybox, the modules, guest/init and guest/stage2.sh; rebuilt when those change
build_initramfs() {
  local kver; kver=$(cat "$CACHE/kroot/.done")
  local stamp; stamp=$(cat "$HERE/guest/init" "$HERE/guest/stage2.sh" /bin/busybox <(echo "$kver $MODULES") | sha256sum | cut -c1-16)
  [ -e "$CACHE/initrd.gz" ] && [ "$(cat "$CACHE/initrd.stamp" 2>/dev/null)" = "$stamp" ] && return 0
  local ir="$CACHE/initrd.d" m f
  rm -rf "$ir"; mkdir -p "$ir"/{bin,mods,proc,sys,dev,lower,rw,newroot}
  cp /bin/busybox "$ir/bin/busybox"
  for m in $MODULES; do
    f=$(find "$CACHE/kroot/lib/modules/$kver/kernel" -name "$m.ko*" | head -1)
    [ -n "$f" ] || die "module $m is not in the kernel package"
    cp "$f" "$ir/mods/"; basename "$f" >> "$ir/mods/order"
  done
  install -m 755 "$HERE/guest/init" "$ir/init"
  install -m 644 "$HERE/guest/stage2.sh" "$ir/stage2.sh"
  echo "$kver" > "$ir/kver"
  (cd "$ir" && find . | cpio -o -H newc --quiet | gzip -1 > "$CACHE/initrd.gz.tmp")
  mv "$CACHE/initrd.gz.tmp" "$CACHE/initrd.gz"
  echo "$stamp" > "$CACHE/initrd.stamp"
  rm -rf "$ir"
}

if [ $LIST_ONLY = 1 ]; then missing_packages; exit 0; fi
install_packages
mkdir -p "$CACHE"
exec 9>"$CACHE/.lock"
flock 9
prepare_kernel
build_initramfs
echo "$CACHE"
