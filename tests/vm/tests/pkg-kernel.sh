# SPDX-License-Identifier: GPL-2.0
# timeout: 1200
# order: 90
# series: 6.1
# The host packages and a kernel whose headers arrive after them: with no
# kernel headers visible, apt installs vbus-dkms and vbus-utils (DKMS adds
# the module and builds nothing); then this kernel's headers appear and the
# header_postinst.d hooks run, as a linux-headers package's postinst runs
# them: DKMS builds and installs vbus and venet-tap for it, and the
# installed host works as in pkg-host (modules, udev rule, tools, unit,
# vbusd). `apt remove --purge` leaves nothing behind. (pkg-host, on the
# other series, installs with the headers already there.)
# Slow: DKMS compiles under TCG (about 7 minutes).
. "$VBUS_REPO/tests/vm/pkglib.sh"
hdr=/usr/src/linux-headers-$VBUS_KVER
[ -d "$hdr" ] || fatal "no headers for $VBUS_KVER in the host VM"
# no headers at all, as on a host whose headers come later
for h in /usr/src/linux-headers-*-amd64; do
	mount -t tmpfs none "$h"
done

# shellcheck disable=SC2086 # two file names
check "apt installs vbus-dkms and vbus-utils with no headers" \
	apt_logged apt-install apt-get install -y --no-install-recommends $debs
expect_match "dkms status: added, built for no kernel" \
	"$(dkms status -m vbus -v "$ver")" "^vbus/$ver: added$"
check_fails "no vbus.ko yet" modinfo -n vbus

umount "$hdr"
check "headers of $VBUS_KVER: the header_postinst.d hooks run" apt_logged header-postinst \
	run-parts --verbose --exit-on-error --arg="$VBUS_KVER" /etc/kernel/header_postinst.d
expect_match "dkms status: installed for $VBUS_KVER" \
	"$(dkms status -m vbus -v "$ver" -k "$VBUS_KVER")" "installed"
expect_eq "vbus.ko is for $VBUS_KVER" \
	"$(modinfo -F vermagic vbus | cut -d' ' -f1)" "$VBUS_KVER"
pkg_installed_checks
pkg_remove_checks
