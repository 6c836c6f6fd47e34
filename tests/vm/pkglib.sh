# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Helpers of the package tests (pkg-host, pkg-kernel): the host packages
# from build/pkg/ (tests/pkg/check.sh builds them) and apt, logged.
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
