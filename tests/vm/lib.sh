# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# The test API of the nest, sourced into every test (tests/vm/tests/NAME.sh),
# which runs as root in the host VM. See tests/vm/README.md.
#
#   check DESC CMD...          CMD must succeed
#   check_fails DESC CMD...    CMD must fail
#   expect_eq DESC GOT WANT    two strings must be equal
#   expect_match DESC STR RE   STR must match the extended regex RE
#   expect_range DESC N LO HI  LO <= N <= HI (integers)
#   fatal MSG                  record a failure and end the test now
#   wait_for SECS DESC CMD...  retry CMD until it succeeds (fails after SECS)
#   guest_start NAME [QEMU ARGS...]   boot a guest VM under KVM
#                              (GUEST_APPEND: more kernel parameters;
#                              GUEST_DEBUG: the slab checks, the host
#                              VM's slub_debug= unless set, e.g. empty;
#                              GUEST_ROOT: the host VM's folder that is the
#                              guest's read-only root, /hostroot, the build
#                              machine's, unless set; / is the host VM's own)
#   gx NAME CMD...             run CMD in the guest (timeout GX_TIMEOUT, 60 s)
#   gx_bg NAME CMD...          start CMD in the guest in the background
#   guest_stop NAME            power the guest off (killed if it hangs)
#   guest_hmp NAME CMD         a command to the guest's QEMU monitor (HMP)
#   guest_postmortem NAME      the CPU state of a guest that stopped
#                              answering, into guest-NAME.postmortem.txt
#   guest_reboot NAME HOW      reboot it (started with GUEST_REBOOT=1): HOW is
#                              "clean" (reboot -f: device shutdown runs) or
#                              "crash" (sysrq b: no shutdown); waits for it
#   need_module FILE           path of a module built for this kernel, or fatal
#   at_exit CMD                undo something when the test ends, however
#   expect_kernel_log RE       a kernel log line (extended regex) that the
#                              test causes on purpose, e.g. a guest crashed
#                              with sysrq: nest.py does not count it as a
#                              fault (docs/testing.md)
#
# Every wait has a timeout. A guest that does not answer is killed by its PID
# at the end of the test; its console is kept in the test's output folder.

VBUS_CHECKS=0
VBUS_FAILS=0
VBUS_VMDIR=/run/vbus-test/vms
VBUS_NEXT_CID=3
# KVM inside the TCG host VM reports an XSAVE area the guest kernel finds
# inconsistent for AVX state (a boot WARNING in fpu__init_system_xstate);
# guests run without XSAVE (FXSAVE only), the same for every backend.
VBUS_GUEST_CPU=host,-arch-capabilities,-xsave
mkdir -p "$VBUS_VMDIR"

VBUS_T0=$(date +%s)
log() { echo "# [$(($(date +%s) - VBUS_T0))s] $*"; }

vbus_ok() { VBUS_CHECKS=$((VBUS_CHECKS + 1)); echo "ok - $*"; }

vbus_fail() {
	VBUS_CHECKS=$((VBUS_CHECKS + 1))
	VBUS_FAILS=$((VBUS_FAILS + 1))
	echo "not ok - $*"
}

fatal() {
	vbus_fail "fatal: $*"
	exit 1
}

check() {
	local desc=$1 out
	shift
	if out=$("$@" 2>&1); then
		vbus_ok "$desc"
	else
		vbus_fail "$desc (exit $?): $*"
		printf '%s\n' "$out" | tail -n 20 | sed 's/^/#   /'
	fi
}

check_fails() {
	local desc=$1 out
	shift
	if out=$("$@" 2>&1); then
		vbus_fail "$desc (unexpected success): $*"
	else
		vbus_ok "$desc"
	fi
	printf '%s\n' "$out" | tail -n 5 | sed 's/^/#   /'
}

expect_eq() {
	if [ "$2" = "$3" ]; then
		vbus_ok "$1"
	else
		vbus_fail "$1: got '$2', want '$3'"
	fi
}

