# SPDX-License-Identifier: GPL-2.0
# timeout: 5400
# series: none
# The guest lost in the bench (docs/performance.md, "A guest lost in the
# bench"), as a rate: the bench's guest (tests/vm/benchlib.sh,
# BENCH_SETUP_ONLY=1) carries venet TCP guest -> host (iperf3 -R, as
# `tcp venet -R`) and then 64-byte round trips (sockperf, the guest's
# server calling sendto) in cycles, for SVM_LOSS_MIN minutes of wall time.
# A guest that stops answering is recorded (bench_guest_lost: its state
# and console in guest-lost-N/, its console's first fault line and RIP)
# and replaced, and the cycles go on. Run by name with two host VM vCPUs,
# once per QEMU (NEST_QEMU, tests/vm/qemu-svm/):
#   NEST_SMP=2 NEST_DEBUG= NEST_QEMU=.../qemu-system-x86_64 \
#     python3 tests/vm/nest.py --kernel 6.1 --test svm-loss
# Every other cycle (the odd ones) adds IPIs between the host VM's CPUs: a
# process reads an MSR of each CPU in turn through /dev/cpu/N/msr (a
# read of another CPU's is an IPI to it), SVM_LOSS_IPI reads a second at
# most (0: none).
# SVM_LOSS_NIC (venet) carries the traffic: venet, or vhost for a
# control (the guest's virtio-net NIC with vhost-net; venet then idles).
# SVM_LOSS_KICK (0: off) adds, through all cycles, up to that many writes
# a second to the PCI command register of the host VM's VGA card
# (0000:00:02.0, unused: -display none), turning its memory decoding off
# and on. Each one changes the outer QEMU's memory map, and TCG flushes
# every vCPU's TLB for it: an exit request to each vCPU with no interrupt
# behind it, the kind that makes QEMU 7.2 deliver an interrupt it has
# injected at VMRUN a second time (tests/vm/qemu-svm/).
# Each cycle also counts the interrupts the guest took (/proc/interrupts,
# all but NMI, PMI, MCE, MCP, ERR and MIS) against the interrupts KVM
# injected into it (debugfs irq_injections): a CPU that delivers an
# injected interrupt twice makes the first exceed the second.
# Per cycle a JSON line in svm-loss.jsonl; at the end svm-loss.json (the
# totals) and an "ok -" line with them.
#
# Knobs: SVM_LOSS_MIN minutes of cycles (20), SVM_LOSS_T seconds of TCP per
# cycle (20), SVM_LOSS_RR_T seconds of round trips per cycle (5),
# SVM_LOSS_IPI (2000), SVM_LOSS_MAX losses before it stops (50).
SVM_LOSS_MIN=${SVM_LOSS_MIN:-20}
SVM_LOSS_T=${SVM_LOSS_T:-20}
SVM_LOSS_RR_T=${SVM_LOSS_RR_T:-5}
SVM_LOSS_IPI=${SVM_LOSS_IPI:-2000}
SVM_LOSS_MAX=${SVM_LOSS_MAX:-50}
SVM_LOSS_KICK=${SVM_LOSS_KICK:-0}
SVM_LOSS_NIC=${SVM_LOSS_NIC:-venet}
# the guests without KASLR: the addresses QEMU reports (svm-diag) are
# then those of the kernel's System.map
# shellcheck disable=SC2034
BENCH_GUEST_APPEND=nokaslr
# shellcheck disable=SC2034
BENCH_T=$SVM_LOSS_T BENCH_RR_T=$SVM_LOSS_RR_T BENCH_SETUP_ONLY=1 BENCH_LOST=$SVM_LOSS_MAX
. "$VBUS_REPO/tests/vm/benchlib.sh"
OUTJ=$VBUS_TEST_OUT/svm-loss.jsonl
SUMJ=$VBUS_TEST_OUT/svm-loss.json
: > "$OUTJ"
log "$(nproc) host VM CPUs; $SVM_LOSS_MIN minutes; IPI load ${SVM_LOSS_IPI}/s in odd cycles; traffic over $SVM_LOSS_NIC"

# the IPI load: on while the flag file exists
IPIFLAG=/run/svm-loss-ipi
IPICOUNT=$VBUS_TEST_OUT/ipi-reads
rm -f "$IPIFLAG"
if [ "$SVM_LOSS_IPI" -gt 0 ]; then
	check "msr module" modprobe msr
	python3 -c '
