# SPDX-License-Identifier: GPL-2.0
# timeout: 600
# IPv6 through venet, with neighbour discovery as the stack does it (no
# static entries): link-local and global addresses (2001:db8:1::/64, the
# documentation prefix) after DAD, ping6 both ways and the neighbour
# entries ND made, ping6 with DF at MTU 1280, 1500 and 9000, TSO6 on at
# both ends and used (frames larger than the MTU crossed the link both
# ways), 16 MiB echoed through the guest over TCP/IPv6 (both ways at once)
# sha256-equal, sequenced UDP/IPv6 both ways with nothing lost (pfifo
# qdiscs at both ends, as in venet), and the netdev netlink family on both
# ends (tests/vm/netdev_nl.py): queue-get lists rx 0 and tx 0 naming one
# NAPI, napi-get shows it (the guest's with the irq /proc/interrupts gives
# venet's vector, the host's with no irq and its thread's pid), qstats per
# queue and per device equal statistics/ read at the same quiet moment and
# grow by 100 pings, lo's queues name no NAPI (the check can fail), and
# after the host's link goes down (queues unlinked: none listed, device
# qstats still there) and up the queues name the NAPI again. Kernels before
# 6.9 lack those netlink objects (6.1 has no netdev family at all, 6.3):
# there the client must find no netdev family, and the rest runs as on
# 6.12.
. "$VBUS_REPO/tests/vm/netlib.sh"
venet_paths
S=/sys/vbus/devices/eth0
GMAC=02:00:c6:12:01:06
H6=2001:db8:1::1
G6=2001:db8:1::2
hs() { cat "$S/$1"; }

at_exit "pkill -x vbusd; sleep 1; echo 0 > $S/enabled; $VBUSCTL detach eth0; $VBUSCTL delete-device eth0; $VBUSCTL delete-instance bus0; rmmod venet_tap; rmmod vbus"
check "vbus.ko loads" insmod "$VBUS"
check "venet-tap.ko loads" insmod "$TAP"
check "vbusctl create-instance" "$VBUSCTL" create-instance bus0
check "vbusctl create-device" "$VBUSCTL" create-device eth0 --type venet-tap
check "vbusctl attach" "$VBUSCTL" attach eth0 bus0
check "client_mac" sh -c "echo $GMAC > $S/client_mac"
check "enabled=1" sh -c "echo 1 > $S/enabled"
HIF=$(hs ifname)
sysctl -qw "net.ipv6.conf.$HIF.disable_ipv6=0" "net.ipv6.conf.$HIF.accept_ra=0"
check "host: $H6/64 on $HIF" ip -6 addr add $H6/64 dev "$HIF"
check "host link up" ip link set "$HIF" up

"$VBUSD" bus0 > "$VBUS_TEST_OUT/vbusd.log" 2>&1 &
wait_for 10 "vbusd listens" test -S /run/vbus/bus0.sock
# shellcheck disable=SC2046
guest_start g1 $("$VBUSCTL" qemu-args bus0)
guest_mods g1
wait_for 15 "guest interface" guest_has_mac g1 $GMAC
GIF=$(guest_ifname_by_mac g1 $GMAC)
check "guest: $G6/64 on $GIF" gx g1 "sysctl -qw net.ipv6.conf.$GIF.disable_ipv6=0 net.ipv6.conf.$GIF.accept_ra=0 &&
	ip -6 addr add $G6/64 dev $GIF && ip link set $GIF up"
wait_for 15 "host carrier" grep -qx 1 "/sys/class/net/$HIF/carrier"
# DAD: a tentative address is not used; both ends' link-local and global
# addresses must come out of it (duplicate detection sends and hears NS)
wait_for 20 "host: DAD done" sh -c "ip -6 addr show dev $HIF | grep -q 'scope link' && ! ip -6 addr show dev $HIF | grep -q tentative"
wait_for 20 "guest: DAD done" gx g1 "ip -6 addr show dev $GIF | grep -q 'scope link' && ! ip -6 addr show dev $GIF | grep -q tentative"
expect_eq "no address failed DAD (host)" "$(ip -6 addr show dev "$HIF" | grep -c dadfailed)" 0
HLL=$(ip -6 -o addr show dev "$HIF" scope link | awk '{ sub(/\/.*/, "", $4); print $4 }')
GLL=$(gx g1 "ip -6 -o addr show dev $GIF scope link" | awk '{ sub(/\/.*/, "", $4); print $4 }')
expect_match "host link-local" "$HLL" '^fe80:'
expect_match "guest link-local" "$GLL" '^fe80:'

