# SPDX-License-Identifier: GPL-2.0
# timeout: 800
# End to end: vbus.ko + venet-tap.ko in the host VM, vbusd serving the
# instance, a guest with vbus-bridge.ko + venet.ko. Attributes and their
# refusals, the host netdev (ethtool -i/-S/-C, ip -s link), pings at MTU
# 1500 and 9000, 1000 pings without loss, 16 MiB echoed through the guest
# over TCP (both ways at once) sha256-equal, sequenced UDP both ways with no
# datagram lost (pfifo qdiscs at both ends), the notification counts of
# one ping and of a 100-frame burst (txmitigation 10, 25, 0), and the
# teardown. Counts, never speeds.
# (Several devices and guests, restarts, reloads: venet-multi.)
. "$VBUS_REPO/tests/vm/netlib.sh"
venet_paths
S=/sys/vbus/devices/eth0
GMAC=02:00:c6:12:01:02
HOST_IP=198.18.1.1
GUEST_IP=198.18.1.2
OTHER_MAC=02:00:c6:12:01:99

# wr FILE VALUE: one write; prints OK or the errno name
wr() {
	python3 -c '
import errno, os, sys
try:
    fd = os.open(sys.argv[1], os.O_WRONLY)
    try:
        os.write(fd, sys.argv[2].encode())
    finally:
        os.close(fd)
    print("OK")
except OSError as e:
    print(errno.errorcode.get(e.errno, str(e.errno)))
' "$@"
}
hs() { cat "$S/$1"; }
gs() { gx $G "ethtool -S $GIF" | sed -n "s/^ *$1: //p"; }
have_gif() { test -n "$(guest_ifname_by_mac $G $GMAC)"; }
gset() { gx $G "echo $2 > /sys/class/net/$GIF/venet/$1"; }

# however this test ends, the next one finds no vbus state
at_exit "pkill -x vbusd; sleep 1; echo 0 > $S/enabled; $VBUSCTL detach eth0; $VBUSCTL delete-device eth0; $VBUSCTL delete-instance bus0; rmmod venet_tap; rmmod vbus"
check "vbus.ko loads" insmod "$VBUS"
check "venet-tap.ko loads" insmod "$TAP"
expect_eq "class interface" "$(cat /sys/vbus/deviceclass/venet-tap/interface)" \
	virtual-ethernet
check "vbusctl create-instance" "$VBUSCTL" create-instance bus0
check "vbusctl create-device" "$VBUSCTL" create-device eth0 --type venet-tap
check "vbusctl attach" "$VBUSCTL" attach eth0 bus0
expect_eq "instance needs 2 vectors" "$(cat /sys/vbus/instances/bus0/vectors)" 2

# ---- attributes ------------------------------------------------------------
expect_eq "txmitigation default" "$(hs txmitigation)" 10
expect_eq "burstthresh default" "$(hs burstthresh)" 64
expect_eq "enabled default" "$(hs enabled)" 0
expect_eq "ifname empty while disabled" "$(hs ifname)" ""
expect_eq "client_mac bad format" "$(wr $S/client_mac 02:00:zz:00:00:01)" EINVAL
expect_eq "client_mac too short" "$(wr $S/client_mac 02:00:00:00:01)" EINVAL
expect_eq "client_mac multicast" "$(wr $S/client_mac 03:00:00:00:00:01)" EINVAL
expect_eq "client_mac accepted" "$(wr $S/client_mac $GMAC)" OK
expect_eq "client_mac reads back" "$(hs client_mac)" $GMAC
expect_eq "host_mac read-only" "$(wr $S/host_mac 02:00:00:00:00:02)" EACCES
expect_eq "txmitigation 257" "$(wr $S/txmitigation 257)" EINVAL
expect_eq "txmitigation -1" "$(wr $S/txmitigation -1)" EINVAL
expect_eq "burstthresh 0" "$(wr $S/burstthresh 0)" EINVAL
expect_eq "burstthresh 65" "$(wr $S/burstthresh 65)" EINVAL
expect_eq "enabled 2" "$(wr $S/enabled 2)" EINVAL
expect_eq "enabled=1" "$(wr $S/enabled 1)" OK
HIF=$(hs ifname)
expect_match "ifname" "$HIF" '^venet-tap[0-9]+$'
# NAPI polls in a thread of its own, not on the vCPU thread that rings
expect_eq "NAPI threaded by default" "$(cat /sys/class/net/$HIF/threaded)" 1
check "NAPI thread napi/$HIF-* runs" sh -c "ps -eo comm= | grep -q '^napi/$HIF'"
expect_eq "host_mac is the netdev's" "$(hs host_mac)" \
	"$(cat /sys/class/net/$HIF/address)"
