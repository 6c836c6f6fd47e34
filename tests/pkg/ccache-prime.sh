#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/pkg/ccache-prime.sh KVER...
#
# Fills build/ccache with the compiler's work of DKMS building the packages
# of build/pkg/ for each kernel release, here on the build machine, exactly
# as DKMS builds them after `apt install` (same paths, same make command):
# the sources are taken from the .debs, the build runs in
# /var/lib/dkms/NAME/VERSION/build, but in a mount namespace of its own
# with a tmpfs over /var/lib/dkms, so that this machine's DKMS tree is not
# touched. Debian's kernel headers compile through ccache when
# DEBIAN_KERNEL_USE_CCACHE is set (their .kernelvariables).
#
# pkg-kernel (tests/vm/tests/pkg-kernel.sh) then runs DKMS in the nest with
# the same cache: a hit is the object gcc made of the same preprocessed
# source with the same flags, so what DKMS does there is unchanged, only the
# emulated compiler's minutes are spared. A miss (the sources changed, a
# header differs) compiles as before.
#
# Exits 0 with a line per kernel and package; non-zero if a build failed
# (then pkg-kernel compiles, slowly, and its own checks decide).
set -u
REPO=$(cd "$(dirname "$0")/../.." && pwd)
PKG=$REPO/build/pkg
export CCACHE_DIR=$REPO/build/ccache
[ $# -gt 0 ] || { echo "usage: $0 KVER..." >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "ccache-prime: needs root (a mount namespace)" >&2; exit 2; }
command -v ccache >/dev/null || { echo "ccache-prime: ccache not installed" >&2; exit 2; }
mkdir -p "$CCACHE_DIR"
ccache --max-size=2G >/dev/null
ccache --zero-stats >/dev/null
W=$(mktemp -d "${TMPDIR:-/tmp}/vbus-ccache.XXXXXX")
trap 'rm -rf "$W"' EXIT
rc=0
for deb in "$PKG"/vbus-dkms_*_all.deb "$PKG"/venet-dkms_*_all.deb; do
	[ -f "$deb" ] || { echo "ccache-prime: no $deb (run tests/pkg/check.sh)" >&2; exit 1; }
	dpkg-deb -x "$deb" "$W/root"
done
for k in "$@"; do
	[ -e "/lib/modules/$k/build/Makefile" ] || { echo "ccache-prime: no headers for $k"; rc=1; continue; }
	for conf in "$W"/root/usr/src/*/dkms.conf; do
		src=$(dirname "$conf")
		name=$(sed -n 's/^PACKAGE_NAME="\(.*\)"$/\1/p' "$conf")
		ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$conf")
		log=$REPO/build/pkg/logs/ccache-prime-$name-$k.log
		mkdir -p "$(dirname "$log")"
		if unshare -m bash -c '
			set -e
			mount -t tmpfs none /var/lib/dkms
			dkms add -m "$1" -v "$2" --sourcetree "$3"
			DEBIAN_KERNEL_USE_CCACHE=1 dkms build -m "$1" -v "$2" -k "$4" --sourcetree "$3"
		' _ "$name" "$ver" "$(dirname "$src")" "$k" >"$log" 2>&1; then
			echo "ccache-prime: $name/$ver for $k built"
		else
			echo "ccache-prime: $name/$ver for $k failed (see $log)"
			rc=1
		fi
	done
done
ccache --show-stats 2>/dev/null | grep -E 'Hits|Misses|Cache size' | sed 's/^/ccache-prime: /'
exit $rc