# ---- neighbour discovery, ping6 ----------------------------------------
check "ping6 the guest's link-local address" ping -6 -c 10 -i 0.05 -W 2 "$GLL%$HIF"
check "ping6 the host's link-local address from the guest" gx g1 ping -6 -c 10 -i 0.05 -W 2 "$HLL%$GIF"
check "100 ping6 to $G6, no loss" sh -c "ping -6 -c 100 -i 0.01 -W 2 -q $G6 | grep -q ' 0% packet loss'"
check "100 ping6 from the guest to $H6, no loss" gx g1 "ping -6 -c 100 -i 0.02 -W 2 -q $H6 | grep -q ' 0% packet loss'"
expect_match "host: ND learned the guest's MAC" "$(ip -6 neigh show $G6 dev "$HIF")" "lladdr $GMAC"
expect_match "guest: ND learned the host's MAC" "$(gx g1 ip -6 neigh show $H6 dev "$GIF")" "lladdr $(hs host_mac)"

# ---- MTU 1280 (IPv6's minimum), 1500, 9000; DF (IPv6 never fragments on the way)
for m in 1280 9000 1500; do
	check "host MTU $m" ip link set "$HIF" mtu $m
	check "guest MTU $m" gx g1 ip link set "$GIF" mtu $m
	check "ping6 $((m - 48)) bytes (MTU $m, DF)" ping -6 -c 5 -i 0.1 -W 2 -M do -s $((m - 48)) $G6
	check "ping6 $((m - 48)) bytes from the guest (MTU $m, DF)" gx g1 ping -6 -c 5 -i 0.1 -W 2 -M do -s $((m - 48)) $H6
	check_fails "ping6 $((m - 47)) bytes with DF does not fit MTU $m" ping -6 -c 1 -W 2 -M do -s $((m - 47)) $G6
done

# ---- TSO6 and TCP over IPv6 ---------------------------------------------------
expect_match "host: TSO6 on" "$(ethtool -k "$HIF")" 'tx-tcp6-segmentation: on'
expect_match "guest: TSO6 on" "$(gx g1 ethtool -k "$GIF")" 'tx-tcp6-segmentation: on'
# From here on no ND and no router traffic on the link (only what the test
# sends), and pfifo at both ends: "nothing lost" means nothing lost.
ip -6 neigh replace $G6 lladdr $GMAC dev "$HIF" nud permanent
check "guest: permanent neighbour entry" gx g1 "ip -6 neigh replace $H6 lladdr $(hs host_mac) dev $GIF nud permanent"
queues_pfifo g1 $GMAC "$HIF"
r0=$(hs rx_packets) rb0=$(hs rx_bytes) t0=$(hs tx_packets) tb0=$(hs tx_bytes)
expect_tcp_echo "TCP/IPv6: 16 MiB to the guest and back, sha256-equal" \
	"$(guest_tcp_echo g1 $G6 16777216)" 16777216
r1=$(hs rx_packets) rb1=$(hs rx_bytes) t1=$(hs tx_packets) tb1=$(hs tx_bytes)
log "TCP/IPv6 echo: from the guest $((r1 - r0)) frames, $((rb1 - rb0)) bytes; to it $((t1 - t0)) frames, $((tb1 - tb0)) bytes"
# 16 MiB each way in 1500-byte frames would be 11000+ frames: far fewer
# crossed, so TSO6 built frames larger than the MTU both ways
expect_range "TSO6 guest -> host: bytes per frame above the MTU" $(((rb1 - rb0) / (r1 - r0 + 1))) 1501 70000
expect_range "TSO6 host -> guest: bytes per frame above the MTU" $(((tb1 - tb0) / (t1 - t0 + 1))) 1501 70000

