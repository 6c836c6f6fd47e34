# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# The benchmark of make bench (tests/vm/tests/bench.sh) and its smoke in
# make check (bench-smoke.sh): the sourcing test sets the counts, this file does
# the rest. One guest VM carries every guest backend, so the guest kernel,
# vCPUs, memory and processes are the same for all of them:
#   venet  vbus-bridge + venet over ivshmem-doorbell, venet-tap in the host VM
#   qemu   virtio-net, QEMU's userspace backend (tap, vhost=off)
#   vhost  virtio-net, vhost-net (tap, vhost=on)
#   veth   no guest: a veth pair between two namespaces of the host VM, the
#          ceiling of this nest
# The clients run in the host VM; the servers (sockperf, iperf3) are started
# once, in the guest (for veth, in the second namespace). Each round visits
# every backend, in an order that rotates from round to round, and measures
# sockperf ping-pong (64 and 1400 bytes), iperf3 TCP both ways and 64-byte
# UDP (guest -> host). Then sweeps of venet's txmitigation, burstthresh and
# linger_us.
# Every measurement is a JSON line in $VBUS_TEST_OUT/bench.jsonl (see
# tests/vm/benchrec.py); bench/run.py turns them into bench/results/.
#
# Knobs (set before sourcing):
#   BENCH_ROUNDS  rounds over all backends
#   BENCH_T       seconds per measurement
#   BENCH_RR_T    seconds per sockperf run (default BENCH_T): sockperf
#                 counts only the round trips of its valid window, the run
#                 less its first 0.4 s (warm-up) and its last 0.59 s (sockperf
#                 3.7: a 1-second run's window is 10 ms, a 2-second run's
#                 1.01 s), so a run needs 2 s to measure on a busy machine
#   BENCH_TXM     txmitigation values of the sweep
#   BENCH_BT      burstthresh values of the sweep (txmitigation 10)
#   BENCH_LINGER  linger_us values of the sweep (txmitigation 10,
#                 burstthresh 64): RR, TCP and 64-byte UDP guest -> host
#   BENCH_IDLE    pings of the idle round trip test (one every 0.2 s)
#   BENCH_VCPU_PIN  the host VM CPU the guest's vCPU thread is pinned to
#                 (empty: the host VM's scheduler places it)
#   BENCH_LOST    guests the bench may lose and replace (2; see
#                 bench_guest_lost)
#   BENCH_LOSE    crash the guest (sysrq c) as measurement number N starts,
#                 to exercise bench_guest_lost (bench-smoke)
#   BENCH_SHM     the instance's region size (vbusctl --shm-size; default
#                 the kernel's, 4 MiB)
#   BENCH_GUEST_APPEND  more kernel parameters for the guests (words)
. "$VBUS_REPO/tests/vm/netlib.sh"
# read by guest_start: the one guest of every backend; unknown_nmi_panic:
# guest_postmortem's NMI then ends in a backtrace on the guest's console
# (no slab debugging in the guest: it would be measured too)
# shellcheck disable=SC2034
GUEST_MEM=1024 GUEST_CPUS=1 GUEST_HOLD=1 GUEST_DEBUG=
# shellcheck disable=SC2034
GUEST_APPEND="unknown_nmi_panic${BENCH_GUEST_APPEND:+ $BENCH_GUEST_APPEND}"
# shellcheck disable=SC2034
GUEST_VCPU_PIN=${BENCH_VCPU_PIN:-}
BENCH_BACKENDS="venet qemu vhost veth"
venet_paths
S=/sys/vbus/devices/eth0
JSONL=$VBUS_TEST_OUT/bench.jsonl
RAW=$VBUS_TEST_OUT/raw
REC=$VBUS_REPO/tests/vm/benchrec.py
VENET_MAC=02:00:c6:12:01:02
QEMU_MAC=52:54:00:12:34:56
VHOST_MAC=52:54:00:12:34:57
BENCH_LOST=${BENCH_LOST:-2}
NLOST=0
mkdir -p "$RAW"

bk_addr() {
	case $1 in
	venet) echo 198.18.1.2 ;;
	qemu) echo 198.18.0.2 ;;
	vhost) echo 198.18.2.2 ;;
	veth) echo 198.18.3.2 ;;
	esac
}
bk_host_addr() {
	case $1 in
	venet) echo 198.18.1.1 ;;
	qemu) echo 198.18.0.1 ;;
	vhost) echo 198.18.2.1 ;;
	veth) echo 198.18.3.1 ;;
	esac
}
# the host-side netdev whose counters give the packets of a backend
bk_if() {
	case $1 in
	venet) echo "$HIF" ;;
	qemu) echo tap0 ;;
	vhost) echo tap1 ;;
	veth) echo bveth0 ;;
	esac
}