expect_match() {
	if printf '%s\n' "$2" | grep -Eq -- "$3"; then
		vbus_ok "$1"
	else
		vbus_fail "$1: no match for /$3/ in:"
		printf '%s\n' "$2" | tail -n 20 | sed 's/^/#   /'
	fi
}

expect_range() {
	if [[ "$2" =~ ^-?[0-9]+$ ]] && [ "$2" -ge "$3" ] && [ "$2" -le "$4" ]; then
		vbus_ok "$1 ($2 in [$3, $4])"
	else
		vbus_fail "$1: got '$2', want [$3, $4]"
	fi
}

wait_for() {
	local secs=$1 desc=$2 end
	shift 2
	end=$(($(date +%s) + secs))
	while ! "$@" >/dev/null 2>&1; do
		if [ "$(date +%s)" -ge "$end" ]; then
			vbus_fail "$desc (not within $secs s)"
			return 1
		fi
		sleep 0.5
	done
	vbus_ok "$desc"
}

need_module() {
	local f="$VBUS_BUILD/modules/$VBUS_KVER/$1"
	[ -f "$f" ] || fatal "module $1 was not built for $VBUS_KVER ($f)"
	echo "$f"
}

vbus_agent() { "$VBUS_BUILD/vm/vsock-run" "$@"; }

vbus_cid() {
	[ -f "$VBUS_VMDIR/$1/cid" ] || fatal "no guest named $1"
	cat "$VBUS_VMDIR/$1/cid"
}

# The host VM's slab checks (nest.py's NEST_DEBUG), for a guest booted
# like it
host_debug_args() {
	tr ' ' '\n' < /proc/cmdline | grep '^slub_debug=' | tr '\n' ' ' | sed 's/ $//'
}

guest_start() {
	local name=$1 d cid noreboot tids tid
	shift
	d="$VBUS_VMDIR/$name"
	[ -e "$d" ] && fatal "guest $name started twice"
	mkdir -p "$d"
	cid=$VBUS_NEXT_CID
	VBUS_NEXT_CID=$((cid + 1))
	echo "$cid" > "$d/cid"
	# a guest that reboots is one the test reboots: any other reset (a
	# triple fault, a panic) ends QEMU, and so the guest
	# (GUEST_HOLD=1: the QEMU of a guest that resets or powers off stays,
	# paused, so that guest_postmortem can still read its CPU state)
	noreboot=-no-reboot
	[ "${GUEST_REBOOT:-0}" = 1 ] && noreboot=
	if [ "${GUEST_HOLD:-0}" = 1 ]; then
		noreboot="-action reboot=shutdown,shutdown=pause"
		touch "$d/hold"
	fi
	log "starting guest $name (vsock cid $cid)"
	# acpi=noirq: PCI interrupt routing from the BIOS's tables instead of
	# ACPI's interrupt links, whose AML took about 6 s per PCI device in
	# the nested guest (virtio_pci's probe of 3 devices: 18 s of a 25 s
	# boot); the devices take MSI-X, or with pci=nomsi (faults' m1) INTx
	# routed by the BIOS's PIRQ table
	# shellcheck disable=SC2086
	if ! qemu-system-x86_64 -enable-kvm -cpu "$VBUS_GUEST_CPU" \
		-m "${GUEST_MEM:-768}" -smp "${GUEST_CPUS:-1}" \
		-kernel "/boot/vmlinuz-$VBUS_KVER" \
		-initrd "$VBUS_BUILD/vm/$VBUS_KVER/guest.gz" \
		-append "console=ttyS0 loglevel=5 panic=-1 acpi=noirq ${GUEST_DEBUG-$(host_debug_args)} vbus.repo=$VBUS_REPO vbus.build=$VBUS_BUILD vbus.name=$name${GUEST_APPEND:+ $GUEST_APPEND}" \
		-display none -monitor "unix:$d/mon,server=on,wait=off" -serial "file:$d/console.log" \
		$noreboot -nic none -pidfile "$d/pid" -daemonize \
		-d guest_errors,cpu_reset -D "$d/qemu-debug.log" \
		-virtfs "local,path=${GUEST_ROOT:-/hostroot},mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap" \
		-device "vhost-vsock-pci,guest-cid=$cid" "$@" > "$d/qemu.log" 2>&1; then
		cat "$d/qemu.log"
		fatal "QEMU for guest $name did not start"
	fi
	# GUEST_VCPU_PIN=N: the guest's vCPU threads (only they) run on the
	# host VM's CPU N, not wherever the host VM's scheduler moves them
	if [ -n "${GUEST_VCPU_PIN:-}" ]; then
		tids=$(guest_hmp "$name" "info cpus" | sed -n 's/.*thread_id=\([0-9]*\).*/\1/p')
		[ -n "$tids" ] || fatal "guest $name: no vCPU thread in 'info cpus'"
		for tid in $tids; do
			taskset -pc "$GUEST_VCPU_PIN" "$tid" > /dev/null ||
				fatal "guest $name: cannot pin vCPU thread $tid to CPU $GUEST_VCPU_PIN"
			log "guest $name: vCPU thread $tid pinned to CPU $GUEST_VCPU_PIN"
		done
	fi
	if ! vbus_agent --wait "$cid" "${GUEST_BOOT_TIMEOUT:-300}"; then
		fatal "guest $name did not come up"
	fi
	log "guest $name is up: $(gx "$name" uname -r)"
}

