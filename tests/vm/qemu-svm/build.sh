#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# build.sh [WORKDIR]: builds of the QEMU installed here (Debian's
# qemu-system-x86), x86_64-softmmu only, from Debian's source package of
# that version with Debian's patches applied (dpkg-source, series order):
#   WORKDIR/qemu-build-stock/qemu-system-x86_64  Debian's patches only
#   WORKDIR/qemu-build-fix/qemu-system-x86_64    the same plus
#                                                svm-evtinj-intr.patch
#   WORKDIR/qemu-build-diag/...                  stock plus
#                                                svm-diag-redeliver.patch
#   WORKDIR/qemu-build-diagfix/...               fix plus the same
# (QEMU_BUILDS: which of stock fix diag diagfix; default all four). The
# diagnostic patch changes nothing QEMU does: it prints a line on stderr
# (the nest's qemu.log) each time an injected interrupt is delivered a
# second time.
# WORKDIR defaults to the repository's parent folder; the source package
# goes to WORKDIR/qemu-src (downloaded with apt-get source unless its .dsc
# is there already). stock and fix differ in that one line only: same
# source tree, same configure options (Debian's paths and compiler flags,
# a minimal feature set: what tests/vm/nest.py uses). Run it with the nest
# as NEST_QEMU=WORKDIR/qemu-build-fix/qemu-system-x86_64.
# Needs QEMU's build dependencies for this set (root: apt-get install
# ninja-build meson libglib2.0-dev libpixman-1-dev libslirp-dev libfdt-dev
# flex bison python3-venv zlib1g-dev libcap-ng-dev libattr1-dev), and
# deb-src lines in APT's sources unless the source package is there: if
# none are configured, this adds /etc/apt/sources.list.d/debian-src.sources
# (bookworm, main; root only) and runs apt-get update. The compiles run
# under nice -n 19 with JOBS (2) jobs; with ccache installed, the second
# build reuses the first one's objects.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
work=$(cd "${1:-$here/../../../..}" && pwd)
jobs=${JOBS:-2}
ver=$(dpkg-query -W -f='${source:Version}' qemu-system-x86)
uver=${ver#*:}
dl=$work/qemu-src
src=$dl/qemu-$uver
mkdir -p "$dl"

if [ ! -f "$dl/qemu_$uver.dsc" ]; then
	sh "$here/../deb-src.sh"
	(cd "$dl" && apt-get source --download-only "qemu=$ver")
fi

# a fresh tree: the orig tarball plus Debian's patches (debian/patches/series)
rm -rf "$src"
dpkg-source --no-check -x "$dl/qemu_$uver.dsc" "$src"

# Debian's paths and flags (debian/rules), only what the nest's host VM uses
cflags="$(dpkg-buildflags --get CFLAGS) $(dpkg-buildflags --get CPPFLAGS)"
ldflags="$(dpkg-buildflags --get LDFLAGS) -Wl,--as-needed"
cc=gcc
if command -v ccache > /dev/null; then
	cc="ccache gcc"
	# the same source tree and sibling build folders: the fix build's
	# compiles hit the stock build's cache, except svm_helper.c
	CCACHE_DIR=${CCACHE_DIR:-$work/qemu-ccache}
	CCACHE_BASEDIR=$work
	CCACHE_NOHASHDIR=1
	export CCACHE_DIR CCACHE_BASEDIR CCACHE_NOHASHDIR
fi

build() {
	b=$work/qemu-build-$1
	rm -rf "$b"
	mkdir -p "$b"
	(cd "$b" && "$src/configure" --cc="$cc" \
		--with-pkgversion="Debian $ver, $1 build" \
		--extra-cflags="$cflags" --extra-ldflags="$ldflags" \
		--prefix=/usr --sysconfdir=/etc --libexecdir=/usr/lib/qemu \
		--localstatedir=/var \
		--firmwarepath=/usr/share/qemu:/usr/share/seabios:/usr/lib/ipxe/qemu \
		--with-git-submodules=ignore --disable-install-blobs --disable-strip \
		--target-list=x86_64-softmmu --disable-user --disable-docs \
		--disable-werror --disable-tools --disable-guest-agent \
		--enable-virtfs --enable-attr --enable-cap-ng \
		--disable-gtk --disable-sdl --disable-vnc --disable-opengl \
		--disable-spice --disable-curses --disable-xen \
		> "$b/configure.log" 2>&1) || { tail -20 "$b/configure.log" >&2; exit 1; }
	nice -n 19 ninja -C "$b" -j "$jobs" qemu-system-x86_64 > "$b/build.log" 2>&1 ||
		{ tail -30 "$b/build.log" >&2; exit 1; }
	# Run from its build folder, QEMU looks for its firmware under
	# qemu-bundle/ there (get_relocated_path): Debian's, as installed
	for d in /usr/share/qemu /usr/share/seabios /usr/lib/ipxe/qemu; do
		rm -rf "$b/qemu-bundle$d"
		mkdir -p "$(dirname "$b/qemu-bundle$d")"
		ln -s "$d" "$b/qemu-bundle$d"
	done
	"$b/qemu-system-x86_64" --version | head -1
	echo "$b/qemu-system-x86_64"
}

want() { case " ${QEMU_BUILDS:-stock fix diag diagfix} " in *" $1 "*) return 0;; esac; return 1; }
want stock && build stock
(cd "$src" && patch -p1 < "$here/svm-evtinj-intr.patch")
want fix && build fix
(cd "$src" && patch -p1 < "$here/svm-diag-redeliver.patch")
want diagfix && build diagfix
(cd "$src" && patch -p1 -R < "$here/svm-evtinj-intr.patch")
want diag && build diag
