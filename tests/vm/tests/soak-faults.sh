# SPDX-License-Identifier: GPL-2.0
# timeout: 9000
# series: none
# make soak, the fault half: faults.sh with the counts of docs/security.md
# (100 attach/detach cycles, 10^6 sequenced datagrams each way, 1 GiB over
# TCP, 100 reloads under traffic, 300 back-to-back rebinds, 10 reboots,
# 50 QEMU kills). Every count
# can be overridden from the environment of `make soak` (FAULT_*).
: "${FAULT_CYCLES:=100}" "${FAULT_UDP:=1000000}" "${FAULT_UDP_RATE:=1500}"
: "${FAULT_TCP_MB:=1024}" "${FAULT_RELOADS:=100}" "${FAULT_REBOOTS:=10}"
: "${FAULT_KILLS:=50}" "${FAULT_RAPID:=300}"
export FAULT_CYCLES FAULT_UDP FAULT_UDP_RATE FAULT_TCP_MB FAULT_RELOADS \
	FAULT_REBOOTS FAULT_KILLS FAULT_RAPID
. "$VBUS_REPO/tests/vm/tests/faults.sh"
