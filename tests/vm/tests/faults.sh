# SPDX-License-Identifier: GPL-2.0
# timeout: 1800
# series: 6.12
# Faults of a real deployment (docs/security.md), short form; `make soak`
# runs the long form (tests/vm/tests/soak-faults.sh sets the counts):
# - host memory (meminfo, slabinfo, vmallocinfo) back where it was after
#   FAULT_CYCLES attach/detach cycles (a QEMU that connects to vbusd and
#   quits), after FAULT_RELOADS unbind/rebind cycles of a live guest with
#   traffic, and after the FAULT_KILLS QEMU kills
# - nothing lost: FAULT_UDP sequenced datagrams each way at FAULT_UDP_RATE
#   (sequdp: 0 lost, 0 duplicated, 0 reordered) and FAULT_TCP_MB MiB
#   over TCP, sha256-equal
# - ring full: the guest's QEMU stopped (SIGSTOP) while the host sends to
#   it: venet-tap stops its queue once, drops nothing, and traffic flows
#   once it runs again; the guest floods the host: every frame its driver
#   sent reaches venet-tap and the host's UDP layer, NAPI takes at most
#   burstthresh per pass, and a run after it loses nothing; memory
#   pressure in the guest under traffic: every datagram missing is counted
#   as dropped, and a run after it loses nothing
# - rmmod of the host modules while a guest is attached: refused; the
#   device's configfs directory and instance: EBUSY; the unlink of an
#   attached device: deferred, the guest keeps its link
# - the guest modules unloaded and reloaded FAULT_RELOADS times under
#   traffic (at least 10 for the memory check to tell a leak of an object
#   per cycle); the bridge let go and bound again back to back FAULT_RAPID
#   times under traffic, each followed by a ping answered; the guest
#   rebooted FAULT_REBOOTS times (crash, then clean, alternating; the
#   default 1: venet-multi reboots a guest clean and crashed on the same
#   series)
# - vbusd killed while the guest runs: the guest is cut off clearly (its
#   interface goes, the bridge logs the host reset; docs/operations.md),
#   a new vbusd serves the next QEMU
# - the guest's QEMU killed (SIGKILL) mid-transfer FAULT_KILLS times: the
#   host detaches, vbusd serves the next guest, no shared memory is left
# - then every device and instance goes and both modules unload
. "$VBUS_REPO/tests/vm/netlib.sh"
venet_paths
SEQUDP=$VBUS_BUILD/sequdp/sequdp
CYCLES=${FAULT_CYCLES:-20}
UDP=${FAULT_UDP:-10000}
UDP_RATE=${FAULT_UDP_RATE:-1000}
TCP_MB=${FAULT_TCP_MB:-0}
RELOADS=${FAULT_RELOADS:-10}
REBOOTS=${FAULT_REBOOTS:-1}
KILLS=${FAULT_KILLS:-2}
RAPID=${FAULT_RAPID:-8}
MAC=02:00:c6:12:0b:02 HOST=198.18.11.1 GUEST=198.18.11.2
CFS=/sys/kernel/config/vbus
S=/sys/vbus/devices/ethF
log "counts: cycles $CYCLES, udp $UDP at $UDP_RATE/s, tcp $TCP_MB MiB, reloads $RELOADS, rapid rebinds $RAPID, reboots $REBOOTS, kills $KILLS"

at_exit "pkill -x vbusd; pkill -f 'qemu-system-x86_64 -S'; sleep 1; echo 0 > $S/enabled; $VBUSCTL detach ethF; $VBUSCTL delete-device ethF; $VBUSCTL delete-instance busF; rmmod venet_tap; rmmod vbus"
# skbs a CPU frees for another stay on a list until that CPU runs again,
# which the memory checks would take for a leak (see mem_delta)
DEFER_MAX=$(cat /proc/sys/net/core/skb_defer_max)
at_exit "echo $DEFER_MAX > /proc/sys/net/core/skb_defer_max"
check "skb_defer_max 0 for the memory checks" sh -c 'echo 0 > /proc/sys/net/core/skb_defer_max'
check "sequdp built" test -x "$SEQUDP"
check "vbus.ko loads" insmod "$VBUS"
check "venet-tap.ko loads" insmod "$TAP"
check "create busF, create and attach ethF" sh -c \
	"$VBUSCTL create-instance busF && $VBUSCTL create-device ethF --type venet-tap && $VBUSCTL attach ethF busF"