# snapshot NAME BACKEND: the counters of one backend as "name value" lines
snapshot() {
	local b=$2 f n
	{
		echo "t $EPOCHREALTIME"
		read -r -a n < /proc/stat
		# busy = user nice system irq softirq steal (guest time is in user)
		echo "cpu_busy $((n[1] + n[2] + n[3] + n[6] + n[7] + n[8]))"
		for f in rx_packets tx_packets rx_bytes tx_bytes; do
			echo "net_$f $(< "/sys/class/net/$(bk_if "$b")/statistics/$f")"
		done
		if [ "$b" != veth ]; then
			for f in exits irq_injections halt_exits io_exits mmio_exits irq_exits irq_window_exits; do
				[ -r "$KVMD/$f" ] && echo "kvm_$f $(< "$KVMD/$f")"
			done
		fi
		if [ "$b" = venet ]; then
			for f in guest_kicks guest_kicks_skipped polls irqs_sent irqs_suppressed tx_completions rx_packets tx_packets; do
				echo "venet_$f $(< "$S/$f")"
			done
			# the guest's side: which of its queues rang (both share
			# one doorbell, the host counts them as one)
			if [ -n "${VGIF:-}" ]; then
				gx g1 "ethtool -S $VGIF" |
					awk '$1 ~ /^(tx_kicks|tx_kicks_skipped|rx_kicks|rx_kicks_skipped|interrupts):$/ {
						sub(":", "", $1); print "vguest_" $1, $2 }'
			fi
		fi
	} > "$1"
}

# measure KIND BACKEND ROUND PARAMS CMD...: run CMD between two snapshots
# (PARAMS: space-separated key=value, may be empty). The records are made
# at the end, by one run of benchrec.py over $MANIFEST (python starts
# slowly under emulation).
MANIFEST=$RAW/manifest
: > "$MANIFEST"
NMEAS=0
measure() {
	local kind=$1 b=$2 r=$3 params=$4 f rc try life
	shift 4
	NMEAS=$((NMEAS + 1))
	f=$RAW/$NMEAS-$b-$kind-$r
	for life in 1 2; do
		if [ "$NMEAS" = "${BENCH_LOSE:-}" ] && [ "$life" = 1 ]; then
			log "measurement $NMEAS: crashing the guest on purpose (BENCH_LOSE)"
			# its panic is the test's doing, not a fault (nest.py)
			expect_kernel_log 'Kernel panic - not syncing: sysrq triggered crash'
			gx_bg g1 'echo c > /proc/sysrq-trigger' > /dev/null
			sleep 1
		fi
		for try in 1 2; do
			snapshot "$f.s0" "$b"
			"$@" > "$f.txt" 2>&1
			rc=$?
			snapshot "$f.s1" "$b"
			# sockperf counts only round trips inside its valid window:
			# after a stall of the machine a short run can have none.
			# Measured again, once, counters and all; if the second
			# has none either, benchrec.py tells the tool having
			# measured nothing (a SKIP, unless veth measured) from
			# the backend failing.
			if [ "$kind" != rr ] || [ "$try" = 2 ] ||
				! grep -q 'No valid observations' "$f.txt"; then
				break
			fi
			log "$kind $b $params: sockperf found no valid observations; measuring again"
		done
		# sockperf exits 0 when no reply came at all: a guest that is
		# gone must be found here, not at the next measurement
		if [ "$kind" = rr ] && [ "$rc" = 0 ] &&
			grep -q 'No messages were received' "$f.txt"; then
			rc=1
		fi
		if [ "$rc" = 0 ] || [ "$b" = veth ] || bench_guest_answers; then
			break
		fi
		# the guest stopped answering: recorded, replaced, measured again
		# on the new guest (once: a second loss here is fatal)
		bench_guest_lost "$life" "$kind" "$b" "$r" "$params"
	done
	printf '%s\n' "$kind $b $r $f.s0 $f.s1 $f.txt $rc $params" >> "$MANIFEST"
}

