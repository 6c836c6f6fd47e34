# SPDX-License-Identifier: GPL-2.0
# timeout: 900
# series: none
# The nest half of `make demo` (demo/run.sh): the packages are installed in
# the root file system the VMs boot, so the host VM and the guest load
# DKMS's modules with modprobe and udev. Host: vbusctl makes an instance
# and a venet-tap device, vbusd (as its unit starts it) serves the guest.
# Guest: udev loads vbus-bridge for the ivshmem device and venet follows.
# The same guest also has a virtio-net NIC with vhost-net (tap0). Then:
# the guest's interface, both NICs warmed up alike, and DEMO_ROUNDS rounds
# (3) that alternate the two (venet first in odd rounds, vhost-net first in
# even ones), each a burst of pings from the guest and a short iperf3 each
# way; the medians of both side by side, and both sides' counters.
. "$VBUS_REPO/tests/vm/netlib.sh"
S=/sys/vbus/devices/eth0
GMAC=02:00:c6:12:01:02
HOST_IP=198.18.1.1
GUEST_IP=198.18.1.2
say() { echo; echo "==== $*"; }

at_exit "pkill -x vbusd; sleep 1; echo 0 > $S/enabled; vbusctl detach eth0; vbusctl delete-device eth0; vbusctl delete-instance bus0; rmmod venet_tap vbus; ip link del tap0"
DEMO_ROUNDS=${DEMO_ROUNDS:-3}
VMAC=52:54:00:12:34:56
VHOST_HOST_IP=198.18.0.1
VHOST_GUEST_IP=198.18.0.2
say "host VM: $(uname -r); modules from DKMS"
expect_match "venet-tap is DKMS's" "$(modinfo -n venet-tap 2>&1)" "/updates/dkms/venet-tap\.ko"
check "modprobe venet-tap (and vbus)" modprobe venet-tap
say "host VM: vbusctl makes instance bus0 and device eth0"
check "vbusctl create-instance bus0" vbusctl create-instance bus0
check "vbusctl create-device eth0 --type venet-tap" vbusctl create-device eth0 --type venet-tap
check "vbusctl attach eth0 bus0" vbusctl attach eth0 bus0
check "client MAC $GMAC, enabled" sh -c "echo $GMAC > $S/client_mac && echo 1 > $S/enabled"
HIF=$(cat $S/ifname)
sysctl -qw "net.ipv6.conf.$HIF.disable_ipv6=1"
check "host address $HOST_IP on $HIF" sh -c "ip addr add $HOST_IP/24 dev $HIF && ip link set $HIF up"
vbusctl status
# vbusd as vbusd@bus0.service starts it (no systemd in the nest)
unit=/lib/systemd/system/vbusd@.service
exec_start=$(sed -n 's/^ExecStart=//p' $unit)
(set -a; . /etc/default/vbusd; set +a; eval "exec ${exec_start//%i/bus0}") > "$VBUS_TEST_OUT/vbusd.log" 2>&1 &
wait_for 10 "vbusd@bus0 listens" test -S /run/vbus/bus0.sock
say "guest: QEMU gets $(vbusctl qemu-args bus0), and a virtio-net NIC with vhost-net"
ip tuntap add dev tap0 mode tap
sysctl -qw net.ipv6.conf.tap0.disable_ipv6=1
ip addr add $VHOST_HOST_IP/24 dev tap0
ip link set tap0 up
# shellcheck disable=SC2046
guest_start g1 $(vbusctl qemu-args bus0) \
	-netdev tap,id=n0,ifname=tap0,script=no,downscript=no,vhost=on \
	-device virtio-net-pci,netdev=n0,mac=$VMAC
check "guest: udevd and coldplug" gx g1 "/lib/systemd/systemd-udevd --daemon &&
	udevadm trigger --action=add --subsystem-match=pci && udevadm settle -t 60"
wait_for 30 "guest: udev loaded vbus-bridge, venet followed" guest_has_mac g1 $GMAC
gx g1 udevadm settle -t 60
GIF=$(guest_ifname_by_mac g1 $GMAC)
check "guest: address $GUEST_IP on $GIF" gx g1 "sysctl -qw net.ipv6.conf.$GIF.disable_ipv6=1;
	ip addr add $GUEST_IP/24 dev $GIF && ip link set $GIF up"
wait_for 15 "link up on both sides" grep -qx 1 "/sys/class/net/$HIF/carrier"
say "guest: its interface"
gx g1 "ip -br addr show $GIF; ethtool -i $GIF | head -n 3; lsmod | grep -E '^(venet|vbus_bridge) '"

