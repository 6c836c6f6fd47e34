# SPDX-License-Identifier: GPL-2.0
# timeout: 3600
# series: none
# The benchmark of make bench (bench/run.py): venet, virtio-net with QEMU's
# backend and with vhost-net, and veth in the host VM, alternating over
# rounds; then venet's txmitigation, burstthresh and linger_us sweeps. See
# tests/vm/benchlib.sh and docs/performance.md. Every knob can be set from
# the environment of make bench (BENCH_*).
BENCH_ROUNDS=${BENCH_ROUNDS:-5}
BENCH_T=${BENCH_T:-5}
BENCH_IDLE=${BENCH_IDLE:-20}
BENCH_TXM=${BENCH_TXM-"0 1 5 10 32 64"}
BENCH_BT=${BENCH_BT-"1 8 16 64"}
BENCH_LINGER=${BENCH_LINGER-"0 50 200 500 1000"}
. "$VBUS_REPO/tests/vm/benchlib.sh"
