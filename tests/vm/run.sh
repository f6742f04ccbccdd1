#!/bin/bash
# run.sh - runs a command inside a throw-away qemu guest that has a real SocketCAN stack, and returns
# its exit code. The guest runs Debian's kernel (prepared by setup.sh) with vcan0 and vcan1 up, both
# with MTU 72 (CAN FD capable). The host root is visible read-only (with a tmpfs overlay, so writes
# succeed and vanish); folders given with -w are shared read-write so results come back.
#
# Usage: tests/vm/run.sh [options] [--] command [args...]
#   -w DIR     share host DIR read-write at the same path (repeatable)
#   -m MB      guest memory in MiB (default 2048; the overlay's writes live in it)
#   -c N       guest CPUs (default: host CPUs)
#   -t SEC     wall-clock limit for the whole run (default 900)
#   -a ACCEL   kvm | tcg | auto (default auto: KVM with kvm_intel/kvm_amd, TCG otherwise, including
#              nested kvm-pvm, which cannot run Debian's kernel)
#   -v         also stream the guest console to stderr
#   -k         keep the job folder (console.log, qemu.log) and print where it is
# Env: CANMESH_VM_CACHE (see setup.sh), CANMESH_VM_MEM, CANMESH_VM_CPUS, CANMESH_VM_TIMEOUT, CANMESH_VM_ACCEL.
#
# The command runs as root in the caller's working directory with the caller's exported environment,
# stdin from /dev/null; its stdout and stderr come back separately, as they are written.
# Exit code: the command's, or 250 when the time limit ran out, 251 when the guest reported no exit
# code (it crashed or the command never ran; the qemu and console logs are printed), 2 for bad usage.
set -euo pipefail

readonly RC_TIMEOUT=250 RC_NO_RC=251
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
MEM=${CANMESH_VM_MEM:-2048}
CPUS=${CANMESH_VM_CPUS:-$(nproc)}
TIMEOUT=${CANMESH_VM_TIMEOUT:-900}
ACCEL=${CANMESH_VM_ACCEL:-auto}
VERBOSE=0; KEEP=0; RW_DIRS=()

usage() { sed -n '2,/^set /{/^#/s/^# \{0,1\}//p}' "$0" >&2; exit 2; }
fail() { echo "canmesh-vm: $*" >&2; exit $RC_NO_RC; }

while [ $# -gt 0 ]; do
  case "$1" in
    -w) [ -d "${2:-}" ] || { echo "canmesh-vm: -w needs an existing folder" >&2; exit 2; }
        RW_DIRS+=("$(realpath "$2")"); shift 2 ;;
    -m) MEM=$2; shift 2 ;;
    -c) CPUS=$2; shift 2 ;;
    -t) TIMEOUT=$2; shift 2 ;;
    -a) ACCEL=$2; shift 2 ;;
    -v) VERBOSE=1; shift ;;
    -k) KEEP=1; shift ;;
    -h|--help) usage ;;
    --) shift; break ;;
    -*) echo "canmesh-vm: unknown option $1" >&2; usage ;;
    *) break ;;
  esac
done
[ $# -gt 0 ] || usage

CACHE=$("$HERE/setup.sh" --no-install) || fail "setup is incomplete: run tests/vm/setup.sh"
KVER=$(cat "$CACHE/kroot/.done")
KERNEL="$CACHE/kroot/vmlinux"; [ -e "$KERNEL" ] || KERNEL="$CACHE/kroot/vmlinuz"

case "$ACCEL" in
  auto) if [ -r /dev/kvm ] && [ -w /dev/kvm ] && [ ! -d /sys/module/kvm_pvm ] &&
           { [ -d /sys/module/kvm_intel ] || [ -d /sys/module/kvm_amd ]; }
        then ACCEL=kvm; else ACCEL=tcg; fi ;;
esac
case "$ACCEL" in
  kvm) ACCEL_ARGS=(-accel kvm -cpu host) ;;
  tcg) ACCEL_ARGS=(-accel tcg,thread=multi -cpu max) ;;
  *) echo "canmesh-vm: -a takes kvm, tcg or auto" >&2; exit 2 ;;
esac

