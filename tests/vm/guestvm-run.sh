#!/bin/sh
# Runs as a guest VM's first process after switch_root: prepares the system
# and serves test commands over vsock (tests/vm/agent.py) until told to stop.
arg() { sed -n "s/.*\\b$1=\\([^ ]*\\).*/\\1/p" /proc/cmdline; }
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
# what udev would make: process substitution (dkms) needs /dev/fd
ln -sf /proc/self/fd /dev/fd
ln -sf /proc/self/fd/0 /dev/stdin
ln -sf /proc/self/fd/1 /dev/stdout
ln -sf /proc/self/fd/2 /dev/stderr
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /dev/shm
modprobe configfs 2>/dev/null
hostname "$(arg vbus.name)"
ip link set lo up
modprobe vmw_vsock_virtio_transport || echo "guest: no vsock transport"
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root LANG=C.UTF-8 VBUS_REPO="$(arg vbus.repo)" VBUS_BUILD="$(arg vbus.build)"
echo "VBUS-GUEST-READY $(uname -r)"
/usr/bin/python3 "$VBUS_REPO/tests/vm/agent.py"
echo "VBUS-GUEST-DONE"
sync
poweroff -f
