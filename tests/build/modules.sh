#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Build every kernel module of the tree for one kernel release, out of the
# source tree: the sources are copied to build/kbuild/KVER/ and the modules
# land in build/modules/KVER/ (where the VM tests find them).
#   modules.sh KVER [make arguments, e.g. W=1 C=1 VBUS_WERROR=1]
# Prints the build output; exits non-zero if any directory fails.
set -u
kver=$1
shift
top=$(cd "$(dirname "$0")/../.." && pwd)
kdir=/lib/modules/$kver/build
[ -d "$kdir" ] || kdir=/usr/src/linux-headers-$kver
if [ ! -f "$kdir/Makefile" ]; then
	echo "modules: no headers for kernel $kver" >&2
	exit 2
fi
work=$top/build/kbuild/$kver
out=$top/build/modules/$kver
rm -rf "$work"
mkdir -p "$work/tests/vm" "$out"
cp -r "$top/src" "$work/src"
cp -r "$top/tests/vm/modules" "$work/tests/vm/modules"
rc=0
for d in src/host src/guest tests/vm/modules; do
	[ -f "$work/$d/Kbuild" ] || continue
	echo "== $d ($kver)"
	make -j"$(nproc)" -C "$kdir" M="$work/$d" "$@" modules 2>&1 || rc=1
	find "$work/$d" -name '*.ko' -exec cp {} "$out/" \;
done
exit $rc
