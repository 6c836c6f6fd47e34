# SPDX-License-Identifier: GPL-2.0
# timeout: 600
# series: 6.12
# XDP in venet (issue 18 item 4), in a guest on the real host modules,
# with Debian's xdp-tools (xdp-bench drop and tx, native mode) and
# tests/vm/xdp_attach.py (programs of a few instructions, no clang):
# a program refused at an MTU whose frames do not fit one XDP buffer, with
# the extack message, taken at MTU 3502, MTU 3503 then refused; XDP_DROP:
# pings to the guest all lost and counted as rx_xdp_drops, none reach its
# stack, traffic back after detach; XDP_PASS:
# pings and 4 MiB of TCP echoed through the guest sha256-equal (the host
# is told to stop GSO/partial checksums); XDP_TX: the host's frames come
# back to it (its rx counter, the guest's rx_xdp_tx and tx_xdp_tx), none
# reach the guest's stack; XDP_REDIRECT and ndo_xdp_xmit: venet -> veth
# into a namespace that holds the guest's address, and its replies veth ->
# venet (bpf_redirect() programs of tests/vm/xdp_attach.py), so pings
# round-trip through two redirects (rx_xdp_redirects, tx_xdp_tx, the
# namespace's IcmpInEchos); on 6.3 and later the netdev
# netlink family's xdp-features; 25 cycles of attach, swap, swap, detach
# under a ping flood (tests/vm/xdp_attach.py): every ping lost is an XDP
# drop, the interface stays, traffic passes after. Counts, never speeds.
. "$VBUS_REPO/tests/vm/netlib.sh"
venet_paths
S=/sys/vbus/devices/eth0
GMAC=02:00:c6:12:01:0a
HOST_IP=198.18.1.1
GUEST_IP=198.18.1.2
NL=$VBUS_REPO/tests/vm/netdev_nl.py
XA=$VBUS_REPO/tests/vm/xdp_attach.py
hs() { cat "$S/$1"; }
# gsnap: the guest's venet counters and its IcmpInEchos, in one agent
# call (each costs most of a second); gs NAME, gechos: read from it
gsnap() { GS=$(gx g1 "ethtool -S $GIF; nstat -az IcmpInEchos"); }
gs() { printf '%s\n' "$GS" | sed -n "s/^ *$1: //p"; }
hrx() { cat "/sys/class/net/$HIF/statistics/rx_packets"; }
attached() { gx g1 "ip -d link show dev $1 | grep -q 'prog/xdp'"; }
# xb_start TAG ARGS...: xdp-bench ARGS in the guest, in the background
xb_start() {
	local tag=$1
	shift
	gx_bg g1 "echo \$\$ > /tmp/xb-$tag.pid; exec xdp-bench $* > /tmp/xb-$tag.log 2>&1" > /dev/null
}
# xb_stop TAG: SIGINT (xdp-bench detaches its program), wait for its end
xb_stop() {
	gx g1 "p=\$(cat /tmp/xb-$1.pid); kill -INT \$p; for i in \$(seq 100); do kill -0 \$p 2>/dev/null || exit 0; sleep 0.1; done; exit 1"
}
lost_all() { ping -c "$1" -i 0.05 -W 1 -q "$GUEST_IP" 2>&1 | grep -q ' 100% packet loss'; }
gechos() { printf '%s\n' "$GS" | awk '/^IcmpInEchos/ { print $2 }'; }

at_exit "pkill -x vbusd; sleep 1; echo 0 > $S/enabled; $VBUSCTL detach eth0; $VBUSCTL delete-device eth0; $VBUSCTL delete-instance bus0; rmmod venet_tap; rmmod vbus"
check "xdp-bench is installed (tests/deps.sh)" test -x /usr/sbin/xdp-bench
check "vbus.ko loads" insmod "$VBUS"
check "venet-tap.ko loads" insmod "$TAP"
check "vbusctl create-instance" "$VBUSCTL" create-instance bus0
check "vbusctl create-device" "$VBUSCTL" create-device eth0 --type venet-tap
check "vbusctl attach" "$VBUSCTL" attach eth0 bus0
check "client_mac" sh -c "echo $GMAC > $S/client_mac"
check "enabled=1" sh -c "echo 1 > $S/enabled"
HIF=$(hs ifname)
HMAC=$(hs host_mac)
sysctl -qw "net.ipv6.conf.$HIF.disable_ipv6=1"
check "host address" ip addr add $HOST_IP/24 dev "$HIF"
check "host link up" ip link set "$HIF" up