# The guest answers its agent (not if its QEMU holds it after a reset).
bench_guest_answers() {
	! guest_hmp g1 "info status" | grep -q shutdown &&
		GX_TIMEOUT=20 gx g1 true > /dev/null 2>&1
}

# bench_guest_lost LIFE KIND BACKEND ROUND PARAMS: the guest stopped
# answering during that measurement (see measure).
# Its state (guest_postmortem: registers, local APIC, then an NMI that
# ends in a backtrace) and its console go into guest-lost-N/. A trace that
# names one of our modules fails the bench, and so does a second loss
# during one measurement (LIFE 2) or more than BENCH_LOST in all. Any
# other loss is a fault of the nest (docs/performance.md: under TCG's
# nested SVM with two host VM vCPUs the guest kernel sometimes takes an
# event it cannot take, at its syscall entry, and double-faults): it is
# recorded in bench.jsonl and the report, and a new guest takes over.
bench_guest_lost() {
	local life=$1 what="$2 $3 $5 (round $4)" d sig rip
	NLOST=$((NLOST + 1))
	d=$VBUS_TEST_OUT/guest-lost-$NLOST
	mkdir -p "$d"
	guest_postmortem g1
	mv "$VBUS_TEST_OUT/guest-g1.postmortem.txt" "$d/postmortem.txt"
	cp "$VBUS_VMDIR/g1/console.log" "$d/console.log"
	cp "$VBUS_VMDIR/g1/qemu-debug.log" "$d/qemu-debug.log"
	# what the guest printed after it came up: the first line of its end,
	# and where it was
	sed -n '/VBUS-GUEST-READY/,$p' "$d/console.log" | tr -d '\r' |
		sed 's/^\[ *[0-9.]*\] //' > "$d/end.txt"
	sig=$(grep -m1 -E 'PANIC|BUG:|Oops|general protection|Uhhuh|NMI backtrace|Kernel panic|lockup|stall' "$d/end.txt")
	rip=$(grep -m1 '^RIP:' "$d/end.txt")
	sig="${sig:-nothing on its console}${rip:+; $rip}"
	printf '%s\n' "$sig" > "$d/signature"
	log "guest lost during $what: $sig (state and console in ${d##*/}/)"
	printf '%s\n' "lost $3 $4 - - $d/signature 0 during=$2 $5" >> "$MANIFEST"
	if grep -v 'Modules linked in' "$d/console.log" |
		grep -qE '\[(venet|vbus_bridge)\]|\b(venet|vbus)_[a-z0-9_]+\+0x'; then
		fatal "the lost guest's trace names our modules: ${d##*/}/console.log"
	fi
	[ "$life" = 1 ] || fatal "the guest was lost twice during $what"
	[ "$NLOST" -le "$BENCH_LOST" ] ||
		fatal "the guest was lost $NLOST times, more than BENCH_LOST ($BENCH_LOST)"
	vbus_ok "guest lost during $what: no trace of our modules; a new guest takes over"
	# a retry of the test's own: nest.py prints it with its evidence and
	# counts it against the run's (docs/testing.md); not the planted one
	if [ "$NMEAS" != "${BENCH_LOSE:-}" ]; then
		printf '%s\t%s\n' "${d##*/}/console.log" "$what: $sig" >> "$VBUS_TEST_OUT/retries.txt"
	fi
	guest_hmp g1 quit > /dev/null
	wait_for 20 "the lost guest's QEMU ended" sh -c "! kill -0 $(cat "$VBUS_VMDIR/g1/pid")"
	guest_stop g1
	bench_guest_up
}

# record: every measurement into $JSONL; one check per measurement
record() {
	local line
	: > "$JSONL"
	while IFS= read -r line; do
		case $line in
		"ok - "*) vbus_ok "${line#ok - }" ;;
		"not ok - "*) vbus_fail "${line#not ok - }" ;;
		*) echo "# $line" ;;
		esac
	done < <(python3 "$REC" "$JSONL" "$MANIFEST" 2>&1)
}

