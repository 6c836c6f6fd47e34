# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Helpers of the package tests (pkg-install, pkg-kernel, pkg-guest): the
# packages from build/pkg/ (tests/pkg/check.sh builds them), apt, logged,
# the checks of an installed host and of a guest that boots with the guest
# package installed.
pkg=$VBUS_REPO/build/pkg
debs=$(ls "$pkg"/vbus-dkms_*_all.deb "$pkg"/vbus-utils_*.deb 2>/dev/null)
[ "$(echo "$debs" | wc -w)" = 2 ] || fatal "no vbus-dkms/vbus-utils debs in $pkg (run tests/pkg/check.sh)"
gdeb=$(ls "$pkg"/venet-dkms_*_all.deb 2>/dev/null)
[ -f "$gdeb" ] || fatal "no venet-dkms deb in $pkg (run tests/pkg/check.sh)"
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
	ls -d /var/lib/dkms/vbus /usr/src/vbus-* /var/lib/dkms/venet /usr/src/venet-* \
		/lib/modules/*/updates/dkms/vbus.ko* /lib/modules/*/updates/dkms/venet-tap.ko* \
		/lib/modules/*/updates/dkms/vbus-bridge.ko* /lib/modules/*/updates/dkms/venet.ko* \
		/lib/udev/rules.d/60-vbus.rules /lib/systemd/system/vbusd@.service \
		/lib/udev/rules.d/81-venet.rules /usr/lib/venet /etc/venet \
		/etc/default/vbusd /usr/sbin/vbusd /usr/sbin/vbusctl 2>/dev/null
}

# pkg_vbusd INSTANCE: vbusd started as its unit starts it (no systemd in
# the nest: the unit's EnvironmentFile and ExecStart, %i = INSTANCE), in
# the background; its pid in PKG_VBUSD_PID, its log vbusd-INSTANCE.log
pkg_vbusd() {
	local unit=/lib/systemd/system/vbusd@.service exec_start envfile
	exec_start=$(sed -n 's/^ExecStart=//p' $unit)
	envfile=$(sed -n 's/^EnvironmentFile=-\{0,1\}//p' $unit)
	log "unit: EnvironmentFile=$envfile ExecStart=$exec_start"
	(set -a; . "$envfile"; set +a; eval "exec ${exec_start//%i/$1}") > "$VBUS_TEST_OUT/vbusd-$1.log" 2>&1 &
	PKG_VBUSD_PID=$!
	wait_for 10 "vbusd from the unit listens for $1" test -S "/run/vbus/$1.sock"
}

# pkg_installed_checks: DKMS's modules for this kernel load, the udev rule
# gives /dev/vbus to kvm 0660 (no udevd in the nest: `udevadm test`), the
# tools, the man page and the unit are in place, and vbusd starts as its
# unit starts it.
pkg_installed_checks() {
	local out
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
	pkg_vbusd bus0
	check "vbusd from the unit is running" kill -0 "$PKG_VBUSD_PID"
	kill "$PKG_VBUSD_PID" 2>/dev/null
	wait "$PKG_VBUSD_PID" 2>/dev/null
	check "vbusctl delete-instance bus0" vbusctl delete-instance bus0
	rmmod venet_tap vbus 2>/dev/null
}

# pkg_guest_checks GUEST MAC HOSTIF GUEST_IP: in a guest whose root has
# venet-dkms installed, and whose /etc/venet/tunables.conf sets
# tx_irq_thresh=16: udevd, started as a distribution starts it, loads
# vbus-bridge when the ivshmem device is added, venet follows by its
# modalias, the tunables file is applied to the new interface, and 100
# pings cross it with no loss
pkg_guest_checks() {
	local g=$1 mac=$2 hif=$3 ip=$4 gif
	expect_match "$g: venet.ko is DKMS's" "$(gx "$g" modinfo -n venet 2>&1)" "/updates/dkms/venet\.ko"
	check "$g: udev rule installed" gx "$g" test -f /lib/udev/rules.d/81-venet.rules
	expect_eq "$g: no vbus module loaded yet" "$(gx "$g" "lsmod | grep -cE '^(vbus_bridge|venet) '")" 0
	check "$g: udevd starts" gx "$g" /lib/systemd/systemd-udevd --daemon
	check "$g: udev coldplug" gx "$g" "udevadm trigger --action=add --subsystem-match=pci && udevadm settle -t 60"
	wait_for 30 "$g: vbus-bridge loaded by udev" gx "$g" "lsmod | grep -q '^vbus_bridge '"
	expect_match "$g: vbus-bridge bound to the ivshmem device" \
		"$(gx "$g" ls /sys/bus/pci/drivers/vbus-bridge)" '^0000:'
	wait_for 30 "$g: venet loaded by its modalias" gx "$g" "lsmod | grep -q '^venet '"
	wait_for 30 "$g: interface with the host's MAC" guest_has_mac "$g" "$mac"
	check "$g: udev settles" gx "$g" udevadm settle -t 60
	gif=$(guest_ifname_by_mac "$g" "$mac")
	expect_eq "$g: tunables applied to $gif" "$(gx "$g" cat "/sys/class/net/$gif/venet/tx_irq_thresh")" 16
	check "$g: address" gx "$g" "sysctl -qw net.ipv6.conf.$gif.disable_ipv6=1; ip addr add $ip/24 dev $gif && ip link set $gif up"
	wait_for 15 "host carrier on $hif" grep -qx 1 "/sys/class/net/$hif/carrier"
	check "100 pings, no loss" pings 100 "$ip"
	check "$g: rmmod" gx "$g" "ip link set $gif down; rmmod venet && rmmod vbus_bridge"
}

# pkg_remove_checks [PACKAGE...]: `apt remove --purge` of the packages
# (vbus-dkms and vbus-utils if none named) leaves nothing behind
pkg_remove_checks() {
	local pkgs=${*:-vbus-dkms vbus-utils}
	# shellcheck disable=SC2086 # package names
	check "apt remove --purge $pkgs" apt_logged apt-remove apt-get remove --purge -y $pkgs
	expect_eq "dkms status is empty" "$(dkms status -m vbus; dkms status -m venet)" ""
	check_fails "no vbus.ko left" modinfo -n vbus
	check_fails "no venet.ko left" modinfo -n venet
	expect_eq "nothing left behind" "$(pkg_leftovers)" ""
	# shellcheck disable=SC2086 # package names
	expect_eq "dpkg forgot $pkgs" "$(dpkg-query -W -f='${Status}\n' $pkgs 2>&1 | grep -c 'install ok')" 0
}
