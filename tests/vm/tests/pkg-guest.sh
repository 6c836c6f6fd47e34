# SPDX-License-Identifier: GPL-2.0
# timeout: 4200
# series: none
# (not in `make check`: run it with `make check-vm KERNEL=6.1 TEST=pkg-guest`.
# DKMS's build of the two guest modules inside the guest is slow: every
# process the build starts runs under KVM nested in an emulated CPU, and
# kbuild starts hundreds of them; the test allows it 50 minutes.)
# The guest package from build/pkg/ (tests/pkg/check.sh builds it) in a
# guest VM served by this tree's host modules: apt installs venet-dkms, DKMS
# builds vbus-bridge and venet for the guest's kernel; udevd, started as a
# distribution starts it, loads vbus-bridge when the ivshmem device is
# added, venet follows by its modalias, the tunables file is applied to the
# new interface, traffic flows; `apt remove --purge` leaves no module, no
# DKMS tree, no rule and no configuration behind.
. "$VBUS_REPO/tests/vm/netlib.sh"
. "$VBUS_REPO/tests/vm/pkglib.sh"
venet_paths
S=/sys/vbus/devices/eth0
GMAC=02:00:c6:12:01:02
HOST_IP=198.18.1.1
GUEST_IP=198.18.1.2
deb=$gdeb

at_exit "pkill -x vbusd; sleep 1; echo 0 > $S/enabled; $VBUSCTL detach eth0; $VBUSCTL delete-device eth0; $VBUSCTL delete-instance bus0; rmmod venet_tap; rmmod vbus"
check "host modules load" sh -c "insmod $VBUS && insmod $TAP"
check "instance and device" sh -c "$VBUSCTL create-instance bus0 &&
	$VBUSCTL create-device eth0 --type venet-tap && $VBUSCTL attach eth0 bus0 &&
	echo $GMAC > $S/client_mac && echo 1 > $S/enabled"
HIF=$(cat $S/ifname)
sysctl -qw "net.ipv6.conf.$HIF.disable_ipv6=1"
check "host address" sh -c "ip addr add $HOST_IP/24 dev $HIF && ip link set $HIF up"
"$VBUSD" bus0 > "$VBUS_TEST_OUT/vbusd.log" 2>&1 &
wait_for 10 "vbusd listens" test -S /run/vbus/bus0.sock
# gcc needs the memory; the guest's writes (the DKMS tree) live in RAM
# shellcheck disable=SC2046
GUEST_MEM=1536 guest_start g1 $("$VBUSCTL" qemu-args bus0)
G=g1
KV=$(gx $G uname -r)

# Only the guest kernel's headers are visible: one DKMS build. man-db's
# trigger rebuilds the whole manual index: minutes under TCG.
check "guest: other kernels' headers hidden" gx $G "for h in /usr/src/linux-headers-*-amd64; do
	[ \$h = /usr/src/linux-headers-$KV ] || mount -t tmpfs none \$h || exit 1; done;
	rm -f /var/lib/man-db/auto-update"
# what runs in the guest while apt installs, every 30 s: where the time goes
gx_bg $G "while sleep 30; do echo \"-- \$(date +%T)\"; ps -eo etimes=,args= --sort=-etimes |
	grep -vE '^ *[0-9]+ \\[|ps -eo|sleep 30' | tail -n 6; done > /tmp/ps.log 2>&1"
t0=$(date +%s)
GX_TIMEOUT=3000 check "guest: apt installs venet-dkms" gx $G "
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $deb 2>&1 |
	while IFS= read -r l; do echo \"\$(date +%T) \$l\"; done > /tmp/apt-install.log; exit \${PIPESTATUS[0]}"
log "apt install in the guest took $(($(date +%s) - t0)) s"
gx $G cat /tmp/apt-install.log > "$VBUS_TEST_OUT/apt-install.log" 2>&1
gx $G "pkill -f 'sleep 30; do'; cat /tmp/ps.log" > "$VBUS_TEST_OUT/guest-ps.log" 2>&1
# DKMS keeps its make.log only when the build failed (or is still running)
gx $G "cat /var/lib/dkms/venet/$ver/build/make.log 2>/dev/null" > "$VBUS_TEST_OUT/dkms-make.log"
[ -s "$VBUS_TEST_OUT/dkms-make.log" ] &&
	log "DKMS make.log left: $(grep -cE '^ +(CC|LD|MODPOST|BTF)' "$VBUS_TEST_OUT/dkms-make.log") kbuild steps, its end: $(tail -n 3 "$VBUS_TEST_OUT/dkms-make.log" | tr '\n' ' ')"
expect_match "guest: dkms status: installed for $KV" \
	"$(gx $G dkms status -m venet -v "$ver" -k "$KV")" "installed"
check "guest: tunables file installed" gx $G test -f /etc/venet/tunables.conf
check "guest: tunables file: tx_irq_thresh=16" gx $G "echo tx_irq_thresh=16 >> /etc/venet/tunables.conf"
pkg_guest_checks $G $GMAC "$HIF" $GUEST_IP

# ---- removal -------------------------------------------------------------------
t0=$(date +%s)
GX_TIMEOUT=600 check "guest: apt remove --purge venet-dkms" gx $G "
	DEBIAN_FRONTEND=noninteractive apt-get remove --purge -y venet-dkms > /tmp/apt-remove.log 2>&1"
log "apt remove --purge in the guest took $(($(date +%s) - t0)) s"
gx $G cat /tmp/apt-remove.log > "$VBUS_TEST_OUT/apt-remove.log" 2>&1
expect_eq "guest: dkms status is empty" "$(gx $G dkms status -m venet)" ""
check_fails "guest: no venet.ko left" gx $G modinfo -n venet
check_fails "guest: no vbus-bridge.ko left" gx $G modinfo -n vbus-bridge
expect_eq "guest: nothing left behind" "$(gx $G "ls -d /var/lib/dkms/venet /usr/src/venet-* \
	/lib/modules/$KV/updates/dkms/venet.ko /lib/modules/$KV/updates/dkms/vbus-bridge.ko \
	/lib/udev/rules.d/81-venet.rules /usr/lib/venet /etc/venet 2>/dev/null")" ""
expect_eq "guest: dpkg forgot the package" "$(gx $G "dpkg-query -W -f='\${Status}' venet-dkms 2>&1 | grep -c 'install ok'")" 0
