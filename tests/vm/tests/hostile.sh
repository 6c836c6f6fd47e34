# SPDX-License-Identifier: GPL-2.0
# timeout: 700
# series: 6.1
# A hostile guest (docs/security.md). Two guests on two instances: gA runs
# the venet driver and its traffic (pings from the host, sequenced UDP from
# the guest) must lose nothing; gB brings its driver up, then, with
# traffic running both ways, vbus-hostile overwrites gB's shared region at
# random (HOSTILE_N mutations, 10^5 by default: indexes, descriptors,
# forged frames, signals, config block, header, liveness, with a pretend
# rebind every 1000) and storms the doorbell. The host VM's kernel log stays
# clean (the nest scans it), gB's venet-tap counts the errors and resets,
# and reloading gB's guest modules brings its link back. Then a reset storm
# (gB rebinds in a loop): the host acts on a bounded number of gB's state
# changes, holds the rest down and logs it once; the host's ip commands and
# gA's pings are timed with and without the storm (reported, not asserted).
. "$VBUS_REPO/tests/vm/netlib.sh"
venet_paths
HOSTILE=$VBUS_BUILD/hostile/vbus-hostile
SEQUDP=$VBUS_BUILD/sequdp/sequdp
[ -x "$HOSTILE" ] || HOSTILE=$VBUS_REPO/build/hostile/vbus-hostile
SEED=${HOSTILE_SEED:-$(date +%s)}
N=${HOSTILE_N:-100000}
STORM=${HOSTILE_STORM:-20000}
# beyond 10^5 mutations (make soak) the pings and the tool's time limit
# grow with N, so that traffic runs for the whole attack
PINGS=$((N <= 100000 ? 3000 : N * 3 / 100))
TOOL_SECS=$((N <= 100000 ? 200 : 200 + (N - 100000) / 1000))
# busA: ethA (guest gA, well-behaved); busB: ethB (guest gB, hostile)
MACA=02:00:c6:12:07:02 HOSTA=198.18.7.1 GUESTA=198.18.7.2
MACB=02:00:c6:12:09:02 HOSTB=198.18.9.1 GUESTB=198.18.9.2
SB=/sys/vbus/devices/ethB

errors_b() {	# everything gB's venet-tap refused, and its resets
	echo $(($(cat $SB/rx_drop_bad_desc) + $(cat $SB/rx_drop_bad_hdr) + \
		$(cat $SB/tx_drop_bad_desc))) "$(cat $SB/resets)"
}
at_exit "pkill -x vbusd; sleep 1; for d in ethA ethB; do echo 0 > /sys/vbus/devices/\$d/enabled; $VBUSCTL detach \$d; $VBUSCTL delete-device \$d; done; $VBUSCTL delete-instance busA; $VBUSCTL delete-instance busB; rmmod venet_tap; rmmod vbus"
check "vbus.ko loads" insmod "$VBUS"
check "venet-tap.ko loads" insmod "$TAP"
check "vbus-hostile built" test -x "$HOSTILE"
for d in ethA:busA ethB:busB; do
	check "create ${d#*:}, create and attach ${d%:*}" sh -c \
		"$VBUSCTL create-instance ${d#*:} && $VBUSCTL create-device ${d%:*} --type venet-tap && $VBUSCTL attach ${d%:*} ${d#*:}"
done
HIFA=$(host_dev ethA $MACA $HOSTA)
HIFB=$(host_dev ethB $MACB $HOSTB)
expect_match "two host netdevs" "$HIFA $HIFB" '^venet-tap[0-9]+ venet-tap[0-9]+$'
vbusd_start busA
vbusd_start busB

QA=$("$VBUSCTL" qemu-args busA)
QB=$("$VBUSCTL" qemu-args busB)
# shellcheck disable=SC2086
guest_start gA $QA
# Debian's kernel has CONFIG_IO_STRICT_DEVMEM: while vbus-bridge holds the
# BARs, mmap of their sysfs resource files fails unless iomem=relaxed
# shellcheck disable=SC2086
GUEST_APPEND=iomem=relaxed guest_start gB $QB
wait_for 10 "both instances attached" sh -c \
	"grep -qx 1 /sys/vbus/instances/busA/attached && grep -qx 1 /sys/vbus/instances/busB/attached"
