# SPDX-License-Identifier: GPL-2.0
# timeout: 1500
# series: none
# Where the time goes, per frame: venet against virtio-net with vhost-net in
# one guest, one phase per backend and transfer, counted by the TCG plugin
# of the host VM's QEMU (tests/vm/prof/vbusprof.c; docs/performance.md,
# "Per-frame cost by function"). Run by name with the plugin loaded:
#   make -C tests/vm/prof
#   NEST_QEMU_ARGS="-plugin $PWD/build/prof/libvbusprof.so,phasefile=$PWD/build/vm/logs/6.1/boot-*/profile/phase" \
#     python3 tests/vm/nest.py --kernel 6.1 --test profile
#   python3 bench/profile.py build/vm/logs/6.1/boot-1/profile
# The guest and its backends are the bench's (tests/vm/benchlib.sh, with
# BENCH_SETUP_ONLY=1: its setup, none of its measurements). Each phase:
# the phase's name into $VBUS_TEST_OUT/phase, wait for the plugin's
# acknowledgement (prof-ack), the bench's counters, the transfer, the
# counters again, the phase "none". The plugin writes prof-<phase>.txt.
# Then the symbol tables of both kernels and the host VM's physical pages
# behind the guest's RAM (tests/vm/prof/pagemap.py), for bench/profile.py.
#
# Knobs: PROF_T seconds per transfer (12); PROF_BACKENDS (venet vhost);
# PROF_KINDS (idle-1 tcp-g2h tcp-h2g udp64-g2h idle-2; also rr: sockperf
# ping-pong of 64 bytes from the host VM, as the bench's; idle-N is a phase
# with no traffic, the background); PROF_NOPLUGIN=1 runs without the
# plugin (no acknowledgements awaited).
PROF_T=${PROF_T:-12}
PROF_BACKENDS=${PROF_BACKENDS:-venet vhost}
PROF_KINDS=${PROF_KINDS:-idle-1 tcp-g2h tcp-h2g udp64-g2h idle-2}
# shellcheck disable=SC2034
BENCH_T=$PROF_T BENCH_SETUP_ONLY=1
. "$VBUS_REPO/tests/vm/benchlib.sh"
PROF=$VBUS_REPO/tests/vm/prof
RAWP=$VBUS_TEST_OUT/prof-raw
mkdir -p "$RAWP"
: > "$RAWP/phases.txt"
GPID=$(cat "$VBUS_VMDIR/g1/pid")

# phase NAME: the plugin counts from its acknowledgement on as NAME (it
# reads the phase file every 0.5 s)
phase() {
	local i a
	echo "$1" > "$VBUS_TEST_OUT/phase"
	[ "${PROF_NOPLUGIN:-}" = 1 ] && return 0
	for i in $(seq 150); do
		a=
		read -r a < "$VBUS_TEST_OUT/prof-ack" 2> /dev/null
		[ "$a" = "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

# the host VM's pages behind the guest's RAM (before and after: a page
# moved in between would show in both)
pfns() { python3 "$PROF/pagemap.py" "$GPID" > "$VBUS_TEST_OUT/guest-ram-pfns-$1.txt"; }

# cpu_snap FILE: where the host VM's CPU time went (jiffies): /proc/stat
# (the guest's time is in its own column) and every thread's stat (the
# guest's vCPU thread, vhost's worker, ksoftirqd, iperf3, ...), one cat
cpu_snap() {
	cat /proc/stat /proc/[0-9]*/task/[0-9]*/stat > "$1" 2> /dev/null
}

# prof_phase BACKEND KIND: one transfer in a phase of its own (named
# BACKEND-KIND; idle-N: no traffic, named idle-N, the counters of BACKEND)
prof_phase() {
	local b=$1 k=$2 name=$1-$2 f rc a
	[ "${k%-*}" = idle ] && name=$k
	f=$RAWP/$name
	check "$name: the plugin acknowledges the phase" phase "$name"
	snapshot "$f.s0" "$b"
	cpu_snap "$f.cpu0"
	case $k in
	idle-*) sleep "$PROF_T" ;;
	tcp-g2h) iperf -c "$(bk_addr "$b")" -R ;;
	tcp-h2g) iperf -c "$(bk_addr "$b")" ;;
	udp64-g2h) iperf -u -b 0 -l 64 -w 2M -c "$(bk_addr "$b")" -R ;;
	rr) BENCH_RR_T=$PROF_T rr "$b" 64 ;;
	*) fatal "unknown kind $k" ;;
	esac > "$f.json" 2>&1
	rc=$?
	cpu_snap "$f.cpu1"
	snapshot "$f.s1" "$b"
	check "$name: back to phase none" phase none
	expect_eq "$name: the transfer ran" "$rc" 0
	printf '%s\n' "$name $b $k $rc" >> "$RAWP/phases.txt"
	a=$(python3 -c 'import json, sys
try:
    e = json.load(open(sys.argv[1]))["end"]
    s = e.get("sum_received") or e.get("sum")
    print("%.3f Gb/s, %d bytes" % (s["bits_per_second"] / 1e9, s["bytes"]))
except Exception:
    print("-")' "$f.json")
	log "$name: $a"
}

check "no phase yet: the plugin acknowledges 'none'" phase none
pfns before
for k in $PROF_KINDS; do
	for b in $PROF_BACKENDS; do
		# idle-N: the background, once (the backend does not matter)
		[ "${k%-*}" = idle ] && [ "$b" != "${PROF_BACKENDS%% *}" ] && continue
		prof_phase "$b" "$k"
	done
done
pfns after

# ---- symbols ----------------------------------------------------------------------
# Both kernels are the same image with different KASLR offsets (and module
# load offsets): each side's own tables.
cat /proc/kallsyms > "$VBUS_TEST_OUT/host-kallsyms.txt"
cat /proc/modules > "$VBUS_TEST_OUT/host-modules.txt"
cat /proc/iomem > "$VBUS_TEST_OUT/host-iomem.txt"
GX_TIMEOUT=300 gx g1 cat /proc/kallsyms > "$VBUS_TEST_OUT/guest-kallsyms.txt"
gx g1 cat /proc/modules > "$VBUS_TEST_OUT/guest-modules.txt"
expect_match "host VM kallsyms has addresses" "$(grep -m1 ' T _stext$' "$VBUS_TEST_OUT/host-kallsyms.txt")" '^[0-9a-f]*[1-9a-f][0-9a-f]* T _stext$'
expect_match "guest kallsyms has addresses" "$(grep -m1 ' T _stext$' "$VBUS_TEST_OUT/guest-kallsyms.txt")" '^[0-9a-f]*[1-9a-f][0-9a-f]* T _stext$'
expect_match "guest modules listed with addresses" "$(grep -m1 '^venet ' "$VBUS_TEST_OUT/guest-modules.txt")" ' 0x[0-9a-f]*[1-9a-f]'
expect_range "guest RAM pages found" "$(grep -c '^[0-9a-f]' "$VBUS_TEST_OUT/guest-ram-pfns-after.txt")" 1 100000000
for b in $PROF_BACKENDS; do
	expect_eq "$b: no receive errors on $(bk_if "$b")" "$(cat "/sys/class/net/$(bk_if "$b")/statistics/rx_errors")" 0
done
