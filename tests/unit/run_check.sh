#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs every test case of `make check`; one PASS/FAIL/SKIP line per case.
# A sanitizer, valgrind or fuzzer finding becomes a FAIL line.
# usage: run_check.sh OUT MSGS ASAN_MSGS TSAN_MSGS VG_MSGS FUZZ_SECONDS CORPUS
set -u
out=$1 msgs=$2 asan_msgs=$3 tsan_msgs=$4 vg_msgs=$5 fuzz_s=$6 corpus=$7
logs=$out/logs
mkdir -p "$logs"
rc=0

# run_suite NAME PREFIX -- command...: forwards the suite's lines, and adds
# a FAIL line if the process died without reporting a failure itself.
run_suite() {
	name=$1 prefix=$2
	shift 2
	"$@" > "$logs/$name.out" 2> "$logs/$name.err"
	st=$?
	cat "$logs/$name.out"
	if [ $st -ne 0 ]; then
		rc=1
		if ! grep -q '^FAIL:' "$logs/$name.out"; then
			echo "FAIL: ${prefix}suite exit status $st (see tests/unit/$logs/$name.err)"
		fi
	fi
	grep -h '^  ' "$logs/$name.err" | grep -v '^  (' >&2 || true
}

run_suite plain "" "$out/vbus_unit" --msgs "$msgs"

ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:halt_on_error=1 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	run_suite asan "asan/" "$out/vbus_unit_asan" --prefix asan/ --msgs "$asan_msgs"

TSAN_OPTIONS=halt_on_error=1:exitcode=66 \
	run_suite tsan "tsan/" "$out/vbus_unit_tsan" --prefix tsan/ --msgs "$tsan_msgs"

# valgrind: memcheck with leak checking over the whole suite, small run
if command -v valgrind >/dev/null 2>&1; then
	valgrind -q --error-exitcode=99 --leak-check=full \
		--errors-for-leak-kinds=definite,indirect,possible \
		--show-leak-kinds=definite,indirect,possible \
		"$out/vbus_unit" --msgs "$vg_msgs" > "$logs/valgrind.out" 2> "$logs/valgrind.err"
	st=$?
	if [ $st -eq 0 ] && ! grep -q '^FAIL:' "$logs/valgrind.out"; then
		echo "PASS: valgrind/suite"
	else
		echo "FAIL: valgrind/suite exit status $st (see tests/unit/$logs/valgrind.err)"
		rc=1
	fi
else
	echo "SKIP: valgrind/suite valgrind not installed"
fi

# bounded fuzzing of the host-side parsers; new inputs go to a scratch dir
rm -rf "$out/fuzz-check"
mkdir -p "$out/fuzz-check"
"$out/fuzz_region" -max_total_time="$fuzz_s" -timeout=10 -rss_limit_mb=1024 \
	-print_final_stats=1 -artifact_prefix="$out/fuzz-check/" \
	"$out/fuzz-check" "$corpus" > "$logs/fuzz.out" 2>&1
st=$?
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$logs/fuzz.out")
if [ $st -eq 0 ]; then
	echo "PASS: fuzz/region-host-checks"
	echo "  fuzz: ${runs:-?} inputs in ${fuzz_s} s" >&2
else
	echo "FAIL: fuzz/region-host-checks exit status $st (see tests/unit/$logs/fuzz.out)"
	rc=1
fi
exit $rc