guest_mods gA
guest_if gA $MACA $GUESTA "$HIFA"
guest_mods gB
guest_if gB $MACB $GUESTB "$HIFB"
for g in gA gB; do
	vbus_guest_running $g || fatal "$g vanished before the attack (its QEMU exited; guest-$g.* logs)"
done
check "gA: 50 pings, no loss" pings 50 $GUESTA
check "gB: 50 pings, no loss" pings 50 $GUESTB
read -r e0 r0 <<< "$(errors_b)"
expect_eq "gB: no errors before" "$e0 $r0" "0 0"

# ---- gB turns hostile while both carry traffic ------------------------------
# gA's queues before its traffic starts (a qdisc replaced under traffic
# drops what it held)
queues_pfifo gA $MACA "$HIFA"
log "vbus-hostile seed $SEED, $N mutations, $STORM doorbells"
ping -i 0.01 -c $PINGS -W 2 -q $GUESTA > "$VBUS_TEST_OUT/ping-gA.txt" 2>&1 &
PING_A=$!
ping -i 0.01 -c $PINGS -W 1 -q $GUESTB > "$VBUS_TEST_OUT/ping-gB.txt" 2>&1 &
PING_B=$!
gx_bg gB "ping -i 0.02 -c $((PINGS * 2 / 3)) -W 1 -q $HOSTB" > /dev/null
# gA's sequenced UDP: runs of 3000 datagrams at 1000/s, one after the
# other until the attack ends; a line per run, the receiver's (sequdp
# waits for late datagrams, which iperf3 counts as lost once the test's
# end reaches its server first) or "failed" and why.
STOP=$VBUS_TEST_OUT/udp-stop
check "sequdp built" test -x "$SEQUDP"
gx gA "sysctl -qw net.core.rmem_max=4194304 net.core.wmem_max=4194304"
sysctl -qw net.core.rmem_max=4194304 net.core.wmem_max=4194304
seq_run() {
	local r out
	"$SEQUDP" recv 7300 3000 --bind $HOSTA --idle 10 --timeout 120 > "$VBUS_TEST_OUT/seq.part" 2>&1 &
	r=$!
	for _ in $(seq 50); do
		ss -Hlun 'sport = :7300' | grep -q . && break
		sleep 0.1
	done
	if out=$(GX_TIMEOUT=120 gx gA "$SEQUDP send $HOSTA 7300 3000 --rate 1000" 2>&1); then
		wait $r
		cat "$VBUS_TEST_OUT/seq.part"
	else
		kill $r
		wait $r
		echo "failed: $out"
	fi
}
(
	while [ ! -e "$STOP" ]; do
		seq_run
	done
) > "$VBUS_TEST_OUT/udp-gA.txt" 2>&1 &
UDP_A=$!
sleep 2
t0=$(date +%s)
out=$(GX_TIMEOUT=$TOOL_SECS gx gB "$HOSTILE -s $SEED -n $N -r 5000 -a 1000 -b $STORM" 2>&1)
rc=$?
printf '%s\n' "$out" > "$VBUS_TEST_OUT/vbus-hostile.txt"
log "$(printf '%s' "$out" | tail -n 1) ($(($(date +%s) - t0)) s)"
expect_eq "vbus-hostile ran to the end" "$rc" 0
expect_match "vbus-hostile: $N mutations" "$out" "^vbus-hostile: $N mutations"
expect_match "vbus-hostile: doorbell storm" "$out" "storm $STORM in"
touch "$STOP"
# gB's pings only make traffic: stop them (SIGINT: ping prints its summary)
kill -INT "$PING_B" 2>/dev/null
wait "$UDP_A"
wait "$PING_A"
wait "$PING_B"
log "gA: $(tail -n 2 "$VBUS_TEST_OUT/ping-gA.txt" | head -n 1)"
log "gA: sequenced UDP per run (lost dup reordered sockdrops):$(awk '/^received=/ {
	for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
	printf " %s %s %s %s,", v["lost"], v["dup"], v["reordered"], v["sockdrops"] } /^failed/ { printf " failed," }' "$VBUS_TEST_OUT/udp-gA.txt")"