import glob, os, sys, time
fds = [os.open(p, os.O_RDONLY) for p in sorted(glob.glob("/dev/cpu/*/msr"))]
gap, flag, out, n = 1.0 / int(sys.argv[1]), sys.argv[2], sys.argv[3], 0
last = time.monotonic()
while True:
    if os.path.exists(flag):
        for fd in fds:
            os.pread(fd, 8, 0x10)  # the TSC
            n += 1
        time.sleep(gap * len(fds))
    else:
        time.sleep(0.2)
    if time.monotonic() - last > 5:
        last = time.monotonic()
        with open(out, "w") as f:
            f.write("%d\n" % n)
' "$SVM_LOSS_IPI" "$IPIFLAG" "$IPICOUNT" &
	IPIPID=$!
	at_exit "kill $IPIPID"
fi

# the memory-map load: the VGA card's memory decoding off and on
KICKCOUNT=$VBUS_TEST_OUT/kick-writes
if [ "$SVM_LOSS_KICK" -gt 0 ]; then
	vga=/sys/bus/pci/devices/0000:00:02.0
	expect_eq "the host VM's VGA card (QEMU's std VGA)" "$(cat $vga/vendor $vga/device 2>&1 | tr '\n' ' ')" "0x1234 0x1111 "
	python3 -c '
import os, sys, time
fd = os.open(sys.argv[1] + "/config", os.O_RDWR)
cmd = int.from_bytes(os.pread(fd, 2, 4), "little")
gap, out, n = 1.0 / int(sys.argv[2]), sys.argv[3], 0
last = time.monotonic()
try:
    while True:
        os.pwrite(fd, (cmd & ~2).to_bytes(2, "little"), 4)
        os.pwrite(fd, cmd.to_bytes(2, "little"), 4)
        n += 2
        time.sleep(gap * 2)
        if time.monotonic() - last > 5:
            last = time.monotonic()
            with open(out, "w") as f:
                f.write("%d\n" % n)
finally:
    os.pwrite(fd, cmd.to_bytes(2, "little"), 4)
' "$vga" "$SVM_LOSS_KICK" "$KICKCOUNT" &
	KICKPID=$!
	at_exit "kill $KICKPID"
	log "memory-map load: up to $SVM_LOSS_KICK VGA command writes a second"
fi

# the interrupts the guest took, and those KVM injected into it
guest_irqs() {
	# shellcheck disable=SC2016
	gx g1 'while read -r k v _; do case $k in NMI:|PMI:|MCE:|MCP:|ERR:|MIS:|CPU0) ;; *) [[ $v =~ ^[0-9]+$ ]] && s=$((s + v)) ;; esac; done < /proc/interrupts; echo $((s))'
}
kvm_inj() { cat "$KVMD/irq_injections"; }
# an iperf3 -J run that moved its data (it may exit 0 after an error)
tcp_moved() { grep -q '"sum_received"' "$1" && ! grep -q '"error"' "$1"; }

