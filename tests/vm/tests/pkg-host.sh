# SPDX-License-Identifier: GPL-2.0
# timeout: 2400
# order: 10
# series: none
# The host packages from build/pkg/ (tests/pkg/check.sh builds them) in the
# host VM: install with apt, DKMS builds and installs vbus and venet-tap for
# this kernel at once, the modules load, the udev rule gives /dev/vbus to
# kvm 0660 (no udevd in the nest: checked with `udevadm test`), the tools
# and the unit are in place, vbusd starts as its unit starts it; and `apt
# remove --purge` leaves nothing behind. pkg-kernel (the other series)
# installs before the kernel's headers are there.
# Slow: DKMS compiles under TCG (about 7 minutes).
. "$VBUS_REPO/tests/vm/pkglib.sh"
# Only this kernel's headers are visible: DKMS builds once.
for h in /usr/src/linux-headers-*-amd64; do
	[ "$h" = "/usr/src/linux-headers-$VBUS_KVER" ] || mount -t tmpfs none "$h"
done

# shellcheck disable=SC2086 # two file names
check "apt installs vbus-dkms and vbus-utils" \
	apt_logged apt-install apt-get install -y --no-install-recommends $debs
expect_match "dkms status: installed for $VBUS_KVER" \
	"$(dkms status -m vbus -v "$ver" -k "$VBUS_KVER")" "installed"
pkg_installed_checks
pkg_remove_checks