ei=$(ethtool -i "$HIF")
expect_match "ethtool -i driver" "$ei" '^driver: venet-tap$'
expect_match "ethtool -i bus-info" "$ei" '^bus-info: eth0$'
rings() { ethtool -g "$1" | sed -n "/^Current/,\$ s/^\(RX\|TX\):[[:space:]]*\([0-9]*\)$/\1 \2/p" | tr "\n" " "; }
expect_eq "ethtool -g: no rings before a region" "$(rings "$HIF")" "RX 0 TX 0 "
check "ethtool -C tx-frames 20" ethtool -C "$HIF" tx-frames 20
expect_eq "tx-frames is txmitigation" "$(hs txmitigation)" 20
check_fails "ethtool -C tx-frames 300 refused" ethtool -C "$HIF" tx-frames 300
check "ethtool -C tx-frames 10 rx-frames 64" ethtool -C "$HIF" tx-frames 10 rx-frames 64
expect_eq "linger_us default" "$(hs linger_us)" 1000
expect_eq "linger_us 1001" "$(wr $S/linger_us 1001)" EINVAL
check "ethtool -C rx-usecs 300" ethtool -C "$HIF" rx-usecs 300
expect_eq "rx-usecs is linger_us" "$(hs linger_us)" 300
check_fails "ethtool -C rx-usecs 1001 refused" ethtool -C "$HIF" rx-usecs 1001
# the linger adapts to the stream (at most linger_us) unless told not to
expect_eq "linger_adaptive default" "$(hs linger_adaptive)" 1
expect_match "ethtool -c: adaptive RX on" "$(ethtool -c "$HIF")" '^Adaptive RX:[[:space:]]*on'
expect_eq "linger_adaptive 2" "$(wr $S/linger_adaptive 2)" EINVAL
check "ethtool -C adaptive-rx off" ethtool -C "$HIF" adaptive-rx off
expect_eq "adaptive-rx is linger_adaptive" "$(hs linger_adaptive)" 0
expect_match "ethtool -c: adaptive RX off" "$(ethtool -c "$HIF")" '^Adaptive RX:[[:space:]]*off'
expect_eq "rx-usecs kept" "$(hs linger_us)" 300
check "linger_adaptive 1" sh -c "echo 1 > $S/linger_adaptive"
sysctl -qw "net.ipv6.conf.$HIF.disable_ipv6=1"
check "host address" ip addr add $HOST_IP/24 dev "$HIF"
check "host link up" ip link set "$HIF" up
expect_eq "carrier off without a guest" "$(cat "/sys/class/net/$HIF/carrier")" 0

# ---- guest -------------------------------------------------------------------
"$VBUSD" bus0 > "$VBUS_TEST_OUT/vbusd.log" 2>&1 &
VBUSD_PID=$!
wait_for 10 "vbusd listens" test -S /run/vbus/bus0.sock
QARGS=$("$VBUSCTL" qemu-args bus0)
log "qemu args: $QARGS"
G=g1
# shellcheck disable=SC2086
guest_start $G $QARGS
wait_for 10 "instance attached" grep -qx 1 /sys/vbus/instances/bus0/attached
# one device on the default 4 MiB region: the guest's receive ring (TX
# here) of 1024 slots, its transmit ring of 512 (1024 both ways needs 8 MiB)
expect_eq "ethtool -g: RX 512, TX 1024" "$(rings "$HIF")" "RX 512 TX 1024 "
expect_eq "client_mac busy while attached" "$(wr $S/client_mac 02:00:00:00:00:05)" EBUSY

guest_up() {
	check "insmod vbus-bridge" gx $G insmod "$BRIDGE"
	check "insmod venet" gx $G insmod "$VENET"
	wait_for 15 "guest interface with client_mac" have_gif
	GIF=$(guest_ifname_by_mac $G $GMAC)
	log "guest interface $GIF"
	check "guest address" gx $G "sysctl -qw net.ipv6.conf.$GIF.disable_ipv6=1; ip addr add $GUEST_IP/24 dev $GIF && ip link set $GIF up"
	wait_for 15 "host carrier" grep -qx 1 /sys/class/net/$HIF/carrier
	wait_for 15 "guest carrier" gx $G "grep -qx 1 /sys/class/net/$GIF/carrier"
}
guest_up
check "1000 pings, no loss" sh -c \
	"ping -c 1000 -i 0.005 -W 2 -q $GUEST_IP | grep -q ' 0% packet loss'"
