# SPDX-License-Identifier: GPL-2.0
# timeout: 900
# series: none
# The nest half of `make demo` (demo/run.sh): the packages are installed in
# the root file system the VMs boot, so the host VM and the guest load
# DKMS's modules with modprobe and udev. Host: vbusctl makes an instance
# and a venet-tap device, vbusd (as its unit starts it) serves the guest.
# Guest: udev loads vbus-bridge for the ivshmem device and venet follows.
# Then: the guest's interface, a ping, a short iperf3 each way, both sides'
# counters, and the same ping and iperf3 over virtio-net with vhost-net.
. "$VBUS_REPO/tests/vm/netlib.sh"
S=/sys/vbus/devices/eth0
GMAC=02:00:c6:12:01:02
HOST_IP=198.18.1.1
GUEST_IP=198.18.1.2
say() { echo; echo "==== $*"; }

at_exit "pkill -x vbusd; sleep 1; echo 0 > $S/enabled; vbusctl detach eth0; vbusctl delete-device eth0; vbusctl delete-instance bus0; rmmod venet_tap vbus; ip link del tap0"
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
say "guest: QEMU gets $(vbusctl qemu-args bus0)"
# shellcheck disable=SC2046
guest_start g1 $(vbusctl qemu-args bus0)
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

say "ping guest -> host VM over venet"
out=$(gx g1 ping -c 20 -i 0.05 -W 2 $HOST_IP)
echo "$out" | tail -n 2
expect_match "20 pings, none lost" "$out" ' 0% packet loss'
venet_rtt=$(echo "$out" | sed -n 's|.*= [0-9.]*/\([0-9.]*\)/.*|\1|p')
host_iperf3_server $HOST_IP
say "iperf3 over venet, 3 s each way"
v_tx=$(guest_iperf3 g1 $HOST_IP 3 "")
expect_rate "venet guest -> host VM" "$v_tx"
v_rx=$(guest_iperf3 g1 $HOST_IP 3 -R)
expect_rate "venet host VM -> guest" "$v_rx"
say "counters: host (ethtool -S $HIF)"
ethtool -S "$HIF" | grep -E 'kicks|irqs|completions|packets|drop_(bad|no)'
say "counters: guest (ethtool -S $GIF)"
gx g1 "ethtool -S $GIF" | grep -E 'kicks|interrupts|completions|packets'
guest_stop g1
kill "$(cat /run/iperf3.pid)" 2>/dev/null

say "the same over virtio-net with vhost-net"
ip tuntap add dev tap0 mode tap
ip addr add 198.18.0.1/24 dev tap0
ip link set tap0 up
guest_start g2 -netdev tap,id=n0,ifname=tap0,script=no,downscript=no,vhost=on \
	-device virtio-net-pci,netdev=n0,mac=52:54:00:12:34:56
check "guest: virtio_net" gx g2 modprobe virtio_net
wait_for 20 "guest: virtio-net interface" guest_has_mac g2 52:54:00:12:34:56
vif=$(guest_ifname_by_mac g2 52:54:00:12:34:56)
check "guest: address on $vif" guest_ip_up g2 "$vif" 198.18.0.2
out=$(gx g2 ping -c 20 -i 0.05 -W 2 198.18.0.1)
echo "$out" | tail -n 2
expect_match "vhost-net: 20 pings, none lost" "$out" ' 0% packet loss'
vhost_rtt=$(echo "$out" | sed -n 's|.*= [0-9.]*/\([0-9.]*\)/.*|\1|p')
host_iperf3_server 198.18.0.1
h_tx=$(guest_iperf3 g2 198.18.0.1 3 "")
expect_rate "vhost-net guest -> host VM" "$h_tx"
h_rx=$(guest_iperf3 g2 198.18.0.1 3 -R)
expect_rate "vhost-net host VM -> guest" "$h_rx"
guest_stop g2

say "venet against vhost-net, one run each, in this nest (emulated: compare, don't quote)"
printf '%-12s %14s %18s %18s\n' backend "ping avg (ms)" "guest->host Gb/s" "host->guest Gb/s"
printf '%-12s %14s %18s %18s\n' venet "$venet_rtt" "$v_tx" "$v_rx"
printf '%-12s %14s %18s %18s\n' vhost-net "$vhost_rtt" "$h_tx" "$h_rx"
echo "(make bench measures properly: alternating runs, medians, notifications per packet)"
