#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Tier 2: every module builds against every installed kernel header set with
# W=1 and no warning, sparse (C=1) finds nothing, checkpatch is clean.
# One PASS:/FAIL:/SKIP: line per case.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
logs=$top/build/logs/build
mkdir -p "$logs"
rc=0
kvers=$(ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | sed 's#.*/linux-headers-##')
[ -n "$kvers" ] || { echo "SKIP: build no kernel headers installed"; exit 0; }
for k in $kvers; do
	for pass in w1 sparse; do
		# sparse (C=2: every file) runs in the W=1 build's tree, where
		# nothing needs compiling again
		case $pass in
		w1) args="W=1 VBUS_WERROR=1" again=0 ;;
		sparse) args="C=2 W=1 VBUS_WERROR=1" again=1 ;;
		esac
		log=$logs/$k-$pass.log
		if MODULES_AGAIN=$again "$top/tests/build/modules.sh" "$k" $args > "$log" 2>&1 &&
			! grep -E 'warning:|error:' "$log" | grep -v 'Skipping BTF' > /dev/null; then
			echo "PASS: build/$k/$pass ($(ls "$top/build/modules/$k" | tr '\n' ' '))"
		else
			echo "FAIL: build/$k/$pass: see $log"
			grep -E 'warning:|error:' "$log" | head -n 10 | sed 's/^/#   /'
			rc=1
		fi
	done
done
# (tests/vm/nest.py loads these W=1 modules; it builds them again only if
# the sources changed since.)

# checkpatch, from Debian's linux-source tarball
cp_dir=$top/build/checkpatch
if [ ! -x "$cp_dir/scripts/checkpatch.pl" ]; then
	tarball=$(ls /usr/src/linux-source-*.tar.xz 2>/dev/null | sort -V | tail -n 1)
	if [ -n "$tarball" ]; then
		mkdir -p "$cp_dir"
		base=$(basename "$tarball" .tar.xz)
		tar -xJf "$tarball" -C "$cp_dir" --strip-components=1 \
			"$base/scripts/checkpatch.pl" "$base/scripts/spelling.txt" \
			"$base/scripts/const_structs.checkpatch" 2>/dev/null
	fi
fi
if [ -x "$cp_dir/scripts/checkpatch.pl" ]; then
	for d in src/common src/host src/guest tests/vm/modules; do
		files=$(cd "$top" && find "$d" -name '*.[ch]' 2>/dev/null | sort)
		[ -n "$files" ] || continue
		log=$logs/checkpatch-$(echo "$d" | tr / -).log
		(cd "$top" && "$cp_dir/scripts/checkpatch.pl" --no-tree --terse --show-types \
			--ignore FILE_PATH_CHANGES -f $files) > "$log" 2>&1
		# LINUX_VERSION_CODE is how a compat header decides; nowhere else.
		n=$(grep -E ': (ERROR|WARNING|CHECK):' "$log" |
			grep -cvE '_compat\.h:[0-9]+: WARNING:LINUX_VERSION_CODE:')
		if [ "$n" = 0 ]; then
			echo "PASS: checkpatch/$d ($(echo "$files" | wc -l) files)"
		else
			echo "FAIL: checkpatch/$d: $n findings, see $log"
			grep -E ': (ERROR|WARNING):' "$log" | grep -vE '_compat\.h:[0-9]+: WARNING:LINUX_VERSION_CODE:' |
				head -n 5 | sed 's/^/#   /'
			rc=1
		fi
	done
else
	echo "SKIP: checkpatch (no linux-source tarball)"
fi
exit $rc
