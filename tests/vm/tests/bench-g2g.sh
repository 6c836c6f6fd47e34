# SPDX-License-Identifier: GPL-2.0
# timeout: 3000
# series: none
# Guest to guest through a Linux bridge of the host VM, venet against
# virtio-net with vhost-net, the way most hosts are set up. Two guests
# (one vCPU each), each with two NICs: venet (its venet-tap a port of
# bridge brv) and virtio-net with vhost-net (its tap a port of bridge brx).
# g2 runs the servers. Each round, the backends in alternating order:
# 64-byte request/response g1 -> g2 (sockperf ping-pong, BENCH_RR_T s) and
# TCP g1 -> g2 (iperf3, BENCH_T s). One JSON object per measurement in
# $VBUS_TEST_OUT/g2g.jsonl (kind g2g-rr or g2g-tcp); bench/run.py reports
# their medians and per-round ratios. Run by make bench after bench.
#   BENCH_ROUNDS (5), BENCH_T (5), BENCH_RR_T (BENCH_T)
. "$VBUS_REPO/tests/vm/netlib.sh"
BENCH_ROUNDS=${BENCH_ROUNDS:-5}
BENCH_T=${BENCH_T:-5}
BENCH_RR_T=${BENCH_RR_T:-$BENCH_T}
# no slab debugging in the guests: it would be measured too
# shellcheck disable=SC2034
GUEST_MEM=1024 GUEST_CPUS=1 GUEST_DEBUG=
venet_paths
OUT=$VBUS_TEST_OUT/g2g.jsonl
: > "$OUT"
MACV1=02:00:c6:12:08:01 MACV2=02:00:c6:12:08:02
MACX1=52:54:00:12:09:01 MACX2=52:54:00:12:09:02
addr() {	# BACKEND GUEST: the guest's address on that backend
	case $1 in
	venet) echo "198.18.8.$2" ;;
	vhost) echo "198.18.9.$2" ;;
	esac
}

at_exit "pkill -x vbusd; sleep 1; for d in eth0 eth1; do echo 0 > /sys/vbus/devices/\$d/enabled; $VBUSCTL detach \$d; $VBUSCTL delete-device \$d; done; $VBUSCTL delete-instance bus0; $VBUSCTL delete-instance bus1; rmmod venet_tap; rmmod vbus"
at_exit "ip link del brv; ip link del brx; ip link del tapx1; ip link del tapx2"
check "vbus.ko loads" insmod "$VBUS"
check "venet-tap.ko loads" insmod "$TAP"
check "bridges brv (venet) and brx (vhost-net)" sh -c "
	ip link add brv type bridge && ip link add brx type bridge &&
	sysctl -qw net.ipv6.conf.brv.disable_ipv6=1 net.ipv6.conf.brx.disable_ipv6=1 &&
	ip link set brv up && ip link set brx up"
for i in 1 2; do
	d=eth$((i - 1)) b=bus$((i - 1))
	eval "mac=\$MACV$i"
	check "$b with $d" sh -c "$VBUSCTL create-instance $b && $VBUSCTL create-device $d --type venet-tap && $VBUSCTL attach $d $b"
	check "$d: client_mac $mac, enabled" sh -c "echo $mac > /sys/vbus/devices/$d/client_mac && echo 1 > /sys/vbus/devices/$d/enabled"
	hif=$(cat "/sys/vbus/devices/$d/ifname")
	check "$hif on brv, tapx$i on brx" sh -c "
		ip tuntap add dev tapx$i mode tap &&
		sysctl -qw net.ipv6.conf.$hif.disable_ipv6=1 net.ipv6.conf.tapx$i.disable_ipv6=1 &&
		ip link set $hif master brv && ip link set $hif up &&
		ip link set tapx$i master brx && ip link set tapx$i up"
	"$VBUSD" "$b" > "$VBUS_TEST_OUT/vbusd-$b.log" 2>&1 &
	wait_for 10 "vbusd $b listens" test -S "/run/vbus/$b.sock"
done

