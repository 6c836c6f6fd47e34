# SPDX-License-Identifier: GPL-2.0
# timeout: 600
# series: 6.1
# Multiqueue venet (issue 18 item 3), a 2-vCPU guest on a venet-tap with
# max_queue_pairs 2 (default 1; the instance then needs 3 vectors, the
# attribute is refused while linked): the guest takes 2 combined channels
# by default (one per vCPU), the host netdev then has 2 real TX and RX
# queues; two TCP streams from guest clients pinned to vCPU 0 and 1 go
# out on pairs 0 and 1 (XPS), both queues carry frames on both ends (the
# per-queue counters of ethtool -S) and the replies come back on the same
# pairs (the host's XPS by receive queue), whose vectors fire on two
# different vCPUs (/proc/interrupts); ethtool -L combined 1 and back to 2
# while sequenced UDP runs both ways: nothing lost or duplicated (a few
# reordered at the switch, logged); ethtool -L combined 3 (beyond the
# host's 2) refused with the ethtool core's message; a queue-pair count of
# 9 written into the config block behind the driver's back (through
# vbusd's memfd) is refused by the host (queue_pair_refused), which keeps
# its 2 queues and carries traffic.
. "$VBUS_REPO/tests/vm/netlib.sh"
venet_paths
S=/sys/vbus/devices/eth0
GMAC=02:00:c6:12:03:0a
HOST_IP=198.18.3.1
GUEST_IP=198.18.3.2
SEQUDP=$VBUS_BUILD/sequdp/sequdp
UDP=3000
UDP_RATE=500
hs() { cat "$S/$1"; }
# hq NAME: one counter of the host's ethtool -S; gq NAME: the guest's
hq() { ethtool -S "$HIF" | sed -n "s/^ *$1: //p"; }
gsnap() { GS=$(gx g1 "ethtool -S $GIF"); }
gq() { printf '%s\n' "$GS" | sed -n "s/^ *$1: //p"; }
gcomb() { gx g1 "ethtool -l $GIF" | awk '/^Combined:/ { v = $2 } END { print v }'; }

at_exit "pkill -x vbusd; pkill -x iperf3; sleep 1; echo 0 > $S/enabled; $VBUSCTL detach eth0; $VBUSCTL delete-device eth0; $VBUSCTL delete-instance bus0; rmmod venet_tap; rmmod vbus"
check "sequdp built" test -x "$SEQUDP"
check "vbus.ko loads" insmod "$VBUS"
check "venet-tap.ko loads" insmod "$TAP"
check "vbusctl create-instance" "$VBUSCTL" create-instance bus0
check "vbusctl create-device" "$VBUSCTL" create-device eth0 --type venet-tap
expect_eq "max_queue_pairs: 1 by default" "$(hs max_queue_pairs)" 1
check_fails "max_queue_pairs 5 refused (at most 4)" sh -c "echo 5 > $S/max_queue_pairs"
check "max_queue_pairs 2" sh -c "echo 2 > $S/max_queue_pairs"
check "vbusctl attach" "$VBUSCTL" attach eth0 bus0
expect_eq "instance needs 1 + 2 vectors" "$(cat /sys/vbus/instances/bus0/vectors)" 3
check_fails "max_queue_pairs refused while linked" sh -c "echo 1 > $S/max_queue_pairs"
HIF=$(host_dev eth0 $GMAC $HOST_IP) || fatal "host interface"

vbusd_start bus0
# shellcheck disable=SC2046
GUEST_CPUS=2 guest_start g1 $("$VBUSCTL" qemu-args bus0)
guest_mods g1
guest_if g1 $GMAC $GUEST_IP "$HIF"
GIF=$(guest_ifname_by_mac g1 $GMAC)
check "20 pings, no loss" pings 20 $GUEST_IP
expect_eq "guest: 2 vCPUs" "$(gx g1 nproc)" 2
expect_eq "guest: 2 combined channels by default" "$(gcomb)" 2
expect_eq "guest: 2 real TX queues" "$(gx g1 "ls -d /sys/class/net/$GIF/queues/tx-* | wc -l")" 2
wait_for 10 "host: the guest's 2 queue pairs applied" sh -c "[ \$(cat $S/queue_pairs) = 2 ]"
expect_eq "host: 2 real TX queues" "$(find /sys/class/net/"$HIF"/queues -name 'tx-*' | wc -l)" 2
expect_eq "host: 2 real RX queues" "$(find /sys/class/net/"$HIF"/queues -name 'rx-*' | wc -l)" 2
expect_eq "host: ethtool -l combined 2" "$(ethtool -l "$HIF" | awk '/^Combined:/ { v = $2 } END { print v }')" 2

