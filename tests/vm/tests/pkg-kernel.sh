# SPDX-License-Identifier: GPL-2.0
# timeout: 3600
# order: 90
# series: 6.1
# The packages end to end, from build/pkg/ (tests/pkg/check.sh builds
# them), on a machine whose kernel headers arrive after them. With no
# headers visible, one apt transaction installs vbus-dkms, vbus-utils and
# venet-dkms: DKMS adds both modules and builds nothing. Then this kernel's
# headers appear and the header_postinst.d hooks run, as a linux-headers
# package's postinst runs them: DKMS builds and installs all four modules.
# The host as a user finds it: the modules load, the udev rule gives
# /dev/vbus to kvm 0660 (no udevd in the nest: `udevadm test`), the tools
# and the unit are in place, vbusd starts as its unit starts it. Then a
# guest VM boots from the host VM's root file system, as from a guest image
# built with apt: udevd loads vbus-bridge when the ivshmem device is added,
# venet follows by its modalias, /etc/venet/tunables.conf is applied to the
# new interface, and pings cross venet and venet-tap, both DKMS's, served
# by the packaged vbusd. `apt remove --purge` of all three leaves nothing
# behind. (pkg-host, on the other series, installs the host packages with
# the headers already there; pkg-guest, by name only because it takes most
# of an hour, runs apt and DKMS inside the guest itself.)
# Slow: DKMS compiles four modules under TCG (unless nest.py primed
# build/ccache with the same compiles on the build machine, "# ccache:"
# below), and depmod runs four times.
# ccache: prime
. "$VBUS_REPO/tests/vm/netlib.sh"
. "$VBUS_REPO/tests/vm/pkglib.sh"
GMAC=02:00:c6:12:01:02 HOST_IP=198.18.1.1 GUEST_IP=198.18.1.2
S=/sys/vbus/devices/eth0
hdr=/usr/src/linux-headers-$VBUS_KVER
[ -d "$hdr" ] || fatal "no headers for $VBUS_KVER in the host VM"
# no headers at all, as on a host whose headers come later
for h in /usr/src/linux-headers-*-amd64; do
	mount -t tmpfs none "$h"
done

# shellcheck disable=SC2086 # file names
check "apt installs vbus-dkms, vbus-utils and venet-dkms with no headers" \
	apt_logged apt-install apt-get install -y --no-install-recommends $debs "$gdeb"
expect_match "dkms status: vbus added, built for no kernel" \
	"$(dkms status -m vbus -v "$ver")" "^vbus/$ver: added$"
expect_match "dkms status: venet added, built for no kernel" \
	"$(dkms status -m venet -v "$ver")" "^venet/$ver: added$"
check_fails "no vbus.ko yet" modinfo -n vbus
check_fails "no venet.ko yet" modinfo -n venet

umount "$hdr"
# The compiler's work comes from build/ccache where nest.py primed it
# (tests/pkg/ccache-prime.sh: the same DKMS build on the build machine):
# Debian's headers compile through ccache when DEBIAN_KERNEL_USE_CCACHE is
# set. Everything else DKMS does runs here; a miss compiles here, slowly.
CCACHE_DIR="$VBUS_BUILD/ccache" ccache --zero-stats > /dev/null 2>&1
check "headers of $VBUS_KVER: the header_postinst.d hooks run" apt_logged header-postinst \
	env DEBIAN_KERNEL_USE_CCACHE=1 CCACHE_DIR="$VBUS_BUILD/ccache" \
	run-parts --verbose --exit-on-error --arg="$VBUS_KVER" /etc/kernel/header_postinst.d
log "ccache in DKMS's build: $(CCACHE_DIR="$VBUS_BUILD/ccache" ccache --show-stats -v 2>&1 |
	sed -n '/^Cacheable calls/,/^Uncacheable/p' | grep -E '^ *(Hits|Direct|Preprocessed|Misses):' |
	tr -s ' ' | tr '\n' ' ')"
expect_match "dkms status: vbus installed for $VBUS_KVER" \
	"$(dkms status -m vbus -v "$ver" -k "$VBUS_KVER")" "installed"
expect_match "dkms status: venet installed for $VBUS_KVER" \
	"$(dkms status -m venet -v "$ver" -k "$VBUS_KVER")" "installed"
expect_eq "vbus.ko is for $VBUS_KVER" \
	"$(modinfo -F vermagic vbus | cut -d' ' -f1)" "$VBUS_KVER"
expect_match "venet.ko is DKMS's" "$(modinfo -n venet 2>&1)" "/updates/dkms/venet\.ko"
check "tunables file installed" test -f /etc/venet/tunables.conf
pkg_installed_checks

# ---- a guest booted from this root, everything from the packages ---------------
at_exit "pkill -x vbusd; sleep 1; echo 0 > $S/enabled; vbusctl detach eth0; vbusctl delete-device eth0; vbusctl delete-instance bus0; rmmod venet_tap; rmmod vbus"
# what an administrator would add to the guest's tunables file
check "tunables file: tx_irq_thresh=16" sh -c "echo tx_irq_thresh=16 >> /etc/venet/tunables.conf"
check "modprobe venet-tap" modprobe venet-tap
check "instance and device" sh -c "vbusctl create-instance bus0 &&
	vbusctl create-device eth0 --type venet-tap && vbusctl attach eth0 bus0"
HIF=$(host_dev eth0 $GMAC $HOST_IP)
expect_match "host netdev" "$HIF" '^venet-tap[0-9]+$'
pkg_vbusd bus0
# shellcheck disable=SC2046
GUEST_ROOT=/ guest_start g1 $(vbusctl qemu-args bus0)
pkg_guest_checks g1 $GMAC "$HIF" $GUEST_IP
guest_stop g1
kill "$PKG_VBUSD_PID" 2>/dev/null
wait "$PKG_VBUSD_PID" 2>/dev/null
wait_for 15 "bus0 detached" grep -qx 0 /sys/vbus/instances/bus0/attached
check "device and instance deleted" sh -c "echo 0 > $S/enabled && vbusctl detach eth0 &&
	vbusctl delete-device eth0 && vbusctl delete-instance bus0"
check "rmmod venet-tap vbus" rmmod venet_tap vbus

pkg_remove_checks vbus-dkms vbus-utils venet-dkms