# ---- UDP over IPv6 ---------------------------------------------------------------
expect_udp_nothing_lost "UDP/IPv6 20 Mb/s guest -> host, nothing lost" "$(guest_udp_run g1 $H6 20M "")"
expect_udp_nothing_lost "UDP/IPv6 20 Mb/s host -> guest, nothing lost" "$(guest_udp_run g1 $H6 20M -R)"

# ---- netdev netlink: queues, NAPI, per-queue statistics -------------------
# tests/vm/netdev_nl.py (a raw generic-netlink client) on both ends: rx 0
# and tx 0 name their NAPI (6.8), the NAPI its irq (the guest's vector;
# none on the host, whose NAPI runs as a thread), and qstats (6.9) equal
# the netdev's own counters read at the same quiet moment. Python starts
# slowly in the emulated host VM, so the documents (kept in the test's
# output folder) are judged by one python per phase, nl_judge.py below.
NL=$VBUS_REPO/tests/vm/netdev_nl.py
O=$VBUS_TEST_OUT
cat > "$O/nl_judge.py" <<'PY'
"""Judge netdev_nl.py documents: print DESC|GOT|WANT lines."""
import json
import sys


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def out(desc, got, want):
    print(f"{desc}|{got}|{want}")


def napi_ids(d):
    return sorted({q.get("napi-id") for q in d["queues"]}, key=str)


def structure(side, d, irq):
    """6 checks on the host, 5 in the guest."""
    ids = napi_ids(d)
    out(f"{side}: queue-get lists rx 0 and tx 0",
        sorted((q["type"], q["id"]) for q in d["queues"]), [("rx", 0), ("tx", 0)])
    out(f"{side}: both queues name one NAPI",
        len(ids) == 1 and isinstance(ids[0], int), True)
    out(f"{side}: napi-get (dump of the ifindex) shows that NAPI",
        [n["id"] for n in d["napi"]], ids)
    out(f"{side}: napi-get by id shows it, of the ifindex",
        [(n["id"], n["ifindex"]) for n in d["napi-by-id"]],
        [(i, d["ifindex"]) for i in ids])
    napi = d["napi-by-id"][0] if d["napi-by-id"] else {}
    if side == "host":
        out("host: the NAPI has no irq", napi.get("irq"), None)
        try:
            with open(f"/proc/{napi.get('pid')}/comm", encoding="ascii") as f:
                comm = f.read().strip()
        except OSError as e:
            comm = str(e)
        out(f"host: the NAPI's pid ({napi.get('pid')}) is its thread", comm,
            f"napi/{d['ifname']}-{ids[0]}")
    else:
        out("guest: the NAPI's irq is venet's vector", napi.get("irq"), irq)


def stats(side, d):
    """11 checks: qstats against statistics/ read at the same moment."""
    dev = d["qstats"][0] if d["qstats"] else {}
    out(f"{side}: netlink and sysfs read at a quiet moment", d["quiet"], True)
    for k in ("rx_packets", "rx_bytes", "tx_packets", "tx_bytes"):
        q = k.replace("_", "-")
        out(f"{side}: qstats {q} = statistics/{k}", dev.get(q), d["sysfs"][k])
        out(f"{side}: per-queue {q} summed = device",
            sum(e.get(q, 0) for e in d["qstats-queue"]), dev.get(q))
    out(f"{side}: qstats tx-hw-drops = statistics/tx_dropped",
        dev.get("tx-hw-drops"), d["sysfs"]["tx_dropped"])
    out(f"{side}: qstats per queue: rx 0, tx 0",
        sorted((e["queue-type"], e["queue-id"]) for e in d["qstats-queue"]),
        [("rx", 0), ("tx", 0)])


def grew(side, d0, d1, n):
    """2 checks: rx and tx packets grew by n (and at most 10 more)."""
    for k in ("rx-packets", "tx-packets"):
        diff = d1["qstats"][0][k] - d0["qstats"][0][k]
        out(f"{side}: qstats {k} grew by the {n} pings ({diff})",
            n <= diff <= n + 10, True)


phase, args = sys.argv[1], sys.argv[2:]
if phase == "before":     # HOST GUEST LO IRQ: 34 checks
    h, g, lo = load(args[0]), load(args[1]), load(args[2])
    out("control: lo's queues name no NAPI (the check can fail)",
        napi_ids(lo), [None])
    structure("host", h, None)
    structure("guest", g, args[3])
    stats("host", h)
    stats("guest", g)
