#!/bin/sh
# Runs as the host VM's first process after switch_root: prepares the
# system, runs each requested test in its own process group with its own
# timeout, and keeps the evidence in the output folder (9p, read back by
# nest.py). Markers on the console let nest.py follow along.
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
mount -t configfs none /sys/kernel/config 2>/dev/null
hostname nest-host
ip link set lo up
for m in kvm_amd vhost_net vhost_vsock tun bridge; do
	modprobe "$m" || echo "nest: modprobe $m failed"
done

REPO=$(arg vbus.repo)
OUT=/vbus-out
export VBUS_REPO="$REPO" VBUS_KVER="$(uname -r)" VBUS_BUILD="$(arg vbus.build)"
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root LANG=C.UTF-8
# Every test runs in its own cgroup, killed whole when the test ends; links
# it created are removed, so one test leaves nothing behind for the next.
mount -t cgroup2 none /sys/fs/cgroup
boot_links=$(ip -o link show | awk -F': ' '{ print $2 }' | sed 's/@.*//')
dmesg > "$OUT/boot-dmesg.txt"
# Boot was quiet (loglevel=5); from now on every kernel message goes to the
# console too, so the trace of a hang reaches nest.py even if the VM dies.
dmesg -n 8
# the tests' knobs from nest.py's environment (FAULT_*, HOSTILE_*, BENCH_*)
[ -f "$OUT/env.sh" ] && . "$OUT/env.sh"
# the kernel's own code symbols, where this boot put them (KASLR; Debian's
# System.map is a stub): nest.py maps the addresses of a hung CPU with them
grep -E '^[0-9a-f]+ [tT] [^[]+$' /proc/kallsyms > "$OUT/kallsyms.txt"
# heartbeat DIR: while a test runs, every 5 s the time into DIR/heartbeat,
# and the module list and our modules' symbols whenever they change: when
# the host VM stops beating, nest.py reads its CPU's state and maps it
heartbeat() {
	last=
	while :; do
		date +%s > "$1/heartbeat"
		m=$(cat /proc/modules)
		if [ "$m" != "$last" ]; then
			printf '%s\n' "$m" > "$1/modules.txt"
			s=$(grep -E '\[(vbus|venet|venet_tap|vbus_bridge|vbus_test|vbus_ivtest)\]$' /proc/kallsyms)
			[ -n "$s" ] && printf '%s\n' "$s" > "$1/modsyms.txt"
			last=$m
		fi
		sleep 5
	done
}
echo "VBUS-NEST-READY $(uname -r)"
for t in $(arg vbus.tests | tr , ' '); do
	d="$OUT/$t"
	mkdir -p "$d"
	script="$REPO/tests/vm/tests/$t.sh"
	limit=$(sed -n 's/^# timeout: *\([0-9]*\).*/\1/p' "$script" 2>/dev/null | head -n 1)
	dmesg -C
	heartbeat "$d" &
	beat=$!
	echo "VBUS-TEST-START $t"
	start=$(date +%s)
	cg=/sys/fs/cgroup/vbus-test-$t
	mkdir -p "$cg"
	VBUS_TEST="$t" VBUS_TEST_OUT="$d" timeout -k 10 "${limit:-300}" \
		setsid bash -c 'echo $$ > "$1/cgroup.procs"; . "$VBUS_REPO/tests/vm/lib.sh"; . "$0"; vbus_test_end' \
		"$script" "$cg" > "$d/test.log" 2>&1 < /dev/null
	rc=$?
	echo 1 > "$cg/cgroup.kill"
	for i in 1 2 3 4 5 6 7 8 9 10; do
		[ -z "$(cat "$cg/cgroup.procs")" ] && break
		sleep 0.5
	done
	rmdir "$cg" || echo "nest: processes of $t outlived the test" >> "$d/test.log"
	# A test killed at its timeout cleaned up nothing: its guests died
	# with its cgroup (keep their consoles, forget them) and what it
	# registered with at_exit (lib.sh) runs here.
	for g in /run/vbus-test/vms/*/; do
		[ -d "$g" ] || continue
		n=$(basename "$g")
		cp "$g/console.log" "$d/guest-$n-killed.console.log" 2>/dev/null
		cp "$g/qemu-debug.log" "$d/guest-$n-killed.qemu-debug.log" 2>/dev/null
		rm -rf "$g"
	done
	if [ -s /run/vbus-test/at-exit ]; then
		echo "nest: running the at_exit commands of $t" >> "$d/test.log"
		timeout -k 5 60 bash /run/vbus-test/at-exit > /dev/null 2>&1
		rm -f /run/vbus-test/at-exit
	fi
	for l in $(ip -o link show | awk -F': ' '{ print $2 }' | sed 's/@.*//'); do
		echo "$boot_links" | grep -qx "$l" || ip link del "$l" 2>/dev/null
	done
	[ $rc = 124 ] || [ $rc = 137 ] && echo "nest: test $t timed out after ${limit:-300} s" >> "$d/test.log"
	kill "$beat" 2>/dev/null
	dmesg > "$d/host-dmesg.txt"
	echo "$rc $(( $(date +%s) - start ))" > "$d/rc"
	sync
	echo "VBUS-TEST-END $t rc=$rc"
done
sync
echo "VBUS-NEST-DONE"
poweroff -f