check "100 pings from the guest, no loss" gx g1 \
	"ping -c 100 -i 0.02 -W 2 -q $HOST_IP | grep -q ' 0% packet loss'"
check "MTU 1500 ping (1472 bytes, DF)" ping -c 5 -i 0.2 -W 2 -M do -s 1472 $GUEST_IP
check "host MTU 9000" ip link set "$HIF" mtu 9000
check "guest MTU 9000" gx g1 ip link set "$GIF" mtu 9000
check "MTU 9000 ping (8972 bytes, DF)" ping -c 5 -i 0.2 -W 2 -M do -s 8972 $GUEST_IP
check "MTU 9000 ping from the guest" gx g1 ping -c 5 -i 0.2 -W 2 -M do -s 8972 $HOST_IP
check "host MTU 1500" ip link set "$HIF" mtu 1500
check "guest MTU 1500" gx g1 ip link set "$GIF" mtu 1500

# From here on no ARP and no IPv6 on the link (only what the test sends),
# and pfifo for fq_codel at both ends: a queue that is full refuses a
# datagram to its sender (which sends it again) instead of dropping it in
# silence, so "nothing lost" means nothing lost.
ip neigh replace $GUEST_IP lladdr $GMAC dev "$HIF" nud permanent
check "guest: permanent neighbour entry" gx g1 "ip neigh replace $HOST_IP lladdr $(hs host_mac) dev $GIF nud permanent"
queues_pfifo g1 $GMAC "$HIF"

# TCP both ways at once: the bytes sent come back, all of them, the same
expect_tcp_echo "TCP: 16 MiB to the guest and back, sha256-equal" \
	"$(guest_tcp_echo g1 $GUEST_IP 16777216)" 16777216
# sequenced UDP at a moderate rate: sequdp numbers every datagram and the
# receiver counts the gaps
expect_udp_nothing_lost "UDP 20 Mb/s guest -> host, nothing lost" "$(guest_udp_run g1 $HOST_IP 20M "")"
expect_udp_nothing_lost "UDP 20 Mb/s host -> guest, nothing lost" "$(guest_udp_run g1 $HOST_IP 20M -R)"
log "guest UDP: $(gx g1 nstat -az UdpRcvbufErrors UdpInErrors | tail -n +2 | tr -s ' ' | tr '\n' ' '); venet rx_drop_nomem $(gs rx_drop_nomem); host UDP: $(nstat -az UdpRcvbufErrors | tail -n +2 | tr -s ' ')"
log "guest memory: $(gx g1 "tr -s ' ' < /proc/net/sockstat | tr '\n' ' '; echo udp_mem \$(cat /proc/sys/net/ipv4/udp_mem); grep MemAvailable /proc/meminfo")"
log "host offloads: $(ethtool -k "$HIF" | grep -E '^(tcp-segmentation-offload|tx-checksumming|scatter-gather):' | tr '\n' ' ')"

# a frame that comes while the doorbell lingers masked is picked up by the
# timer's pass: pings both ways still answered
check "linger_us 300: 100 pings from the guest, no loss" gx g1 \
	"ping -c 100 -i 0.01 -W 2 -q $HOST_IP | grep -q ' 0% packet loss'"
check "linger_us 300: 100 pings to the guest, no loss" sh -c \
	"ping -c 100 -i 0.01 -W 2 -q $GUEST_IP | grep -q ' 0% packet loss'"
# The linger is for streams: request/response traffic (a frame went to the
# guest between two of its frames) does not linger at all, a one-way
# stream does, and its frames are then picked up by the timer, not by a
# kick each (without the linger: about one kick per datagram).
check "linger_us 1000" sh -c "echo 1000 > $S/linger_us"
l0=$(hs lingers)
check "linger_us 1000: 20 pings from the guest, no loss" gx g1 \
	"ping -c 20 -i 0.05 -W 2 -q $HOST_IP | grep -q ' 0% packet loss'"