HIF=$(host_dev ethF $MAC $HOST)
expect_match "host netdev" "$HIF" '^venet-tap[0-9]+$'
vbusd_start busF
VBUSD_PID=${VBUSD_PIDS# }
Q=$("$VBUSCTL" qemu-args busF)
SHM_KB=$(($(cat /sys/vbus/instances/busF/shm_size) / 1024))
sysctl -qw net.core.rmem_max=4194304 net.core.wmem_max=4194304

# ---- host memory over attach/detach cycles ----------------------------------
# A QEMU that only connects (-S: no guest code runs) makes vbusd attach the
# instance (memfd, eventfds, the kernel's mapping and irqfds) and detach it
# when QEMU quits: the whole host side of a guest's life but the traffic.
attach_cycle() {
	local pf=/run/vbus-test/cycle.pid
	rm -f "$pf"
	# shellcheck disable=SC2086
	qemu-system-x86_64 -S -machine accel=kvm -m 64 -display none -monitor none \
		-nic none -daemonize -pidfile "$pf" $Q > /dev/null 2>&1 || return 1
	grep -qx 1 /sys/vbus/instances/busF/attached || return 1
	kill "$(cat "$pf")" || return 1
	for _ in $(seq 100); do
		grep -qx 0 /sys/vbus/instances/busF/attached && return 0
		sleep 0.1
	done
	return 1
}
# mem_snapshot FILE: meminfo and slabinfo once freed objects have gone
# (page cache, dentries and inodes dropped, RCU callbacks run)
mem_snapshot() {
	sync
	echo 3 > /proc/sys/vm/drop_caches
	sleep 2
	python3 - > "$1" <<'EOF'
import os
# The process table before and after the kernel's counts, in this one
# process (no cat or shell forked in between): a process that lived
# while slabinfo was read and is gone by the second listing (the test
# bed's heartbeat, a command of a traffic loop) is in the first.
def procs():
    out = {}
    for pid in os.listdir('/proc'):
        if not pid.isdigit():
            continue
        try:
            comm = open('/proc/%s/comm' % pid).read().strip().replace(' ', '_')
            with open('/proc/%s/maps' % pid) as f:
                vmas = sum(1 for _ in f)
            fds = len(os.listdir('/proc/%s/fd' % pid))
        except OSError:
            continue
        out[pid] = (comm, vmas, fds)
    return out
# this process too: its mappings are in slabinfo while it reads it
held = procs()
parts = [open(p).read() for p in ('/proc/meminfo', '/proc/slabinfo', '/proc/vmallocinfo')]
# the free pages the CPUs keep on their own lists (in no MemFree)
pcp = sum(int(l.split()[1]) for l in open('/proc/zoneinfo') if l.split()[:1] == ['count:'])
parts[0] += 'PcpFree: %d kB\n' % (pcp * os.sysconf('SC_PAGE_SIZE') // 1024)
for pid, (comm, vmas, fds) in procs().items():
    b = held.get(pid, (comm, 0, 0))
    held[pid] = (comm, max(vmas, b[1]), max(fds, b[2]))
print('--\n'.join(parts), end='')
print('--')
for pid, (comm, vmas, fds) in held.items():
    print(pid, comm, vmas, fds)
EOF
}
# The snapshot's last part is "PID COMM VMAS FDS" for every process: the
# memory mappings and open files that user space holds (see mem_delta).
# mem_delta A B [C]: the growth from snapshot A to B, a line each:
#   Shmem kB, SUnreclaim kB, memory free or user space's (kB, then its
#   parts: MemAvailable, the free pages on the CPUs' own lists, AnonPages,
#   PageTables; from C when more is free there), live vmalloc/vmap areas,
#   those of our modules, then the caches that grew by the most objects
#   as "name:objects" (a leak of one object per cycle grows its cache by
#   at least the number of cycles). vmap_area is left out of the caches:
#   vunmap() frees areas lazily and purges them in batches (32 MiB per
#   CPU), so its count follows the purge backlog (QEMU's thread stacks,
#   our 4 MiB mapping per cycle), not live mappings; those are counted in
#   /proc/vmallocinfo instead (without its "unpurged vm_area" lines).
#   radix_tree_node is left out too: its nodes index the page cache of
#   files, and those of files still mapped (libraries, binaries) stay
#   after drop_caches, so its count follows which pages the host VM's
#   processes touched (9 seen over 10 reloads); our modules use no radix
#   tree or xarray, and a region left behind (its memfd's page cache)
#   shows in Shmem. So are the caches of dentries and inodes (dentry,
#   *inode_cache): every file the test bed writes on the host VM's tmpfs
#   (each guest's folder, pid, console and monitor socket) keeps its
#   dentry and inode for as long as it exists, which drop_caches cannot
#   free (dentry 21 and lsm_inode_cache 16 after 2 QEMU kills, each a new
#   guest); our modules allocate neither, and a memfd they kept would keep
#   its region's pages: Shmem.
#   The objects of user space's own mappings and open files are not
#   counted as growth: a process of the host VM that started or grew
#   between the snapshots (36 vm_area_struct and vma_lock, 16
#   lsm_file_cache seen over 20 empty QEMUs, with no leak of ours: the
#   modules create no mapping and keep no file) holds them, and its
#   VMAs and file descriptors are counted in /proc/PID/maps and fd (the
#   snapshot's last part). So the caches of one per mapping (PER_VMA)
#   are counted less the number of mappings of all processes, those of
#   one per open file (PER_FILE) less their open files; a file or
#   mapping leaked by the kernel is in no process's table and still
#   counts. The processes that moved are logged with the caches.
#   vm_area_struct and vma_lock are then left out all the same: on 6.12
#   (CONFIG_PER_VMA_LOCK) an exiting process frees its VMAs through
#   call_rcu(), which Debian's 6.12 batches lazily (CONFIG_RCU_LAZY, up
#   to 10 s), so the VMAs of a process that ended just before the
#   snapshot (the snapshot's own sync and sleep: about 35) are still
#   allocated and in no process's maps: 23 and 33 beyond the maps after
#   two phases of one clean-clone run, 13 before them (a hypothesis read
#   from the sources and those counts, not shown by experiment). No
#   module of ours allocates a VMA (the region is vmap()ed: vmallocinfo).
# With a third snapshot C (taken a few seconds after B), a cache's growth
# is the smaller of the two: a leaked object is in both, one that was only
# passing through (an skb in a queue, a short-lived task) is often gone.
# skbuff_head_cache's growth is counted beyond what the stack keeps of it
# by design: every CPU keeps up to NAPI_SKB_CACHE_SIZE (64) freed skb
# heads for reuse in NAPI (net/core/skbuff.c, 6.1 and 6.12), allocated as
# far as slabinfo can tell, and how many it holds depends on what ran on
# that CPU last (+15 after 2 QEMU kills with no leak of ours: venet-tap
# keeps no skb, it copies each one into the ring and frees it or drops
# it). The line shows it as "skbuff_head_cache:BEYOND(+RAW)". The per-CPU
# list of skbs freed later by the CPU that received them (skb_defer_max,
# 64) is turned off for the test instead.
mem_delta() {
	python3 - "$@" <<'EOF'
import os, re, sys
PER_VMA = ('vm_area_struct', 'vma_lock', 'anon_vma_chain', 'anon_vma')
PER_FILE = ('filp', 'lsm_file_cache')
def parse(path):
    mem, slab, vm, ours, procs, part = {}, {}, 0, 0, {}, 0
    for line in open(path):
        if line.startswith('--'):
            part += 1
            continue
        f = line.split()
        if part == 0 and len(f) >= 2:
            mem[f[0].rstrip(':')] = int(f[1])
        elif part == 1 and f and not line.startswith(('slabinfo', '#')):
            slab[f[0]] = int(f[1])
        elif part == 2 and f and 'unpurged' not in line:
            vm += 1
            ours += bool(re.search(r'\[(vbus|venet_tap)\]', line))
        elif part == 3 and len(f) == 4:
            procs[f[0]] = (f[1], int(f[2]), int(f[3]))
    slab.pop('vmap_area', None)
    slab.pop('radix_tree_node', None)
    slab.pop('vm_area_struct', None)
    slab.pop('vma_lock', None)
    for n in [n for n in slab if n == 'dentry' or n.endswith('inode_cache')]:
        slab.pop(n)
    # what user space holds: the objects of its mappings and open files
    held = {}
    if procs:
        vmas = sum(p[1] for p in procs.values())
        fds = sum(p[2] for p in procs.values())
        held = {n: vmas for n in PER_VMA}
        held.update({n: fds for n in PER_FILE})
    return mem, slab, vm, ours, procs, held
(ma, sa, va, oa, pa, ha), (mb, sb, vb, ob, pb, hb) = parse(sys.argv[1]), parse(sys.argv[2])
def unheld(slab, held):
    return {n: v - held.get(n, 0) for n, v in slab.items()}
ua, ub = unheld(sa, ha), unheld(sb, hb)
if len(sys.argv) > 3:
    _, sc, _, _, _, hc = parse(sys.argv[3])
    uc = unheld(sc, hc)
    sb = {n: min(v, sc.get(n, v)) for n, v in sb.items()}
    ub = {n: min(v, uc.get(n, v)) for n, v in ub.items()}
for k in ('Shmem', 'SUnreclaim'):
    print(mb[k] - ma[k])
# memory that is available or held by user space: what our modules hold
# (the region's pages, frames) is in none of these
def free(m):
    return sum(m.get(k, 0) for k in ('MemAvailable', 'PcpFree', 'AnonPages', 'PageTables'))
fa = free(ma)
db = {k: mb.get(k, 0) - ma.get(k, 0) for k in ('MemAvailable', 'PcpFree', 'AnonPages', 'PageTables')}
if len(sys.argv) > 3:
    mc = parse(sys.argv[3])[0]
    if free(mc) > free(mb):
        db = {k: mc.get(k, 0) - ma.get(k, 0) for k in db}
print(sum(db.values()), ' '.join('%s %+d' % kv for kv in db.items()))
print(vb - va)
print(ob - oa)
allow = {'skbuff_head_cache': 64 * os.cpu_count()}
raw = {n: sb.get(n, 0) - sa.get(n, 0) for n in set(sa) | set(sb)}
net = {n: ub.get(n, 0) - ua.get(n, 0) for n in set(ua) | set(ub)}
grown = sorted(((max(0, net[n] - allow.get(n, 0)) if net[n] > 0 else net[n], n) for n in raw), reverse=True)
print(' '.join('%s:%d%s' % (n, d, '(+%d)' % raw[n] if raw[n] != d else '') for d, n in grown[:5]))
moved = []
for pid in sorted(set(pa) | set(pb), key=int):
    a, b = pa.get(pid), pb.get(pid)
    if a and b and a[1:] == b[1:]:
        continue
    comm = (b or a)[0]
    dv = (b[1] if b else 0) - (a[1] if a else 0)
    df = (b[2] if b else 0) - (a[2] if a else 0)
    what = 'new' if not a else 'gone' if not b else 'grew'
    moved.append('%s %s[%s] %+d maps %+d files' % (what, comm, pid, dv, df))
print('; '.join(moved) or 'none')
EOF
}
# mem_check WHAT N BEFORE AFTER SLAB_KB [live]: snapshot AFTER
# (mem_snapshot) and compare it with BEFORE, N cycles of WHAT apart. The
# bounds, in kB:
# - Shmem within half a region (SHM_KB): a region left behind is SHM_KB.
# - memory free or user space's (MemAvailable, AnonPages and PageTables,
#   and the free pages on the CPUs' own lists, which are in no MemFree)
#   not below where it was by half a region. The attach holds a reference
#   on every page of the region (shmem_read_mapping_page() in vbus_shm);
#   pages still held after the memfd is gone leave Shmem but no other
#   count, so a region leaked that way shows here as SHM_KB less. More is
#   not a leak (+2304 kB seen after 20 empty QEMUs). MemAvailable alone
#   fell by 4456 kB after 2 QEMU kills once (by 772-776 kB in three other
#   runs), and in one run of 6.12 moved by -5632 kB over 20 empty QEMUs
#   and +23640 kB over 10 reloads, while the CPUs' lists took 4412 kB and
#   gave back 27696 kB (6.12 sizes them to the load): the sum moved by
#   +412 and +108 kB. Of the two later snapshots the one with more free
#   counts. Not with "live": a running guest's QEMU grows and
#   shrinks its own memory (-9352 kB over 10 reloads).
# - unreclaimable slab within SLAB_KB. A leak of one object per cycle is
#   the per-cache check's (below); this one is for bytes: what an attach
#   allocates besides the region (the region's page array, 8 KiB for
#   4 MiB, the transport, the control and signal state, the irqfds' wait
#   entries) is tens of kB. The bound is what the host VM's own churn
#   needs, seen without a leak: 40 kB after 20 empty QEMUs, 8 kB after 10
#   reloads (256 kB for both), 208-236 kB after 2 killed guests (their
#   KVM, vhost and vsock state; 512 kB).
# - no vmalloc area of our modules (the region's vmap is one), and the
#   live vmalloc areas within N - 1 of where they were: a leak of one per
#   cycle shows (with fewer than 10 cycles, within 9: one came and went
#   after 2 kills).
# - no slab cache grown by N objects or more (a leak of an object per cycle
#   grows its cache by at least N); with fewer than 10 cycles the check
#   cannot tell that from the few objects that come and go anyway, and
#   allows 9. Those few were 7 once and 12 once (kmalloc-256, 2 QEMU
#   kills: a CI run went red on it) when the third snapshot came 2 s after
#   the second; 10 kills in one run left none (the most: 1), so they do
#   not come from the kills one by one but are the last guest's, not yet
#   freed. With fewer than 10 cycles the third snapshot therefore comes
#   15 s after the second (Debian's 6.12 may hold callbacks of freed
#   objects back up to 10 s, CONFIG_RCU_LAZY): a leaked object is in both,
#   a late-freed one is gone.
mem_check() {
	local what=$1 n=$2 slab=$5 d_shmem d_sunrec d_avail d_parts d_vm d_ours d_caches d_procs top vmb
	mem_snapshot "$4"
	[ "$n" -ge 10 ] || sleep 15
	mem_snapshot "$4.2"
	mem_delta "$3" "$4" "$4.2" > "$4.delta"
	{ read -r d_shmem; read -r d_sunrec; read -r d_avail d_parts; read -r d_vm; read -r d_ours; read -r d_caches; read -r d_procs; } < "$4.delta"
	log "after $n $what: Shmem ${d_shmem} kB, SUnreclaim ${d_sunrec} kB, free or user space's ${d_avail} kB ($d_parts), vmalloc areas $d_vm (ours $d_ours); most grown caches (objects not held by a process's maps or files; all, in brackets): $d_caches"
	log "$what: processes whose maps or open files changed: $d_procs"
	expect_range "$what: Shmem back where it was (kB, a region is $SHM_KB)" "$d_shmem" $((-SHM_KB / 2)) $((SHM_KB / 2))
	[ "${6:-}" = live ] ||
		expect_range "$what: memory free or user space's no lower than it was, less half a region (kB, a region is $SHM_KB)" "$d_avail" $((-SHM_KB / 2)) 999999999
	expect_range "$what: unreclaimable slab within $slab kB of where it was (kB)" "$d_sunrec" $((-slab)) "$slab"
	expect_eq "$what: no vmap of our modules left" "$d_ours" 0
	vmb=$((n >= 10 ? n - 1 : 9))
	expect_range "$what: live vmalloc areas within $vmb of where they were" "$d_vm" $((-vmb)) "$vmb"
	top=$(printf '%s' "$d_caches" | tr ' ' '\n' | head -1)
	top=${top##*:}
	top=${top%%(*}
	[ "${top:-0}" -lt 0 ] && top=0
	expect_range "$what: no slab cache grew by an object per cycle (top: ${d_caches%% *})" "$top" 0 $((n >= 10 ? n - 1 : 9))
}
check "warm-up attach/detach cycle" attach_cycle
mem_snapshot "$VBUS_TEST_OUT/mem-before.txt"
fails=0
t0=$(date +%s)
for i in $(seq "$CYCLES"); do
	attach_cycle || { fails=$((fails + 1)); log "attach/detach cycle $i failed"; }
done
log "$CYCLES attach/detach cycles in $(($(date +%s) - t0)) s"
expect_eq "$CYCLES attach/detach cycles, none failed" "$fails" 0
mem_check "attach/detach cycles" "$CYCLES" "$VBUS_TEST_OUT/mem-before.txt" "$VBUS_TEST_OUT/mem-after.txt" 256

# ---- a guest --------------------------------------------------------------------
# shellcheck disable=SC2086
GUEST_REBOOT=1 guest_start g1 $Q
guest_mods g1
guest_if g1 $MAC $GUEST "$HIF"
check "g1: 20 pings, no loss" pings 20 $GUEST
gx g1 "sysctl -qw net.core.rmem_max=4194304 net.core.wmem_max=4194304"

# ---- nothing lost ---------------------------------------------------------------
queues_pfifo g1 $MAC "$HIF"
# seq_result WHAT TEXT [COUNT]: the check of one sequdp receiver's line
# (COUNT datagrams, FAULT_UDP unless given)
seq_result() {
	local n=${3:-$UDP}
	log "$1: $2"
	expect_match "$1: all $n arrived, once each, in order" "$2" \
		"^received=$n unique=$n lost=0 dup=0 reordered=0 "
}
# time enough for a sender that falls behind its rate by half
secs=$((UDP * 2 / UDP_RATE + 60))
# the counters of both ends around each run: where a missing datagram went
GIF=$(guest_ifname_by_mac g1 $MAC)
counters() {	# NAME: host and guest snapshots into the test's folder
	net_counters "$HIF" > "$VBUS_TEST_OUT/net-host-$1.txt"
	guest_net_counters g1 "$GIF" > "$VBUS_TEST_OUT/net-g1-$1.txt"
}
counters_log() {	# BEFORE AFTER
	log "host counters that moved: $(net_delta "$VBUS_TEST_OUT/net-host-$1.txt" "$VBUS_TEST_OUT/net-host-$2.txt")"
	log "g1 counters that moved: $(net_delta "$VBUS_TEST_OUT/net-g1-$1.txt" "$VBUS_TEST_OUT/net-g1-$2.txt")"
	log "packets the host VM dropped: $(skb_drops_report "$2-host")"
	log "packets g1 dropped: $(skb_drops_report "$2-g1" g1)"
}
counters udp0
skb_drops_on
skb_drops_on g1
"$SEQUDP" recv 7100 "$UDP" --bind $HOST --idle 10 --timeout $secs > "$VBUS_TEST_OUT/seq-g2h.txt" 2>&1 &
rpid=$!
wait_for 10 "host VM: sequdp listens" sh -c "ss -Hlun 'sport = :7100' | grep -q ."
out=$(GX_TIMEOUT=$secs gx g1 "$SEQUDP send $HOST 7100 $UDP --rate $UDP_RATE")
log "g1 sender: $out"
wait $rpid
seq_result "UDP guest -> host" "$(cat "$VBUS_TEST_OUT/seq-g2h.txt")"
counters udp1
counters_log udp0 udp1
skb_drops_on
skb_drops_on g1
gx_bg g1 "rm -f /tmp/seq.txt; $SEQUDP recv 7101 $UDP --bind $GUEST --idle 10 --timeout $secs > /tmp/seq.part 2>&1; mv /tmp/seq.part /tmp/seq.txt" > /dev/null
wait_for 10 "g1: sequdp listens" gx g1 "ss -Hlun 'sport = :7101' | grep -q ."
log "host sender: $("$SEQUDP" send $GUEST 7101 "$UDP" --rate "$UDP_RATE")"
GX_TIMEOUT=5 wait_for 30 "g1: sequdp counted" gx g1 test -s /tmp/seq.txt
seq_result "UDP host -> guest" "$(gx g1 cat /tmp/seq.txt)"
counters udp2
counters_log udp1 udp2
if [ "$TCP_MB" -gt 0 ]; then
	BIG=/tmp/faults-big
	check "$TCP_MB MiB of random data" sh -c "head -c ${TCP_MB}M /dev/urandom > $BIG"
	want=$(sha256sum < $BIG | cut -d' ' -f1)
	check "g1: receiver" gx g1 "rm -f /tmp/rx.sha; (socat -u -b 262144 TCP-LISTEN:7001,reuseaddr - | sha256sum > /tmp/rx.part && mv /tmp/rx.part /tmp/rx.sha) > /dev/null 2>&1 &"
	wait_for 20 "g1 listens on 7001" gx g1 "ss -Hltn 'sport = :7001' | grep -q ."
	t0=$(date +%s)
	check "$TCP_MB MiB host -> g1" timeout $((TCP_MB * 2 + 120)) socat -u -b 262144 "FILE:$BIG" "TCP:$GUEST:7001"
	GX_TIMEOUT=10 wait_for 300 "g1 hashed what it received" gx g1 test -s /tmp/rx.sha
	log "$TCP_MB MiB host -> g1 in $(($(date +%s) - t0)) s"
	rm -f $BIG
	expect_eq "$TCP_MB MiB host -> g1: sha256 received = sent" "$(gx g1 "cut -d' ' -f1 /tmp/rx.sha")" "$want"
fi

# ---- ring full ------------------------------------------------------------------
# ctr FILE0 FILE1 NAME...: the sum of NAME's growth from one counters file
# (net_counters: "name value" lines) to the other
ctr() {
	local f0=$1 f1=$2
	shift 2
	awk -v names=" $* " 'index(names, " " $1 " ") { d += (NR == FNR ? -$2 : $2) } END { print d + 0 }' "$f0" "$f1"
}
# g2h_run NAME COUNT: COUNT sequenced datagrams guest -> host at 1000/s, all
# must arrive (the checks of seq_result)
g2h_run() {
	local rpid
	"$SEQUDP" recv 7107 "$2" --bind $HOST --idle 10 --timeout $(($2 * 2 / 1000 + 60)) > "$VBUS_TEST_OUT/seq-$1.txt" 2>&1 &
	rpid=$!
	wait_for 10 "host VM: sequdp listens" sh -c "ss -Hlun 'sport = :7107' | grep -q ."
	log "g1 sender: $(GX_TIMEOUT=$(($2 * 2 / 1000 + 60)) gx g1 "$SEQUDP send $HOST 7107 $2 --rate 1000")"
	wait $rpid
	seq_result "$1: UDP guest -> host" "$(cat "$VBUS_TEST_OUT/seq-$1.txt")" "$2"
}
# The guest's vCPU stopped: the host fills the guest's receive ring and
# venet-tap must stop its queue; once the guest runs again it drains, the
# queue restarts and traffic flows. The queue stops before a frame can
# find too few buffers (tx_drop_ring_full), and, the guest posting none
# while stopped, it stops once and stays stopped (docs/venet-tap.md).
QPID=$(cat "$VBUS_VMDIR/g1/pid")
stops0=$(cat $S/tx_queue_stops) full0=$(cat $S/tx_drop_ring_full)
kill -STOP "$QPID"
timeout 5 "$SEQUDP" send $GUEST 7102 5000 --rate 0 > /dev/null 2>&1
stops1=$(cat $S/tx_queue_stops) full1=$(cat $S/tx_drop_ring_full)
kill -CONT "$QPID"
expect_eq "guest stopped: venet-tap stopped its queue, once" $((stops1 - stops0)) 1
expect_eq "guest stopped: no frame found the ring full" $((full1 - full0)) 0
wait_for 20 "guest running again: pings answered" pings 20 $GUEST

# ---- the guest floods the host -----------------------------------------------------
# UDP as fast as the guest can for 5 s (a receiver on the host, so no ICMP
# error ends the sender). What the design promises (docs/venet-tap.md,
# docs/guest.md): the guest's driver stops its queue when its ring is full
# and drops nothing; every frame it sent reaches venet-tap (delivered or
# counted as dropped there); a NAPI pass takes at most burstthresh frames;
# a doorbell is rung for a publish or a refill, never more often than
# frames moved; the host's UDP layer gets every frame venet-tap delivered
# (delivered to the socket or counted in Udp.InErrors, which has the
# socket's drops); and the next run loses nothing.
# Counters: the guest's before the host's at the start and after them at
# the end, so that a stray frame (ARP) between the two reads can only be in
# the guest's count; "stray" allows 4 such.
guest_net_counters g1 "$GIF" > "$VBUS_TEST_OUT/net-g1-flood0.txt"
net_counters "$HIF" > "$VBUS_TEST_OUT/net-host-flood0.txt"
"$SEQUDP" recv 7103 100000000 --bind $HOST --idle 3 --timeout 60 > "$VBUS_TEST_OUT/seq-flood.txt" 2>&1 &
rpid=$!
wait_for 10 "host VM: sequdp listens" sh -c "ss -Hlun 'sport = :7103' | grep -q ."
GX_TIMEOUT=60 gx g1 "timeout 5 $SEQUDP send $HOST 7103 100000000 --rate 0 --size 1400" > /dev/null
wait $rpid
net_counters "$HIF" > "$VBUS_TEST_OUT/net-host-flood1.txt"
guest_net_counters g1 "$GIF" > "$VBUS_TEST_OUT/net-g1-flood1.txt"
fh() { ctr "$VBUS_TEST_OUT/net-host-flood0.txt" "$VBUS_TEST_OUT/net-host-flood1.txt" "$@"; }
fg() { ctr "$VBUS_TEST_OUT/net-g1-flood0.txt" "$VBUS_TEST_OUT/net-g1-flood1.txt" "$@"; }
g_tx=$(fg "$GIF.tx_packets") g_rx=$(fg "$GIF.rx_packets")
h_in=$(fh "$HIF.rx_packets" "$HIF.rx_drop_bad_desc" "$HIF.rx_drop_bad_hdr" "$HIF.rx_drop_no_buffer")
h_rx=$(fh "$HIF.rx_packets")
log "guest flood to the host for 5 s: host sequdp $(cat "$VBUS_TEST_OUT/seq-flood.txt")"
log "flood: guest sent $g_tx frames (tx_queue_stops +$(fg "$GIF.tx_queue_stops"), drops +$(fg "$GIF.tx_drop_ring_full" "$GIF.tx_drop_oversize" "$GIF.tx_drop_hdr")); venet-tap took $h_in (delivered $h_rx) in $(fh "$HIF.polls") NAPI passes, $(fh "$HIF.guest_kicks") doorbells; host Udp.InDatagrams +$(fh Udp.InDatagrams), Udp.InErrors +$(fh Udp.InErrors)"
# a ring has at most SHM_KB / 4 slots (the region holds both queues'
# buffers, 2 KiB each): more frames than that, and the guest's ring was
# refilled while full (its queue-full path could run)
expect_range "flood: the guest sent more than a ring's worth (frames)" "$g_tx" $((SHM_KB / 4 + 1)) 999999999
expect_eq "flood: the guest's driver dropped nothing (it stops its queue)" "$(fg "$GIF.tx_drop_ring_full" "$GIF.tx_drop_oversize" "$GIF.tx_drop_hdr")" 0
expect_range "flood: every frame the guest sent reached venet-tap (guest's count - venet-tap's, stray)" $((g_tx - h_in)) 0 4
expect_eq "flood: venet-tap refused or lost none of them" $((h_in - h_rx)) 0
expect_range "flood: at most burstthresh ($(cat $S/burstthresh)) frames per NAPI pass (passes x burstthresh - frames)" \
	$(($(fh "$HIF.polls") * $(cat $S/burstthresh) - h_in)) 0 999999999
expect_range "flood: no more doorbells than frames moved (frames - doorbells)" $((g_tx + g_rx - $(fh "$HIF.guest_kicks"))) 0 999999999
expect_range "flood: the host's UDP layer got every frame venet-tap delivered (delivered - UDP's count, stray)" \
	$((h_rx - $(fh Udp.InDatagrams Udp.InErrors))) 0 4
check "after the guest's flood: 20 pings, no loss" pings 20 $GUEST
g2h_run "after the flood" 1000

# ---- memory pressure in the guest -----------------------------------------------
# Fill the guest's memory (tmpfs, no swap) to 24 MiB of what is available
# while the host pings it, then, with the memory still full, send it 20000
# datagrams at 2000/s; then let go. Receive may drop (the driver's skb
# allocation failing: rx_drop_nomem), but every datagram that does not
# arrive is counted where it went: the guest's driver (rx_drop_nomem), its
# IP and UDP layers (Ip.InDiscards, Udp.InErrors with the socket's drops)
# or venet-tap (tx_drop_ring_full, tx_drop_down). Nothing stalls: the
# sender (which waits out a full queue) finishes, and a run after it
# loses nothing.
PN=20000
fill=$(gx g1 "awk '/MemAvailable/ { print int(\$2 / 1024) - 24 }' /proc/meminfo")
log "g1: filling $fill MiB"
guest_net_counters g1 "$GIF" > "$VBUS_TEST_OUT/net-g1-pressure0.txt"
net_counters "$HIF" > "$VBUS_TEST_OUT/net-host-pressure0.txt"
gx_bg g1 "rm -f /tmp/seq-pressure.txt; $SEQUDP recv 7104 $PN --bind $GUEST --idle 5 --timeout 120 > /tmp/seq-pressure.part 2>&1; mv /tmp/seq-pressure.part /tmp/seq-pressure.txt" > /dev/null
wait_for 10 "g1: sequdp listens" gx g1 "ss -Hlun 'sport = :7104' | grep -q ."
ping -i 0.05 -W 1 -q $GUEST > "$VBUS_TEST_OUT/ping-pressure.txt" 2>&1 &
ppid=$!
check "g1: memory filled" gx g1 "mkdir -p /mnt/fill && mount -t tmpfs -o size=${fill}m none /mnt/fill && dd if=/dev/zero of=/mnt/fill/x bs=1M count=$fill 2>/dev/null"
log "g1: $(gx g1 "grep MemAvailable /proc/meminfo")"
timeout 90 "$SEQUDP" send $GUEST 7104 $PN --rate 2000 > "$VBUS_TEST_OUT/seq-pressure-send.txt" 2>&1
kill -INT $ppid 2>/dev/null
wait $ppid
log "pings under memory pressure: $(tail -2 "$VBUS_TEST_OUT/ping-pressure.txt" | head -1)"
check "g1: memory freed" gx g1 "rm -f /mnt/fill/x && umount /mnt/fill"
GX_TIMEOUT=5 wait_for 30 "g1: sequdp counted under pressure" gx g1 test -s /tmp/seq-pressure.txt
out=$(gx g1 cat /tmp/seq-pressure.txt)
net_counters "$HIF" > "$VBUS_TEST_OUT/net-host-pressure1.txt"
guest_net_counters g1 "$GIF" > "$VBUS_TEST_OUT/net-g1-pressure1.txt"
log "host -> g1 under memory pressure: sender $(cat "$VBUS_TEST_OUT/seq-pressure-send.txt"); receiver $out"
log "host counters that moved: $(net_delta "$VBUS_TEST_OUT/net-host-pressure0.txt" "$VBUS_TEST_OUT/net-host-pressure1.txt")"
log "g1 counters that moved: $(net_delta "$VBUS_TEST_OUT/net-g1-pressure0.txt" "$VBUS_TEST_OUT/net-g1-pressure1.txt")"
expect_match "under memory pressure: the host's sender did not stall (sent all $PN)" "$(cat "$VBUS_TEST_OUT/seq-pressure-send.txt")" "^sent=$PN "
missing=$(printf '%s' "$out" | sed -n 's/.* lost=\([0-9]*\) .*/\1/p')
counted=$(($(ctr "$VBUS_TEST_OUT/net-g1-pressure0.txt" "$VBUS_TEST_OUT/net-g1-pressure1.txt" "$GIF.rx_drop_nomem" Ip.InDiscards Udp.InErrors) + \
	$(ctr "$VBUS_TEST_OUT/net-host-pressure0.txt" "$VBUS_TEST_OUT/net-host-pressure1.txt" "$HIF.tx_drop_ring_full" "$HIF.tx_drop_down")))
log "under memory pressure: $missing datagrams missing, $counted counted as dropped (g1 rx_drop_nomem +$(ctr "$VBUS_TEST_OUT/net-g1-pressure0.txt" "$VBUS_TEST_OUT/net-g1-pressure1.txt" "$GIF.rx_drop_nomem"))"
expect_range "under memory pressure: every missing datagram counted as dropped (counted - missing)" $((counted - ${missing:-999999999})) 0 999999999
expect_match "under memory pressure: no duplicates, no reordering" "$out" " dup=0 reordered=0 "
check "after memory pressure: 20 pings, no loss" pings 20 $GUEST
g2h_run "after memory pressure" 1000

# ---- the host's modules and configuration while attached ---------------------
check_fails "rmmod venet_tap while attached: refused" rmmod venet_tap
check_fails "rmmod vbus while attached: refused" rmmod vbus
check_fails "rmdir of the attached device: refused" rmdir $CFS/devices/ethF
check_fails "rmdir of the attached instance: refused" rmdir $CFS/instances/busF
check "unlink of the attached device: accepted" rm $CFS/instances/busF/ethF
check "kernel log says the unlink is deferred" sh -c "dmesg | tail -20 | grep -q 'ethF unlinked from attached instance busF'"
check "the guest keeps its link: 20 pings, no loss" pings 20 $GUEST
check_fails "rmdir of the unlinked device still refused" rmdir $CFS/devices/ethF
check "link back: accepted" ln -s $CFS/devices/ethF $CFS/instances/busF/ethF
check "after the link back: 20 pings, no loss" pings 20 $GUEST

# ---- guest modules reloaded under traffic --------------------------------------
# reload: unload and load the guest modules; the link comes back (address,
# both carriers, a ping answered); returns non-zero and says why if not.
# One guest command (a gx round trip costs about 0.8 s): unload, load, wait
# for the interface with MAC (shell builtins only: every program the guest
# runs comes over 9p), address it and bring it up.
reload() {
	local rc
	gx g1 "rmmod venet && rmmod vbus_bridge || exit 1
		insmod $BRIDGE && insmod $VENET || exit 2
		${2:-}
		gif= n=0
		while [ -z \"\$gif\" ] && [ \$n -lt 40 ]; do
			for d in /sys/class/net/*; do
				read -r a < \$d/address && [ \"\$a\" = $MAC ] && gif=\${d##*/}
			done
			[ -n \"\$gif\" ] || sleep 0.5
			n=\$((n + 1))
		done
		[ -n \"\$gif\" ] || exit 3
		ip addr add $GUEST/24 dev \$gif && ip link set \$gif up || exit 4" > /dev/null
	rc=$?
	case $rc in
	0) ;;
	1) log "reload $1: rmmod failed"; return 1 ;;
	2) log "reload $1: insmod failed"; return 1 ;;
	3) log "reload $1: no interface"; return 1 ;;
	4) log "reload $1: no address"; return 1 ;;
	5) log "reload $1: sysfs unbind/bind failed"; return 1 ;;
	*) log "reload $1: guest command failed ($rc)"; return 1 ;;
	esac
	ping -c 1 -w ${3:-20} -q $GUEST > /dev/null || { log "reload $1: no answer in ${3:-20} s"; return 1; }
}
# The reloads are also the memory check's cycles of a live guest: each
# unbinds the guest's driver (the host resets the device), binds it again
# and carries traffic (pings both ways throughout, one answered after
# each bind). Before and after: g1 up and idle.
mem_snapshot "$VBUS_TEST_OUT/mem-reloads0.txt"
ping -i 0.02 -s 1400 -q $GUEST > "$VBUS_TEST_OUT/ping-reloads.txt" 2>&1 &
ppid=$!
gx_bg g1 "ping -i 0.02 -q $HOST > /dev/null 2>&1" > /dev/null
fails=0
t0=$(date +%s)
for i in $(seq "$RELOADS"); do
	reload "$i" || fails=$((fails + 1))
