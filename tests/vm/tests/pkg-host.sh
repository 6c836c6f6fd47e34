# SPDX-License-Identifier: GPL-2.0
# timeout: 900
# series: none
# (not in `make check`: a DKMS build under TCG takes minutes; run it with
# `make check-vm KERNEL=6.12 TEST=pkg-host`)
# The host packages from build/pkg/ (tests/pkg/check.sh builds them) in the
# host VM: install with apt, DKMS builds and installs vbus and venet-tap for
# this kernel, the modules load, the udev rule gives /dev/vbus to kvm 0660
# (no udevd in the nest: checked with `udevadm test`), the tools and the
# unit are in place, and removal takes the modules away again.
# Slow: DKMS compiles under TCG.
pkg=$VBUS_REPO/build/pkg
debs=$(ls "$pkg"/vbus-dkms_*_all.deb "$pkg"/vbus-utils_*.deb 2>/dev/null)
[ "$(echo "$debs" | wc -w)" = 2 ] || fatal "no vbus-dkms/vbus-utils debs in $pkg (run tests/pkg/check.sh)"
ver=$(dpkg-deb -f "$pkg"/vbus-dkms_*_all.deb Version | sed 's/-[^-]*$//')

# apt's output, time-stamped, as it comes: a slow step shows where it is
stamp() { while IFS= read -r l; do echo "$(date +%T) $l"; done; }
apt_logged() {
	local log=$VBUS_TEST_OUT/$1.log
	shift
	{ env DEBIAN_FRONTEND=noninteractive "$@" 2>&1; echo "exit status $?"; } | stamp > "$log"
	tail -1 "$log" | grep -q ' exit status 0$'
}
# Only this kernel's headers are visible: DKMS builds once (the other
# series is the "second kernel" below).
for h in /usr/src/linux-headers-*-amd64; do
	[ "$h" = "/usr/src/linux-headers-$VBUS_KVER" ] || mount -t tmpfs none "$h"
done
# man-db's trigger rebuilds the whole manual index: minutes under TCG
rm -f /var/lib/man-db/auto-update

# shellcheck disable=SC2086 # two file names
check "apt installs vbus-dkms and vbus-utils" \
	apt_logged apt-install apt-get install -y --no-install-recommends $debs
expect_match "dkms status: installed for $VBUS_KVER" \
	"$(dkms status -m vbus -v "$ver" -k "$VBUS_KVER")" "installed"
expect_match "vbus.ko is DKMS's" "$(modinfo -n vbus 2>&1)" "/updates/dkms/vbus\.ko"
check "modprobe vbus" modprobe vbus
check "modprobe venet-tap" modprobe venet-tap
check "/dev/vbus exists" test -c /dev/vbus
out=$(udevadm test --action=add /sys/class/misc/vbus 2>&1)
expect_match "udev rule: group kvm" "$out" "60-vbus\.rules.*GROUP $(getent group kvm | cut -d: -f3)"
expect_match "udev rule: mode 0660" "$out" "60-vbus\.rules.*MODE 0660"
check "vbusctl runs" vbusctl status
check "vbusd is installed" test -x /usr/sbin/vbusd
check "vbusd@.service runs /usr/sbin/vbusd" grep -q '^ExecStart=/usr/sbin/vbusd ' /lib/systemd/system/vbusd@.service
check "/etc/default/vbusd is a conffile" sh -c "dpkg-query -W -f='\${Conffiles}' vbus-utils | grep -q /etc/default/vbusd"
check "man page" test -f /usr/share/man/man8/vbusd.8.gz

rmmod venet_tap vbus 2>/dev/null
check "apt removes the packages" apt_logged apt-remove apt-get remove -y vbus-dkms vbus-utils
expect_eq "dkms status is empty" "$(dkms status -m vbus)" ""
check_fails "no vbus.ko left" modinfo -n vbus