log "gB: $(tail -n 2 "$VBUS_TEST_OUT/ping-gB.txt" | head -n 1)"
check "gA: pings during the attack, no loss" grep -q ' 0% packet loss' "$VBUS_TEST_OUT/ping-gA.txt"
# a run's missing datagrams beyond the receiving socket's own drops are
# the link's; missing= names the first ones
read -r uruns ufail usent ulost ulink udup ureord usock <<< "$(awk '/^failed/ { f++; next }
	/^received=/ { for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		n++; s += v["unique"]; l += v["lost"]; d += v["dup"]; o += v["reordered"]; q += v["sockdrops"]
		if (v["lost"] > v["sockdrops"]) k += v["lost"] - v["sockdrops"] }
	END { printf "%d %d %d %d %d %d %d %d\n", n, f, s, l, k, d, o, q }' "$VBUS_TEST_OUT/udp-gA.txt")"
log "gA: sequenced UDP: $uruns runs, $usent datagrams arrived, $ulost missing, $usock socket drops, $udup duplicated, $ureord reordered, $ufail failed"
grep -v 'missing=-$' "$VBUS_TEST_OUT/udp-gA.txt" | head -n 5 | while IFS= read -r l; do log "gA: run with gaps: $l"; done
expect_eq "gA: sequenced UDP during the attack, every run measured" "$ufail" 0
# every run counts 3000: what arrived is that, less what the receiving
# socket dropped (the link's losses are the check below)
expect_range "gA: sequenced UDP during the attack, runs" "$uruns" 1 999999999
expect_range "gA: sequenced UDP during the attack, datagrams (3000 a run less the socket's drops)" \
	"$usent" $((uruns * 3000 - usock)) $((uruns * 3000))
expect_eq "gA: sequenced UDP during the attack, nothing lost on the link" "$ulink" 0
expect_eq "gA: sequenced UDP during the attack, no duplicates, no reordering" "$udup $ureord" "0 0"
check "gA: 50 pings after, no loss" pings 50 $GUESTA

# ---- what the host saw -------------------------------------------------------
read -r e1 r1 <<< "$(errors_b)"
log "gB's venet-tap: $(for c in rx_drop_bad_desc rx_drop_bad_hdr tx_drop_bad_desc resets guest_kicks polls rx_packets rx_drop_no_buffer tx_packets; do printf '%s %s ' $c "$(cat $SB/$c)"; done)"
# Bounds from the design (docs/security.md, docs/venet-tap.md):
# - a reset is the reset work taking the device down after a ring error,
#   and every ring error is counted in rx_drop_bad_desc or tx_drop_bad_desc
#   (errors before the work runs make one reset): 1 <= resets <= those
# - a NAPI pass takes at most burstthresh frames, and a refused
#   descriptor ends the pass: every frame or descriptor the host took from
#   gB (delivered, dropped for its header or for memory, refused) was one
#   of at most burstthresh in a pass
bdesc=$(($(cat $SB/rx_drop_bad_desc) + $(cat $SB/tx_drop_bad_desc)))
taken=$(($(cat $SB/rx_packets) + $(cat $SB/rx_drop_bad_hdr) + $(cat $SB/rx_drop_no_buffer) + $(cat $SB/rx_drop_bad_desc)))
expect_range "gB: venet-tap counted refused descriptors and frames" "$e1" 1 999999999
expect_range "gB: venet-tap reset the device, at most once per ring error counted" "$r1" 1 "$bdesc"
expect_range "gB: at most burstthresh ($(cat $SB/burstthresh)) frames a NAPI pass (passes x burstthresh - frames taken)" \
	$(($(cat $SB/polls) * $(cat $SB/burstthresh) - taken)) 0 999999999
for c in rx_drop_bad_desc rx_drop_bad_hdr tx_drop_bad_desc resets; do
	expect_eq "gA: no $c" "$(cat /sys/vbus/devices/ethA/$c)" 0
done
log "gA's venet-tap: $(for c in rx_packets rx_drop_no_buffer tx_packets tx_drop_ring_full tx_drop_down tx_queue_stops; do printf '%s %s ' $c "$(cat /sys/vbus/devices/ethA/$c)"; done)"
log "gA's venet: $(gx gA "ethtool -S $(guest_ifname_by_mac gA $MACA)" | grep -E 'drop|stops|kicks|interrupts' | tr -s ' ' | tr '\n' ' ')"
expect_eq "busB still attached" "$(cat /sys/vbus/instances/busB/attached)" 1

