#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# deb-src.sh: make sure APT's sources have deb-src lines, for
# `apt-get source` (tests/vm/prof/get-header.sh, tests/vm/qemu-svm/build.sh).
# If none are configured, adds /etc/apt/sources.list.d/debian-src.sources
# (bookworm, main; root only) and runs apt-get update.
set -eu
if grep -rqsE '^(Types: *deb-src|deb-src )' /etc/apt/sources.list /etc/apt/sources.list.d/; then
	exit 0
fi
[ "$(id -u)" = 0 ] || { echo "no deb-src lines in APT's sources: run as root to add them" >&2; exit 1; }
cat > /etc/apt/sources.list.d/debian-src.sources <<'SRC'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb-src
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
apt-get update
