# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Network helpers shared by the VM tests. Test networks use 198.18.0.0/15
# only: the host VM side is 198.18.N.1, the guest side 198.18.N.2.

# Guest interface name of the NIC with MAC $2 in guest $1.
guest_ifname_by_mac() {
	gx "$1" "for d in /sys/class/net/*; do [ \"\$(cat \$d/address)\" = '$2' ] && basename \$d; done"
}

# Bring up $2 in guest $1 with address $3/24.
guest_ip_up() {
	gx "$1" "ip link set $2 up && ip addr add $3/24 dev $2"
}

# iperf3 client in guest $1 against server $2 for $3 s; $4 = -R for
# host->guest. Prints Gbit/s of the receiver (from iperf3's JSON), or
# nothing on failure.
guest_iperf3() {
	local out
	out=$(GX_TIMEOUT=$(($3 + 40)) gx "$1" "iperf3 -J -c $2 -t $3 $4") || return 1
	printf '%s' "$out" | python3 -c '
import json, sys
print("%.3f" % (json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"] / 1e9))'
}

# guest_udp_run GUEST ADDR RATE [-R]: sequenced UDP (sequdp) for 3 s at
# RATE (Mb/s, "20M"; 1200-byte datagrams) from GUEST to ADDR, an address of
# the host VM (-R: from the host VM to the guest's address on that link).
# Prints one line of "name=value" fields, or "failed":
#   want       datagrams asked of the sender
#   sent       datagrams the sender says it sent (sequdp send's own count;
#              a local queue's refusal, ENOBUFS with IP_RECVERR, is waited
#              out and the datagram sent again, so none is dropped unseen
#              at the sender)
#   received unique lost dup reordered sockdrops   the receiver's counts
#              (lost: numbers it never saw; it waits for late ones)
#   neigh qdisc   over the run, on both machines, the neighbour table's
#              drops (a datagram queued behind an unanswered ARP request)
#              and the root qdiscs' drops (what a pfifo refused and the
#              sender sent again; what fq_codel dropped in silence)
# Both ends get 2 MiB socket buffers: under emulation a receiver process
# can be off the CPU for tens of milliseconds. A run that must lose nothing
# needs pfifo qdiscs on both ends (queues_pfifo): fq_codel drops, in
# silence, what waited too long behind a stopped queue.
guest_udp_run() {
	local g=$1 srv=$2 dir=$4 seq=$VBUS_BUILD/sequdp/sequdp pps n ga r out sout h0 g0 h1 g1 i
	pps=$((${3%M} * 1000000 / 8 / 1200))
	n=$((pps * 3))
	sysctl -qw net.core.rmem_max=4194304 net.core.wmem_max=4194304
	gx "$g" "sysctl -qw net.core.rmem_max=4194304 net.core.wmem_max=4194304" || { echo failed; return 1; }
	h0=$(net_counters) g0=$(guest_net_counters "$g")
	if [ "$dir" = -R ]; then
		ga=$(gx "$g" "ip -o route get $srv" | sed -n 's/.* src \([0-9a-f.:]*\).*/\1/p')
		gx_bg "$g" "rm -f /tmp/udp-run.txt; $seq recv 7400 $n --bind $ga --idle 5 --timeout 90 > /tmp/udp-run.part 2>&1; mv /tmp/udp-run.part /tmp/udp-run.txt" > /dev/null
		for i in $(seq 20); do
			gx "$g" "ss -Hlun 'sport = :7400' | grep -q ." && break
			sleep 0.5
		done
		sout=$("$seq" send "$ga" 7400 "$n" --rate "$pps" --size 1200 2>&1) || { echo failed; return 1; }
		for i in $(seq 60); do
			out=$(GX_TIMEOUT=5 gx "$g" cat /tmp/udp-run.txt 2>/dev/null) && break
			sleep 1
		done
	else
		"$seq" recv 7400 "$n" --bind "$srv" --idle 5 --timeout 90 > "$VBUS_TEST_OUT/udp-run.txt" 2>&1 &
		r=$!
		for i in $(seq 50); do
			ss -Hlun 'sport = :7400' | grep -q . && break
			sleep 0.1
		done
		sout=$(GX_TIMEOUT=90 gx "$g" "$seq send $srv 7400 $n --rate $pps --size 1200" 2>&1) || {
			kill $r
			wait $r
			echo failed
			return 1
		}
		wait $r
		out=$(cat "$VBUS_TEST_OUT/udp-run.txt")
	fi
	h1=$(net_counters) g1=$(guest_net_counters "$g")
	printf 'sender: %s\nreceiver: %s\n' "$sout" "$out" >> "$VBUS_TEST_OUT/udp-runs.txt"
	printf '%s\n%s' "$sout" "$out" | python3 -c '
import sys
kv = dict(f.split("=", 1) for f in sys.stdin.read().split() if "=" in f and f.split("=", 1)[1].isdigit())
d = {}
for snap, sign in zip(sys.argv[2:], (-1, 1, -1, 1)):
    for line in snap.splitlines():
        k, v = line.split()
        d[k] = d.get(k, 0) + sign * int(v)
print("want=%s sent=%s received=%s unique=%s lost=%s dup=%s reordered=%s sockdrops=%s neigh=%d qdisc=%d" % (
    sys.argv[1], kv["sent"], kv["received"], kv["unique"], kv["lost"], kv["dup"], kv["reordered"],
    kv["sockdrops"], d["arp.unresolved_discards"], d["qdisc.dropped"]))' \
		"$n" "$h0" "$h1" "$g0" "$g1" || echo failed
}

# udp_field NAME RUN: one field of a guest_udp_run line (empty if none)
udp_field() { printf '%s\n' "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"; }

# expect_udp_nothing_lost DESC RUN: a guest_udp_run that must lose nothing:
# the sender sent every datagram asked of it, and every one of them arrived
# once and in order (lost, dup and reordered all 0). No drop anywhere
# excuses a missing datagram; the socket's, the neighbour table's and the
# qdiscs' drops are shown, to say where one went.
expect_udp_nothing_lost() {
	local want sent lost dup reord
	want=$(udp_field want "$2") sent=$(udp_field sent "$2") lost=$(udp_field lost "$2")
	dup=$(udp_field dup "$2") reord=$(udp_field reordered "$2")
	if [ -z "$want" ] || [ -z "$sent" ] || [ -z "$lost" ] || [ -z "$dup" ] || [ -z "$reord" ]; then
		vbus_fail "$1: no UDP run ($2)"
	elif [ "$sent" != "$want" ]; then
		vbus_fail "$1: the sender sent $sent of $want datagrams ($2)"
	elif [ "$lost" != 0 ] || [ "$dup" != 0 ] || [ "$reord" != 0 ]; then
		vbus_fail "$1: $lost of $sent lost, $dup duplicated, $reord reordered ($2)"
	else
		vbus_ok "$1: $sent of $sent arrived, once each and in order ($2)"
	fi
}

# expect_udp_flood DESC SENDER RECEIVER MAX_PCT: a flood, which may lose
# datagrams (not a "nothing lost" run): SENDER is sequdp send's line (a
# sender stopped by `timeout N` still prints sent=), RECEIVER sequdp recv's
# (with a COUNT above what was sent). It passes when the sender sent some,
# the receiver saw each number at most once and none that was not sent,
# and no more than MAX_PCT percent of what was sent is missing (the
# receiving socket's overflow, sockdrops, shown with it, is what a flood
# into a receiver that is off the CPU loses).
expect_udp_flood() {
	local sent unique dup sock
	sent=$(udp_field sent "$2") unique=$(udp_field unique "$3")
	dup=$(udp_field dup "$3") sock=$(udp_field sockdrops "$3")
	if [ -z "$sent" ] || [ -z "$unique" ] || [ -z "$dup" ] || [ "$sent" = 0 ]; then
		vbus_fail "$1: no flood measured (sender '$2', receiver '$3')"
	elif [ "$unique" -gt "$sent" ] || [ "$dup" != 0 ]; then
		vbus_fail "$1: $unique numbers arrived of $sent sent, $dup duplicated"
	elif [ $(((sent - unique) * 100)) -gt $((sent * $4)) ]; then
		vbus_fail "$1: $((sent - unique)) of $sent missing, more than $4% ($sock socket drops)"
	else
		vbus_ok "$1: $unique of $sent arrived, $((sent - unique)) missing (at most $4%), $sock socket drops"
	fi
}

# guest_tcp_echo GUEST ADDR BYTES: BYTES of random data from the host VM
# to ADDR (GUEST's address) over TCP, and the same bytes back: the guest
# echoes the stream (socat into cat), both directions at once, with TSO
# both ways. The host VM hashes what it sent and what came back. Prints
# "sent=N echoed=N sha256=equal|differs seconds=S", or "failed: ...".
# (socat's 8 KiB blocks: with larger ones a blocking write to cat can
# wait on cat, which waits on socat, for ever.)
guest_tcp_echo() {
	local l=TCP-LISTEN
	[[ $2 == *:* ]] && l=TCP6-LISTEN
	gx "$1" "(socat -t 60 -b 8192 $l:7003,reuseaddr EXEC:cat > /dev/null 2>&1 &)" ||
		{ echo "failed: socat in $1"; return 1; }
	for _ in $(seq 20); do
		gx "$1" "ss -Hltn 'sport = :7003' | grep -q ." && break
		sleep 0.5
	done
	timeout 300 python3 -c '
import hashlib, os, socket, sys, threading, time
addr, n = sys.argv[1], int(sys.argv[2])
data = os.urandom(n)
want = hashlib.sha256(data).hexdigest()
s = socket.create_connection((addr, 7003), timeout=120)
def send():
    s.sendall(data)
    s.shutdown(socket.SHUT_WR)
t0 = time.monotonic()
t = threading.Thread(target=send)
t.start()
h, got = hashlib.sha256(), 0
while True:
    b = s.recv(1 << 18)
    if not b:
        break
    h.update(b)
    got += len(b)
t.join()
print("sent=%d echoed=%d sha256=%s seconds=%.1f" % (n, got, "equal" if h.hexdigest() == want else "differs",
                                                    time.monotonic() - t0))' "$2" "$3" 2>&1 | tail -n 1
}

# expect_tcp_echo DESC ECHO BYTES: every byte came back, the same bytes
expect_tcp_echo() {
	if [[ $2 =~ ^sent=$3\ echoed=$3\ sha256=equal\  ]]; then
		vbus_ok "$1: $2"
	else
		vbus_fail "$1: want sent=$3 echoed=$3 sha256=equal, got '$2'"
	fi
}

# A measured rate ($2, Gb/s) must be a number above 0: data moved. How
# fast is the benchmark's business, not a test's (a TCG nest under load
# once gave QEMU's own virtio backend 0.01 Gb/s for 3 s).
expect_rate() {
	if printf '%s' "$2" | grep -Eq '^[0-9]+\.[0-9]+$' &&
		python3 -c "import sys; sys.exit(not $2 > 0)"; then
		vbus_ok "$1: $2 Gb/s"
	else
		vbus_fail "$1: no rate measured (got '$2')"
	fi
}

# Start an iperf3 server in the host VM on address $1; stopped by the test end.
host_iperf3_server() {
	iperf3 -s -D -B "$1" --logfile "$VBUS_TEST_OUT/iperf3-server.log" -I /run/iperf3.pid
	wait_for 10 "iperf3 server listening on $1" sh -c "ss -ltn | grep -q '$1:5201'"
}

# Guest $1 has an interface with MAC $2.
guest_has_mac() {
	test -n "$(guest_ifname_by_mac "$1" "$2")"
}

# The test of one virtio-net backend: $1 = on (vhost-net) or off (QEMU);
# $2, if given, is a function run (with the guest name) once the guest is up.
virtio_net_test() {
	local vhost=$1 hook=$2 mac=52:54:00:12:34:56 ifn rate nvh
	ip tuntap add dev tap0 mode tap
	ip addr add 198.18.0.1/24 dev tap0
	ip link set tap0 up
	guest_start g1 -netdev "tap,id=n0,ifname=tap0,script=no,downscript=no,vhost=$vhost" \
		-device "virtio-net-pci,netdev=n0,mac=$mac"
	[ -n "$hook" ] && "$hook" g1
	check "guest loads virtio_net" gx g1 modprobe virtio_net
	wait_for 20 "guest NIC with MAC $mac appears" guest_has_mac g1 $mac
	ifn=$(guest_ifname_by_mac g1 $mac)
	check "guest address on $ifn" guest_ip_up g1 "$ifn" 198.18.0.2
	nvh=$(ls -l "/proc/$(cat "$VBUS_VMDIR/g1/pid")/fd" | grep -c /dev/vhost-net)
	if [ "$vhost" = on ]; then
		expect_range "QEMU holds /dev/vhost-net" "$nvh" 1 16
	else
		expect_eq "QEMU does not use /dev/vhost-net" "$nvh" 0
	fi
	check "guest pings the host VM" gx g1 ping -c 20 -i 0.05 -W 2 198.18.0.1
	check "host VM pings the guest" ping -c 20 -i 0.05 -W 2 198.18.0.2
	host_iperf3_server 198.18.0.1
	rate=$(guest_iperf3 g1 198.18.0.1 3 "")
	expect_rate "iperf3 guest->host VM" "$rate"
	rate=$(guest_iperf3 g1 198.18.0.1 3 -R)
	expect_rate "iperf3 host VM->guest" "$rate"
	guest_stop g1
	kill "$(cat /run/iperf3.pid)" 2>/dev/null
}

# ---- venet devices in the host VM and their guests ---------------------------
# The tests that set them up define VBUSD, BRIDGE and VENET (need_module).

# host_dev DEV CLIENT_MAC HOST_IP: enable a venet-tap device, address and
# bring up its netdev; prints the netdev's name
host_dev() {
	local d=/sys/vbus/devices/$1 hif
	echo "$2" > "$d/client_mac" && echo 1 > "$d/enabled" || return 1
	hif=$(cat "$d/ifname")
	sysctl -qw "net.ipv6.conf.$hif.disable_ipv6=1"
	ip addr add "$3/24" dev "$hif" && ip link set "$hif" up || return 1
	echo "$hif"
}

# guest_if GUEST MAC IP HOSTIF: the guest's interface with MAC gets IP and
# both carriers come up
guest_if() {
	local gif
	wait_for 20 "$1: interface with MAC $2" guest_has_mac "$1" "$2"
	gif=$(guest_ifname_by_mac "$1" "$2")
	log "$1: interface $gif has MAC $2"
	check "$1: address $3 on $gif" gx "$1" "sysctl -qw net.ipv6.conf.$gif.disable_ipv6=1; ip addr add $3/24 dev $gif && ip link set $gif up"
	wait_for 20 "$1: host carrier on $4" grep -qx 1 "/sys/class/net/$4/carrier"
	wait_for 20 "$1: guest carrier on $gif" gx "$1" "grep -qx 1 /sys/class/net/$gif/carrier"
}

# queues_pfifo GUEST MAC HIF: pfifo (10000 packets) for the default
# fq_codel on the host VM's HIF and on GUEST's interface with MAC. fq_codel
# drops, in silence, what waited longer than its target behind a stopped
# queue (the other side off the CPU, which under emulation lasts tens of
# milliseconds at times); pfifo refuses a datagram only when full, and the
# sender learns it (ENOBUFS with IP_RECVERR: sequdp sends it again). The
# "nothing lost" runs then count the link's losses alone.
queues_pfifo() {
	local gif
	gif=$(guest_ifname_by_mac "$1" "$2")
	check "pfifo qdisc on $3" tc qdisc replace dev "$3" root pfifo limit 10000
	check "$1: pfifo qdisc on $gif" gx "$1" "tc qdisc replace dev $gif root pfifo limit 10000"
}

# guest_mods GUEST: load the guest modules
guest_mods() {
	check "$1: insmod vbus-bridge" gx "$1" insmod "$BRIDGE"
	check "$1: insmod venet" gx "$1" insmod "$VENET"
}

# pings COUNT ADDR: COUNT pings from the host VM, none lost
pings() {
	local out
	out=$(ping -c "$1" -i 0.01 -W 2 -q "$2" 2>&1)
	printf '%s\n' "$out" | grep -q ' 0% packet loss' && return 0
	# what a failed check shows: ping's summary, then the neighbour entry
	printf '%s\n' "$out" | tail -n 3
	ip neigh show "$2"
	return 1
}

# vbusd_start INSTANCE: vbusd for INSTANCE in the background, its pid
# added to VBUSD_PIDS, its log in the test's output
VBUSD_PIDS=
vbusd_start() {
	"$VBUSD" "$1" > "$VBUS_TEST_OUT/vbusd-$1.log" 2>&1 &
	VBUSD_PIDS="$VBUSD_PIDS $!"
	wait_for 10 "vbusd $1 listens" test -S "/run/vbus/$1.sock"
}

# The venet tests' modules (built for this kernel, or the test is fatal)
# and tools: VBUS TAP BRIDGE VENET VBUSCTL VBUSD.
venet_paths() {
	local d=$VBUS_BUILD/modules/$VBUS_KVER m
	for m in vbus venet-tap vbus-bridge venet; do
		[ -f "$d/$m.ko" ] || fatal "module $m.ko was not built for $VBUS_KVER ($d)"
	done
	VBUS=$d/vbus.ko TAP=$d/venet-tap.ko BRIDGE=$d/vbus-bridge.ko VENET=$d/venet.ko
	VBUSCTL=$VBUS_REPO/tools/vbusctl VBUSD=$VBUS_REPO/tools/vbusd
}

# net_counters [IF]: this machine's IP/UDP counters (/proc/net/snmp), the
# neighbour table's unresolved discards, what its qdiscs dropped (all
# interfaces), IF's `ethtool -S` and its core
# statistics (rx_dropped, rx_nohandler, ...), as "name value" lines; guest_net_counters GUEST IF: the same in a guest. Two
# snapshots around a run, given to net_delta, say where datagrams went.
# shellcheck disable=SC2016
NET_COUNTERS_SH='awk '\''/^(Ip|Udp):/ { if (!($1 in h)) { h[$1] = 1; for (i = 2; i <= NF; i++) n[$1, i] = $i; next }
		for (i = 2; i <= NF; i++) print substr($1, 1, length($1) - 1) "." n[$1, i], $i }'\'' /proc/net/snmp
	awk '\''function hex(x, i, v) { v = 0; for (i = 1; i <= length(x); i++) v = v * 16 + index("0123456789abcdef", substr(x, i, 1)) - 1; return v }
		NR == 1 { for (i = 1; i <= NF; i++) if ($i == "unresolved_discards") c = i; next }
		c { s += hex($c) } END { print "arp.unresolved_discards", s + 0 }'\'' /proc/net/stat/arp_cache
	tc -s qdisc show | awk '\''/^qdisc/ { r = / root / } r && /dropped/ { gsub(/[(),]/, " "); for (i = 1; i < NF; i++) if ($i == "dropped") d += $(i + 1) }
		END { print "qdisc.dropped", d + 0 }'\''
	[ -z "$1" ] || ethtool -S "$1" 2>/dev/null | sed -n "s/^ *\([a-z_0-9]*\): \([0-9]*\)$/$1.\1 \2/p"
	[ -z "$1" ] || for f in /sys/class/net/$1/statistics/*; do echo "$1.core.${f##*/} $(cat "$f")"; done'
net_counters() { sh -c "$NET_COUNTERS_SH" sh "${1:-}"; }
guest_net_counters() { gx "$1" "sh -c '$(printf '%s' "$NET_COUNTERS_SH" | sed "s/'/'\\\\''/g")' sh ${2:-}"; }

# net_delta BEFORE AFTER: the counters that changed, "name +N" on one line
net_delta() {
	awk 'NR == FNR { a[$1] = $2; next } ($1 in a) && $2 != a[$1] { printf "%s %+d ", $1, $2 - a[$1] }
		END { print "" }' "$1" "$2"
}

# skb_drops_on [GUEST]: record every packet the kernel of the host VM (or
# of GUEST) drops, with where and why (the skb:kfree_skb tracepoint);
# skb_drops_report NAME [GUEST]: stop, keep the trace in the test's folder
# (skb-drops-NAME.txt) and print the drops by place and reason, a line.
SKB_DROPS_ON='t=/sys/kernel/tracing
	mountpoint -q $t || mount -t tracefs none $t || exit 1
	echo 0 > $t/tracing_on && echo > $t/trace && echo 8192 > $t/buffer_size_kb &&
	echo 1 > $t/events/skb/kfree_skb/enable && echo 1 > $t/tracing_on'
SKB_DROPS_OFF='t=/sys/kernel/tracing
	echo 0 > $t/events/skb/kfree_skb/enable; cat $t/trace'
skb_drops_on() {
	if [ -n "${1:-}" ]; then gx "$1" "$SKB_DROPS_ON"; else sh -c "$SKB_DROPS_ON"; fi
}
skb_drops_report() {
	local f=$VBUS_TEST_OUT/skb-drops-$1.txt
	if [ -n "${2:-}" ]; then gx "$2" "$SKB_DROPS_OFF" > "$f" 2>&1; else sh -c "$SKB_DROPS_OFF" > "$f" 2>&1; fi
	sed -n 's/.* location=\([^ ]*\).* reason: \([A-Z_0-9]*\).*/\1 \2/p' "$f" | sort | uniq -c | sort -rn |
		awk '{ printf "%s%s %s x%d", (NR > 1 ? ", " : ""), $2, $3, $1 } END { if (!NR) printf "none" }'
}
