# SPDX-License-Identifier: GPL-2.0
# timeout: 800
# series: 6.1
# The guest modules against the userspace test peer (tests/vm/peer):
# vbus-bridge binds only a region with our magic (-ENODEV on the zeroed
# region of vbusd --no-attach), venet comes up with the host's MAC, ping
# works through the peer, one ping round trip costs one kick and one
# interrupt, 200 pings at once cross as 200 frames each way with at most
# one kick and one doorbell per request, tunables reject bad values, a
# host reset and a module unload/reload are followed cleanly; so is a
# host reset that the host never acknowledges (the bridge says its let-go
# again to the new host, waits 5 s, logs it once and binds). A third
# device has one MSI-X vector where its host's layout needs two: the
# bridge logs that once and retries quietly every second, never binding.
# the nest host VM is emulated (TCG): a guest boot can take minutes
GUEST_BOOT_TIMEOUT=${GUEST_BOOT_TIMEOUT:-300}
BRIDGE=$(need_module vbus-bridge.ko)
VENET=$(need_module venet.ko)
PEER=$VBUS_BUILD/peer/vbus-peer
VBUSD=$VBUS_REPO/tools/vbusd
D=/run/vbus-guest-test
GUEST_IP=198.18.0.2
PEER_IP=198.18.0.1
PEER_MAC=02:00:c6:12:01:10
mkdir -p "$D"
check "test peer is built" test -x "$PEER"
check "vbusd is built" test -x "$VBUSD"

"$VBUSD" --no-attach -s "$D/zero.sock" --shm-size 1M --vectors 2 zero \
	> "$VBUS_TEST_OUT/vbusd.log" 2>&1 &
"$PEER" -s "$D/peer.sock" -v 2 -o "$D/stats" \
	> "$VBUS_TEST_OUT/peer.log" 2>&1 &
PEER_PID=$!
"$PEER" -s "$D/few.sock" -v 2 -o "$D/stats-few" \
	> "$VBUS_TEST_OUT/peer-few.log" 2>&1 &
FEW_PID=$!
wait_for 10 "servers listen" test -S "$D/zero.sock" -a -S "$D/peer.sock" -a -S "$D/few.sock"

guest_start g1 \
	-chardev "socket,path=$D/zero.sock,id=zero" \
	-device "ivshmem-doorbell,chardev=zero,vectors=2" \
	-chardev "socket,path=$D/peer.sock,id=peer" \
	-device "ivshmem-doorbell,chardev=peer,vectors=2" \
	-chardev "socket,path=$D/few.sock,id=few" \
	-device "ivshmem-doorbell,chardev=few,vectors=1"

pstat() { sed -n "s/^$1 //p" "$D/stats"; }
gstat() { gx g1 "ethtool -S $IF" | sed -n "s/^ *$1: //p"; }
find_if() { gx g1 'ls /sys/bus/vbus/devices/*/net/ 2>/dev/null' | head -n 1; }
have_if() { test -n "$(find_if)"; }
gen_above() { test "$(pstat host_gen)" -gt "$1"; }
guest_gone() { test "$(pstat guest_state)" = 4; }
bring_up() {
	gx g1 "sysctl -qw net.ipv6.conf.$IF.disable_ipv6=1; ip addr add $GUEST_IP/24 dev $IF && ip link set $IF up && ip neigh replace $PEER_IP lladdr $PEER_MAC dev $IF nud permanent"
}

gx g1 insmod "$BRIDGE" || fatal "insmod vbus-bridge failed"
vbus_ok "insmod vbus-bridge"
wait_for 10 "a vbus device appears" gx g1 'ls /sys/bus/vbus/devices/vbus*-0'
dm=$(gx g1 dmesg)
expect_match "zeroed region refused by magic" "$dm" "no vbus region in BAR2 \(magic\)"
expect_eq "two ivshmem devices bound (not the zeroed one)" \
	"$(gx g1 'ls /sys/bus/pci/drivers/vbus-bridge | grep -c :')" 2
T_BRIDGE=$(date +%s)
expect_eq "modalias" "$(gx g1 'cat /sys/bus/vbus/devices/vbus*-0/modalias')" \
	"vbus:virtual-ethernet"
expect_match "uevent carries MODALIAS" \
	"$(gx g1 'cat /sys/bus/vbus/devices/vbus*-0/uevent')" "MODALIAS=vbus:virtual-ethernet"
expect_eq "guest published READY" "$(pstat guest_state)" 2

gx g1 insmod "$VENET" || fatal "insmod venet failed"
vbus_ok "insmod venet"
wait_for 10 "venet interface appears" have_if
IF=$(find_if)
log "interface $IF"
expect_eq "MAC from the host's config" "$(gx g1 cat /sys/class/net/$IF/address)" \
	"02:00:c6:12:00:10"
