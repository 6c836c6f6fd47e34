# SPDX-License-Identifier: GPL-2.0
# timeout: 420
# series: 6.1
# make bench in small: every backend and metric once, with short runs, one
# point of the txmitigation and linger_us sweeps, and bench/run.py on the
# result (no chart).
BENCH_ROUNDS=1
BENCH_T=1
BENCH_IDLE=5
BENCH_TXM="0"
BENCH_BT=""
BENCH_LINGER="50"
. "$VBUS_REPO/tests/vm/benchlib.sh"
