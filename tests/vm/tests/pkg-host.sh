# SPDX-License-Identifier: GPL-2.0
# timeout: 1200
# series: 6.12
# The host packages from build/pkg/ (tests/pkg/check.sh builds them) in the
# host VM: install with apt, DKMS builds and installs vbus and venet-tap for
# this kernel, the modules load, the udev rule gives /dev/vbus to kvm 0660
# (no udevd in the nest: checked with `udevadm test`), the tools and the
# unit are in place, vbusd starts as its unit starts it; and `apt remove
# --purge` leaves nothing behind. pkg-kernel (the other series) shows
# DKMS building for a kernel whose headers come after the package.
# Slow: DKMS compiles under TCG (about 7 minutes).
. "$VBUS_REPO/tests/vm/pkglib.sh"
# Only this kernel's headers are visible: DKMS builds once (the other
# series is the "second kernel" below).
for h in /usr/src/linux-headers-*-amd64; do
	[ "$h" = "/usr/src/linux-headers-$VBUS_KVER" ] || mount -t tmpfs none "$h"
done

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
# vbusd as its unit starts it (no systemd in the nest): the unit's
# EnvironmentFile and ExecStart, %i = the instance
check "vbusctl create-instance bus0" vbusctl create-instance bus0
unit=/lib/systemd/system/vbusd@.service
exec_start=$(sed -n 's/^ExecStart=//p' $unit)
envfile=$(sed -n 's/^EnvironmentFile=-\{0,1\}//p' $unit)
log "unit: EnvironmentFile=$envfile ExecStart=$exec_start"
(set -a; . "$envfile"; set +a; eval "exec ${exec_start//%i/bus0}") > "$VBUS_TEST_OUT/vbusd.log" 2>&1 &
VBUSD_PID=$!
wait_for 10 "vbusd from the unit listens for bus0" test -S /run/vbus/bus0.sock
check "vbusd from the unit is running" kill -0 $VBUSD_PID
kill $VBUSD_PID 2>/dev/null
wait $VBUSD_PID 2>/dev/null
check "vbusctl delete-instance bus0" vbusctl delete-instance bus0

# ---- removal -------------------------------------------------------------------
rmmod venet_tap vbus 2>/dev/null
check "apt remove --purge" apt_logged apt-remove apt-get remove --purge -y vbus-dkms vbus-utils
expect_eq "dkms status is empty" "$(dkms status -m vbus)" ""
check_fails "no vbus.ko left" modinfo -n vbus
expect_eq "nothing left behind" "$(pkg_leftovers)" ""
expect_eq "dpkg forgot both packages" "$(dpkg-query -W -f='${Status}\n' vbus-dkms vbus-utils 2>&1 | grep -c 'install ok')" 0
