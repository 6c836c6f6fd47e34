#!/bin/busybox sh
# /init of the host VM: mount the build machine's root (9p, read-only) under
# a tmpfs overlay, keep the read-only lower layer at /hostroot for guest VMs,
# mount the run's output folder (9p, read-write) and start the test runner.
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
for m in /mods/*.ko; do insmod "$m" || echo "nest: insmod $m failed"; done
arg() { sed -n "s/.*\\b$1=\\([^ ]*\\).*/\\1/p" /proc/cmdline; }
repo=$(arg vbus.repo)
mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=512000,cache=loose hostroot /lower ||
	{ echo "nest: cannot mount the 9p root"; poweroff -f; }
mkdir -p /rw
mount -t tmpfs -o size=75% tmpfs /rw
mkdir -p /rw/upper /rw/work
mount -t overlay overlay -o lowerdir=/lower,upperdir=/rw/upper,workdir=/rw/work /newroot
mkdir -p /newroot/hostroot /newroot/vbus-out
mount --bind /lower /newroot/hostroot
mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 vbusout /newroot/vbus-out ||
	echo "nest: cannot mount the output folder"
umount /proc /sys /dev
exec switch_root /newroot /bin/sh "$repo/tests/vm/hostvm-run.sh"