expect_match "ethtool -i" "$(gx g1 ethtool -i $IF)" "driver: venet"
check "address and link up" bring_up
wait_for 10 "carrier" gx g1 "grep -qx 1 /sys/class/net/$IF/carrier"
check "ping through the peer" gx g1 "ping -c 3 -i 0.2 -W 2 $PEER_IP"

sleep 1
k0=$(gstat tx_kicks); i0=$(gstat interrupts)
d0=$(pstat doorbells_1); q0=$(pstat irqs_1)
check "one ping" gx g1 "ping -c 1 -W 2 $PEER_IP"
sleep 1
k1=$(gstat tx_kicks); i1=$(gstat interrupts)
d1=$(pstat doorbells_1); q1=$(pstat irqs_1)
log "guest kicks $k0 -> $k1, interrupts $i0 -> $i1; peer doorbells $d0 -> $d1, irqs $q0 -> $q1"
expect_eq "1 ping = 1 kick (guest count)" "$((k1 - k0))" 1
expect_eq "1 ping = 1 interrupt (guest count)" "$((i1 - i0))" 1
expect_eq "1 ping = 1 doorbell (peer count)" "$((d1 - d0))" 1
expect_eq "1 ping = 1 irq (peer count)" "$((q1 - q0))" 1

# 200 pings at once: 200 requests and 200 replies, counted at both ends
# (no ARP: the peer's entry is permanent; no IPv6). A doorbell carries one
# or more requests: at most one kick per request, and the peer reads at
# most one doorbell per kick (an eventfd read can take several). An
# interrupt raised while the guest has not taken the last one merges
# with it: the guest takes at most the peer's irqs.
# the guest's four counters in one agent call (each costs most of a second)
gstats() { gx g1 "ethtool -S $IF" | awk '$1 == "tx_packets:" { t = $2 } $1 == "rx_packets:" { r = $2 }
	$1 == "tx_kicks:" { k = $2 } $1 == "interrupts:" { i = $2 } END { print t, r, k, i }'; }
read -r tx0 rx0 k0 i0 <<< "$(gstats)"
d0=$(pstat doorbells_1); q0=$(pstat irqs_1); pt0=$(pstat dev0_tx_frames); pr0=$(pstat dev0_rx_frames)
check "burst of 200 pings, no loss" gx g1 "ping -c 200 -i 0 -q -W 2 $PEER_IP | grep -q ' 0% packet loss'"
sleep 1
read -r tx1 rx1 k1 i1 <<< "$(gstats)"
d1=$(pstat doorbells_1); q1=$(pstat irqs_1); pt1=$(pstat dev0_tx_frames); pr1=$(pstat dev0_rx_frames)
log "200 pings: guest frames out $((tx1 - tx0)), in $((rx1 - rx0)), kicks $((k1 - k0)), interrupts $((i1 - i0)); peer frames in $((pt1 - pt0)), out $((pr1 - pr0)), doorbells $((d1 - d0)), irqs $((q1 - q0))"
expect_eq "200 pings: 200 frames from the guest (guest count)" $((tx1 - tx0)) 200
expect_eq "200 pings: 200 frames reached the peer (peer count)" $((pt1 - pt0)) 200
expect_eq "200 pings: 200 replies left the peer (peer count)" $((pr1 - pr0)) 200
expect_eq "200 pings: 200 frames to the guest (guest count)" $((rx1 - rx0)) 200
expect_range "200 pings: at most one kick per request" $((k1 - k0)) 1 200
expect_range "200 pings: at most one doorbell per kick (peer count)" $((d1 - d0)) 1 $((k1 - k0))
expect_range "200 pings: guest interrupts, at most the peer's irqs" $((i1 - i0)) 1 $((q1 - q0))
log "$(gx g1 ethtool -S $IF | tr -s ' ' | tr '\n' ' ')"
log "peer: $(tr '\n' ' ' < "$D/stats")"

T=/sys/class/net/$IF/venet
check "napi_weight 32 accepted" gx g1 "echo 32 > $T/napi_weight"
expect_eq "napi_weight reads back" "$(gx g1 cat $T/napi_weight)" 32
check_fails "napi_weight 0 refused" gx g1 "echo 0 > $T/napi_weight"
check_fails "napi_weight 65 refused" gx g1 "echo 65 > $T/napi_weight"
check_fails "tx_kick_frames 0 refused" gx g1 "echo 0 > $T/tx_kick_frames"
check_fails "rx_refill_batch 257 refused" gx g1 "echo 257 > $T/rx_refill_batch"
check "tx_irq_thresh 0 accepted" gx g1 "echo 0 > $T/tx_irq_thresh"
check "ethtool -C rx-frames 16" gx g1 "ethtool -C $IF rx-frames 16"
expect_eq "ethtool -C maps to napi_weight" "$(gx g1 cat $T/napi_weight)" 16
check_fails "ethtool -C tx-frames 0 refused" gx g1 "ethtool -C $IF tx-frames 0"
check "ping after tunables" gx g1 "ping -c 2 -i 0.2 -W 2 $PEER_IP"

# host reset: devices go away and come back with the next generation
g0=$(pstat host_gen)
check "host reset" kill -HUP "$PEER_PID"
wait_for 15 "peer re-attached" gen_above "$g0"
wait_for 15 "interface back after reset" have_if
IF=$(find_if)
check "address after reset" bring_up
check "ping after host reset" gx g1 "ping -c 2 -i 0.2 -W 3 $PEER_IP"
expect_match "bridge logged the reset" "$(gx g1 dmesg)" "host reset"

# a host that resets without acknowledging the guest's let-go (the peer
# withholds host_ack_gen): the bridge says its let-go again to the host
# that attached anew, waits 5 s (VBUS_BRIDGE_ACK_WAIT) for an
# acknowledgement that never comes, says so once, and binds all the same
no_ack_is() { test "$(pstat no_ack)" = "$1"; }
check "peer withholds acknowledgements (SIGUSR1)" kill -USR1 "$PEER_PID"
wait_for 5 "peer: no_ack 1" no_ack_is 1
g0=$(pstat host_gen) l0=$(pstat letgo_events) t0=$(date +%s)
check "host reset, not acknowledged" kill -HUP "$PEER_PID"
wait_for 15 "peer re-attached" gen_above "$g0"
wait_for 40 "interface back without an acknowledgement" have_if
t1=$(date +%s)
expect_range "the let-go said again to the host that attached anew (peer's count of let-gos)" \
	"$(($(pstat letgo_events) - l0))" 1 3
expect_range "the bridge waited for the acknowledgement (s from reset to interface)" \
	"$((t1 - t0))" 5 40
expect_eq "bridge logged the missing acknowledgement once" \
	"$(gx g1 dmesg | grep -c 'host has not acknowledged the reset of generation [0-9]* in 5 s: binding all the same')" 1
IF=$(find_if)
check "address after the unacknowledged reset" bring_up
check "ping after the unacknowledged reset" gx g1 "ping -c 2 -i 0.2 -W 3 $PEER_IP"
check "peer acknowledges again (SIGUSR1)" kill -USR1 "$PEER_PID"
wait_for 5 "peer: no_ack 0" no_ack_is 0

# PCI unbind and bind
BDF=$(gx g1 'basename "$(readlink -f /sys/bus/vbus/devices/vbus*-0/..)"')
log "bridge PCI device $BDF"
check "PCI unbind" gx g1 "echo $BDF > /sys/bus/pci/drivers/vbus-bridge/unbind"
check_fails "no interface after unbind" have_if
check "PCI bind" gx g1 "echo $BDF > /sys/bus/pci/drivers/vbus-bridge/bind"
wait_for 10 "interface back after rebind" have_if
IF=$(find_if)
check "address after rebind" bring_up
check "ping after rebind" gx g1 "ping -c 2 -i 0.2 -W 3 $PEER_IP"

# the device short of a vector: polled every second since insmod, logged
# once (it was logged at every poll), never bound
few_s=$(($(date +%s) - T_BRIDGE))
expect_eq "a device short of vectors logged once in $few_s s of polls" \
	"$(gx g1 dmesg | grep -c 'host layout needs 2 MSI-X vectors, the device has 1 ')" 1
check "that was over more than 3 polls" test "$few_s" -gt 3
check_fails "the device short of vectors never bound (guest READY)" \
	sh -c "grep -qx 'guest_state 2' '$D/stats-few'"

# unload and reload
check "rmmod venet" gx g1 rmmod venet
check "rmmod vbus-bridge" gx g1 rmmod vbus_bridge
wait_for 5 "guest published GONE" guest_gone
check_fails "vbus bus gone" gx g1 test -d /sys/bus/vbus
check "insmod vbus-bridge again" gx g1 insmod "$BRIDGE"
check "insmod venet again" gx g1 insmod "$VENET"
wait_for 10 "interface back after reload" have_if
IF=$(find_if)
check "address after reload" bring_up
check "ping after reload" gx g1 "ping -c 2 -i 0.2 -W 3 $PEER_IP"
check "rmmod venet while up" gx g1 rmmod venet
check "rmmod vbus-bridge at the end" gx g1 rmmod vbus_bridge

dm=$(gx g1 dmesg)
printf '%s\n' "$dm" > "$VBUS_TEST_OUT/guest-dmesg-final.txt"
check_fails "guest log has no warnings" sh -c "grep -v 'Speculative Return Stack Overflow' '$VBUS_TEST_OUT/guest-dmesg-final.txt' | grep -E 'BUG|WARNING|Oops|refcount|bad (TX|RX) slot|rejected'"
guest_stop g1
kill "$PEER_PID" "$FEW_PID" 2>/dev/null
