#!/bin/busybox sh
# /init of a guest VM: the host VM's view of the build machine's root (9p,
# read-only) under a tmpfs overlay, then the command agent on vsock.
# Everything before the agent runs here, from busybox in RAM: in a guest,
# every program started from the 9p root costs a third of a second or more.
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
for m in /mods/*.ko; do insmod "$m" || echo "guest: insmod $m failed"; done
arg() { sed -n "s/.*\\b$1=\\([^ ]*\\).*/\\1/p" /proc/cmdline; }
mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=512000,cache=loose hostroot /lower ||
	{ echo "guest: cannot mount the 9p root"; poweroff -f; }
mkdir -p /rw
mount -t tmpfs -o size=60% tmpfs /rw
mkdir -p /rw/upper /rw/work
mount -t overlay overlay -o lowerdir=/lower,upperdir=/rw/upper,workdir=/rw/work /newroot
r=/newroot
mount -t tmpfs tmpfs $r/tmp
mount -t tmpfs tmpfs $r/run
mount -t proc proc $r/proc
mount -t sysfs sys $r/sys
mount -t devtmpfs dev $r/dev
mkdir -p $r/dev/pts $r/dev/shm
mount -t devpts devpts $r/dev/pts
mount -t tmpfs tmpfs $r/dev/shm
# what udev would make: process substitution (dkms) needs /dev/fd
ln -sf /proc/self/fd $r/dev/fd
ln -sf /proc/self/fd/0 $r/dev/stdin
ln -sf /proc/self/fd/1 $r/dev/stdout
ln -sf /proc/self/fd/2 $r/dev/stderr
hostname "$(arg vbus.name)"
ip link set lo up
cp /bin/vbus-agent $r/run/vbus-agent
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root LANG=C VBUS_REPO="$(arg vbus.repo)" VBUS_BUILD="$(arg vbus.build)"
echo "VBUS-GUEST-READY $(uname -r) at $(cut -d" " -f1 /proc/uptime) s"
umount /proc /sys /dev
exec switch_root $r /run/vbus-agent
