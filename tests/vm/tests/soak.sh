# SPDX-License-Identifier: GPL-2.0
# timeout: 10800
# series: none
# make soak: the long forms of the fault and hostile-guest tests in one
# host VM: faults.sh with the counts of docs/security.md (100 attach/detach
# cycles, 10^6 sequenced datagrams each way, 1 GiB over TCP, 100 reloads
# under traffic, 10 reboots, 50 QEMU kills), then hostile.sh with 10^6
# mutations. Every count can be overridden from the environment of
# `make soak` (FAULT_*, HOSTILE_N, HOSTILE_STORM, HOSTILE_SEED).
: "${FAULT_CYCLES:=100}" "${FAULT_UDP:=1000000}" "${FAULT_UDP_RATE:=1500}"
: "${FAULT_TCP_MB:=1024}" "${FAULT_RELOADS:=100}" "${FAULT_REBOOTS:=10}"
: "${FAULT_KILLS:=50}" "${HOSTILE_N:=1000000}" "${HOSTILE_STORM:=200000}"
export FAULT_CYCLES FAULT_UDP FAULT_UDP_RATE FAULT_TCP_MB FAULT_RELOADS \
	FAULT_REBOOTS FAULT_KILLS HOSTILE_N HOSTILE_STORM
log "soak: faults"
. "$VBUS_REPO/tests/vm/tests/faults.sh"
vbus_cleanup
log "soak: hostile"
. "$VBUS_REPO/tests/vm/tests/hostile.sh"
