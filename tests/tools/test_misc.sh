#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Packaging-level checks of the tools: man pages format cleanly, `make
# install` honours DESTDIR/PREFIX, and every vbusctl command is documented.
# Output: one line per case, PASS: name | FAIL: name reason | SKIP: name reason.
set -u
TOOLS=${TOOLS:-../../tools}
failures=0
pass() { echo "PASS: $1"; }
fail() { echo "FAIL: $1 $2"; failures=$((failures + 1)); }

T=$(mktemp -d /tmp/vbus-misc.XXXXXX)
trap 'rm -rf "$T"' EXIT

for m in vbusd vbusctl; do
	if ! command -v groff >/dev/null 2>&1; then
		echo "SKIP: man-$m groff not installed"
	elif out=$(LC_ALL=C.UTF-8 groff -man -Tutf8 -ww -z "$TOOLS/$m.8" 2>&1) && [ -z "$out" ]; then
		pass "man-$m"
	else
		fail "man-$m" "groff warnings: $out"
	fi
done

if make -s -C "$TOOLS" install DESTDIR="$T" PREFIX=/opt/vb SYSTEMDUNITDIR=/opt/vb/units \
	>"$T/log" 2>&1; then
	missing=
	for f in sbin/vbusd sbin/vbusctl share/man/man8/vbusd.8 share/man/man8/vbusctl.8 \
		 units/vbusd@.service; do
		[ -f "$T/opt/vb/$f" ] || missing="$missing $f"
	done
	if [ -n "$missing" ]; then
		fail tools-install "missing:$missing"
	elif ! grep -q "^ExecStart=/opt/vb/sbin/vbusd " "$T/opt/vb/units/vbusd@.service"; then
		fail tools-install "unit's ExecStart does not use SBINDIR"
	else
		pass tools-install
	fi
else
	fail tools-install "make install failed: $(head -c 300 "$T/log")"
fi

# Every vbusctl command appears in --help and in the man page.
if command -v groff >/dev/null 2>&1; then
	groff -man -Tascii -P-cbou "$TOOLS/vbusctl.8" 2>/dev/null >"$T/man.txt"
	missing=
	for c in $("$TOOLS/vbusctl" --help | sed -n '/^Commands:/,/^$/s/^  \([a-z-]*\).*/\1/p'); do
		grep -q "^       $c\( \|\$\)" "$T/man.txt" || missing="$missing $c"
	done
	if [ -n "$missing" ]; then fail vbusctl-commands-documented "not in vbusctl.8:$missing"
	else pass vbusctl-commands-documented; fi
else
	echo "SKIP: vbusctl-commands-documented groff not installed"
fi

# --socket-mode and --socket-group: the socket libvirt's QEMU connects to
# (docs/operations.md), and a bad value refused with a message
"$TOOLS/vbusd" --no-attach --socket "$T/g.sock" --socket-mode 0660 --socket-group daemon bus0 \
	>"$T/vbusd.log" 2>&1 &
vp=$!
for _ in $(seq 50); do [ -S "$T/g.sock" ] && break; sleep 0.1; done
got=$(stat -c '%a %G' "$T/g.sock" 2>/dev/null)
kill "$vp" 2>/dev/null
wait "$vp"
vrc=$?
if [ "$got" = "660 daemon" ] && [ "$vrc" = 0 ]; then
	pass vbusd-socket-mode-group
else
	fail vbusd-socket-mode-group "socket '$got' (want '660 daemon'), exit $vrc: $(head -c 300 "$T/vbusd.log")"
fi
for bad in "unknown-group|--socket-group nosuchgroup|unknown group 'nosuchgroup'" \
	"mode-not-octal|--socket-mode 888|invalid --socket-mode '888'" \
	"mode-too-wide|--socket-mode 01777|invalid --socket-mode '01777'"; do
	name=${bad%%|*} rest=${bad#*|}
	opt=${rest%%|*} msg=${rest#*|}
	# shellcheck disable=SC2086 # option and value
	out=$("$TOOLS/vbusd" --no-attach --socket "$T/b.sock" $opt bus0 2>&1)
	rc=$?
	if [ "$rc" = 2 ] && printf '%s' "$out" | grep -qF "$msg" && [ ! -e "$T/b.sock" ]; then
		pass "vbusd-refuses-$name"
	else
		fail "vbusd-refuses-$name" "exit $rc, '$out'"
	fi
done

[ "$failures" = 0 ]