"$VBUSD" bus0 > "$VBUS_TEST_OUT/vbusd.log" 2>&1 &
wait_for 10 "vbusd listens" test -S /run/vbus/bus0.sock
# shellcheck disable=SC2046
guest_start g1 $("$VBUSCTL" qemu-args bus0)
guest_mods g1
wait_for 15 "guest interface" guest_has_mac g1 $GMAC
GIF=$(guest_ifname_by_mac g1 $GMAC)
check "guest address" gx g1 "sysctl -qw net.ipv6.conf.$GIF.disable_ipv6=1; ip addr add $GUEST_IP/24 dev $GIF && ip link set $GIF up"
wait_for 15 "host carrier" grep -qx 1 "/sys/class/net/$HIF/carrier"
# no ARP on the link: a program that drops or bounces every frame would
# take ARP with it, and the counts would not be the test's frames only
ip neigh replace $GUEST_IP lladdr $GMAC dev "$HIF" nud permanent
check "guest: permanent neighbour entry" gx g1 "ip neigh replace $HOST_IP lladdr $HMAC dev $GIF nud permanent"
check "guest: tracefs and bpffs (xdp-bench's statistics)" gx g1 \
	"mount -t tracefs tracefs /sys/kernel/tracing && mount -t bpf bpf /sys/fs/bpf"
check "20 pings, no loss (no program)" pings 20 $GUEST_IP
gsnap
if [ -n "$(gs rx_xdp_packets)" ]; then vbus_ok "ethtool -S has rx_xdp_packets"; else vbus_fail "ethtool -S has no rx_xdp_packets"; fi

# ---- a frame must fit one XDP buffer: MTU refusals ------------------------
check "host MTU 9000" ip link set "$HIF" mtu 9000
check "guest MTU 9000" gx g1 ip link set "$GIF" mtu 9000
expect_eq "XDP refused at MTU 9000, with the reason" \
	"$(gx g1 python3 "$XA" attach "$GIF" pass)" \
	"error: ENOTSUP: venet: MTU too large for XDP: a frame must fit one buffer"
check_fails "no program left attached" attached "$GIF"
check "guest MTU 3502 (the most XDP takes)" gx g1 ip link set "$GIF" mtu 3502
check "a program attaches at MTU 3502" gx g1 python3 "$XA" attach "$GIF" pass
check_fails "MTU 3503 refused while it runs" gx g1 ip link set "$GIF" mtu 3503
check "detach" gx g1 ip link set dev "$GIF" xdp off
check_fails "detached" attached "$GIF"
check "guest MTU 1500" gx g1 ip link set "$GIF" mtu 1500
check "host MTU 1500" ip link set "$HIF" mtu 1500

# ---- XDP_DROP ----------------------------------------------------------------
gsnap
p0=$(gs rx_xdp_packets) d0=$(gs rx_xdp_drops) r0=$(gs rx_packets) e0=$(gechos)
xb_start drop drop "$GIF"
wait_for 60 "xdp-bench drop attached" attached "$GIF"
check "XDP_DROP: 20 pings, all lost" lost_all 20
gsnap
p1=$(gs rx_xdp_packets) d1=$(gs rx_xdp_drops) r1=$(gs rx_packets)
expect_range "XDP_DROP: rx_xdp_drops counts them" $((d1 - d0)) 20 25
expect_range "XDP_DROP: rx_xdp_packets counts them" $((p1 - p0)) 20 25
expect_range "XDP_DROP: rx_packets counts what the ring gave" $((r1 - r0)) 20 25
expect_eq "XDP_DROP: none reached the guest's stack" $(($(gechos) - e0)) 0
check "xdp-bench drop stops" xb_stop drop
log "xdp-bench drop said: $(gx g1 cat /tmp/xb-drop.log | tail -n 4 | tr '\n' ' ')"
check_fails "XDP_DROP: detached" attached "$GIF"
check "after detach: 20 pings, no loss" pings 20 $GUEST_IP
gsnap
expect_eq "after detach: no program runs" "$(gs rx_xdp_packets)" "$p1"