# guest_reboot NAME clean|crash: reboot a guest started with GUEST_REBOOT=1
# and wait until its agent answers from the new kernel.
guest_reboot() {
	local name=$1 how=$2 d="$VBUS_VMDIR/$1" boots cmd
	boots=$(grep -c VBUS-GUEST-READY "$d/console.log")
	case $how in
	clean) cmd='sync; busybox reboot -f' ;;
	crash) cmd='echo b > /proc/sysrq-trigger' ;;
	*) fatal "guest_reboot: clean or crash, not '$how'" ;;
	esac
	log "rebooting guest $name ($how)"
	gx_bg "$name" "sleep 0.3; $cmd" > /dev/null
	wait_for "${GUEST_BOOT_TIMEOUT:-300}" "guest $name: kernel $((boots + 1)) up" sh -c \
		"[ \$(grep -c VBUS-GUEST-READY '$d/console.log') -gt $boots ]" || return 1
	vbus_agent --wait "$(vbus_cid "$name")" 60 || fatal "guest $name did not come back"
	log "guest $name is back"
}

gx() {
	local name=$1 cid
	shift
	cid=$(vbus_cid "$name") || return 125
	vbus_agent "$cid" "${GX_TIMEOUT:-60}" "$@"
}

gx_bg() {
	local name=$1 cid
	shift
	cid=$(vbus_cid "$name") || return 125
	vbus_agent --bg "$cid" "$@"
}

vbus_guest_running() {
	local pid
	pid=$(cat "$VBUS_VMDIR/$1/pid" 2>/dev/null) || return 1
	kill -0 "$pid" 2>/dev/null
}

guest_hmp() {
	printf '%s\n' "$2" | timeout 10 socat - "UNIX-CONNECT:$VBUS_VMDIR/$1/mon" 2>&1 |
		tr -d '\r' | grep -v '^QEMU .* monitor'
}

# A guest that stopped answering: where its vCPU is (three samples a second
# apart: spinning, or halted and never woken), its local APIC, its KVM
# counters in the host VM; then an NMI, which a guest booted with
# GUEST_APPEND=unknown_nmi_panic answers with a backtrace on its console.
# A guest that reset and is held paused (GUEST_HOLD): one sample, no NMI.
guest_postmortem() {
	local name=$1 pid kd st n=3 i
	pid=$(cat "$VBUS_VMDIR/$name/pid" 2>/dev/null)
	kd=$(echo /sys/kernel/debug/kvm/"$pid"-*)
	st=$(guest_hmp "$name" "info status")
	# a guest held after a reset (GUEST_HOLD) does not move: one sample
	case $st in *shutdown*) n=1 ;; esac
	{
		echo "$st"
		for i in $(seq $n); do
			[ "$i" = 1 ] || sleep 1
			guest_hmp "$name" "info registers"
			# shellcheck disable=SC2016
			guest_hmp "$name" 'x/4i $pc'
			grep -H . "$kd"/exits "$kd"/irq_injections "$kd"/halt_exits "$kd"/halt_wakeup 2>/dev/null
		done
		guest_hmp "$name" "info lapic"
		if [ "$n" = 3 ]; then
			guest_hmp "$name" "nmi"
			sleep 5
			guest_hmp "$name" "info status"
		fi
	} > "$VBUS_TEST_OUT/guest-$name.postmortem.txt" 2>&1
	log "guest $name: its state is in guest-$name.postmortem.txt"
}

