# SPDX-License-Identifier: GPL-2.0
# timeout: 1500
# series: 6.12
# More than one of everything: two venet devices in one guest (one
# instance, three vectors), a second guest on a second instance at the same
# time (both pinged at once, no loss; 256 MiB sent to the second arriving
# sha256-equal while the first is pinged), the two guests talking through
# a Linux bridge on the host (a veth to a namespace as the LAN; TCP both
# ways sha256-equal; a MAC change learnt), the first guest leaving without
# disturbing the second, a new guest re-attaching to the first instance,
# its guest modules unloaded and reloaded while traffic runs, and the
# guest rebooted twice (clean and crash); the host counts no bad
# descriptor and its kernel log stays clean.
. "$VBUS_REPO/tests/vm/netlib.sh"
venet_paths
# bus0: eth0 and eth2 (guest g1, later g3); bus1: eth1 (guest g2)
MAC0=02:00:c6:12:01:02 HOST0=198.18.1.1 GUEST0=198.18.1.2
MAC2=02:00:c6:12:03:02 HOST2=198.18.3.1 GUEST2=198.18.3.2
MAC1=02:00:c6:12:05:02 HOST1=198.18.5.1 GUEST1=198.18.5.2

# however this test ends, the next one finds no vbus state
at_exit "pkill -x vbusd; sleep 1; for d in eth0 eth1 eth2; do echo 0 > /sys/vbus/devices/\$d/enabled; $VBUSCTL detach \$d; $VBUSCTL delete-device \$d; done; $VBUSCTL delete-instance bus0; $VBUSCTL delete-instance bus1; rmmod venet_tap; rmmod vbus"
check "vbus.ko loads" insmod "$VBUS"
check "venet-tap.ko loads" insmod "$TAP"
check "create bus0, bus1" sh -c "$VBUSCTL create-instance bus0 && $VBUSCTL create-instance bus1"
for d in eth0:bus0 eth2:bus0 eth1:bus1; do
	check "create and attach ${d%:*} to ${d#*:}" sh -c \
		"$VBUSCTL create-device ${d%:*} --type venet-tap && $VBUSCTL attach ${d%:*} ${d#*:}"
done
expect_eq "bus0 with two devices needs 3 vectors" "$(cat /sys/vbus/instances/bus0/vectors)" 3
expect_eq "bus1 with one device needs 2 vectors" "$(cat /sys/vbus/instances/bus1/vectors)" 2
HIF0=$(host_dev eth0 $MAC0 $HOST0)
HIF2=$(host_dev eth2 $MAC2 $HOST2)
HIF1=$(host_dev eth1 $MAC1 $HOST1)
expect_match "three host netdevs" "$HIF0 $HIF2 $HIF1" '^venet-tap[0-9]+ venet-tap[0-9]+ venet-tap[0-9]+$'
vbusd_start bus0
vbusd_start bus1
Q0=$("$VBUSCTL" qemu-args bus0)
Q1=$("$VBUSCTL" qemu-args bus1)

