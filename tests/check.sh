#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# `make check`: install what is missing (as root), run every tier that
# exists, count the PASS:/FAIL:/SKIP: lines of all of them and end with one
# line "N passed, M failed, K skipped". Exits non-zero on any failure.
#   TIERS="unit tools build pkg vm" (default: all), KERNEL=6.1|6.12|all
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
tiers=${TIERS:-unit tools build pkg vm}
log=$top/build/logs/check.log
mkdir -p "$top/build/logs"
: > "$log"
failed_tiers=""

if [ "$(id -u)" = 0 ]; then
	sh tests/deps.sh || { echo "FAIL: deps: package installation failed" | tee -a "$log"; }
else
	sh tests/deps.sh || echo "# not root: missing packages may make tiers fail"
fi

run_tier() {
	name=$1
	shift
	echo "=== tier $name: $*"
	start=$(date +%s)
	"$@" 2>&1 | tee -a "$log" | tee "$top/build/logs/tier-$name.log"
	echo "=== tier $name took $(($(date +%s) - start)) s"
}

for t in $tiers; do
	case $t in
	unit) run_tier unit make -C tests/unit check ;;
	tools) run_tier tools make -C tests/tools check ;;
	build) run_tier build tests/build/check.sh ;;
	pkg) [ -x tests/pkg/check.sh ] && run_tier pkg tests/pkg/check.sh ;;
	vm) run_tier vm python3 tests/vm/nest.py --kernel "${KERNEL:-all}" --test "${TEST:-all}" ;;
	*) echo "FAIL: check: unknown tier $t" | tee -a "$log" ;;
	esac
done
p=$(grep -c '^PASS:' "$log")
f=$(grep -c '^FAIL:' "$log")
s=$(grep -c '^SKIP:' "$log")
n=$(grep -c '^NEST-FAILURE:' "$log")
[ "$f" = 0 ] || { echo "failures:"; grep '^FAIL:' "$log"; }
[ "$n" = 0 ] || echo "nest failures (retried): $n"
echo "$p passed, $f failed, $s skipped"
[ "$f" = 0 ] && [ "$p" -gt 0 ]
