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
	local name=$1 start
	shift
	echo "=== tier $name: $*"
	start=$(date +%s)
	"$@" 2>&1 | tee "$top/build/logs/tier-$name.log"
	judge_tier "$name" "${PIPESTATUS[0]}" "$start"
}

# run_tiers_side_by_side NAME... : tiers that need one core each and share
# nothing (no files, no ports) run at once; each one's output is printed
# whole when all are done, in the order given, and judged as run_tier does.
run_tiers_side_by_side() {
	local name start pids=() names=()
	start=$(date +%s)
	for name in "$@"; do
		echo "=== tier $name: ${tier_cmd[$name]} (side by side with: $*)"
		# shellcheck disable=SC2086 # the command's words
		( ${tier_cmd[$name]} > "$top/build/logs/tier-$name.log" 2>&1
		  echo $? > "$top/build/logs/tier-$name.rc" ) &
		pids+=($!)
		names+=("$name")
	done
	wait "${pids[@]}"
	for name in "${names[@]}"; do
		echo "=== tier $name: its output"
		cat "$top/build/logs/tier-$name.log"
		judge_tier "$name" "$(cat "$top/build/logs/tier-$name.rc" 2>/dev/null || echo 125)" "$start"
	done
}

# judge_tier NAME RC START: the tier's log into the run's log, and a FAIL:
# line of the run's own when how it ended and what it printed disagree.
judge_tier() {
	local name=$1 rc=$2 start=$3 tlog=$top/build/logs/tier-$1.log results fails
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

declare -A tier_cmd=(
	[harness]="python3 tests/harness/test_classify.py"
	[unit]="make -C tests/unit check"
	[tools]="make -C tests/tools check"
	[build]="tests/build/check.sh"
	[pkg]="tests/pkg/check.sh"
	[vm]="python3 tests/vm/nest.py --kernel ${KERNEL:-all} --test ${TEST:-all}"
)
# unit (its fuzzing: one core) and tools (valgrind: one core) side by side,
# when both are asked for; everything else one after the other
want_unit=0 want_tools=0
for t in $tiers; do
	case $t in unit) want_unit=1 ;; tools) want_tools=1 ;; esac
done
for t in $tiers; do
	case $t in
	unit | tools)
		if [ $want_unit = 1 ] && [ $want_tools = 1 ]; then
			[ "$t" = unit ] && run_tiers_side_by_side unit tools
		else
			# shellcheck disable=SC2086 # the command's words
			run_tier "$t" ${tier_cmd[$t]}
		fi
		;;
	harness | build | pkg | vm)
		# shellcheck disable=SC2086 # the command's words
		run_tier "$t" ${tier_cmd[$t]}
		;;
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
