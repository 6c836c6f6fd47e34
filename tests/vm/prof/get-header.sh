#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# get-header.sh [DIR]: qemu-plugin.h of the QEMU installed here (Debian's
# qemu-system-x86), from Debian's source package of that version, into DIR
# (default build/qemu-plugin-inc). The header is QEMU's (GPL-2.0-or-later)
# and is not kept in the repository.
# Needs deb-src lines in APT's sources: tests/vm/deb-src.sh adds them if
# none are configured (root only).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
dir=${1:-$here/../../../build/qemu-plugin-inc}
ver=$(dpkg-query -W -f='${source:Version}' qemu-system-x86)
mkdir -p "$dir"
sh "$here/../deb-src.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && apt-get source --download-only "qemu=$ver" > /dev/null 2>&1)
tar -xJf "$tmp"/qemu_*.orig.tar.xz -C "$tmp" --wildcards '*/include/qemu/qemu-plugin.h'
# Debian's patches, if one touched the header (none did in 7.2+dfsg-7)
tar -xJf "$tmp"/qemu_*.debian.tar.xz -C "$tmp" debian/patches
if grep -rlq 'qemu-plugin\.h' "$tmp/debian/patches"; then
	echo "warning: a Debian patch touches qemu-plugin.h; using the upstream header" >&2
fi
cp "$tmp"/*/include/qemu/qemu-plugin.h "$dir/"
grep -m1 'define QEMU_PLUGIN_VERSION' "$dir/qemu-plugin.h"
echo "$dir/qemu-plugin.h (qemu $ver)"
