#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make demo: vbus end to end on this machine, as root, on Debian 12.
#
#   1. the Debian packages the nest needs (tests/deps.sh demo)
#   2. the vbus packages (build/pkg/)
#   3. apt installs vbus-dkms, vbus-utils and venet-dkms into this
#      machine's root file system, which the nest's VMs boot: DKMS builds
#      the host and guest modules for the nest's kernel
#   4. the nest: a host VM (QEMU TCG, Debian's kernel, KVM inside) loads
#      the host modules, vbusctl makes a device, vbusd serves a KVM guest
#      in which udev loads the guest modules; then a ping, iperf3, both
#      sides' counters, and the same over virtio-net with vhost-net
#   5. apt removes the three packages again (DEMO_KEEP=1 keeps them)
#
# DEMO_KERNEL=6.1|6.12 picks the nest's kernel series (default 6.12).
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD
series=${DEMO_KERNEL:-6.12}
out=$top/build/demo
T0=$(date +%s)
step() { printf '\n[%4ds] (%s/5) %s\n' $(($(date +%s) - T0)) "$1" "$2"; }
if [ "$(id -u)" != 0 ]; then
	echo "make demo: must run as root: it installs Debian packages, and the vbus" >&2
	echo "packages into this machine's root file system (which the nest's VMs boot)" >&2
	exit 1
fi
mkdir -p "$out"

step 1 "Debian packages the nest needs (tests/deps.sh demo)"
DEMO_KERNEL=$series sh tests/deps.sh demo
kver=$(python3 -c "import sys; sys.path.insert(0, 'tests/vm'); import nest; print(nest.kernel_release('$series') or '')")
if [ -z "$kver" ]; then
	echo "make demo: no kernel $series.* in /boot (tests/deps.sh installs it)" >&2
	exit 1
fi

step 2 "the packages (build/pkg/; log: build/demo/pkg.log)"
if ! tests/pkg/check.sh --no-dkms --no-rpm > "$out/pkg.log" 2>&1; then
	tail -n 20 "$out/pkg.log" >&2
	echo "make demo: building the packages failed (build/demo/pkg.log)" >&2
	exit 1
fi
ls build/pkg/*.deb

step 3 "apt install ./vbus-dkms ./vbus-utils ./venet-dkms; DKMS builds for $kver"
cleanup() {
	if [ "${DEMO_KEEP:-0}" = 1 ]; then
		echo "DEMO_KEEP=1: the packages stay installed (apt remove --purge vbus-dkms vbus-utils venet-dkms)"
		return
	fi
	step 5 "apt remove --purge vbus-dkms vbus-utils venet-dkms"
	DEBIAN_FRONTEND=noninteractive apt-get remove --purge -y -q vbus-dkms vbus-utils venet-dkms \
		> "$out/apt-remove.log" 2>&1 || echo "make demo: apt remove failed (build/demo/apt-remove.log)" >&2
	dkms status 2>/dev/null
}
trap cleanup EXIT
DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
	./build/pkg/vbus-dkms_*_all.deb ./build/pkg/vbus-utils_*.deb ./build/pkg/venet-dkms_*_all.deb \
	> "$out/apt-install.log" 2>&1 || {
	tail -n 20 "$out/apt-install.log" >&2
	echo "make demo: apt install failed (build/demo/apt-install.log)" >&2
	exit 1
}
# The postinst builds for the running kernel and the newest one; the nest's
# kernel gets what a linux-headers package's postinst would run for it.
/etc/kernel/header_postinst.d/dkms "$kver" >> "$out/apt-install.log" 2>&1
dkms status 2>/dev/null
for m in vbus venet; do
	dkms status -m $m -k "$kver" 2>/dev/null | grep -q installed || {
		echo "make demo: DKMS did not install $m for $kver (build/demo/apt-install.log)" >&2
		exit 1
	}
done

step 4 "the nest: host VM $kver, a KVM guest inside it"
rm -rf "$out/logs"
python3 tests/vm/nest.py --kernel "$series" --test demo --logs "$out/logs" > "$out/nest.log" 2>&1 &
nest=$!
log=$out/logs/$series/boot-1/demo/test.log
while kill -0 $nest 2>/dev/null && [ ! -e "$log" ]; do sleep 1; done
[ -e "$log" ] && tail -n +1 -F --pid=$nest "$log" 2>/dev/null
rc=0
wait $nest || rc=$?
# a nest failure is retried in a second host VM boot: show that run too
for l in "$out"/logs/"$series"/boot-[2-9]/demo/test.log; do
	[ -e "$l" ] && { echo "---- retried: $l"; cat "$l"; }
done
grep -E '^(PASS|FAIL|NEST-FAILURE):' "$out/nest.log" || :
[ $rc = 0 ] || echo "make demo: the nest part failed (build/demo/nest.log, build/demo/logs/)" >&2
echo "demo: $(($(date +%s) - T0)) s"
exit $rc