l1=$(hs lingers) k0=$(hs guest_kicks) ks0=$(hs guest_kicks_skipped)
# each request's reply goes to the guest in the pass that took it: no linger
expect_eq "request/response: no linger in 20 round trips" $((l1 - l0)) 0
out=$(guest_udp_run g1 $HOST_IP 20M "")
l2=$(hs lingers) k1=$(hs guest_kicks) ks1=$(hs guest_kicks_skipped)
expect_udp_nothing_lost "linger_us 1000: UDP 20 Mb/s guest -> host, nothing lost" "$out"
sent=$(udp_field sent "$out")
log "linger_us 1000, UDP guest -> host: ${sent:-no} datagrams, $((k1 - k0)) kicks, $((ks1 - ks0)) passes that found frames with no kick, $((l2 - l1)) lingers begun"
# A linger begins in a pass that took frames after a pass that did not
# linger (the timer's passes continue the same linger), so in a pass that a
# doorbell started (guest_kicks) or that found frames with no doorbell
# (guest_kicks_skipped: the re-check after re-enabling the doorbell, and
# the timer's passes): never more lingers than those passes.
expect_range "one-way stream: it lingers, at most once per pass that took frames" \
	$((l2 - l1)) 1 $((k1 - k0 + ks1 - ks0))
expect_range "one-way stream: fewer kicks than half the datagrams" $((k1 - k0)) 0 $((${sent:-0} / 2))
# A request/response flow from a userspace client, right after the stream:
# its first request may begin a linger, but the reply cuts it short, and
# every further request rings (with the linger held, none would)
sockperf server -i $HOST_IP -p 11111 > "$VBUS_TEST_OUT/sockperf-server.log" 2>&1 &
SP=$!
wait_for 10 "sockperf server listens" sh -c "ss -Hlun 'sport = :11111' | grep -q ."
k0=$(hs guest_kicks)
out=$(GX_TIMEOUT=30 gx g1 "sockperf ping-pong -i $HOST_IP -p 11111 -m 64 -t 2 --no-rdtsc" 2>&1)
k1=$(hs guest_kicks)
kill $SP 2>/dev/null
wait $SP 2>/dev/null
rts=$(printf '%s' "$out" | sed -n 's/.*\[Total Run\].*ReceivedMessages=\([0-9]*\).*/\1/p')
reqs=$(printf '%s' "$out" | sed -n 's/.*\[Total Run\].*SentMessages=\([0-9]*\).*/\1/p')
log "linger_us 1000, request/response from a userspace client: ${reqs:-no} requests, ${rts:-no} round trips, $((k1 - k0)) kicks"
expect_range "request/response: round trips" "${rts:-0}" 50 100000000
# at least 90% of the requests ring; nothing else crosses the link (no ARP,
# no IPv6), and a kick carries at least one frame: at most one per request
expect_range "request/response: the requests ring, no linger holds them" $((k1 - k0)) $((${rts:-0} * 9 / 10)) "${reqs:-0}"
# A TCP stream from the guest: what goes back is pure ACKs, which ask
# nothing of the guest at once, so it lingers across them, and its frames
# are picked up by the timer's passes rather than by a kick each.
# Before pure ACKs were told apart, every pass that took a frame also sent
# its ACK back, which cut the linger: 0.48-0.50 kicks per frame and next to
# no lingers. How many frames one linger then catches depends on the
# stream's pace against linger_us (the bench measures it; CI runs: 10,
# 4.3, 5.2 and, on a loaded machine, 2.2 frames per kick), so what is
# asserted is what tells the two apart whatever the pace: lingers do
# begin, and a kick is mostly followed by a linger (the ACK going back no
# longer cuts it): at least half of the kicks. Runs on this build machine
# gave 97-99 %; a CI run gave 88 % with the adaptive linger (697 lingers,
# 791 kicks) and 99 % with the fixed one in the same host VM. A kick whose
# pass takes no frame, or that lands while a linger is in progress, begins
# none; short adaptive lingers on a slow machine make both likelier (a
# hypothesis: which one it was is not in that run's counters). Without the
# pure-ACK rule it was next to none.
# g2h_stream HOW: that stream, 2 s at linger_us 1000, the linger HOW
g2h_stream() {
	local l0 k0 r0 t0 l1 k1 r1 t1 rate
	wait_for 10 "no iperf3 server left on port 5201" sh -c "! ss -ltn | grep -q '$HOST_IP:5201'"
	host_iperf3_server $HOST_IP
	l0=$(hs lingers) k0=$(hs guest_kicks) r0=$(hs rx_packets) t0=$(hs tx_packets)
	rate=$(guest_iperf3 g1 $HOST_IP 2 "")
	l1=$(hs lingers) k1=$(hs guest_kicks) r1=$(hs rx_packets) t1=$(hs tx_packets)
	kill "$(cat /run/iperf3.pid)" 2>/dev/null
	expect_rate "linger_us 1000, $1: TCP guest -> host" "$rate"
	log "linger_us 1000, $1, TCP guest -> host: $((r1 - r0)) frames from the guest, $((t1 - t0)) to it (ACKs), $((k1 - k0)) kicks, $((l1 - l0)) lingers begun"
	expect_range "TCP stream from the guest, $1 linger: lingers across its ACKs" $((l1 - l0)) $(((r1 - r0) / 50 + 1)) $((r1 - r0))
	expect_range "TCP stream from the guest, $1 linger: a linger begun for half of the kicks or more" $((l1 - l0)) $(((k1 - k0) / 2)) $((r1 - r0))
}
g2h_stream adaptive
# every linger linger_us long (adaptive-rx off): it lingers by the same
# rule, only the length differs
check "ethtool -C adaptive-rx off" ethtool -C "$HIF" adaptive-rx off
g2h_stream fixed
check "ethtool -C adaptive-rx on" ethtool -C "$HIF" adaptive-rx on
check "linger_us 0" sh -c "echo 0 > $S/linger_us"