# ---- XDP_PASS ------------------------------------------------------------------
p0=$(gs rx_xdp_packets) u0=$(gs rx_drop_xdp_unfit)
check "XDP_PASS program attached" gx g1 python3 "$XA" attach "$GIF" pass
check "XDP_PASS: 100 pings, no loss" pings 100 $GUEST_IP
gsnap
expect_range "XDP_PASS: the program saw them" $(($(gs rx_xdp_packets) - p0)) 100 110
expect_tcp_echo "XDP_PASS: TCP, 4 MiB to the guest and back, sha256-equal" \
	"$(guest_tcp_echo g1 $GUEST_IP 4194304)" 4194304
gsnap
u1=$(gs rx_drop_xdp_unfit)
log "XDP_PASS: rx_drop_xdp_unfit $((u1 - u0)) (GSO frames in flight when the program came), rx_xdp_packets $(($(gs rx_xdp_packets) - p0))"
expect_range "XDP_PASS: the host stopped sending GSO frames (at most a few unfit)" $((u1 - u0)) 0 20
check "XDP_PASS: detach" gx g1 ip link set dev "$GIF" xdp off
check_fails "XDP_PASS: detached" attached "$GIF"

# ---- XDP_TX --------------------------------------------------------------------
gsnap
t0=$(gs rx_xdp_tx) x0=$(gs tx_xdp_tx) e0=$(gechos)
xb_start tx tx -p swap-macs "$GIF"
wait_for 60 "xdp-bench tx attached" attached "$GIF"
h1=$(hrx)
check "XDP_TX: 20 pings get no reply (the request comes back)" lost_all 20
h2=$(hrx)
gsnap
t1=$(gs rx_xdp_tx) x1=$(gs tx_xdp_tx)
expect_range "XDP_TX: rx_xdp_tx" $((t1 - t0)) 20 25
expect_range "XDP_TX: tx_xdp_tx" $((x1 - x0)) 20 25
expect_range "XDP_TX: the host received its 20 frames back" $((h2 - h1)) 20 25
expect_eq "XDP_TX: no frame dropped at TX" "$(gs tx_xdp_tx_drops)" 0
expect_eq "XDP_TX: none reached the guest's stack" $(($(gechos) - e0)) 0
check "xdp-bench tx stops" xb_stop tx
check "after XDP_TX: 20 pings, no loss" pings 20 $GUEST_IP

# ---- XDP_REDIRECT and ndo_xdp_xmit ---------------------------------------------
# veth0 (here) - veth1 (namespace ns, the guest's MAC and address): the
# host's frames are redirected venet -> veth0 -> veth1, the namespace's
# replies veth1 -> veth0 -> venet (venet's ndo_xdp_xmit), both by
# bpf_redirect() programs of xdp_attach.py (xdp-bench's redirect swaps
# the MAC addresses, and two xdp-bench cannot run at once: a lock file).
# veth delivers redirected frames only with NAPI on at the receiving end:
# an XDP_PASS program on veth1 (what the kernel's veth tests do).
check "guest: veth pair into namespace ns" gx g1 "ip netns add ns &&
	ip link add veth0 type veth peer name veth1 && ip link set veth1 netns ns &&
	ip -n ns link set veth1 address $GMAC && ip -n ns addr add $GUEST_IP/24 dev veth1 &&
	ip -n ns link set lo up && ip -n ns link set veth1 up && ip link set veth0 up &&
	ip -n ns neigh replace $HOST_IP lladdr $HMAC dev veth1 nud permanent &&
	ip netns exec ns sysctl -qw net.ipv6.conf.veth1.disable_ipv6=1 net.ipv6.conf.all.disable_ipv6=1 &&
	sysctl -qw net.ipv6.conf.veth0.disable_ipv6=1"