guest_stop() {
	local name=$1 d="$VBUS_VMDIR/$1" pid n i
	[ -d "$d" ] || return 0
	# a guest started again under the same name keeps the first one's logs
	# (nest.py scans every one): guest-NAME, guest-NAME-2, ...
	n=$name i=1
	while [ -e "$VBUS_TEST_OUT/guest-$n.console.log" ]; do
		i=$((i + 1))
		n=$name-$i
	done
	if vbus_guest_running "$name"; then
		gx "$name" dmesg > "$VBUS_TEST_OUT/guest-$n.dmesg.txt" 2>&1
		gx "$name" 'sync; (sleep 0.3; poweroff -f) >/dev/null 2>&1 &' >/dev/null 2>&1
	fi
	for _ in $(seq 60); do
		vbus_guest_running "$name" || break
		if [ -e "$d/hold" ] && guest_hmp "$name" "info status" | grep -q 'shutdown'; then
			guest_hmp "$name" quit > /dev/null
		fi
		sleep 0.5
	done
	if vbus_guest_running "$name"; then
		pid=$(cat "$d/pid")
		vbus_fail "guest $name did not power off; killed (pid $pid)"
		kill -9 "$pid"
	fi
	cp "$d/console.log" "$VBUS_TEST_OUT/guest-$n.console.log" 2>/dev/null
	cp "$d/qemu.log" "$VBUS_TEST_OUT/guest-$n.qemu.log" 2>/dev/null
	# CPU state at every reset: a guest that vanished with no trace on its
	# console (a triple fault under -no-reboot) shows where it was here
	cp "$d/qemu-debug.log" "$VBUS_TEST_OUT/guest-$n.qemu-debug.log" 2>/dev/null
	rm -rf "$d"
}

# at_exit CMD: run CMD (eval'd) when the test ends, however it ends, after
# its guests are stopped, last registered first: what a test loaded or made
# in the host VM is undone even if it stops at a fatal, so the next test in
# the same host VM starts clean.
# The list is also kept in a file: a test killed at its timeout runs no
# trap, and hostvm-run.sh runs the file for it.
expect_kernel_log() {
	printf '%s\n' "$1" >> "$VBUS_TEST_OUT/expected-kernel-log"
	log "kernel log lines matching /$1/ are caused on purpose"
}

VBUS_AT_EXIT=
VBUS_AT_EXIT_FILE=/run/vbus-test/at-exit
at_exit() {
	VBUS_AT_EXIT="$1
$VBUS_AT_EXIT"
	printf '%s\n' "$VBUS_AT_EXIT" > "$VBUS_AT_EXIT_FILE"
}

vbus_cleanup() {
	local d cmd
	for d in "$VBUS_VMDIR"/*/; do
		[ -d "$d" ] && guest_stop "$(basename "$d")"
	done
	while IFS= read -r cmd; do
		[ -n "$cmd" ] && eval "$cmd" > /dev/null 2>&1
	done <<EOF_AT_EXIT
$VBUS_AT_EXIT
EOF_AT_EXIT
	VBUS_AT_EXIT=
	rm -f "$VBUS_AT_EXIT_FILE"
}
trap vbus_cleanup EXIT

vbus_test_end() {
	vbus_cleanup
	if [ "$VBUS_CHECKS" = 0 ]; then
		echo "not ok - the test asserted nothing"
		exit 1
	fi
	echo "# $VBUS_CHECKS checks, $VBUS_FAILS failed"
	[ "$VBUS_FAILS" = 0 ]
}