# ---- notifications ----------------------------------------------------------
# (no ARP, no IPv6 on the link since the TCP echo: only what the test sends)
sleep 1
k0=$(hs guest_kicks); q0=$(hs irqs_sent); p0=$(hs polls); gk0=$(gs tx_kicks); gi0=$(gs interrupts)
check "one ping from the guest" gx g1 ping -c 1 -W 2 $HOST_IP
sleep 1
k1=$(hs guest_kicks); q1=$(hs irqs_sent); p1=$(hs polls); gk1=$(gs tx_kicks); gi1=$(gs interrupts)
log "one ping: host kicks $k0 -> $k1, irqs $q0 -> $q1, NAPI passes $p0 -> $p1; guest kicks $gk0 -> $gk1, interrupts $gi0 -> $gi1"
expect_eq "1 ping = 1 guest kick (host count)" $((k1 - k0)) 1
# the doorbell runs both queues' kick (one vector): one pass, not two
expect_eq "1 ping = 1 host NAPI pass" $((p1 - p0)) 1
expect_eq "1 ping = 1 guest interrupt (host count)" $((q1 - q0)) 1
expect_eq "1 ping = 1 kick (guest count)" $((gk1 - gk0)) 1
expect_eq "1 ping = 1 interrupt (guest count)" $((gi1 - gi0)) 1

