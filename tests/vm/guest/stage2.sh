# Stage 2 of the CanMesh test guest, run by busybox sh inside the overlaid host root.
# Brings up vcan0 and vcan1 (CAN FD capable), runs the job's command with its stdout and stderr on
# their own virtio-serial ports, records the exit code in the job folder and powers off.
job=$1
BB=/run/canmesh-vm/busybox
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
# bash process substitution and many tools need /dev/fd and friends.
$BB ln -sf /proc/self/fd /dev/fd; $BB ln -sf fd/0 /dev/stdin; $BB ln -sf fd/1 /dev/stdout; $BB ln -sf fd/2 /dev/stderr
$BB mkdir -p /dev/pts /dev/shm; $BB mount -t devpts devpts /dev/pts; $BB mount -t tmpfs tmpfs /dev/shm

# modprobe inside the guest finds the unpacked kernel's modules (depmod'ed by setup.sh).
kver=$($BB cat /run/canmesh-vm/kver)
kmods=$($BB cat "$job/kmods")
[ -e "/lib/modules/$kver" ] || { $BB mkdir -p /lib/modules 2>/dev/null; $BB ln -s "$kmods" "/lib/modules/$kver"; }

IP=$(command -v ip || echo "$BB ip")
$IP link set lo up
for i in vcan0 vcan1; do
  { $IP link add dev $i type vcan && $IP link set $i mtu 72 && $IP link set $i up; } || echo "canmesh-vm: $i setup failed" > /dev/console
done

out=/dev/null; err=/dev/null
for p in /sys/class/virtio-ports/*; do
  case "$($BB cat "$p/name")" in
    stdout) out=/dev/${p##*/} ;;
    stderr) err=/dev/${p##*/} ;;
  esac
done
echo "canmesh-vm: command start uptime=$($BB cut -d' ' -f1 /proc/uptime)" > /dev/console
/bin/bash "$job/cmd.sh" < /dev/null > "$out" 2> "$err"
rc=$?
echo "$rc" > "$job/rc.tmp" && $BB mv "$job/rc.tmp" "$job/rc"
echo "canmesh-vm: command exit $rc uptime=$($BB cut -d' ' -f1 /proc/uptime)" > /dev/console
$BB sync
echo o > /proc/sysrq-trigger
$BB sleep 10
