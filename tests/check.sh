#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make check`: install what is missing (as root), run every tier that
# exists, count the PASS:/FAIL:/SKIP: lines of all of them and end with one
# line "N passed, M failed, K skipped". Exits non-zero on any failure.
#   TIERS="harness unit tools build pkg vm" (default: all), KERNEL=6.1|6.12|all
#
# A tier is counted by its own lines and by how it ended: a tier that exits
# non-zero without a FAIL: line of its own, or that prints no result line at
# all, gets a FAIL: line that names it. The VM tier's retries (RETRY: lines,
# each with its evidence) are listed in the summary; more than RETRY_MAX
# (1) in one run is a failure of the run. docs/testing.md has the rules.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
tiers=${TIERS:-harness unit tools build pkg vm}
log=$top/build/logs/check.log
mkdir -p "$top/build/logs"
: > "$log"
retry_max=${RETRY_MAX:-1}

if [ "$(id -u)" = 0 ]; then
	sh tests/deps.sh || { echo "FAIL: deps: package installation failed" | tee -a "$log"; }
else
	sh tests/deps.sh || echo "# not root: missing packages may make tiers fail"
fi

# run_tier NAME CMD...: CMD's output into the log; its exit status and its
# result lines decide whether the tier itself failed.
run_tier() {
	local name=$1 tlog=$top/build/logs/tier-$1.log start rc results fails
	shift
	echo "=== tier $name: $*"
	start=$(date +%s)
	"$@" 2>&1 | tee "$tlog"
	rc=${PIPESTATUS[0]}
	cat "$tlog" >> "$log"
	results=$(grep -cE '^(PASS|FAIL|SKIP):' "$tlog")
	fails=$(grep -c '^FAIL:' "$tlog")
	if [ "$results" = 0 ]; then
		echo "FAIL: tier $name: printed no result (exit status $rc); see $tlog" | tee -a "$log"
		tail -n 15 "$tlog" | sed 's/^/#   /'
	elif [ "$rc" != 0 ] && [ "$fails" = 0 ]; then
		echo "FAIL: tier $name: exited $rc with no failed case of its own (it crashed or stopped early); see $tlog" |
			tee -a "$log"
		tail -n 15 "$tlog" | sed 's/^/#   /'
	elif [ "$rc" = 0 ] && [ "$fails" != 0 ]; then
		echo "FAIL: tier $name: exited 0 although it printed $fails FAIL: line(s)" | tee -a "$log"
	fi
	echo "=== tier $name took $(($(date +%s) - start)) s (exit status $rc)"
}

for t in $tiers; do
	case $t in
	harness) run_tier harness python3 tests/harness/test_classify.py ;;
	unit) run_tier unit make -C tests/unit check ;;
	tools) run_tier tools make -C tests/tools check ;;
	build) run_tier build tests/build/check.sh ;;
	pkg) run_tier pkg tests/pkg/check.sh ;;
	vm) run_tier vm python3 tests/vm/nest.py --kernel "${KERNEL:-all}" --test "${TEST:-all}" ;;
	*) echo "FAIL: check: unknown tier $t" | tee -a "$log" ;;
	esac
done
r=$(grep -c '^RETRY:' "$log")
if [ "$r" -gt "$retry_max" ]; then
	echo "FAIL: check: $r retries in one run (at most $retry_max): the test bed is not to be trusted" |
		tee -a "$log"
fi
p=$(grep -c '^PASS:' "$log")
f=$(grep -c '^FAIL:' "$log")
s=$(grep -c '^SKIP:' "$log")
[ "$r" = 0 ] || { echo "retries (each a fault of the test bed, with its evidence):"; grep -A3 '^RETRY:' "$log"; }
[ "$f" = 0 ] || { echo "failures:"; grep '^FAIL:' "$log"; }
[ "$p" -gt 0 ] || echo "FAIL: check: nothing passed"
[ "$p" -gt 0 ] || f=$((f + 1))
echo "$p passed, $f failed, $s skipped"
[ "$f" = 0 ]