BENCH_RR_T=${BENCH_RR_T:-$BENCH_T}
rr() {	# BACKEND SIZE
	timeout $((BENCH_RR_T + 30)) sockperf ping-pong -i "$(bk_addr "$1")" -p 11111 -m "$2" \
		-t "$BENCH_RR_T" --full-rtt --no-rdtsc
}
# iperf3 ARGS...: a client run, again (up to twice) while the server is
# still busy with the previous test
iperf() {
	local i out
	for i in 1 2 3; do
		out=$(timeout $((BENCH_T + 30)) iperf3 -J --connect-timeout 5000 -t "$BENCH_T" "$@" 2>&1)
		printf '%s' "$out" | grep -q 'server is busy' || break
		sleep 1
	done
	printf '%s\n' "$out"
	printf '%s' "$out" | grep -q '"sum_received"'
}
tcp() {	# BACKEND [-R]: without -R host -> guest, with -R guest -> host
	iperf -c "$(bk_addr "$1")" ${2:+"$2"}
}
udp64() {	# BACKEND: guest -> host, unlimited rate, 2 MiB socket buffers
	iperf -u -b 0 -l 64 -w 2M -c "$(bk_addr "$1")" -R
}

# one pass over the metrics of one backend
bench_backend() {
	local b=$1 r=$2
	measure rr "$b" "$r" "size=64" rr "$b" 64
	measure rr "$b" "$r" "size=1400" rr "$b" 1400
	measure tcp "$b" "$r" "dir=g2h" tcp "$b" -R
	measure tcp "$b" "$r" "dir=h2g" tcp "$b"
	measure udp "$b" "$r" "size=64 dir=g2h" udp64 "$b"
}

# ---- host VM side --------------------------------------------------------------
mountpoint -q /sys/kernel/debug || mount -t debugfs none /sys/kernel/debug
check "KVM debugfs" test -d /sys/kernel/debug/kvm
sysctl -qw net.core.rmem_max=4194304 net.core.wmem_max=4194304
at_exit "pkill -x vbusd; sleep 1; echo 0 > $S/enabled; $VBUSCTL detach eth0; $VBUSCTL delete-device eth0; $VBUSCTL delete-instance bus0; rmmod venet_tap; rmmod vbus"
at_exit "ip netns del benchb"
check "vbus.ko loads" insmod "$VBUS"
check "venet-tap.ko loads" insmod "$TAP"
check "vbusctl create-instance" "$VBUSCTL" create-instance bus0 ${BENCH_SHM:+--shm-size "$BENCH_SHM"}
check "vbusctl create-device" "$VBUSCTL" create-device eth0 --type venet-tap
check "vbusctl attach" "$VBUSCTL" attach eth0 bus0
check "client_mac" sh -c "echo $VENET_MAC > $S/client_mac"
check "enabled=1" sh -c "echo 1 > $S/enabled"
HIF=$(cat $S/ifname)
for i in "$HIF:198.18.1.1" tap0:198.18.0.1 tap1:198.18.2.1; do
	[ "${i%%:*}" = "$HIF" ] || ip tuntap add dev "${i%%:*}" mode tap
	sysctl -qw "net.ipv6.conf.${i%%:*}.disable_ipv6=1"
	check "host address on ${i%%:*}" ip addr add "${i#*:}/24" dev "${i%%:*}"
	ip link set "${i%%:*}" up
done
ip netns add benchb
check "veth pair" ip link add bveth0 type veth peer name bveth1 netns benchb
sysctl -qw net.ipv6.conf.bveth0.disable_ipv6=1
ip addr add 198.18.3.1/24 dev bveth0
ip link set bveth0 up
check "veth namespace side" ip -n benchb addr add 198.18.3.2/24 dev bveth1
ip -n benchb link set bveth1 up
ip -n benchb link set lo up
"$VBUSD" bus0 > "$VBUS_TEST_OUT/vbusd.log" 2>&1 &
wait_for 10 "vbusd listens" test -S /run/vbus/bus0.sock