done
log "$RELOADS reloads in $(($(date +%s) - t0)) s"
kill $ppid 2>/dev/null
wait $ppid 2>/dev/null
gx g1 "pkill -x ping" > /dev/null
expect_eq "$RELOADS reloads under traffic: the link came back every time" "$fails" 0
check "after the reloads: 50 pings, no loss" pings 50 $GUEST
mem_check "reloads of a live guest under traffic" "$RELOADS" "$VBUS_TEST_OUT/mem-reloads0.txt" "$VBUS_TEST_OUT/mem-reloads1.txt" 256 live

# ---- the guest's driver let go and bound again back to back ---------------------
# A driver that lets go of the region and binds again at once must find
# the host's reset of its let-go done, never in progress or still to come
# (docs/abi.md, section 2: the guest waits for host_ack_gen). FAULT_RAPID
# rounds, each one guest command with no delay between its steps: rmmod
# venet, rmmod vbus_bridge, insmod both, then the bridge unbound and bound
# again through sysfs 12 times (shell builtins: some 26 state changes in
# about a second, past the host's burst of 8, so the last let-goes are
# held down by its rate of 4 a second), the interface set up the moment
# it appears (its flags in sysfs: its receive buffers are posted within
# milliseconds of the bind, inside the time a held reset waits), then
# addressed; then one ping from the host must be answered within 10 s. Pings flood the
# guest from the host and the host from the guest throughout. Before the
# handshake the host's held reset could land on the bound driver: the
# next descriptor failed its checker and the device stayed dead.
# $MAC is expanded here, the rest in the guest
flips='d=/sys/bus/pci/drivers/vbus-bridge b= n=0 up=
	for p in $d/0000:*; do b=${p##*/}; done
	[ -n "$b" ] || exit 5
	while [ $n -lt 12 ]; do
		echo $b > $d/unbind && echo $b > $d/bind || exit 5
		n=$((n + 1))
	done
	n=0
	while [ -z "$up" ] && [ $n -lt 20000 ]; do
		for q in /sys/class/net/*; do
			read -r a < $q/address && [ "$a" = '"$MAC"' ] &&
				echo 0x1003 > $q/flags && up=1
		done
		n=$((n + 1))
	done'
desc0=$(($(cat $S/rx_drop_bad_desc) + $(cat $S/tx_drop_bad_desc)))
held0=$(cat /sys/vbus/instances/busF/guest_resets_held)
acted0=$(cat /sys/vbus/instances/busF/guest_resets)
ping -i 0.02 -s 1400 -q $GUEST > "$VBUS_TEST_OUT/ping-rapid.txt" 2>&1 &
ppid=$!
gx_bg g1 "ping -i 0.02 -q $HOST > /dev/null 2>&1" > /dev/null
# last_bind: from the guest's log since the round's marker, the ms from
# the round's last probe ("vbus region") to its bind ("bound to host
# generation"), by the guest's clock; nothing if it has not bound
last_bind() {
	gx g1 dmesg | python3 -c '
import re, sys
lines = sys.stdin.read().splitlines()
marks = [n for n, l in enumerate(lines) if "vbus-test: rapid round" in l]
ts = lambda l: float(re.match(r"\[\s*([0-9.]+)\]", l).group(1))
ev = [(ts(l), "p" if "vbus region" in l else "b") for l in lines[marks[-1]:]
      if "vbus region" in l or "bound to host generation" in l] if marks else []
p = [n for n, e in enumerate(ev) if e[1] == "p"]
b = [e for e in ev[p[-1] + 1:] if e[1] == "b"] if p else []
print(int((b[0][0] - ev[p[-1]][0]) * 1000) if b else "")'
}
fails=0 lat=
t0=$(date +%s)
for i in $(seq "$RAPID"); do
	gx g1 "echo vbus-test: rapid round $i > /dev/kmsg" > /dev/null
	reload "rapid $i" "$flips" 10 || fails=$((fails + 1))
	lat="$lat $(last_bind)"
done
log "$RAPID back-to-back rebinds in $(($(date +%s) - t0)) s, $fails failed; busF acted on $(($(cat /sys/vbus/instances/busF/guest_resets) - acted0)) state changes and held $(($(cat /sys/vbus/instances/busF/guest_resets_held) - held0)) down"
log "each round's last probe to its bind, ms:$lat"
kill $ppid 2>/dev/null
wait $ppid 2>/dev/null
gx g1 "pkill -x ping" > /dev/null
expect_eq "$RAPID back-to-back rebinds under traffic: a ping answered after every one" "$fails" 0
expect_eq "back-to-back rebinds: no descriptor failed the host's checker" \
	"$(($(cat $S/rx_drop_bad_desc) + $(cat $S/tx_drop_bad_desc) - desc0))" 0
check "after the back-to-back rebinds: 50 pings, no loss" pings 50 $GUEST
# The host's acknowledgement comes with an interrupt on the guest's vector
# 0; the bridge's poll once a second is only the fallback. A round's last
# let-go is held down by the rate limit, so its bind waits for the host:
# without the interrupt until the next poll, a second after the probe
# (seen: 1043 and 1049 ms), with it within the hold (at most 250 ms).
expect_eq "every round's last bind timed" "$(echo $lat | wc -w)" "$RAPID"
expect_eq "no round's last bind waited for the 1-s poll (900 ms or more)" \
	"$(echo $lat | tr ' ' '\n' | awk '$1 >= 900' | wc -l)" 0


# ---- guest reboots ------------------------------------------------------------
for i in $(seq "$REBOOTS"); do
	how=crash
	[ $((i % 2)) = 0 ] && how=clean
	guest_reboot g1 $how
	guest_mods g1
	guest_if g1 $MAC $GUEST "$HIF"
	check "g1 after reboot $i ($how): 20 pings, no loss" pings 20 $GUEST
done

# ---- vbusd killed while the guest runs -----------------------------------------
kill "$VBUSD_PID"
wait "$VBUSD_PID" 2>/dev/null
wait_for 10 "vbusd gone: busF detached" grep -qx 0 /sys/vbus/instances/busF/attached
wait_for 10 "host carrier off" grep -qx 0 /sys/class/net/$HIF/carrier
no_gif() { [ -z "$(guest_ifname_by_mac g1 $MAC)" ]; }
g1_logged() { gx g1 dmesg | grep -q "$1"; }
wait_for 10 "g1: its venet interface goes" no_gif
check "g1: the bridge logged the host's reset" g1_logged 'host reset'
VBUSD_PIDS=
vbusd_start busF
VBUSD_PID=${VBUSD_PIDS# }
sleep 3
expect_eq "a new vbusd does not reach the running guest (documented)" "$(guest_ifname_by_mac g1 $MAC)" ""
guest_stop g1

# ---- QEMU killed mid-transfer ---------------------------------------------------
# kill_one I: a guest up with traffic both ways, its QEMU killed; the host
# detaches, its carrier goes, vbusd stays
kill_one() {
	local g=k$1 pid rx0 tx0 moved=
	guest_start $g $Q > /dev/null || return 1
	gx $g "insmod $BRIDGE && insmod $VENET" > /dev/null || { log "kill $1: insmod failed"; return 1; }
	for _ in $(seq 40); do
		gif=$(guest_ifname_by_mac $g $MAC)
		[ -n "$gif" ] && break
		sleep 0.5
	done
	gx $g "ip addr add $GUEST/24 dev $gif && ip link set $gif up" > /dev/null || { log "kill $1: no interface"; return 1; }
	ping -c 1 -w 20 -q $GUEST > /dev/null || { log "kill $1: no answer"; return 1; }
	"$SEQUDP" recv 7105 100000000 --bind $HOST --idle 5 --timeout 60 > /dev/null 2>&1 &
	gx_bg $g "$SEQUDP recv 7106 100000000 --bind $GUEST --timeout 600" > /dev/null
	sleep 0.5
	gx_bg $g "$SEQUDP send $HOST 7105 100000000 --rate 2000 --size 1400" > /dev/null
	"$SEQUDP" send $GUEST 7106 100000000 --rate 2000 --size 1400 > /dev/null 2>&1 &
	rx0=$(cat $S/rx_packets) tx0=$(cat $S/tx_packets)
	sleep 2
	pid=$(cat "$VBUS_VMDIR/$g/pid")
	# the kill must land mid-transfer: frames moved both ways just now
	[ "$(cat $S/rx_packets)" -gt "$rx0" ] || moved="$moved, none from the guest"
	[ "$(cat $S/tx_packets)" -gt "$tx0" ] || moved="$moved, none to the guest"
	kill -9 "$pid"
	for _ in $(seq 100); do
		grep -qx 0 /sys/vbus/instances/busF/attached && break
		sleep 0.1
	done
	pkill -f "sequdp send $GUEST"
	pkill -f "sequdp recv 7105"
	guest_stop $g > /dev/null
	grep -qx 0 /sys/vbus/instances/busF/attached || { log "kill $1: still attached"; return 1; }
	grep -qx 0 /sys/class/net/$HIF/carrier || { log "kill $1: carrier on"; return 1; }
	kill -0 "$VBUSD_PID" || { log "kill $1: vbusd died"; return 1; }
	[ -z "$moved" ] || { log "kill $1: no traffic seen in the 2 s before the kill$moved"; return 1; }
}
# memory: no guest before the first kill and after the last; the guest
# before them (g1) has gone too
mem_snapshot "$VBUS_TEST_OUT/mem-kills0.txt"
fails=0
t0=$(date +%s)
for i in $(seq "$KILLS"); do
	kill_one "$i" || fails=$((fails + 1))
done
log "$KILLS QEMU kills in $(($(date +%s) - t0)) s"
expect_eq "$KILLS guests' QEMU killed mid-transfer (traffic both ways seen): detached every time" "$fails" 0
mem_check "QEMU kills" "$KILLS" "$VBUS_TEST_OUT/mem-kills0.txt" "$VBUS_TEST_OUT/mem-kills1.txt" 512
check "a guest after the kills: attaches" attach_cycle

# ---- no MSI-X in the guest --------------------------------------------------------
# A guest kernel that gives the bridge no MSI-X (pci=nomsi): it cannot set
# up its vectors, says so once, counts, and retries every second without a
# word more (it used to log a line a second for as long as it ran).
# shellcheck disable=SC2086
GUEST_APPEND=pci=nomsi guest_start m1 $Q > /dev/null
check "m1 (pci=nomsi): insmod vbus-bridge" gx m1 insmod "$BRIDGE"
sleep 6
n=$(gx m1 dmesg | grep -c 'vbus-bridge .*MSI-X')
log "m1: $(gx m1 dmesg | grep 'vbus-bridge .*MSI-X' | tail -2)"
expect_eq "m1: the MSI-X failure logged once over 6 s of retries" "$n" 1
guest_stop m1

# ---- teardown -------------------------------------------------------------------
kill "$VBUSD_PID"
wait "$VBUSD_PID" 2>/dev/null
for c in rx_drop_bad_desc rx_drop_bad_hdr tx_drop_bad_desc tx_drop_hdr; do
	expect_eq "ethF: no $c" "$(cat $S/$c)" 0
done
check "ethF: disable, detach, delete" sh -c \
	"echo 0 > $S/enabled && $VBUSCTL detach ethF && $VBUSCTL delete-device ethF"
check "delete busF" "$VBUSCTL" delete-instance busF
check "rmmod venet-tap" rmmod venet_tap
check "rmmod vbus" rmmod vbus