# 100 frames in one go from the guest: pktgen posts them with xmit_more
# and venet kicks once at the end (tx_kick_frames above 100); the host
# drops them (not its MAC) so nothing comes back.
check "guest tx_kick_frames 128" gset tx_kick_frames 128
check "guest pktgen" gx g1 "modprobe pktgen && echo rem_device_all > /proc/net/pktgen/kpktgend_0 && echo 'add_device $GIF' > /proc/net/pktgen/kpktgend_0"
PG=/proc/net/pktgen/$GIF
check "pktgen setup" gx g1 "for c in 'count 100' 'burst 100' 'pkt_size 60' 'delay 0' 'dst $HOST_IP' 'dst_mac $OTHER_MAC' 'udp_dst_min 9' 'udp_dst_max 9'; do echo \$c > $PG || exit 1; done"
burst() {
	local k0 c0 r0 gi0 p0 q0 s0 k1 c1 r1 gi1 p1 q1 s1
	sleep 0.5
	k0=$(hs guest_kicks); c0=$(hs tx_completions); r0=$(hs rx_packets)
	p0=$(hs polls); q0=$(hs irqs_sent); s0=$(hs irqs_suppressed); gi0=$(gs interrupts)
	check "burst of 100 (txmitigation $1)" gx g1 "echo start > /proc/net/pktgen/pgctrl"
	sleep 1
	k1=$(hs guest_kicks); c1=$(hs tx_completions); r1=$(hs rx_packets)
	p1=$(hs polls); q1=$(hs irqs_sent); s1=$(hs irqs_suppressed); gi1=$(gs interrupts)
	log "burst, txmitigation $1: host kicks $((k1 - k0)), NAPI passes $((p1 - p0)), tx-completions $((c1 - c0)), frames $((r1 - r0)), irqs sent $((q1 - q0)), suppressed $((s1 - s0)); guest interrupts $((gi1 - gi0))"
	expect_eq "burst: 100 frames reached the host" $((r1 - r0)) 100
	expect_eq "burst: 1 kick" $((k1 - k0)) 1
	expect_eq "burst: $2 tx-completions" $((c1 - c0)) "$2"
	# Nothing goes to the guest: every interrupt is a tx-complete signal's.
	# Each signal raises an interrupt or, the guest polling or one pending,
	# is suppressed; each interrupt raised is one the guest takes (the host
	# raises none while one is pending).
	expect_eq "burst: tx-completions = interrupts raised + suppressed" \
		$((q1 - q0 + s1 - s0)) $((c1 - c0))
	expect_eq "burst: guest interrupts = interrupts raised" $((gi1 - gi0)) $((q1 - q0))
	# burstthresh 64: 64 frames, then 36 (no linger: linger_us 0), and one
	# interrupt per pass at most (the guest does not run during a pass on
	# the host VM's one vCPU, so it has not taken the first)
	expect_eq "burst: 2 NAPI passes (burstthresh 64)" $((p1 - p0)) 2
	if [ "${3:-}" = none ]; then
		expect_eq "burst: no interrupt (the guest did not ask)" $((q1 - q0)) 0
	else
		expect_range "burst: at most one interrupt per pass" $((q1 - q0)) 1 $((p1 - p0))
	fi
}
# The guest's default tx_irq_thresh is its ring size: it asks for the
# completion signal only when its queue stops (it reclaims slots in each
# transmit and frees every skb at once), so a burst costs no interrupt.
expect_eq "guest tx_irq_thresh default: the TX ring's size" "$(gx g1 cat /sys/class/net/$GIF/venet/tx_irq_thresh)" "$(gx g1 ethtool -g $GIF | sed -n "/^Current/,\$ s/^TX:[[:space:]]*//p")"
burst 10 10 none
check "guest tx_irq_thresh 0: completion signal whenever a slot is in flight" gset tx_irq_thresh 0
burst 10 10
check "txmitigation 25" sh -c "echo 25 > $S/txmitigation"
burst 25 4
check "txmitigation 0" sh -c "echo 0 > $S/txmitigation"
burst 0 100
check "txmitigation 10" sh -c "echo 10 > $S/txmitigation"

# NAPI back in softirq and threaded again, with traffic on the link
check "threaded 0" sh -c "echo 0 > /sys/class/net/$HIF/threaded"
check "20 pings, NAPI in softirq" gx g1 ping -c 20 -i 0.05 -W 2 $HOST_IP
check "threaded 1" sh -c "echo 1 > /sys/class/net/$HIF/threaded"
check "20 pings, NAPI threaded" gx g1 ping -c 20 -i 0.05 -W 2 $HOST_IP

# ---- counters --------------------------------------------------------------
es=$(ethtool -S "$HIF")
printf '%s\n' "$es" > "$VBUS_TEST_OUT/host-ethtool-S.txt"
log "host: $(printf '%s' "$es" | tr -s ' ' | tr '\n' ' ')"
for c in rx_drop_bad_desc rx_drop_bad_hdr tx_drop_bad_desc tx_drop_hdr resets; do
	expect_eq "no $c" "$(hs $c)" 0
done
expect_eq "ethtool -S rx_packets = sysfs" \
	"$(printf '%s\n' "$es" | sed -n 's/^ *rx_packets: //p')" "$(hs rx_packets)"
ip -s -s link show "$HIF" > "$VBUS_TEST_OUT/host-ip-s-link.txt"
expect_eq "ip -s link RX packets" \
	"$(ip -j -s link show "$HIF" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["stats64"]["rx"]["packets"])')" \
	"$(hs rx_packets)"

guest_stop g1
wait_for 15 "instance detached" grep -qx 0 /sys/vbus/instances/bus0/attached
wait_for 5 "host carrier off" grep -qx 0 /sys/class/net/$HIF/carrier
expect_eq "client_mac writable again" "$(wr $S/client_mac $GMAC)" OK

# ---- teardown ----------------------------------------------------------------
kill "$VBUSD_PID" 2>/dev/null
wait "$VBUSD_PID" 2>/dev/null
check "enabled=0" sh -c "echo 0 > $S/enabled"
check_fails "netdev gone" test -e "/sys/class/net/$HIF"
check "vbusctl detach" "$VBUSCTL" detach eth0
check "vbusctl delete-device" "$VBUSCTL" delete-device eth0
check "vbusctl delete-instance" "$VBUSCTL" delete-instance bus0
check "rmmod venet-tap" rmmod venet_tap
check "rmmod vbus" rmmod vbus
