#!/bin/busybox sh
# /init of a guest VM: the host VM's view of the build machine's root (9p,
# read-only) under a tmpfs overlay, then the command agent on vsock.
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
for m in /mods/*.ko; do insmod "$m" || echo "guest: insmod $m failed"; done
arg() { sed -n "s/.*\\b$1=\\([^ ]*\\).*/\\1/p" /proc/cmdline; }
repo=$(arg vbus.repo)
mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=512000,cache=loose hostroot /lower ||
	{ echo "guest: cannot mount the 9p root"; poweroff -f; }
mkdir -p /rw
mount -t tmpfs -o size=60% tmpfs /rw
mkdir -p /rw/upper /rw/work
mount -t overlay overlay -o lowerdir=/lower,upperdir=/rw/upper,workdir=/rw/work /newroot
umount /proc /sys /dev
exec switch_root /newroot /bin/sh "$repo/tests/vm/guestvm-run.sh"