# ---- a reset storm: gB flips its liveness words in a loop ----------------------
# Each state change gB makes resets its instance's devices under RTNL (the
# lock of every netdev of the host). The host acts on a burst of 8, then 4
# a second; the rest are held down, counted, and logged once per attach
# (src/host/transport.c). The price for everyone else, with and without
# the storm: 20 rounds of `ip link show` + `ip addr show` in the host VM,
# and 30 pings to gA (docs/security.md).
ip_ms() {
	local t0=${EPOCHREALTIME/./} i
	for i in $(seq 20); do
		ip link show dev "$HIFA" > /dev/null
		ip addr show dev "$HIFA" > /dev/null
	done
	echo $(((${EPOCHREALTIME/./} - t0) / 1000))
}
rtt_a() { ping -c 30 -i 0.05 -W 2 -q $GUESTA | sed -n 's|.*= [0-9.]*/\([0-9.]*\)/.*|\1|p'; }
inst() { cat "/sys/vbus/instances/$1/$2"; }
quiet_ip=$(ip_ms) quiet_rtt=$(rtt_a)
rb0=$(inst busB guest_resets) hb0=$(inst busB guest_resets_held) ra0=$(inst busA guest_resets)
t0=$(date +%s)
(GX_TIMEOUT=120 gx gB "$HOSTILE -s $SEED -n 400 -a 1 -t liveness" > "$VBUS_TEST_OUT/storm.txt" 2>&1) &
STORM_PID=$!
sleep 3
storm_ip=$(ip_ms) storm_rtt=$(rtt_a)
wait $STORM_PID
src=$?
secs=$(($(date +%s) - t0))
rb1=$(inst busB guest_resets) hb1=$(inst busB guest_resets_held) ra1=$(inst busA guest_resets)
log "reset storm ($(tail -n 1 "$VBUS_TEST_OUT/storm.txt" | sed 's/.*rearms \([0-9]*\).*/\1/') rebinds by gB in $secs s): busB acted on $((rb1 - rb0)) state changes, held $((hb1 - hb0)); host VM ip link+addr x20: ${quiet_ip} ms quiet, ${storm_ip} ms in the storm; gA ping avg: ${quiet_rtt:-?} ms quiet, ${storm_rtt:-?} ms in the storm"
expect_eq "storm: vbus-hostile ran to the end" "$src" 0
expect_range "storm: busB acted on at most 8 + 4 a second of its state changes" $((rb1 - rb0)) 1 $((8 + 4 * (secs + 1)))
expect_range "storm: busB held changes down" $((hb1 - hb0)) 1 999999999
expect_eq "storm: busA made no state change" $((ra1 - ra0)) 0
expect_eq "storm: logged once for busB (this attach)" "$(dmesg | grep -c 'instance busB: the guest changes its state more than')" 1
expect_eq "storm: nothing logged for busA" "$(dmesg | grep -c 'instance busA: the guest changes its state')" 0
check "gA during and after the storm: 50 pings, no loss" pings 50 $GUESTA

# ---- recovery: gB's driver is reset ------------------------------------------
check "gB: rmmod venet" gx gB rmmod venet
check "gB: rmmod vbus-bridge" gx gB rmmod vbus_bridge
guest_mods gB
guest_if gB $MACB $GUESTB "$HIFB"
check "gB after the reset: 50 pings, no loss" pings 50 $GUESTB
check "gA still: 50 pings, no loss" pings 50 $GUESTA
guest_stop gB
guest_stop gA

# ---- teardown ----------------------------------------------------------------
# shellcheck disable=SC2086
kill $VBUSD_PIDS 2>/dev/null
# shellcheck disable=SC2086
wait $VBUSD_PIDS 2>/dev/null
wait_for 15 "both instances detached" sh -c \
	"grep -qx 0 /sys/vbus/instances/busA/attached && grep -qx 0 /sys/vbus/instances/busB/attached"
for d in ethA ethB; do
	check "$d: disable, detach, delete" sh -c \
		"echo 0 > /sys/vbus/devices/$d/enabled && $VBUSCTL detach $d && $VBUSCTL delete-device $d"
done
check "delete busA, busB" sh -c "$VBUSCTL delete-instance busA && $VBUSCTL delete-instance busB"
check "rmmod venet-tap" rmmod venet_tap
check "rmmod vbus" rmmod vbus