# ---- the guest -------------------------------------------------------------------
# bench_guest_up: the one guest, its three NICs addressed, its servers
# listening (also a new guest after a lost one: bench_guest_lost)
bench_guest_up() {
	local i gm ga ha hm g b
	# Every program the guest starts costs most of a second: the setup is two
	# agent calls, shell builtins where they do.
	# shellcheck disable=SC2046
	guest_start g1 $("$VBUSCTL" qemu-args bus0) \
		-netdev tap,id=n0,ifname=tap0,script=no,downscript=no,vhost=off \
		-device virtio-net-pci,netdev=n0,mac=$QEMU_MAC \
		-netdev tap,id=n1,ifname=tap1,script=no,downscript=no,vhost=on \
		-device virtio-net-pci,netdev=n1,mac=$VHOST_MAC
	KVMD=$(echo /sys/kernel/debug/kvm/"$(cat "$VBUS_VMDIR/g1/pid")"-*)
	check "the guest's KVM counters ($KVMD)" test -r "$KVMD/exits"
	# the modules, then "MAC ifname" lines once the three NICs are there
	GIFS=$(gx g1 "insmod $BRIDGE && insmod $VENET && modprobe virtio_net || exit 1
		for i in {1..60}; do
			out= n=0
			for d in /sys/class/net/*; do read -r a < \$d/address; out=\"\$out\$a \${d##*/}
\"; done
			for m in $VENET_MAC $QEMU_MAC $VHOST_MAC; do [[ \$out == *\$m* ]] && n=\$((n + 1)); done
			[ \$n = 3 ] && break
			sleep 0.5
		done
		printf '%s' \"\$out\"")
	log "guest NICs: $(printf '%s' "$GIFS" | tr '\n' ' ')"
	# the CPU both kernels see (ERMS/FSRM would make their copies rep movsb,
	# which TCG runs far slower: every ratio would move): bench/run.py
	# reports it with the results
	{
		echo "host VM: $(grep -m1 '^model name' /proc/cpuinfo | sed 's/.*: //')"
		grep -m1 '^flags' /proc/cpuinfo | sed 's/^flags\s*:/host VM flags:/'
		gx g1 "grep -m1 '^model name' /proc/cpuinfo | sed 's/.*: /guest: /'; grep -m1 '^flags' /proc/cpuinfo | sed 's/^flags\s*:/guest flags:/'"
	} > "$VBUS_TEST_OUT/cpu.txt"
	gif() { printf '%s\n' "$GIFS" | sed -n "s/^$1 //p"; }
	VGIF=$(gif "$VENET_MAC")
	GSET="sysctl -qw net.core.rmem_max=4194304 net.core.wmem_max=4194304"
	BATCH=
	for i in "$VENET_MAC 198.18.1.2 198.18.1.1 $(cat $S/host_mac)" \
		"$QEMU_MAC 198.18.0.2 198.18.0.1 $(cat /sys/class/net/tap0/address)" \
		"$VHOST_MAC 198.18.2.2 198.18.2.1 $(cat /sys/class/net/tap1/address)"; do
		read -r gm ga ha hm <<< "$i"
		g=$(gif "$gm")
		expect_match "guest NIC with MAC $gm" "$g" '^[a-z0-9]+$'
		# no ARP, no IPv6: only what the benchmark sends crosses the links
		GSET="$GSET net.ipv6.conf.$g.disable_ipv6=1"
		BATCH="${BATCH}addr add $ga/24 dev $g
link set $g up
neigh replace $ha lladdr $hm dev $g nud permanent
"
		ip neigh replace "$ga" lladdr "$gm" dev "$(ip -o route get "$ga" | sed -n 's/.* dev \([^ ]*\).*/\1/p')" nud permanent
	done
	# the servers start while the links come up
	check "guest addresses and servers" gx g1 "$GSET && ip -batch - <<'EOF_IP'
${BATCH}EOF_IP
	(sockperf server -i 0.0.0.0 -p 11111 > /dev/null 2>&1 &)
	(iperf3 -s > /dev/null 2>&1 &)"
	wait_for 15 "venet carrier" grep -qx 1 "/sys/class/net/$HIF/carrier"
	for b in $BENCH_BACKENDS; do
		[ "$b" = veth ] && continue
		wait_for 20 "$b: host VM pings the guest" ping -c 1 -W 1 "$(bk_addr "$b")"
	done
	# shellcheck disable=SC2016
	wait_for 30 "guest servers listen" gx g1 'o=$(ss -lntu); [[ $o == *:11111* && $o == *:5201* ]]'
}
ip netns exec benchb sockperf server -i 198.18.3.2 -p 11111 > "$VBUS_TEST_OUT/veth-sockperf.log" 2>&1 &
ip netns exec benchb iperf3 -s -D -B 198.18.3.2 --logfile "$VBUS_TEST_OUT/veth-iperf3.log"
wait_for 10 "veth servers listen" sh -c "ip netns exec benchb ss -lntu | grep -q :11111 && ip netns exec benchb ss -lntu | grep -q :5201"
bench_guest_up
# BENCH_SETUP_ONLY=1: the setup and the helpers, no measurements (profile.sh)
[ "${BENCH_SETUP_ONLY:-}" = 1 ] && return 0

