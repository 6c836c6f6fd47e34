# SPDX-License-Identifier: GPL-2.0
# timeout: 3600
# series: none
# make soak, the hostile-guest half: hostile.sh with 10^6 mutations and
# 200000 doorbells (HOSTILE_N, HOSTILE_STORM, HOSTILE_SEED from the
# environment of `make soak` override them).
: "${HOSTILE_N:=1000000}" "${HOSTILE_STORM:=200000}"
export HOSTILE_N HOSTILE_STORM
. "$VBUS_REPO/tests/vm/tests/hostile.sh"