# ---- the guests ------------------------------------------------------------
both_macs() { guest_has_mac "$1" "$2" && guest_has_mac "$1" "$3"; }
for i in 1 2; do
	eval "mv=\$MACV$i mx=\$MACX$i"
	# shellcheck disable=SC2046
	guest_start "g$i" $("$VBUSCTL" qemu-args "bus$((i - 1))") \
		-netdev "tap,id=x$i,ifname=tapx$i,script=no,downscript=no,vhost=on" \
		-device "virtio-net-pci,netdev=x$i,mac=$mx"
	guest_mods "g$i"
	check "g$i: virtio_net" gx "g$i" modprobe virtio_net
	wait_for 20 "g$i: interfaces with MACs $mv and $mx" both_macs "g$i" "$mv" "$mx"
	gv=$(guest_ifname_by_mac "g$i" "$mv") gxf=$(guest_ifname_by_mac "g$i" "$mx")
	check "g$i: $(addr venet "$i") on $gv, $(addr vhost "$i") on $gxf" gx "g$i" "
		sysctl -qw net.ipv6.conf.$gv.disable_ipv6=1 net.ipv6.conf.$gxf.disable_ipv6=1 &&
		sysctl -qw net.core.rmem_max=4194304 net.core.wmem_max=4194304 &&
		ip addr add $(addr venet "$i")/24 dev $gv && ip link set $gv up &&
		ip addr add $(addr vhost "$i")/24 dev $gxf && ip link set $gxf up"
done
check "g2: servers" gx g2 "(sockperf server -i 0.0.0.0 -p 11111 > /dev/null 2>&1 &)
	(iperf3 -s > /dev/null 2>&1 &)"
# shellcheck disable=SC2016
wait_for 30 "g2's servers listen" gx g2 'o=$(ss -lntu); [[ $o == *:11111* && $o == *:5201* ]]'
for b in venet vhost; do
	wait_for 30 "$b: g1 pings g2 through the bridge" gx g1 "ping -c 1 -W 1 $(addr "$b" 2)"
done

# ---- measurements ----------------------------------------------------------
RAW=$VBUS_TEST_OUT/raw-g2g
mkdir -p "$RAW"
# rec KIND BACKEND ROUND FILE: the record of one run (the bench's own
# parsers, tests/vm/benchrec.py) appended to $OUT; prints its main value
rec() {
	python3 - "$@" "$OUT" "$VBUS_REPO/tests/vm" <<'EOF_PY'
import json, sys
kind, b, r, raw, out, lib = sys.argv[1:7]
sys.path.insert(0, lib)
import benchrec
text = open(raw).read()
m = benchrec.sockperf(text) if kind == "g2g-rr" else benchrec.iperf3(text, "tcp")
key = "rate_rt_s" if kind == "g2g-rr" else "gbps"
if m.get(key):
    rec = {"kind": kind, "backend": b, "round": int(r)}
    rec.update(m)
    with open(out, "a") as f:
        f.write(json.dumps(rec, sort_keys=True) + "\n")
    print("%.3f" % m[key])
EOF_PY
}
g2g() {	# KIND BACKEND ROUND
	local f=$RAW/$1-$2-$3.txt v
	case $1 in
	g2g-rr) GX_TIMEOUT=$((BENCH_RR_T + 40)) gx g1 "sockperf ping-pong -i $(addr "$2" 2) -p 11111 -m 64 -t $BENCH_RR_T --full-rtt --no-rdtsc" > "$f" 2>&1 ;;
	g2g-tcp) GX_TIMEOUT=$((BENCH_T + 40)) gx g1 "iperf3 -J -c $(addr "$2" 2) -t $BENCH_T" > "$f" 2>&1 ;;
	esac
	v=$(rec "$1" "$2" "$3" "$f")
	expect_match "$2 round $3: $1 g1 -> g2 measured" "$v" '^[0-9]+\.[0-9]+$'
	log "$2 round $3: $1 g1 -> g2: ${v:-none} ($([ "$1" = g2g-rr ] && echo round trips/s || echo Gb/s))"
}
for r in $(seq "$BENCH_ROUNDS"); do
	order="venet vhost"
	[ $((r % 2)) = 0 ] && order="vhost venet"
	for b in $order; do
		g2g g2g-rr "$b" "$r"
		g2g g2g-tcp "$b" "$r"
	done
done
log "$(wc -l < "$OUT") measurements in $OUT"