elif phase == "after":    # HOST0 GUEST0 HOST1 GUEST1 N: 26 checks
    h0, g0, h1, g1 = (load(a) for a in args[:4])
    stats("host", h1)
    stats("guest", g1)
    grew("host", h0, h1, int(args[4]))
    grew("guest", g0, g1, int(args[4]))
elif phase == "downup":   # DOWN UP: 3 checks
    down, up = load(args[0]), load(args[1])
    out("host down: queue-get lists nothing", down["queues"], [])
    out("host down: device qstats still reported",
        down["qstats"][0].get("rx-packets") if down["qstats"] else None,
        down["sysfs"]["rx_packets"])
    ids = napi_ids(up)
    out("host up again: both queues name the NAPI",
        len(ids) == 1 and isinstance(ids[0], int), True)
PY
# nl_judge N PHASE ARGS...: expect_eq on each line; N lines, or a failure
nl_judge() {
	local want=$1 n=0 desc got exp
	shift
	while IFS='|' read -r desc got exp; do
		expect_eq "$desc" "$got" "$exp"
		n=$((n + 1))
	done < <(python3 "$O/nl_judge.py" "$@")
	expect_eq "netdev netlink ($1): all $want checks made" $n "$want"
}
# the netdev family's queue and NAPI objects came in 6.8, qstats in 6.9
if [ "$(printf '%s\n' 6.9 "$VBUS_KVER" | sort -V | head -n 1)" = 6.9 ]; then
	NL_QSTATS=1
else
	NL_QSTATS=0
	expect_match "netdev netlink: $VBUS_KVER has no netdev family (6.3), so none of it is checked here" \
		"$(python3 "$NL" queues lo 2>&1)" '^netdev_nl: family netdev: No such file or directory'
fi
if [ $NL_QSTATS = 1 ]; then
	GDEV=$(gx g1 "basename \$(readlink /sys/class/net/$GIF/device)")
	GIRQ=$(gx g1 cat /proc/interrupts | awk -v n="$GDEV" '$NF == n { sub(":", "", $1); print $1 }')
	expect_match "guest: venet's vector in /proc/interrupts ($GDEV)" "$GIRQ" '^[0-9]+$'
	python3 "$NL" show "$HIF" > "$O/nl-host0.json"
	gx g1 python3 "$NL" show "$GIF" > "$O/nl-guest0.json"
	python3 "$NL" show lo > "$O/nl-lo.json"
	log "netdev netlink, host: $(cat "$O/nl-host0.json")"
	log "netdev netlink, guest: $(cat "$O/nl-guest0.json")"
	nl_judge 34 before "$O/nl-host0.json" "$O/nl-guest0.json" "$O/nl-lo.json" "$GIRQ"
	check "100 ping6 to $G6 (for the counters)" sh -c "ping -6 -c 100 -i 0.01 -W 2 -q $G6 | grep -q ' 0% packet loss'"
	python3 "$NL" show "$HIF" > "$O/nl-host1.json"
	gx g1 python3 "$NL" show "$GIF" > "$O/nl-guest1.json"
	nl_judge 26 after "$O/nl-host0.json" "$O/nl-guest0.json" "$O/nl-host1.json" "$O/nl-guest1.json" 100
fi

for c in rx_drop_bad_desc rx_drop_bad_hdr tx_drop_bad_desc tx_drop_hdr resets; do
	expect_eq "no $c" "$(hs $c)" 0
done
# The host's data path down and up: the queues are unlinked from the NAPI
# before it is disabled (RTNL; a warning would show in the kernel log),
# the device's qstats still report, and the queues name it again after.
check "host link down" ip link set "$HIF" down
[ $NL_QSTATS = 0 ] || python3 "$NL" show "$HIF" > "$O/nl-host-down.json"
check "host link up" ip link set "$HIF" up
if [ $NL_QSTATS = 1 ]; then
	python3 "$NL" show "$HIF" > "$O/nl-host-up.json"
	nl_judge 3 downup "$O/nl-host-down.json" "$O/nl-host-up.json"
fi
wait_for 15 "host carrier again" grep -qx 1 "/sys/class/net/$HIF/carrier"
guest_stop g1