cycle=0 lost=0 tcp_s=0 rr_s=0 extra=0 extra_ipi=0 cyc_ipi=0 cyc_noipi=0
sigs=()
end=$((SECONDS + SVM_LOSS_MIN * 60))
g0=$(guest_irqs) a0=$(kvm_inj)
while [ "$SECONDS" -lt "$end" ] && [ "$lost" -lt "$SVM_LOSS_MAX" ]; do
	cycle=$((cycle + 1))
	ipi=0
	if [ "$SVM_LOSS_IPI" -gt 0 ] && [ $((cycle % 2)) = 1 ]; then
		ipi=1
		touch "$IPIFLAG"
	fi
	t0=$SECONDS
	timeout $((SVM_LOSS_T + 30)) iperf3 -J --connect-timeout 5000 --rcv-timeout 10000 \
		-t "$SVM_LOSS_T" -c "$(bk_addr "$SVM_LOSS_NIC")" -R > "$RAW/svm-$cycle-tcp.json" 2>&1
	trc=$?
	t1=$SECONDS
	rrc=1
	tcp_moved "$RAW/svm-$cycle-tcp.json" || trc=${trc/#0/1}
	if [ "$trc" = 0 ]; then
		rr "$SVM_LOSS_NIC" 64 > "$RAW/svm-$cycle-rr.txt" 2>&1
		rrc=$?
	fi
	t2=$SECONDS
	rm -f "$IPIFLAG"
	tcp_s=$((tcp_s + t1 - t0)) rr_s=$((rr_s + t2 - t1))
	gbps=$(sed -n '/"sum_received"/,/}/s/.*"bits_per_second":[[:space:]]*\([0-9.e+]*\).*/\1/p' \
		"$RAW/svm-$cycle-tcp.json" | head -1)
	# iperf3 -J and sockperf may exit 0 when the guest stopped answering
	# (an idle timeout, no messages): the traffic moved, or the guest
	# answers its agent, or it is lost
	grep -qE 'No messages were received|No valid observations' "$RAW/svm-$cycle-rr.txt" 2> /dev/null &&
		rrc=${rrc/#0/1}
	g1='' a1=''
	if [ "$trc" = 0 ] && [ "$rrc" = 0 ]; then
		g1=$(guest_irqs) a1=$(kvm_inj)
	fi
	if [[ $g1 =~ ^[0-9]+$ ]] || bench_guest_answers; then
		[[ $g1 =~ ^[0-9]+$ ]] || { g1=$(guest_irqs) a1=$(kvm_inj); }
		if [[ $g1 =~ ^[0-9]+$ && $a1 =~ ^[0-9]+$ && $g0 =~ ^[0-9]+$ && $a0 =~ ^[0-9]+$ ]]; then
			d=$(((g1 - g0) - (a1 - a0)))
			if [ "$ipi" = 1 ]; then
				extra_ipi=$((extra_ipi + d)) cyc_ipi=$((cyc_ipi + 1))
			else
				extra=$((extra + d)) cyc_noipi=$((cyc_noipi + 1))
			fi
			printf '{"cycle": %d, "t": %d, "ipi": %d, "tcp_s": %d, "rr_s": %d, "tcp_bps": %s, "tcp_rc": %d, "rr_rc": %d, "guest_irqs": %d, "kvm_injections": %d, "extra": %d, "lost": 0}\n' \
				"$cycle" "$t0" "$ipi" $((t1 - t0)) $((t2 - t1)) "${gbps:-0}" "$trc" "$rrc" \
				$((g1 - g0)) $((a1 - a0)) "$d" >> "$OUTJ"
		else
			log "cycle $cycle: the interrupt counts could not be read ($g0 $g1 $a0 $a1)"
		fi
		g0=$g1 a0=$a1
		continue
	fi
	# the guest is lost: its evidence, a new guest
	lost=$((lost + 1))
	bench_guest_lost 1 "$([ "$trc" = 0 ] && echo rr || echo tcp)" "$SVM_LOSS_NIC" "$cycle" "ipi=$ipi"
	sig=$(cat "$VBUS_TEST_OUT/guest-lost-$NLOST/signature")
	sigs+=("$sig")
	printf '{"cycle": %d, "t": %d, "ipi": %d, "tcp_s": %d, "rr_s": %d, "lost": 1, "during": "%s", "signature": "%s"}\n' \
		"$cycle" "$t0" "$ipi" $((t1 - t0)) $((t2 - t1)) "$([ "$trc" = 0 ] && echo rr || echo tcp)" \
		"$(printf '%s' "$sig" | tr -d '"[:cntrl:]' | sed 's/[\]//g')" >> "$OUTJ"
	g0=$(guest_irqs) a0=$(kvm_inj)
done
rm -f "$IPIFLAG"

mins=$(awk -v s="$((tcp_s + rr_s))" 'BEGIN { printf "%.1f", s / 60 }')
printf '{"cycles": %d, "traffic_s": %d, "tcp_s": %d, "rr_s": %d, "wall_s": %d, "lost": %d, "extra_irqs_noipi": %d, "cycles_noipi": %d, "extra_irqs_ipi": %d, "cycles_ipi": %d, "ipi_reads": %s, "kick_writes": %s}\n' \
	"$cycle" $((tcp_s + rr_s)) "$tcp_s" "$rr_s" "$SECONDS" "$lost" "$extra" "$cyc_noipi" \
	"$extra_ipi" "$cyc_ipi" "$(cat "$IPICOUNT" 2>/dev/null || echo 0)" \
	"$(cat "$KICKCOUNT" 2>/dev/null || echo 0)" > "$SUMJ"
for s in "${sigs[@]}"; do
	log "lost: $s"
done
vbus_ok "svm-loss: $lost guest(s) lost in $mins minutes of traffic ($cycle cycles); interrupts taken beyond those injected: $extra in $cyc_noipi cycles, $extra_ipi in $cyc_ipi cycles with IPIs"