# ---- two TCP streams on two vCPUs ------------------------------------------------
GDEV=$(gx g1 "basename \$(readlink /sys/class/net/$GIF/device)")
irqs() {	# the per-CPU counts of pair 0's and pair 1's vector
	gx g1 cat /proc/interrupts | awk -v a="$GDEV" -v b="$GDEV-q1" \
		'$NF == a { print "q0", $2, $3 } $NF == b { print "q1", $2, $3 }'
}
i0=$(irqs)
gsnap
g0_tx0=$(gq tx0_packets) g0_tx1=$(gq tx1_packets)
h0_rx0=$(hq rx0_packets) h0_rx1=$(hq rx1_packets)
h0_tx0=$(hq tx0_packets) h0_tx1=$(hq tx1_packets)
iperf3 -s -p 5201 -D -1 --logfile "$VBUS_TEST_OUT/iperf-5201.txt"
iperf3 -s -p 5202 -D -1 --logfile "$VBUS_TEST_OUT/iperf-5202.txt"
wait_for 10 "iperf3 servers listen" sh -c "ss -Hltn 'sport = :5202' | grep -q ."
out=$(GX_TIMEOUT=60 gx g1 "taskset -c 0 iperf3 -c $HOST_IP -p 5201 -t 4 > /tmp/ip0.txt 2>&1 & taskset -c 1 iperf3 -c $HOST_IP -p 5202 -t 4 > /tmp/ip1.txt 2>&1; wait; tail -n 3 /tmp/ip0.txt /tmp/ip1.txt")
log "iperf3 from vCPU 0 and 1: $(printf '%s\n' "$out" | grep -E 'receiver' | tr -s ' ' | tr '\n' ';')"
expect_eq "two streams ran" "$(printf '%s\n' "$out" | grep -c receiver)" 2
i1=$(irqs)
gsnap
log "guest tx packets by pair: $(($(gq tx0_packets) - g0_tx0)) $(($(gq tx1_packets) - g0_tx1))"
log "host rx packets by pair: $(($(hq rx0_packets) - h0_rx0)) $(($(hq rx1_packets) - h0_rx1)), tx: $(($(hq tx0_packets) - h0_tx0)) $(($(hq tx1_packets) - h0_tx1))"
# each stream went out on its own pair: a pair that carried no stream sees
# a few frames at most (ARP). A count, not a speed: a slow nest's 4-s
# stream was 918 frames on one pair (TSO frames of up to 64 KiB)
expect_range "guest: pair 0 transmitted" $(($(gq tx0_packets) - g0_tx0)) 100 100000000
expect_range "guest: pair 1 transmitted" $(($(gq tx1_packets) - g0_tx1)) 100 100000000
expect_range "host: queue 0 received" $(($(hq rx0_packets) - h0_rx0)) 100 100000000
expect_range "host: queue 1 received" $(($(hq rx1_packets) - h0_rx1)) 100 100000000
expect_range "host: replies on queue 0" $(($(hq tx0_packets) - h0_tx0)) 100 100000000
expect_range "host: replies on queue 1" $(($(hq tx1_packets) - h0_tx1)) 100 100000000
log "guest vectors before: $(echo "$i0" | tr '\n' ';') after: $(echo "$i1" | tr '\n' ';')"
# the vCPU each pair's vector fired on most during the streams
busiest() {
	printf '%s\n%s\n' "$i0" "$i1" | awk -v q="$1" '$1 == q { if (n++) { c0 = $2 - c0; c1 = $3 - c1 } else { c0 = $2; c1 = $3 } }
		END { if (c0 + c1 == 0) print "none"; else print (c0 >= c1 ? 0 : 1), c0, c1 }'
}
b0=$(busiest q0) b1=$(busiest q1)
log "pair 0's vector: vCPU ${b0%% *} (CPU0/CPU1 ${b0#* }), pair 1's: vCPU ${b1%% *} (${b1#* })"
expect_match "pair 0's vector fired" "$b0" '^[01] '
expect_match "pair 1's vector fired" "$b1" '^[01] '
check "the two vectors fired on different vCPUs" test "${b0%% *}" != "${b1%% *}"

# ---- ethtool -L under traffic ------------------------------------------------------
queues_pfifo g1 $GMAC "$HIF"
gx g1 "sysctl -qw net.core.rmem_max=4194304 net.core.wmem_max=4194304"
secs=$((UDP * 2 / UDP_RATE + 60))
"$SEQUDP" recv 7100 "$UDP" --bind $HOST_IP --idle 10 --timeout $secs > "$VBUS_TEST_OUT/seq-g2h.txt" 2>&1 &
rpid=$!
wait_for 10 "host VM: sequdp listens" sh -c "ss -Hlun 'sport = :7100' | grep -q ."
for port in 7101 7102; do
	gx_bg g1 "rm -f /tmp/seq$port.txt; $SEQUDP recv $port $UDP --bind $GUEST_IP --idle 10 --timeout $secs > /tmp/seq$port.part 2>&1; mv /tmp/seq$port.part /tmp/seq$port.txt" > /dev/null
	wait_for 10 "g1: sequdp $port listens" gx g1 "ss -Hlun 'sport = :$port' | grep -q ."