# ---- idle round trips --------------------------------------------------------------
# A quiet window first: the guest's KVM exits and interrupts with no
# traffic (timer ticks and the like), the background of every count. Then
# a ping every 0.2 s from the host VM; and for venet also from the guest
# (through the agent: its own counters are exact, the KVM counters then
# count the agent's work too).
measure quiet venet 0 "" sleep "$((BENCH_IDLE / 5))"
for b in $BENCH_BACKENDS; do
	measure idle "$b" 0 "from=host" ping -c "$BENCH_IDLE" -i 0.2 -W 2 "$(bk_addr "$b")"
done
measure idle venet 0 "from=guest" gx g1 "ping -c $BENCH_IDLE -i 0.2 -W 2 $(bk_host_addr venet)"

# ---- rounds ------------------------------------------------------------------------
# shellcheck disable=SC2086
set -- $BENCH_BACKENDS
for r in $(seq "$BENCH_ROUNDS"); do
	log "round $r: $*"
	for b in "$@"; do
		bench_backend "$b" "$r"
	done
	set -- "${@:2}" "$1"
done

# ---- venet sweep ---------------------------------------------------------------------
for v in $BENCH_TXM; do
	check "txmitigation $v" sh -c "echo $v > $S/txmitigation"
	measure rr venet 0 "size=64 sweep=txmitigation txmitigation=$v" rr venet 64
	measure tcp venet 0 "dir=g2h sweep=txmitigation txmitigation=$v" tcp venet -R
done
check "txmitigation 10" sh -c "echo 10 > $S/txmitigation"
for v in $BENCH_BT; do
	check "burstthresh $v" sh -c "echo $v > $S/burstthresh"
	measure rr venet 0 "size=64 sweep=burstthresh burstthresh=$v" rr venet 64
	measure tcp venet 0 "dir=g2h sweep=burstthresh burstthresh=$v" tcp venet -R
done
check "burstthresh 64" sh -c "echo 64 > $S/burstthresh"
for v in $BENCH_LINGER; do
	check "linger_us $v" sh -c "echo $v > $S/linger_us"
	measure rr venet 0 "size=64 sweep=linger_us linger_us=$v" rr venet 64
	measure tcp venet 0 "dir=g2h sweep=linger_us linger_us=$v" tcp venet -R
	measure udp venet 0 "size=64 sweep=linger_us linger_us=$v" udp64 venet
done
check "linger_us 0" sh -c "echo 0 > $S/linger_us"

# ---- the results --------------------------------------------------------------------
record
idle_counts() {	# FROM: venet's kicks, interrupts and round trips
	python3 -c 'import json, sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    if r["kind"] == "idle" and r["backend"] == "venet" and r["params"]["from"] == sys.argv[2]:
        c = r["counters"]
        print(c["venet_guest_kicks"], c["venet_irqs_sent"], r["round_trips"])' "$JSONL" "$1"
}
# At most one kick and one interrupt per idle round trip (a reply that
# finds the other side still polling needs none; the pings of the guest
# are sent by a busy vCPU under emulation, so that happens).
read -r kicks irqs rts <<< "$(idle_counts guest)"
log "venet idle, pings from the guest: $kicks kicks, $irqs interrupts, $rts round trips"
expect_range "venet idle: round trips" "$rts" 1 1000
expect_range "venet idle, from the guest: kicks, at most one per round trip" "$kicks" 1 "$rts"
expect_range "venet idle, from the guest: interrupts, at most one per round trip" "$irqs" 1 "$rts"
read -r kicks irqs rts <<< "$(idle_counts host)"
log "venet idle, pings from the host VM: $kicks kicks, $irqs interrupts, $rts round trips"
expect_range "venet idle, from the host VM: kicks, at most one per round trip" "$kicks" 1 "$rts"
for b in $BENCH_BACKENDS; do
	expect_range "$b: measurements recorded" "$(grep -c "\"backend\": \"$b\"" "$JSONL")" 1 100000
done
for c in rx_drop_bad_desc rx_drop_bad_hdr tx_drop_bad_desc resets; do
	expect_eq "venet: no $c" "$(cat $S/$c)" 0
done
ethtool -S "$HIF" > "$VBUS_TEST_OUT/venet-ethtool-S.txt"
check "bench/run.py reads the results" python3 "$VBUS_REPO/bench/run.py" \
	--from "$JSONL" --out "$VBUS_TEST_OUT/results" --no-chart
