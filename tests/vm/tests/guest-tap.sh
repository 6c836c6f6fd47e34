# SPDX-License-Identifier: GPL-2.0
# timeout: 300
# venet through the test peer bridged to a TAP device in the host VM:
# TCP both ways with checksum offload and TSO/GSO frames (chained ring
# buffers), TX and RX on their own vectors, counters sane, clean unload.
# the nest host VM is emulated (TCG): a guest boot can take minutes
GUEST_BOOT_TIMEOUT=${GUEST_BOOT_TIMEOUT:-300}
BRIDGE=$(need_module vbus-bridge.ko)
VENET=$(need_module venet.ko)
PEER=$VBUS_BUILD/peer/vbus-peer
D=/run/vbus-guest-tap
TAP=vbtap0
HOST_IP=198.18.1.1
GUEST_IP=198.18.1.2
mkdir -p "$D"
check "test peer is built" test -x "$PEER"
check "tun available" modprobe tun
"$PEER" -s "$D/peer.sock" -v 3 -T "$TAP" -o "$D/stats" \
	> "$VBUS_TEST_OUT/peer.log" 2>&1 &
PEER_PID=$!
wait_for 10 "peer listens" test -S "$D/peer.sock"
check "tap address" ip addr add "$HOST_IP/24" dev "$TAP"
check "tap up" ip link set "$TAP" up

guest_start g1 -chardev "socket,path=$D/peer.sock,id=peer" \
	-device "ivshmem-doorbell,chardev=peer,vectors=3"
find_if() { gx g1 'ls /sys/bus/vbus/devices/*/net/ 2>/dev/null' | head -n 1; }
have_if() { test -n "$(find_if)"; }
gx g1 insmod "$BRIDGE" || fatal "insmod vbus-bridge failed"
vbus_ok "insmod vbus-bridge"
gx g1 insmod "$VENET" || fatal "insmod venet failed"
vbus_ok "insmod venet"
wait_for 10 "venet interface appears" have_if
IF=$(find_if)
check "guest address" gx g1 "sysctl -qw net.ipv6.conf.$IF.disable_ipv6=1; ip addr add $GUEST_IP/24 dev $IF && ip link set $IF up"
expect_match "TSO offered" "$(gx g1 ethtool -k $IF)" "tcp-segmentation-offload: on"
check "ping the host VM over the tap" gx g1 "ping -c 3 -i 0.2 -W 2 $HOST_IP"

iperf3 -s -B "$HOST_IP" -D -1 --logfile "$VBUS_TEST_OUT/iperf3-s1.log"
sleep 1
out=$(GX_TIMEOUT=60 gx g1 "iperf3 -c $HOST_IP -t 5 -f m" 2>&1)
expect_match "TCP guest -> host" "$out" "receiver"
log "$(printf '%s\n' "$out" | grep -E 'sender|receiver')"
iperf3 -s -B "$HOST_IP" -D -1 --logfile "$VBUS_TEST_OUT/iperf3-s2.log"
sleep 1
out=$(GX_TIMEOUT=60 gx g1 "iperf3 -c $HOST_IP -t 5 -R -f m" 2>&1)
expect_match "TCP host -> guest" "$out" "receiver"
log "$(printf '%s\n' "$out" | grep -E 'sender|receiver')"

stats=$(gx g1 ethtool -S "$IF")
log "$(printf '%s\n' "$stats" | tr -s ' ' | tr '\n' ' ')"
log "peer: $(tr '\n' ' ' < "$D/stats")"
gs() { printf '%s\n' "$stats" | sed -n "s/^ *$1: //p"; }
expect_eq "no TX drops (oversize)" "$(gs tx_drop_oversize)" 0
expect_eq "no TX drops (header)" "$(gs tx_drop_hdr)" 0
expect_eq "no RX header drops" "$(gs rx_drop_hdr)" 0
expect_eq "no ring errors" "$(( $(gs tx_ring_errors) + $(gs rx_ring_errors) ))" 0
log "tx kicks $(gs tx_kicks) for $(gs tx_packets) frames, $(gs tx_kicks_skipped) publishes without a kick; $(gs interrupts) interrupts for $(gs rx_packets) received"
expect_range "fewer kicks than frames under load" \
	"$(( $(gs tx_kicks) < $(gs tx_packets) ))" 1 1
expect_range "fewer interrupts than frames under load" \
	"$(( $(gs interrupts) < $(gs rx_packets) + $(gs tx_packets) ))" 1 1
check "rmmod venet" gx g1 rmmod venet
check "rmmod vbus-bridge" gx g1 rmmod vbus_bridge
guest_stop g1
kill "$PEER_PID" 2>/dev/null