check "guest: virtio_net" gx g1 modprobe virtio_net
wait_for 20 "guest: virtio-net interface" guest_has_mac g1 $VMAC
VIF=$(guest_ifname_by_mac g1 $VMAC)
check "guest: address $VHOST_GUEST_IP on $VIF" gx g1 "sysctl -qw net.ipv6.conf.$VIF.disable_ipv6=1;
	ip addr add $VHOST_GUEST_IP/24 dev $VIF && ip link set $VIF up"
host_iperf3_server 0.0.0.0

# demo_ping BACKEND: 20 pings from the guest; their times (ms) are kept
demo_ping() {
	local dst out
	dst=$([ "$1" = venet ] && echo $HOST_IP || echo $VHOST_HOST_IP)
	out=$(gx g1 ping -c 20 -i 0.05 -W 2 "$dst")
	expect_match "$1, round $r: 20 pings, none lost" "$out" ' 0% packet loss'
	printf '%s\n' "$out" | sed -n 's/.* time=\([0-9.]*\) ms/\1/p' >> "$VBUS_TEST_OUT/demo-$1.ping"
}
# demo_iperf BACKEND: 3 s each way; Gb/s kept per direction
demo_iperf() {
	local dst g2h h2g
	dst=$([ "$1" = venet ] && echo $HOST_IP || echo $VHOST_HOST_IP)
	g2h=$(guest_iperf3 g1 "$dst" 3 "")
	expect_rate "$1, round $r: guest -> host VM" "$g2h"
	h2g=$(guest_iperf3 g1 "$dst" 3 -R)
	expect_rate "$1, round $r: host VM -> guest" "$h2g"
	echo "$g2h" >> "$VBUS_TEST_OUT/demo-$1.g2h"
	echo "$h2g" >> "$VBUS_TEST_OUT/demo-$1.h2g"
}
# median [min-max] of the numbers in a file
demo_med() {
	python3 -c 'import statistics, sys
v = [float(x) for x in open(sys.argv[1]).read().split()]
print("%.*f [%.*f-%.*f]" % (int(sys.argv[2]), statistics.median(v), int(sys.argv[2]), min(v), int(sys.argv[2]), max(v)) if v else "-")' "$1" "$2"
}

say "warm-up: 10 pings and a 1 s iperf3 over each NIC (not counted)"
r=0
for b in venet vhost; do
	dst=$([ "$b" = venet ] && echo $HOST_IP || echo $VHOST_HOST_IP)
	gx g1 "ping -q -c 10 -i 0.05 -W 2 $dst" > /dev/null
	guest_iperf3 g1 "$dst" 1 "" > /dev/null
done
rm -f "$VBUS_TEST_OUT"/demo-*.ping "$VBUS_TEST_OUT"/demo-*.g2h "$VBUS_TEST_OUT"/demo-*.h2g
for r in $(seq "$DEMO_ROUNDS"); do
	order="venet vhost"
	[ $((r % 2)) = 0 ] && order="vhost venet"
	say "round $r of $DEMO_ROUNDS: $order"
	for b in $order; do
		demo_ping "$b"
		demo_iperf "$b"
	done
done

say "counters: host (ethtool -S $HIF)"
ethtool -S "$HIF" | grep -E 'kicks|irqs|completions|packets|drop_(bad|no)'
say "counters: guest (ethtool -S $GIF)"
gx g1 "ethtool -S $GIF" | grep -E 'kicks|interrupts|completions|packets'
kill "$(cat /run/iperf3.pid)" 2>/dev/null

say "venet against virtio-net + vhost-net: one guest, both NICs, $DEMO_ROUNDS alternating rounds (emulated: compare, don't quote)"
printf '%-10s %24s %22s %22s\n' backend "ping p50 [min-max] ms" "guest->host Gb/s" "host->guest Gb/s"
for b in venet vhost; do
	printf '%-10s %24s %22s %22s\n' "$([ $b = vhost ] && echo vhost-net || echo venet)" \
		"$(demo_med "$VBUS_TEST_OUT/demo-$b.ping" 2)" \
		"$(demo_med "$VBUS_TEST_OUT/demo-$b.g2h" 3)" "$(demo_med "$VBUS_TEST_OUT/demo-$b.h2g" 3)"
done
echo "(pings and iperf3 from the guest, medians over the rounds; make bench measures more:"
echo " request/response rates, 64-byte UDP, notifications per packet, 3 backends and veth)"