# ---- two devices in one guest ------------------------------------------------
# shellcheck disable=SC2086
guest_start g1 $Q0
guest_mods g1
guest_if g1 $MAC0 $GUEST0 "$HIF0"
guest_if g1 $MAC2 $GUEST2 "$HIF2"
expect_eq "g1 has two venet interfaces" "$(gx g1 'for d in /sys/class/net/*; do
	ethtool -i ${d##*/} 2>/dev/null | grep -qx "driver: venet" && echo ${d##*/}; done | wc -l')" 2
# The first traffic on a device: the replies, plus the guest's ARP frames,
# at most 3 (its reply to the host VM's request, then its unicast probes
# of its own entry: one after 5 s of use, then one per reachable time, 15 s
# at least). IPv6 is off on both ends, so nothing else. The other device
# carries none.
rx() { cat "/sys/vbus/devices/$1/rx_packets"; }
r0=$(rx eth2) o0=$(rx eth0)
check "second device: 100 pings, no loss" pings 100 $GUEST2
r1=$(rx eth2) o1=$(rx eth0)
expect_range "second device carried the 100 replies (and ARP)" $((r1 - r0)) 100 103
expect_eq "first device carried none of them" $((o1 - o0)) 0

# ---- a second guest on a second instance, at the same time -------------------
# shellcheck disable=SC2086
guest_start g2 $Q1
wait_for 10 "bus1 attached" grep -qx 1 /sys/vbus/instances/bus1/attached
guest_mods g2
guest_if g2 $MAC1 $GUEST1 "$HIF1"
# Rings as the region allows (VENET_TAP_RING .. _RING_MAX, halving the
# largest; the last device's, TX before RX, on a tie). ethtool -g on the
# host: RX is the guest's TX ring, TX its receive ring. bus0's 4 MiB holds
# 512 slots of 2 KiB each way for eth0 and 256 + 512 for eth2 (512 + 512
# would leave no room for the header); bus1's one device has 512 and 1024.
rings() { ethtool -g "$1" | sed -n "/^Current/,\$ s/^\(RX\|TX\):[[:space:]]*\([0-9]*\)$/\1 \2/p" | tr "\n" " "; }
expect_eq "ethtool -g: eth0 (first of two on 4 MiB)" "$(rings "$HIF0")" "RX 512 TX 512 "
expect_eq "ethtool -g: eth2 (second of two on 4 MiB)" "$(rings "$HIF2")" "RX 256 TX 512 "
expect_eq "ethtool -g: eth1 (alone on 4 MiB)" "$(rings "$HIF1")" "RX 512 TX 1024 "
expect_eq "g1 sees eth2's rings: receive 512, transmit 256" "$(gx g1 "ethtool -g \$(grep -l $MAC2 /sys/class/net/*/address | cut -d/ -f5)" | sed -n '/^Current/,$ s/^\(RX\|TX\):[[:space:]]*\([0-9]*\)$/\1 \2/p' | tr '\n' ' ')" "RX 512 TX 256 "
r0=$(rx eth0) o0=$(rx eth1)
check "both guests at once: 300 pings each, no loss" sh -c "
	ping -c 300 -i 0.01 -W 2 -q $GUEST0 > $VBUS_TEST_OUT/ping-g1.txt &
	ping -c 300 -i 0.01 -W 2 -q $GUEST1 > $VBUS_TEST_OUT/ping-g2.txt
	wait
	grep -q ' 0% packet loss' $VBUS_TEST_OUT/ping-g1.txt &&
	grep -q ' 0% packet loss' $VBUS_TEST_OUT/ping-g2.txt"
r1=$(rx eth0) o1=$(rx eth1)
expect_range "g1's first device carried its 300 replies (and ARP)" $((r1 - r0)) 300 303
expect_range "g2's device carried its 300 replies (and ARP)" $((o1 - o0)) 300 303

# ---- 256 MiB to g2, sha256-equal, while g1 is pinged -------------------------
# The guest hashes the stream as it arrives (nothing stored); sha256 in
# the nested guest runs at a few MB/s, which sets the pace.
BIG=/tmp/venet-256M
check "256 MiB of random data" sh -c "head -c 256M /dev/urandom > $BIG"
want=$(sha256sum < $BIG | cut -d' ' -f1)
check "g2: receiver" gx g2 "rm -f /tmp/rx.sha; (socat -u -b 262144 TCP-LISTEN:7001,reuseaddr - | sha256sum > /tmp/rx.part && mv /tmp/rx.part /tmp/rx.sha) > /dev/null 2>&1 &"
wait_for 20 "g2 listens on 7001" gx g2 "ss -Hltn 'sport = :7001' | grep -q ."
ping -i 0.2 -W 2 -q $GUEST0 > "$VBUS_TEST_OUT/ping-during-bulk.txt" 2>&1 &
PING_PID=$!
t0=$(date +%s)
check "256 MiB host -> g2" timeout 400 socat -u -b 262144 "FILE:$BIG" "TCP:$GUEST1:7001"
GX_TIMEOUT=10 wait_for 120 "g2 hashed what it received" gx g2 test -s /tmp/rx.sha
log "256 MiB host -> g2 in $(($(date +%s) - t0)) s"
kill -ALRM "$PING_PID" 2>/dev/null
wait "$PING_PID" 2>/dev/null
rm -f $BIG
expect_match "256 MiB: sha256 sent" "$want" '^[0-9a-f]{64}$'
expect_eq "256 MiB host -> g2: sha256 received = sent" "$(gx g2 "cut -d' ' -f1 /tmp/rx.sha")" "$want"
expect_match "g1 pinged meanwhile, no loss" "$(cat "$VBUS_TEST_OUT/ping-during-bulk.txt")" \
	'[1-9][0-9]* packets transmitted, [0-9]+ received, 0% packet loss'

# ---- g1 and g2 through a Linux bridge on the host ----------------------------
# How most hosts are set up: both guests' host netdevs are ports of one
# bridge, with a veth to a network namespace standing in for the LAN. The
# guests reach each other and the LAN through it, ARP crosses it, and a
# guest's new MAC address is learnt by it. Nothing leaves the host VM.
G1IF=$(guest_ifname_by_mac g1 $MAC0)
G2IF=$(guest_ifname_by_mac g2 $MAC1)
BR=br-vbus LAN=198.18.7.9 BG1=198.18.7.11 BG2=198.18.7.12 NEWMAC=02:00:c6:12:07:12
at_exit "ip link del $BR; ip netns del lan"
check "bridge $BR: $HIF0 (g1), $HIF1 (g2), and a veth to namespace lan" sh -c "
	ip link add $BR type bridge && ip link set $BR up &&
	ip link set $HIF0 master $BR && ip link set $HIF1 master $BR &&
	ip netns add lan && ip link add vlan-br type veth peer name eth0 netns lan &&
	ip link set vlan-br master $BR && ip link set vlan-br up &&
	ip -n lan addr add $LAN/24 dev eth0 && ip -n lan link set eth0 up"
check "g1: $BG1 on $G1IF" gx g1 "ip addr add $BG1/24 dev $G1IF"
check "g2: $BG2 on $G2IF" gx g2 "ip addr add $BG2/24 dev $G2IF"
wait_for 30 "the bridge's three ports forward" sh -c \
	"[ \$(bridge link show master $BR | grep -c 'state forwarding') = 3 ]"
check "g1 -> g2 through the bridge: 50 pings, no loss" gx g1 "ping -c 50 -i 0.02 -W 2 -q $BG2 | grep -q ' 0% packet loss'"
check "g2 -> g1 through the bridge: 50 pings, no loss" gx g2 "ping -c 50 -i 0.02 -W 2 -q $BG1 | grep -q ' 0% packet loss'"
expect_match "g1 learnt g2's MAC by ARP across the bridge" "$(gx g1 ip neigh show $BG2 dev $G1IF)" "lladdr $MAC1 "
expect_match "the bridge learnt g1's MAC on $HIF0" "$(bridge fdb show br $BR)" "$MAC0 dev $HIF0 master $BR"
expect_match "the bridge learnt g2's MAC on $HIF1" "$(bridge fdb show br $BR)" "$MAC1 dev $HIF1 master $BR"
check "lan -> g1 and g2: 20 pings each, no loss" sh -c "
	ip netns exec lan ping -c 20 -i 0.02 -W 2 -q $BG1 | grep -q ' 0% packet loss' &&
	ip netns exec lan ping -c 20 -i 0.02 -W 2 -q $BG2 | grep -q ' 0% packet loss'"
# TCP both ways, 8 MiB each, the receiver hashing as it reads
g2g() {	# FROM TO TOADDR: 8 MiB over TCP, sha256 of both ends equal
	local want got
	check "$2: receiver" gx "$2" "rm -f /tmp/g2g.sha; (socat -u TCP-LISTEN:7002,reuseaddr - | sha256sum > /tmp/g2g.part && mv /tmp/g2g.part /tmp/g2g.sha) > /dev/null 2>&1 &"
	wait_for 20 "$2 listens on 7002" gx "$2" "ss -Hltn 'sport = :7002' | grep -q ."
	want=$(gx "$1" "head -c 8M /dev/urandom > /tmp/g2g.bin && sha256sum < /tmp/g2g.bin | cut -d' ' -f1")
	check "8 MiB $1 -> $2 through the bridge" gx "$1" "timeout 120 socat -u FILE:/tmp/g2g.bin TCP:$3:7002"
	GX_TIMEOUT=10 wait_for 60 "$2 hashed what it received" gx "$2" test -s /tmp/g2g.sha
	got=$(gx "$2" "cut -d' ' -f1 /tmp/g2g.sha")
	expect_match "8 MiB $1 -> $2: sha256 sent" "$want" '^[0-9a-f]{64}$'
	expect_eq "8 MiB $1 -> $2: sha256 received = sent" "$got" "$want"
}
g2g g1 g2 $BG2
g2g g2 g1 $BG1
# g2 takes a new MAC address (the interface down while it changes, as
# venet asks); the bridge learns it on g2's port from its next frame, and
# g1 reaches g2 at it once its neighbour entry is resolved again
check "g2: new MAC $NEWMAC" gx g2 "ip link set $G2IF down && ip link set $G2IF address $NEWMAC && ip link set $G2IF up"
wait_for 20 "g2: carrier on $G2IF again" gx g2 "grep -qx 1 /sys/class/net/$G2IF/carrier"
check "g1 -> g2 at its new MAC: 20 pings, no loss" gx g1 "ip neigh flush dev $G1IF; ping -c 20 -i 0.02 -W 2 -q $BG2 | grep -q ' 0% packet loss'"
expect_match "g1 resolved g2's new MAC across the bridge" "$(gx g1 ip neigh show $BG2 dev $G1IF)" "lladdr $NEWMAC "
expect_match "the bridge learnt g2's new MAC on $HIF1" "$(bridge fdb show br $BR)" "$NEWMAC dev $HIF1 master $BR"
check "g2: its MAC back" gx g2 "ip link set $G2IF down && ip link set $G2IF address $MAC1 && ip link set $G2IF up"
wait_for 20 "g2: carrier on $G2IF again" gx g2 "grep -qx 1 /sys/class/net/$G2IF/carrier"
check "bridge $BR and namespace lan removed" sh -c "ip link del $BR && ip netns del lan"
check "g1: $BG1 removed" gx g1 "ip addr del $BG1/24 dev $G1IF"
check "g2: $BG2 removed" gx g2 "ip addr del $BG2/24 dev $G2IF"
check "host <-> g1 and g2 directly again: 20 pings each, no loss" sh -c "
	ip neigh flush dev $HIF1; ping -c 20 -i 0.02 -W 2 -q $GUEST0 | grep -q ' 0% packet loss' &&
	ping -c 20 -i 0.02 -W 2 -q $GUEST1 | grep -q ' 0% packet loss'"

# ---- the first guest leaves; a new one re-attaches ---------------------------
guest_stop g1
wait_for 15 "bus0 detached" grep -qx 0 /sys/vbus/instances/bus0/attached
wait_for 5 "host carrier off on $HIF0" grep -qx 0 "/sys/class/net/$HIF0/carrier"
expect_eq "bus1 still attached" "$(cat /sys/vbus/instances/bus1/attached)" 1
check "g2 unaffected: 50 pings, no loss" pings 50 $GUEST1
# shellcheck disable=SC2086
GUEST_REBOOT=1 guest_start g3 $Q0
wait_for 10 "bus0 attached again" grep -qx 1 /sys/vbus/instances/bus0/attached
guest_mods g3
guest_if g3 $MAC0 $GUEST0 "$HIF0"
check "g3: 50 pings, no loss" pings 50 $GUEST0

# ---- guest modules unloaded and reloaded while traffic runs -----------------
host_iperf3_server $HOST0
ping -i 0.005 -c 4000 -W 1 -q $GUEST0 > "$VBUS_TEST_OUT/ping-reload.txt" 2>&1 &
PING_PID=$!
gx_bg g3 "iperf3 -u -b 10M -l 1200 -t 20 -c $HOST0" > /dev/null
sleep 2
check "g3: rmmod venet under traffic" gx g3 rmmod venet
check "g3: rmmod vbus-bridge under traffic" gx g3 rmmod vbus_bridge
guest_mods g3
guest_if g3 $MAC0 $GUEST0 "$HIF0"
kill -INT "$PING_PID" 2>/dev/null
wait "$PING_PID" 2>/dev/null
check "g3 after the reload: 50 pings, no loss" pings 50 $GUEST0
# both ends' counters after the reload (read when a check above failed)
{
	gx g3 "ip -s -s link show eth0; ethtool -S eth0; ip neigh"
	ip -s -s link show "$HIF0"
	grep -H . /sys/vbus/devices/eth0/* 2>/dev/null
	cat "$VBUS_TEST_OUT/ping-reload.txt"
} > "$VBUS_TEST_OUT/after-reload.txt" 2>&1

# ---- guest reboots: clean (device shutdown runs) and crash (none) ----------
for how in clean crash; do
	guest_reboot g3 $how
	guest_mods g3
	guest_if g3 $MAC0 $GUEST0 "$HIF0"
	check "g3 after a $how reboot: 50 pings, no loss" pings 50 $GUEST0
	gx g3 dmesg > "$VBUS_TEST_OUT/guest-g3.dmesg-after-$how.txt"
	stale=$(grep -c "still bound by a previous kernel" "$VBUS_TEST_OUT/guest-g3.dmesg-after-$how.txt")
	expect_eq "g3 after a $how reboot: region found still bound" "$stale" \
		"$([ $how = crash ] && echo 1 || echo 0)"
done
expect_eq "bus0 attached through the reboots" "$(cat /sys/vbus/instances/bus0/attached)" 1
for d in eth0 eth1 eth2; do
	for c in rx_drop_bad_desc rx_drop_bad_hdr tx_drop_bad_desc tx_drop_hdr; do
		expect_eq "$d: no $c" "$(cat /sys/vbus/devices/$d/$c)" 0
	done
done
guest_stop g3
guest_stop g2

# ---- teardown ----------------------------------------------------------------
# shellcheck disable=SC2086
kill $VBUSD_PIDS 2>/dev/null
# shellcheck disable=SC2086
wait $VBUSD_PIDS 2>/dev/null
wait_for 15 "both instances detached" sh -c \
	"grep -qx 0 /sys/vbus/instances/bus0/attached && grep -qx 0 /sys/vbus/instances/bus1/attached"
for d in eth0 eth1 eth2; do
	check "$d: disable, detach, delete" sh -c \
		"echo 0 > /sys/vbus/devices/$d/enabled && $VBUSCTL detach $d && $VBUSCTL delete-device $d"
done
check "delete bus0, bus1" sh -c "$VBUSCTL delete-instance bus0 && $VBUSCTL delete-instance bus1"
check "rmmod venet-tap" rmmod venet_tap
check "rmmod vbus" rmmod vbus