check "guest: XDP_PASS program on veth1" gx g1 ip netns exec ns python3 "$XA" attach veth1 pass
# the guest's own stack does not answer meanwhile: only the namespace can
check "guest: $GUEST_IP off venet" gx g1 ip addr del $GUEST_IP/24 dev "$GIF"
gsnap
rd0=$(gs rx_xdp_redirects) x0=$(gs tx_xdp_tx)
e0=$(gx g1 "ip netns exec ns nstat -az IcmpInEchos" | awk '/IcmpInEchos/ { print $2 }')
check "guest: redirect programs on veth0 (to venet) and venet (to veth0)" gx g1 \
	python3 "$XA" attach veth0 redirect "$GIF" + attach "$GIF" redirect veth0
check "XDP_REDIRECT both ways: 50 pings, no loss" pings 50 $GUEST_IP
gsnap
rd1=$(gs rx_xdp_redirects) x1=$(gs tx_xdp_tx)
e1=$(gx g1 "ip netns exec ns nstat -az IcmpInEchos" | awk '/IcmpInEchos/ { print $2 }')
expect_range "XDP_REDIRECT: rx_xdp_redirects" $((rd1 - rd0)) 50 60
expect_range "ndo_xdp_xmit: tx_xdp_tx (the replies)" $((x1 - x0)) 50 60
expect_range "the namespace answered them" $((${e1:-0} - ${e0:-0})) 50 60
log "redirect: veth0 $(gx g1 "ethtool -S veth0" | grep -v ': 0$' | tr -s ' ' | tr '\n' ' ')"
log "redirect: veth1 $(gx g1 "ip netns exec ns ethtool -S veth1" | grep -v ': 0$' | tr -s ' ' | tr '\n' ' ')"
check "detach from venet" gx g1 ip link set dev "$GIF" xdp off
check "guest: namespace and veth removed, $GUEST_IP on venet again" gx g1 \
	"ip netns del ns; ip link del veth0 2>/dev/null; ip addr add $GUEST_IP/24 dev $GIF"
check "after XDP_REDIRECT: 20 pings, no loss" pings 20 $GUEST_IP

# ---- xdp-features (6.3 and later) ------------------------------------------------
if [ "$(printf '%s\n' 6.3 "$VBUS_KVER" | sort -V | head -n 1)" = 6.3 ]; then
	expect_eq "netdev netlink: xdp-features basic, redirect, ndo-xmit" \
		"$(gx g1 python3 "$NL" dev "$GIF")" '{"xdp-features": 7}'
fi

# ---- attach, swap and detach under a flood ---------------------------------------
# 25 cycles of: attach XDP_PASS, swap in XDP_DROP, swap in XDP_PASS,
# detach (xdp_attach.py: one netlink request each) while the host floods
# pings; every ping lost must be a frame the drop program dropped
gsnap
p0=$(gs rx_xdp_packets) d0=$(gs rx_xdp_drops)
ping -f -w 120 -q $GUEST_IP > "$VBUS_TEST_OUT/flood.log" 2>&1 &
FLOOD=$!
sleep 1
expect_eq "flood: 25 attach/swap/swap/detach cycles" \
	"$(GX_TIMEOUT=120 gx g1 python3 "$XA" cycle "$GIF" 25)" cycles=25
sleep 1
kill -INT $FLOOD 2>/dev/null
wait $FLOOD
gsnap
d1=$(gs rx_xdp_drops)
flood=$(grep 'packets transmitted' "$VBUS_TEST_OUT/flood.log")
log "flood: $flood; rx_xdp_packets $(($(gs rx_xdp_packets) - p0)), rx_xdp_drops $((d1 - d0))"
sent=$(printf '%s' "$flood" | sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p')
got=$(printf '%s' "$flood" | sed -n 's/.* \([0-9]*\) received.*/\1/p')
expect_range "flood: the programs ran" $(($(gs rx_xdp_packets) - p0)) 1 100000000
# the last request may still be unanswered when the flood is stopped
expect_range "flood: every ping lost was dropped by XDP_DROP" \
	$((${sent:-0} - ${got:-0})) $((d1 - d0)) $((d1 - d0 + 1))
check_fails "flood: no program left" attached "$GIF"
expect_eq "flood: the interface is still there" "$(guest_ifname_by_mac g1 $GMAC)" "$GIF"
check "after the flood: 100 pings, no loss" pings 100 $GUEST_IP
log "guest venet counters: $(gx g1 "ethtool -S $GIF" | grep -E 'xdp|drop' | tr -s ' ' | tr '\n' ' ')"
guest_stop g1
