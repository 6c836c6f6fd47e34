# SPDX-License-Identifier: GPL-2.0
# timeout: 1200
# series: none
# The host packages and a kernel whose headers arrive after them: with no
# kernel headers visible, apt installs vbus-dkms and vbus-utils (DKMS adds
# the module and builds nothing); then the headers of the other series'
# kernel appear and the header_postinst.d hooks run, as a linux-headers
# package's postinst runs them: DKMS builds and installs vbus and venet-tap
# for that kernel. `apt remove --purge` leaves nothing behind. (pkg-host,
# on the other series, installs with headers present and loads the
# modules.) Slow: DKMS compiles under TCG (about 7 minutes).
. "$VBUS_REPO/tests/vm/pkglib.sh"
other=
for h in /usr/src/linux-headers-*-amd64; do
	k=${h#/usr/src/linux-headers-}
	[ "$k" != "$VBUS_KVER" ] && [ -d "/lib/modules/$k" ] && other=$k
done
[ -n "$other" ] || fatal "no second kernel with headers in the host VM"
# no headers at all, as on a host whose headers come later
for h in /usr/src/linux-headers-*-amd64; do
	mount -t tmpfs none "$h"
done

# shellcheck disable=SC2086 # two file names
check "apt installs vbus-dkms and vbus-utils with no headers" \
	apt_logged apt-install apt-get install -y --no-install-recommends $debs
expect_match "dkms status: added, built for no kernel" \
	"$(dkms status -m vbus -v "$ver")" "^vbus/$ver: added$"

umount "/usr/src/linux-headers-$other"
check "headers of $other: the header_postinst.d hooks run" apt_logged header-postinst \
	run-parts --verbose --exit-on-error --arg="$other" /etc/kernel/header_postinst.d
expect_match "dkms status: installed for $other" \
	"$(dkms status -m vbus -v "$ver" -k "$other")" "installed"
# DKMS compresses them as the kernel's own modules are (6.12: xz)
mods=/lib/modules/$other/updates/dkms
check "vbus.ko for $other" sh -c "ls $mods/vbus.ko* > /dev/null"
check "venet-tap.ko for $other" sh -c "ls $mods/venet-tap.ko* > /dev/null"
expect_eq "vbus.ko for $other is for $other" \
	"$(modinfo -F vermagic "$(ls $mods/vbus.ko* | head -1)" | cut -d' ' -f1)" "$other"

check "apt remove --purge" apt_logged apt-remove apt-get remove --purge -y vbus-dkms vbus-utils
expect_eq "dkms status is empty" "$(dkms status -m vbus)" ""
expect_eq "nothing left behind" "$(pkg_leftovers)" ""
expect_eq "dpkg forgot both packages" "$(dpkg-query -W -f='${Status}\n' vbus-dkms vbus-utils 2>&1 | grep -c 'install ok')" 0