# ---- the job folder: the command, its environment, and where the guest reports back
mkdir -p "$CACHE/jobs"
JOB=$(mktemp -d "$CACHE/jobs/job.XXXXXX")
QEMU_PID=""; TAIL_PIDS=()
cleanup() {
  [ -n "$QEMU_PID" ] && kill "$QEMU_PID" 2>/dev/null
  for p in "${TAIL_PIDS[@]}"; do kill "$p" 2>/dev/null; done
  if [ $KEEP = 1 ]; then echo "canmesh-vm: job folder kept: $JOB" >&2; else rm -rf "$JOB"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

for d in "$JOB" "${RW_DIRS[@]}"; do
  case "$d" in *[[:space:],]*) fail "folders shared with the guest cannot contain spaces or commas: $d" ;; esac
done
echo "$CACHE/kroot/lib/modules/$KVER" > "$JOB/kmods"
# The caller's environment, minus what bash sets itself or cannot re-declare.
export -p | grep -Ev '^declare -[a-zA-Z]*r|^declare -x (SHLVL|OLDPWD|PWD|_)=' > "$JOB/env.sh" || true
{
  echo '#!/bin/bash'
  echo ". $(printf %q "$JOB/env.sh") 2>/dev/null"
  echo "cd $(printf %q "$PWD") || exit 126"
  printf 'exec'; printf ' %q' "$@"; echo
} > "$JOB/cmd.sh"
: > "$JOB/stdout"; : > "$JOB/stderr"; : > "$JOB/console.log"

SHARES=(); RW_ARG=""; i=0
for d in "${RW_DIRS[@]}"; do
  SHARES+=(-fsdev "local,id=rw$i,path=$d,security_model=none" -device "virtio-9p-pci,fsdev=rw$i,mount_tag=rw$i")
  RW_ARG="$RW_ARG${RW_ARG:+,}$d"; i=$((i + 1))
done

qemu-system-x86_64 "${ACCEL_ARGS[@]}" -m "$MEM" -smp "$CPUS" -machine pc -nodefaults -no-user-config \
  -display none -no-reboot -nic none \
  -kernel "$KERNEL" -initrd "$CACHE/initrd.gz" \
  -append "console=ttyS0 quiet loglevel=3 panic=-1 rdinit=/init canmeshvm.job=$JOB canmeshvm.rw=$RW_ARG" \
  -serial "file:$JOB/console.log" \
  -fsdev "local,id=hostroot,path=/,security_model=none,readonly=on,multidevs=remap" \
  -device virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot \
  -fsdev "local,id=job,path=$JOB,security_model=none" -device virtio-9p-pci,fsdev=job,mount_tag=job \
  "${SHARES[@]}" \
  -device virtio-serial-pci,id=vser \
  -chardev "file,id=out,path=$JOB/stdout" -device virtserialport,bus=vser.0,chardev=out,name=stdout \
  -chardev "file,id=err,path=$JOB/stderr" -device virtserialport,bus=vser.0,chardev=err,name=stderr \
  > "$JOB/qemu.log" 2>&1 &
QEMU_PID=$!

# Stream the guest's output as it arrives; tail stops by itself when qemu exits.
tail -n +1 -s 0.1 -f --pid=$QEMU_PID "$JOB/stdout" & TAIL_PIDS+=($!)
tail -n +1 -s 0.1 -f --pid=$QEMU_PID "$JOB/stderr" >&2 & TAIL_PIDS+=($!)
if [ $VERBOSE = 1 ]; then
  tail -n +1 -s 0.1 -f --pid=$QEMU_PID "$JOB/console.log" | sed -u 's/^/[guest] /' >&2 & TAIL_PIDS+=($!)
fi

rc=""; SECONDS=0
while kill -0 $QEMU_PID 2>/dev/null; do
  if [ $SECONDS -ge "$TIMEOUT" ]; then
    kill $QEMU_PID 2>/dev/null || true
    rc=$RC_TIMEOUT
    echo "canmesh-vm: the run took longer than ${TIMEOUT}s and was stopped" >&2
    break
  fi
  sleep 0.1
done
wait $QEMU_PID 2>/dev/null || true; QEMU_PID=""
for p in "${TAIL_PIDS[@]}"; do wait "$p" 2>/dev/null || true; done; TAIL_PIDS=()

if [ -z "$rc" ]; then
  if [ -s "$JOB/rc" ]; then rc=$(cat "$JOB/rc"); else
    rc=$RC_NO_RC
    echo "canmesh-vm: the guest reported no exit code" >&2
  fi
fi
# The VM itself failed (not the command): show what qemu and the guest kernel said.
if [ ! -s "$JOB/rc" ]; then
  { echo "---- qemu log ($ACCEL)"; cat "$JOB/qemu.log"; echo "---- guest console"; cat "$JOB/console.log"; } >&2
fi
exit "$rc"