done
# guest -> host from vCPU 1 (pair 1 until it goes), host -> guest twice
gx_bg g1 "taskset -c 1 $SEQUDP send $HOST_IP 7100 $UDP --rate $UDP_RATE > /tmp/seqs.txt 2>&1" > /dev/null
"$SEQUDP" send $GUEST_IP 7101 "$UDP" --rate "$UDP_RATE" > "$VBUS_TEST_OUT/seqs-7101.txt" 2>&1 &
s1=$!
"$SEQUDP" send $GUEST_IP 7102 "$UDP" --rate "$UDP_RATE" > "$VBUS_TEST_OUT/seqs-7102.txt" 2>&1 &
s2=$!
sleep 1
check "ethtool -L combined 1 under traffic" gx g1 "ethtool -L $GIF combined 1"
expect_eq "guest: 1 combined channel" "$(gcomb)" 1
expect_eq "host: 1 queue pair in use" "$(hs queue_pairs)" 1
expect_eq "host: 1 real TX queue" "$(find /sys/class/net/"$HIF"/queues -name 'tx-*' | wc -l)" 1
sleep 1
check "ethtool -L combined 2 under traffic" gx g1 "ethtool -L $GIF combined 2"
expect_eq "guest: 2 combined channels again" "$(gcomb)" 2
expect_eq "host: 2 queue pairs in use again" "$(hs queue_pairs)" 2
wait $s1 $s2
wait $rpid
# all arrive, once each; a flow that the change moves to another pair may
# be reordered at the switch (the old pair's last frames and the new one's
# first are received on two vCPUs at once), as on any multiqueue NIC
seq_ok() {
	log "$1: $2"
	expect_match "$1: all $UDP arrived, once each" "$2" \
		"^received=$UDP unique=$UDP lost=0 dup=0 "
}
seq_ok "UDP guest -> host across ethtool -L" "$(cat "$VBUS_TEST_OUT/seq-g2h.txt")"
# where a datagram lost across the change would have gone: the guest's
# qdiscs (those of a queue that goes are emptied by the kernel, uncounted
# as drops), the guest sender's own count, both ends' drop counters
log "after ethtool -L: g1 qdiscs: $(gx g1 "tc -s qdisc show dev $GIF" | tr -s ' \n' ' ')"
log "after ethtool -L: g1 sender: $(gx g1 cat /tmp/seqs.txt)"
log "after ethtool -L: g1 drops: $(gx g1 "ethtool -S $GIF" | grep -E 'drop|error' | grep -v ': 0$' | tr -s ' \n' ' ')"
log "after ethtool -L: host drops: $(ethtool -S "$HIF" | grep -E 'drop|error' | grep -v ': 0$' | tr -s ' \n' ' ')"
for port in 7101 7102; do
	GX_TIMEOUT=5 wait_for 30 "g1: sequdp $port counted" gx g1 test -s /tmp/seq$port.txt
	seq_ok "UDP host -> guest ($port) across ethtool -L" "$(gx g1 cat /tmp/seq$port.txt)"
done
log "host tx packets by pair after the runs: $(hq tx0_packets) $(hq tx1_packets)"

# ---- beyond the host's pairs, and a guest that asks behind the driver's back -------
out=$(gx g1 "ethtool -L $GIF combined 3 2>&1; echo rc=\$?")
log "ethtool -L combined 3: $(echo "$out" | tr '\n' ' ')"
expect_match "ethtool -L combined 3 fails" "$out" 'rc=[1-9]'
expect_match "with the reason" "$out" 'exceeds maximum|Invalid argument'
expect_eq "guest: still 2 combined channels" "$(gcomb)" 2
# region32 OFF [VALUE]: a 32-bit word of bus0's region, read or written
# through vbusd's memfd: what a guest that writes behind its driver's back
# (or a hostile one) does to the host
region32() {
	python3 - "$(pidof vbusd)" "$@" <<'PY'
import mmap, os, struct, sys
d = "/proc/%s/fd" % sys.argv[1]
for f in os.listdir(d):
    if "memfd:vbus-bus0" in os.readlink(os.path.join(d, f)):
        m = mmap.mmap(os.open(os.path.join(d, f), os.O_RDWR), 1 << 16)
        off = int(sys.argv[2], 0)
        if len(sys.argv) > 3:
            struct.pack_into("<I", m, off, int(sys.argv[3], 0))
        else:
            print(struct.unpack_from("<I", m, off)[0])
        sys.exit(0)
sys.exit("no region")
PY
}
r0=$(hs queue_pair_refused)
# mq_request of the one device's config block (its first page after the
# table: 0x1000 + 0x1c), 9 pairs under sequence 0x7777
check "9 pairs written into mq_request" region32 0x101c 0x77770009
# the host reads requests in pair 0's passes (the driver rings pair 0):
# pings from vCPU 0 go out on pair 0
check "pings from vCPU 0 after the bad request" gx g1 "taskset -c 0 ping -c 5 -i 0.2 -W 2 $HOST_IP"
wait_for 10 "host: the request refused" sh -c "[ \$(cat $S/queue_pair_refused) -gt $r0 ]"
expect_eq "host: mq_ack says refused (seq 0x7777, 0 pairs)" "$(region32 0x1020)" $((0x77770000))
expect_eq "host: still 2 queue pairs" "$(hs queue_pairs)" 2
check "20 pings, no loss, at the end" pings 20 $GUEST_IP
guest_stop g1
