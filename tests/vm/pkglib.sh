# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Helpers of the package tests (pkg-host, pkg-kernel): the host packages
# from build/pkg/ (tests/pkg/check.sh builds them), apt, logged, and the
# checks of an installed host.
pkg=$VBUS_REPO/build/pkg
debs=$(ls "$pkg"/vbus-dkms_*_all.deb "$pkg"/vbus-utils_*.deb 2>/dev/null)
[ "$(echo "$debs" | wc -w)" = 2 ] || fatal "no vbus-dkms/vbus-utils debs in $pkg (run tests/pkg/check.sh)"
ver=$(dpkg-deb -f "$pkg"/vbus-dkms_*_all.deb Version | sed 's/-[^-]*$//')
# man-db's trigger rebuilds the whole manual index: minutes under TCG
rm -f /var/lib/man-db/auto-update

# apt's output, time-stamped, as it comes: a slow step shows where it is
stamp() { while IFS= read -r l; do echo "$(date +%T) $l"; done; }
# apt_logged NAME CMD...: CMD's output into NAME.log in the test's folder
apt_logged() {
	local log=$VBUS_TEST_OUT/$1.log
	shift
	{ env DEBIAN_FRONTEND=noninteractive "$@" 2>&1; echo "exit status $?"; } | stamp > "$log"
	tail -1 "$log" | grep -q ' exit status 0$'
}

# what apt remove --purge must leave behind: nothing of these
pkg_leftovers() {
	ls -d /var/lib/dkms/vbus /usr/src/vbus-* \
		/lib/modules/*/updates/dkms/vbus.ko* /lib/modules/*/updates/dkms/venet-tap.ko* \
		/lib/udev/rules.d/60-vbus.rules /lib/systemd/system/vbusd@.service \
		/etc/default/vbusd /usr/sbin/vbusd /usr/sbin/vbusctl 2>/dev/null
}

# pkg_installed_checks: DKMS's modules for this kernel load, the udev rule
# gives /dev/vbus to kvm 0660 (no udevd in the nest: `udevadm test`), the
# tools, the man page and the unit are in place, and vbusd starts as its
# unit starts it (no systemd in the nest: its EnvironmentFile and
# ExecStart, %i = the instance).
pkg_installed_checks() {
	local out unit exec_start envfile pid
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
	check "vbusctl create-instance bus0" vbusctl create-instance bus0
	unit=/lib/systemd/system/vbusd@.service
	exec_start=$(sed -n 's/^ExecStart=//p' $unit)
	envfile=$(sed -n 's/^EnvironmentFile=-\{0,1\}//p' $unit)
	log "unit: EnvironmentFile=$envfile ExecStart=$exec_start"
	(set -a; . "$envfile"; set +a; eval "exec ${exec_start//%i/bus0}") > "$VBUS_TEST_OUT/vbusd.log" 2>&1 &
	pid=$!
	wait_for 10 "vbusd from the unit listens for bus0" test -S /run/vbus/bus0.sock
	check "vbusd from the unit is running" kill -0 $pid
	kill $pid 2>/dev/null
	wait $pid 2>/dev/null
	check "vbusctl delete-instance bus0" vbusctl delete-instance bus0
	rmmod venet_tap vbus 2>/dev/null
}

# pkg_remove_checks: `apt remove --purge` leaves nothing behind
pkg_remove_checks() {
	check "apt remove --purge" apt_logged apt-remove apt-get remove --purge -y vbus-dkms vbus-utils
	expect_eq "dkms status is empty" "$(dkms status -m vbus)" ""
	check_fails "no vbus.ko left" modinfo -n vbus
	expect_eq "nothing left behind" "$(pkg_leftovers)" ""
	expect_eq "dpkg forgot both packages" "$(dpkg-query -W -f='${Status}\n' vbus-dkms vbus-utils 2>&1 | grep -c 'install ok')" 0
}
