# SPDX-License-Identifier: GPL-2.0
# timeout: 1800
# series: none
# XDP in the guest, venet against virtio-net (vhost-net and QEMU's
# backend) in the one guest of the bench (tests/vm/benchlib.sh,
# BENCH_SETUP_ONLY=1): xdp-bench (Debian's xdp-tools) drop and tx on each
# NIC in turn, in XB_ROUNDS rounds whose order rotates, while pktgen in the
# host VM sends 60-byte UDP frames to that NIC as fast as it can. The rate
# is the guest driver's own count of XDP verdicts (venet rx_xdp_drops /
# rx_xdp_tx, virtio-net rx_queue_0_xdp_drops / rx_queue_0_xdp_tx) over
# XB_T seconds, read in the guest; the median of the rounds and the ratio
# to vhost-net are logged and written to $VBUS_TEST_OUT/xdp-bench.txt.
# Under TCG only the ratios mean something. Run by name:
#   python3 tests/vm/nest.py --kernel 6.1 --test bench-xdp
XB_T=${XB_T:-5}
XB_ROUNDS=${XB_ROUNDS:-3}
XB_BACKENDS=${XB_BACKENDS:-venet vhost qemu}
# shellcheck disable=SC2034
BENCH_SETUP_ONLY=1
. "$VBUS_REPO/tests/vm/benchlib.sh"
OUT=$VBUS_TEST_OUT/xdp-bench.txt
: > "$OUT"

bk_mac() {
	case $1 in
	venet) echo "$VENET_MAC" ;;
	qemu) echo "$QEMU_MAC" ;;
	vhost) echo "$VHOST_MAC" ;;
	esac
}
# the guest's counter of verdict $2 (drop, tx) on backend $1, a sed
# pattern: virtio-net's per-queue prefix is rx_queue_0_ on 6.1, rx0_ on
# later kernels
bk_ctr() {
	local v=xdp_drops
	[ "$2" = tx ] && v=xdp_tx
	case $1 in
	venet) echo "rx_$v" ;;
	*) echo "rx\\(_queue_\\)\\{0,1\\}0_$v" ;;
	esac
}

check "pktgen loads" modprobe pktgen
check "guest: tracefs and bpffs (xdp-bench)" gx g1 \
	"mount -t tracefs tracefs /sys/kernel/tracing; mount -t bpf bpf /sys/fs/bpf; true"
PGT=/proc/net/pktgen/kpktgend_0
pg() { echo "$1" > "$2"; }

# one run: backend $1, mode $2, round $3
xdp_run() {
	local b=$1 mode=$2 r=$3 g dev pid rate out
	g=$(printf '%s\n' "$GIFS" | sed -n "s/^$(bk_mac "$b") //p")
	dev=$(bk_if "$b")
	gx_bg g1 "echo \$\$ > /tmp/xb.pid; exec xdp-bench $mode $([ "$mode" = tx ] && echo '-p swap-macs') $g > /tmp/xb-$b-$mode-$r.log 2>&1" > /dev/null
	if ! wait_for 60 "$b $mode round $r: xdp-bench attached" gx g1 "ip -d link show dev $g | grep -q prog/xdp"; then
		log "$b $mode: $(gx g1 cat "/tmp/xb-$b-$mode-$r.log" | tail -n 5 | tr '\n' ' ')"
		return
	fi
	pg "rem_device_all" $PGT
	pg "add_device $dev" $PGT
	for c in "count 0" "clone_skb 0" "pkt_size 60" "delay 0" \
		"dst $(bk_addr "$b")" "dst_mac $(bk_mac "$b")" \
		"udp_dst_min 9" "udp_dst_max 9"; do
		pg "$c" "/proc/net/pktgen/$dev"
	done
	pg start /proc/net/pktgen/pgctrl &
	pid=$!
	sleep 1
	# guest side: the counter, XB_T seconds, the counter; per second
	out=$(GX_TIMEOUT=$((XB_T + 30)) gx g1 "c() { ethtool -S $g | sed -n 's/^ *$(bk_ctr "$b" "$mode"): //p'; }
		a=\$(c); t0=\$EPOCHREALTIME; sleep $XB_T; z=\$(c); t1=\$EPOCHREALTIME
		echo \$a \$z \$t0 \$t1")
	pg stop /proc/net/pktgen/pgctrl
	wait $pid 2>/dev/null
	rate=$(printf '%s\n' "$out" | awk 'NF == 4 { printf "%.0f", ($2 - $1) / ($4 - $3) }')
	log "$b xdp $mode round $r: ${rate:-none} frames/s ($out); pktgen: $(grep -E '^ *(pkts-sofar|Result)' "/proc/net/pktgen/$dev" | tr -s ' ' | tr '\n' ' ')"
	echo "$b $mode $r ${rate:-0}" >> "$OUT"
	check "$b $mode round $r: xdp-bench stops" gx g1 \
		"p=\$(cat /tmp/xb.pid); kill -INT \$p; for i in \$(seq 100); do kill -0 \$p 2>/dev/null || exit 0; sleep 0.1; done; exit 1"
	expect_range "$b xdp $mode round $r: frames counted" "${rate:-0}" 1 1000000000
}

# shellcheck disable=SC2086
set -- $XB_BACKENDS
for r in $(seq "$XB_ROUNDS"); do
	for mode in drop tx; do
		for b in "$@"; do
			xdp_run "$b" "$mode" "$r"
		done
	done
	set -- "${@:2}" "$1"
done
pg "rem_device_all" $PGT

# medians and ratios to vhost-net
summary=$(awk '{ v[$1 " " $2] = v[$1 " " $2] " " $4 }
	END { for (k in v) { n = split(v[k], a, " "); for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
		m[k] = a[int((n + 1) / 2)]; print k, m[k], v[k] } }' "$OUT" | sort)
log "median frames/s (backend mode median all):"
printf '%s\n' "$summary" | while read -r line; do log "  $line"; done
for mode in drop tx; do
	vh=$(printf '%s\n' "$summary" | awk -v m=$mode '$1 == "vhost" && $2 == m { print $3 }')
	for b in $XB_BACKENDS; do
		v=$(printf '%s\n' "$summary" | awk -v b="$b" -v m=$mode '$1 == b && $2 == m { print $3 }')
		log "xdp $mode: $b / vhost = $(awk -v a="${v:-0}" -v c="${vh:-0}" 'BEGIN { if (c > 0) printf "%.2f", a / c; else print "n/a" }')"
	done
done | tee -a "$OUT.ratios"
log "venet's counters: $(gx g1 "ethtool -S $VGIF" | grep -E 'xdp|drop|queue_stops' | tr -s ' ' | tr '\n' ' ')"
guest_stop g1
