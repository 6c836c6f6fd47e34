#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Build every kernel module of the tree for one kernel release, out of the
# source tree: the sources are copied to build/kbuild/KVER/ and the modules
# land in build/modules/KVER/ (where the VM tests find them).
#   modules.sh KVER [make arguments, e.g. W=1 C=1 VBUS_WERROR=1]
# Prints the build output; exits non-zero if any directory fails.
#   MODULES_AGAIN=1  make again in the copy of the last build (no new copy:
#                    with C=2, sparse checks every file and nothing that is
#                    up to date is compiled again)
#   MODULES_REUSE=1  build nothing if the last build was of these very
#                    sources, with W=1 among its arguments, and succeeded
#                    (build/modules/KVER/.built records it)
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
stamp=$out/.built
sources=$(cd "$top" && find src tests/vm/modules -type f -print0 | sort -z |
	xargs -0 sha256sum | sha256sum | cut -d' ' -f1)
if [ "${MODULES_REUSE:-0}" = 1 ] && [ -f "$stamp" ]; then
	read -r built_sources built_args < "$stamp"
	case " $built_args " in
	*" W=1 "*)
		if [ "$built_sources" = "$sources" ]; then
			echo "modules: $kver: built from these sources ($built_args); not again"
			exit 0
		fi ;;
	esac
fi
if [ "${MODULES_AGAIN:-0}" != 1 ] || [ ! -d "$work/src" ]; then
	# a module that fails to build must not leave the last build's .ko
	# for the VM tests to load
	rm -rf "$work" "$stamp"
	rm -f "$out"/*.ko
	mkdir -p "$work/tests/vm" "$out"
	cp -r "$top/src" "$work/src"
	cp -r "$top/tests/vm/modules" "$work/tests/vm/modules"
fi
rc=0
for d in src/host src/guest tests/vm/modules; do
	[ -f "$work/$d/Kbuild" ] || continue
	echo "== $d ($kver)"
	if make -j"$(nproc)" -C "$kdir" M="$work/$d" "$@" modules 2>&1; then
		find "$work/$d" -name '*.ko' -exec cp {} "$out/" \;
	else
		rc=1
		# none of this directory's modules, old or half-built
		find "$work/$d" -name '*.ko' -exec sh -c 'rm -f "$1/${2##*/}"' _ "$out" {} \;
		echo "modules: $d did not build for $kver; its modules are not in $out"
	fi
done
[ "$rc" = 0 ] && [ "${MODULES_AGAIN:-0}" != 1 ] && echo "$sources $*" > "$stamp"
exit $rc
