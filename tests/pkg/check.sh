#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/pkg/check.sh [--no-deb] [--no-rpm] [--no-dkms] [--keep]
#
# Package tests. Builds the Debian packages and the RPMs from a copy of the
# working tree (tracked and untracked files, not ignored ones) in a temporary
# directory, so the tree stays clean; lints them (lintian, rpmlint); checks
# their contents, control fields and scriptlets; tests the udev helper on a
# fake sysfs; and builds the modules with DKMS against every installed
# kernel header set, in a private DKMS tree (nothing under /usr/src,
# /var/lib/dkms or /lib/modules is touched; modules are signed with a
# throw-away key).
#
# Prints one line per test case: PASS: NAME, FAIL: NAME REASON or
# SKIP: NAME REASON; exits 1 if any case failed. The built packages are
# left in build/pkg/ (vbus-dkms_*.deb, vbus-utils_*.deb, venet-dkms_*.deb,
# *.rpm); logs of the builds are in build/pkg/logs/.
#
#   --no-deb, --no-rpm, --no-dkms   skip that part
#   --keep                          keep the temporary directory

set -u
export LC_ALL=C.UTF-8

REPO=$(cd "$(dirname "$0")/../.." && pwd)
OUT=$REPO/build/pkg
LOGS=$OUT/logs
DO_DEB=1 DO_RPM=1 DO_DKMS=1 KEEP=0
for a in "$@"; do
	case $a in
	--no-deb) DO_DEB=0 ;;
	--no-rpm) DO_RPM=0 ;;
	--no-dkms) DO_DKMS=0 ;;
	--keep) KEEP=1 ;;
	*) echo "usage: $0 [--no-deb] [--no-rpm] [--no-dkms] [--keep]" >&2; exit 2 ;;
	esac
done

NPASS=0 NFAIL=0 NSKIP=0
pass() { NPASS=$((NPASS + 1)); echo "PASS: $1"; }
fail() { NFAIL=$((NFAIL + 1)); echo "FAIL: $1 $2"; }
skip() { NSKIP=$((NSKIP + 1)); echo "SKIP: $1 $2"; }
# verdict NAME REASON-IF-FAILED CMD...: PASS if CMD succeeds
verdict() {
	local name=$1 why=$2
	shift 2
	if "$@" >/dev/null 2>&1; then pass "$name"; else fail "$name" "$why"; fi
}
have() { command -v "$1" >/dev/null 2>&1; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/vbus-pkg.XXXXXX")
cleanup() {
	# a DKMS build leaves root-owned files behind; all of it is ours
	if [ "$KEEP" = 1 ]; then echo "# kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
mkdir -p "$OUT" "$LOGS"

# ---------------------------------------------------------------- versions
UV=$(dpkg-parsechangelog -l "$REPO/debian/changelog" -S Version 2>/dev/null | sed 's/-[^-]*$//')
conf_ver() { sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$1"; }
conf_name() { sed -n 's/^PACKAGE_NAME="\(.*\)"$/\1/p' "$1"; }
SPECV=$(sed -n 's/^Version:[[:space:]]*//p' "$REPO/rpm/vbus.spec")
TOOLSV=$(sed -n 's/^VERSION[[:space:]]*?=[[:space:]]*//p' "$REPO/tools/Makefile")
vers="changelog=$UV dkms.conf=$(conf_ver "$REPO/dkms.conf") venet-dkms.dkms=$(conf_ver "$REPO/debian/venet-dkms.dkms") spec=$SPECV tools=$TOOLSV"
if [ -n "$UV" ] && [ "$(echo "$vers" | tr ' ' '\n' | cut -d= -f2 | sort -u)" = "$UV" ]; then
	pass "versions-agree"
else
	fail "versions-agree" "($vers)"
fi
VER=${UV:-0}
verdict "dkms.conf-names" "PACKAGE_NAME must be vbus (dkms.conf) and venet (debian/venet-dkms.dkms)" \
	test "$(conf_name "$REPO/dkms.conf")/$(conf_name "$REPO/debian/venet-dkms.dkms")" = vbus/venet

# What the packaging paths look like before any build (nothing may change).
pkg_paths_state() {
	git -C "$REPO" status --porcelain --ignored -- debian udev rpm dkms.conf tests/pkg docs/packaging.md 2>/dev/null
	find "$REPO/debian" "$REPO/udev" "$REPO/rpm" -newer "$WORK/.stamp" 2>/dev/null
}
touch "$WORK/.stamp"
STATE0=$(pkg_paths_state)

# ----------------------------------------------------------- staged copy
# The tree as a developer has it: tracked and untracked files, minus ignored.
SRC=$WORK/vbus-$VER
mkdir -p "$SRC"
if git -C "$REPO" rev-parse --git-dir >/dev/null 2>&1; then
	(cd "$REPO" && git ls-files -co --exclude-standard -z | grep -zv '^build/' |
		xargs -0 cp -P --parents -t "$SRC" 2>/dev/null)
	# deleted but still tracked files make cp complain; the rest is copied
	verdict "stage-tree" "cannot copy the working tree" test -f "$SRC/debian/control"
else
	tar -C "$REPO" --exclude=./.git --exclude=./build -cf - . | tar -C "$SRC" -xf -
	verdict "stage-tree" "cannot copy the tree" test -f "$SRC/debian/control"
fi

# --------------------------------------------------------------- udev/
HELPER=$SRC/udev/venet-apply-tunables
if have shellcheck; then
	verdict "udev-helper-shellcheck" "shellcheck -s sh $HELPER" shellcheck -s sh "$HELPER"
else
	skip "udev-helper-shellcheck" "shellcheck not installed"
fi
fake=$WORK/fakesys
mkdir -p "$fake/class/net/eth1/venet" "$fake/class/net/eth1/device" "$fake/class/net/eth2/venet"
echo 10 >"$fake/class/net/eth1/venet/txmitigation"
echo 10 >"$fake/class/net/eth2/venet/txmitigation"
echo 1500 >"$fake/class/net/eth1/mtu"
echo x >"$fake/class/net/eth1/device/client_mac"
cat >"$WORK/tunables.conf" <<'EOF'
# comment
 txmitigation = 5   # trailing comment
eth*:mtu=9000
eth2:txmitigation=7
client_mac=02:00:00:00:00:01
EOF
run_helper() { VENET_NO_SYSLOG=1 VENET_SYSFS=$fake VENET_TUNABLES=$WORK/tunables.conf sh "$HELPER" "$@"; }
if run_helper eth1 2>"$WORK/helper.err" &&
	[ "$(cat "$fake/class/net/eth1/venet/txmitigation")" = 5 ] &&
	[ "$(cat "$fake/class/net/eth1/mtu")" = 9000 ] &&
	[ "$(cat "$fake/class/net/eth1/device/client_mac")" = 02:00:00:00:00:01 ] &&
	[ ! -s "$WORK/helper.err" ]; then
	pass "udev-helper-applies"
else
	fail "udev-helper-applies" "$(head -c 300 "$WORK/helper.err")"
fi
# eth2 lacks mtu and device/client_mac: exit status 1, the rest applied
if INTERFACE=eth2 run_helper eth1 2>/dev/null
	[ "$(cat "$fake/class/net/eth1/venet/txmitigation")" = 5 ] &&
	[ "$(cat "$fake/class/net/eth2/venet/txmitigation")" = 7 ]; then
	pass "udev-helper-interface-env"
else
	fail "udev-helper-interface-env" "INTERFACE=eth2 did not win over the argument or IFGLOB: not applied"
fi
printf 'bogus=1\nno equals sign\nbad/name=1\ntxmitigation=3\n' >"$WORK/tunables.conf"
run_helper eth1 2>"$WORK/helper.err"
rc=$?
if [ $rc = 1 ] && grep -q "unknown tunable 'bogus'" "$WORK/helper.err" &&
	grep -q ':2: expected' "$WORK/helper.err" && grep -q "invalid attribute name 'bad/name'" "$WORK/helper.err" &&
	[ "$(cat "$fake/class/net/eth1/venet/txmitigation")" = 3 ]; then
	pass "udev-helper-logs-unknown"
else
	fail "udev-helper-logs-unknown" "rc=$rc: $(head -c 300 "$WORK/helper.err")"
fi
verdict "udev-helper-missing-iface" "exit status for a missing interface must be 1" \
	sh -c "VENET_NO_SYSLOG=1 VENET_SYSFS='$fake' sh '$HELPER' nosuch; test \$? = 1"
verdict "udev-helper-no-config" "a missing config file must be a no-op" \
	env VENET_NO_SYSLOG=1 VENET_SYSFS="$fake" VENET_TUNABLES="$WORK/nonexistent" sh "$HELPER" eth1
# Rules: every non-comment line is KEY==/=/+= "..." pairs.
rules_ok() {
	local f
	for f in "$SRC"/udev/*.rules; do
		grep -v '^[[:space:]]*\(#\|$\)' "$f" | grep -qvE '^([A-Z_]+(\{[^}]*\})?[[:space:]]*(==|!=|=|\+=|:=)[[:space:]]*"[^"]*"[[:space:]]*(,[[:space:]]*|$))+$' && return 1
	done
	grep -q 'KERNEL=="vbus", SUBSYSTEM=="misc", GROUP="kvm", MODE="0660"' "$SRC/udev/60-vbus.rules" &&
		grep -q 'ATTR{vendor}=="0x1af4", ATTR{device}=="0x1110"' "$SRC/udev/81-venet.rules" &&
		grep -q 'RUN+="/usr/lib/venet/venet-apply-tunables' "$SRC/udev/81-venet.rules"
}
# udev_parse_ok: our rules files, loaded by udevadm test, give no error line
udev_parse_ok() {
	local d=$WORK/udev-rules dev
	mkdir -p "$d"
	cp "$SRC"/udev/*.rules "$d/"
	dev=/sys/class/net/lo
	unshare -m sh -c 'mount --bind "$1" /etc/udev/rules.d && udevadm test --action=add "$2"' \
		_ "$d" "$dev" >"$LOGS/udevadm-parse.log" 2>&1
	# every file was read, and no line of ours was refused
	for f in "$SRC"/udev/*.rules; do
		grep -q "Reading rules file: /etc/udev/rules.d/${f##*/}" "$LOGS/udevadm-parse.log" || return 1
	done
	! grep -E '^/etc/udev/rules\.d/[^ ]+:[0-9]+ ' "$LOGS/udevadm-parse.log"
}

verdict "udev-rules-syntax" "a rule line is malformed or a required rule is missing" rules_ok
if udevadm verify --help >/dev/null 2>&1; then
	verdict "udevadm-verify" "udevadm verify failed" udevadm verify --resolve-names=never "$SRC"/udev/*.rules
elif have udevadm && have unshare && [ "$(id -u)" = 0 ]; then
	# systemd < 253 has no `udevadm verify`: udevadm test parses every
	# rules file it loads and names each bad line; ours are put in place of
	# /etc/udev/rules.d in a mount namespace of their own
	verdict "udevadm-parse" "udevadm test found a bad line, see $LOGS/udevadm-parse.log" udev_parse_ok
else
	skip "udevadm-verify" "needs systemd >= 253, or root for udevadm test"
fi

# ----------------------------------------------------------------- debs
deb_field() { dpkg-deb -f "$1" "$2"; }
deb_has() { dpkg-deb -c "$1" | awk '{print $6}' | grep -qx "./${2#/}"; }
deb_script() { dpkg-deb -I "$1" "$2" 2>/dev/null; }

if [ "$DO_DEB" = 1 ]; then
	if ! have dpkg-buildpackage; then
		skip "deb-build" "dpkg-buildpackage not installed"
		DO_DEB=0
	fi
fi
if [ "$DO_DEB" = 1 ]; then
	D=$WORK/deb
	mkdir -p "$D"
	cp -a "$SRC" "$D/"
	tar -C "$SRC/.." --exclude="vbus-$VER/debian" -cJf "$D/vbus_$VER.orig.tar.xz" "vbus-$VER"
	# a failed build must not leave the last build's packages to be tested
	rm -f "$OUT"/vbus-dkms_*.deb "$OUT"/vbus-utils_*.deb "$OUT"/venet-dkms_*.deb
	if (cd "$D/vbus-$VER" && dpkg-buildpackage -us -uc) >"$LOGS/deb-build.log" 2>&1; then
		pass "deb-build"
	else
		fail "deb-build" "dpkg-buildpackage failed, see $LOGS/deb-build.log: $(grep -m1 -iE 'error|failed' "$LOGS/deb-build.log")"
	fi
	CHANGES=$(ls "$D"/vbus_*.changes 2>/dev/null | head -n1)
	HD=$(ls "$D"/vbus-dkms_*_all.deb 2>/dev/null | head -n1)
	UD=$(ls "$D"/vbus-utils_*.deb 2>/dev/null | head -n1)
	GD=$(ls "$D"/venet-dkms_*_all.deb 2>/dev/null | head -n1)
	if [ -n "$CHANGES" ] && [ -n "$HD" ] && [ -n "$UD" ] && [ -n "$GD" ]; then
		rm -f "$OUT"/vbus-dkms_*.deb "$OUT"/vbus-utils_*.deb "$OUT"/venet-dkms_*.deb
		cp "$HD" "$UD" "$GD" "$OUT/"
		pass "deb-files"
		if have lintian; then
			lintian --fail-on error,warning --display-info --info "$CHANGES" >"$LOGS/lintian.log" 2>&1
			rc=$?
			# E: and W: fail; I:/P:/N: are listed in the log only
			if [ $rc = 0 ] && ! grep -qE '^[EW]: ' "$LOGS/lintian.log"; then
				pass "lintian"
			else
				fail "lintian" "$(grep -E '^[EW]: ' "$LOGS/lintian.log" | head -n5 | tr '\n' ';')"
			fi
		else
			skip "lintian" "lintian not installed"
		fi

		# vbus-dkms
		S=/usr/src/vbus-$VER
		verdict "deb-vbus-dkms-arch-all" "Architecture is $(deb_field "$HD" Architecture)" test "$(deb_field "$HD" Architecture)" = all
		verdict "deb-vbus-dkms-depends-dkms" "Depends: $(deb_field "$HD" Depends)" sh -c "dpkg-deb -f '$HD' Depends | grep -qE '(^|, )dkms( |,|\$)'"
		miss=""
		for f in $S/dkms.conf $S/src/host/Kbuild $S/src/common/vbus_abi.h $S/src/common/vbus_ioq.c \
			/lib/udev/rules.d/60-vbus.rules /usr/share/doc/vbus-dkms/copyright; do
			deb_has "$HD" "$f" || miss="$miss $f"
		done
		verdict "deb-vbus-dkms-contents" "missing:$miss" test -z "$miss"
		verdict "deb-vbus-dkms-scripts" "postinst must run DKMS (common.postinst vbus $VER), prerm dkms remove" \
			sh -c "dpkg-deb -I '$HD' postinst | grep -q 'DKMS_NAME=vbus' && dpkg-deb -I '$HD' postinst | grep -q 'DKMS_VERSION=$VER' && dpkg-deb -I '$HD' prerm | grep -q 'dkms remove'"
		build_out() { dpkg-deb -c "$1" | awk '{print $6}' | grep -E '\.(o|ko|mod|cmd|mod\.c|a)$|/\.[^/]*\.cmd$|Module\.symvers|modules\.order'; }
		verdict "deb-vbus-dkms-no-build-output" "build output in the package: $(build_out "$HD" | head -n3 | tr '\n' ' ')" \
			test -z "$(build_out "$HD")"
		# dkms.conf in the package is the top-level one
		dpkg-deb --fsys-tarfile "$HD" | tar -xOf - ".$S/dkms.conf" >"$WORK/dkms.conf.deb" 2>/dev/null
		verdict "deb-vbus-dkms-conf" "packaged dkms.conf differs from the top-level one" cmp -s "$WORK/dkms.conf.deb" "$REPO/dkms.conf"

		# vbus-utils
		verdict "deb-vbus-utils-arch" "Architecture is $(deb_field "$UD" Architecture)" test "$(deb_field "$UD" Architecture)" = "$(dpkg --print-architecture)"
		miss=""
		for f in /usr/sbin/vbusd /usr/sbin/vbusctl /usr/share/man/man8/vbusd.8.gz /usr/share/man/man8/vbusctl.8.gz \
			/lib/systemd/system/vbusd@.service /etc/default/vbusd /usr/share/doc/vbus-utils/copyright; do
			deb_has "$UD" "$f" || miss="$miss $f"
		done
		verdict "deb-vbus-utils-contents" "missing:$miss" test -z "$miss"
		verdict "deb-vbus-utils-conffiles" "/etc/default/vbusd must be a conffile" \
			sh -c "dpkg-deb -I '$UD' conffiles | grep -qx /etc/default/vbusd"
		dpkg-deb --fsys-tarfile "$UD" | tar -xOf - ./lib/systemd/system/vbusd@.service >"$WORK/unit" 2>/dev/null
		verdict "deb-vbus-utils-unit" "vbusd@.service must run /usr/sbin/vbusd \$VBUSD_OPTS %i" grep -q '^ExecStart=/usr/sbin/vbusd \$VBUSD_OPTS %i' "$WORK/unit"
		# a template: nothing enabled or started at install, never restarted
		verdict "deb-vbus-utils-no-restart" "maintainer scripts must not start/restart vbusd@" \
			sh -c "! dpkg-deb -I '$UD' postinst 2>/dev/null | grep -qE 'deb-systemd-invoke (start|restart).*vbusd'"

		# venet-dkms
		S=/usr/src/venet-$VER
		verdict "deb-venet-dkms-arch-all" "Architecture is $(deb_field "$GD" Architecture)" test "$(deb_field "$GD" Architecture)" = all
		verdict "deb-venet-dkms-depends-dkms" "Depends: $(deb_field "$GD" Depends)" sh -c "dpkg-deb -f '$GD' Depends | grep -qE '(^|, )dkms( |,|\$)'"
		miss=""
		for f in $S/dkms.conf $S/src/common/vbus_abi.h /lib/udev/rules.d/81-venet.rules \
			/usr/lib/venet/venet-apply-tunables /etc/venet/tunables.conf /usr/share/doc/venet-dkms/copyright; do
			deb_has "$GD" "$f" || miss="$miss $f"
		done
		verdict "deb-venet-dkms-contents" "missing:$miss" test -z "$miss"
		if [ -f "$SRC/src/guest/Kbuild" ]; then
			verdict "deb-venet-dkms-guest-sources" "no $S/src/guest/Kbuild in the package" deb_has "$GD" "$S/src/guest/Kbuild"
		else
			skip "deb-venet-dkms-guest-sources" "src/guest/Kbuild not written yet"
		fi
		verdict "deb-venet-dkms-helper-exec" "venet-apply-tunables must be mode 0755" \
			sh -c "dpkg-deb -c '$GD' | grep -q '^-rwxr-xr-x .* ./usr/lib/venet/venet-apply-tunables\$'"
		verdict "deb-venet-dkms-conffiles" "/etc/venet/tunables.conf must be a conffile" \
			sh -c "dpkg-deb -I '$GD' conffiles | grep -qx /etc/venet/tunables.conf"
		verdict "deb-venet-dkms-scripts" "postinst must run DKMS for venet $VER, prerm dkms remove" \
			sh -c "dpkg-deb -I '$GD' postinst | grep -q 'DKMS_NAME=venet' && dpkg-deb -I '$GD' prerm | grep -q 'dkms remove'"
		verdict "deb-venet-dkms-no-build-output" "build output in the package" test -z "$(build_out "$GD")"
	else
		fail "deb-files" "expected vbus_*.changes, vbus-dkms, vbus-utils and venet-dkms debs in $D"
	fi
	verdict "deb-tree-untouched" "the build changed files in the source tree (git status of the packaging paths)" \
		test "$(pkg_paths_state)" = "$STATE0"
fi

# ----------------------------------------------------------------- rpms
rpm_has() { rpm -qlp "$1" 2>/dev/null | grep -qx "$2"; }
if [ "$DO_RPM" = 1 ] && ! have rpmbuild; then
	skip "rpm-build" "rpmbuild not installed"
	DO_RPM=0
fi
if [ "$DO_RPM" = 1 ]; then
	R=$WORK/rpm
	mkdir -p "$R/SOURCES"
	tar -C "$SRC/.." -czf "$R/SOURCES/vbus-$VER.tar.gz" "vbus-$VER"
	load=()
	lintrc=$WORK/rpmlintrc
	cp "$SRC/rpm/vbus.rpmlintrc" "$lintrc"
	if [ -z "$(rpm --eval '%{?systemd_post:1}')" ]; then
		# not a Fedora/RHEL build host: stand-in macros and their lint filters
		load=(--load "$REPO/tests/pkg/rpm-macros-fallback")
		cat "$REPO/tests/pkg/rpmlintrc-build-host" >>"$lintrc"
	fi
	rm -f "$OUT"/*.rpm
	if rpmbuild -ba --nodeps "${load[@]}" --define "_topdir $R" "$SRC/rpm/vbus.spec" >"$LOGS/rpm-build.log" 2>&1; then
		pass "rpm-build"
	else
		fail "rpm-build" "rpmbuild failed, see $LOGS/rpm-build.log: $(grep -m1 -iE 'error' "$LOGS/rpm-build.log")"
	fi
	HR=$(ls "$R"/RPMS/noarch/vbus-dkms-*.rpm 2>/dev/null | head -n1)
	GR=$(ls "$R"/RPMS/noarch/venet-dkms-*.rpm 2>/dev/null | head -n1)
	UR=$(ls "$R"/RPMS/*/vbus-utils-[0-9]*.rpm 2>/dev/null | head -n1)
	SR=$(ls "$R"/SRPMS/vbus-*.src.rpm 2>/dev/null | head -n1)
	if [ -n "$HR" ] && [ -n "$GR" ] && [ -n "$UR" ] && [ -n "$SR" ]; then
		pass "rpm-files"
		rm -f "$OUT"/*.rpm
		cp "$HR" "$GR" "$UR" "$SR" "$OUT/"
		if have rpmlint; then
			rpmlint -c "$REPO/tests/pkg/rpmlint-fedora.toml" -r "$lintrc" "$SRC/rpm/vbus.spec" "$SR" "$HR" "$GR" "$UR" >"$LOGS/rpmlint.log" 2>&1
			summary=$(grep -E '[0-9]+ packages and [0-9]+ specfiles checked' "$LOGS/rpmlint.log")
			if grep -qE '^[^ ]+: E: ' "$LOGS/rpmlint.log" || ! grep -qE ' 0 errors' "$LOGS/rpmlint.log"; then
				fail "rpmlint" "$(grep -E ': E: ' "$LOGS/rpmlint.log" | head -n5 | tr '\n' ';') $summary"
			elif grep -qE ': W: ' "$LOGS/rpmlint.log"; then
				fail "rpmlint" "warnings: $(grep -E ': W: ' "$LOGS/rpmlint.log" | head -n5 | tr '\n' ';')"
			else
				pass "rpmlint"
			fi
		else
			skip "rpmlint" "rpmlint not installed"
		fi
		verdict "rpm-dkms-noarch" "vbus-dkms and venet-dkms must be noarch" \
			test "$(rpm -qp --qf '%{ARCH} ' "$HR" "$GR" 2>/dev/null)" = "noarch noarch "
		verdict "rpm-dkms-requires-dkms" "both -dkms packages must Require dkms" \
			sh -c "rpm -qp --requires '$HR' | grep -qx 'dkms' && rpm -qp --requires '$GR' | grep -qx 'dkms'"
		miss=""
		for f in /usr/src/vbus-$VER/dkms.conf /usr/src/vbus-$VER/src/host/Kbuild /usr/src/vbus-$VER/src/common/vbus_abi.h \
			/usr/lib/udev/rules.d/60-vbus.rules; do
			rpm_has "$HR" "$f" || miss="$miss $f"
		done
		verdict "rpm-vbus-dkms-files" "missing:$miss" test -z "$miss"
		miss=""
		for f in /usr/src/venet-$VER/dkms.conf /usr/src/venet-$VER/src/common/vbus_abi.h /usr/lib/udev/rules.d/81-venet.rules \
			/usr/lib/venet/venet-apply-tunables /etc/venet/tunables.conf; do
			rpm_has "$GR" "$f" || miss="$miss $f"
		done
		verdict "rpm-venet-dkms-files" "missing:$miss" test -z "$miss"
		miss=""
		for f in /usr/sbin/vbusd /usr/sbin/vbusctl /usr/lib/systemd/system/vbusd@.service /etc/default/vbusd; do
			rpm_has "$UR" "$f" || miss="$miss $f"
		done
		rpm -qlp "$UR" 2>/dev/null | grep -q '^/usr/share/man/man8/vbusd\.8' || miss="$miss vbusd.8"
		verdict "rpm-vbus-utils-files" "missing:$miss" test -z "$miss"
		verdict "rpm-config-noreplace" "config files must be %config(noreplace)" \
			sh -c "rpm -qp --qf '[%{FILENAMES} %{FILEFLAGS:fflags}\n]' '$UR' '$GR' | grep -E '^/etc/(default/vbusd|venet/tunables.conf) ' | grep -c 'cn' | grep -qx 2"
		scripts_ok() {
			local p=$1 m=$2 s
			s=$(rpm -qp --scripts "$p" 2>/dev/null)
			echo "$s" | grep -q "dkms add -m $m -v $VER .*--rpm_safe_upgrade" &&
				echo "$s" | grep -q "dkms build -m $m -v $VER" &&
				echo "$s" | grep -q "dkms install -m $m -v $VER" &&
				echo "$s" | sed -n '/^preuninstall/,$p' | grep -q "dkms remove -m $m -v $VER .*--all --rpm_safe_upgrade"
		}
		verdict "rpm-vbus-dkms-scriptlets" "%post dkms add/build/install, %preun dkms remove --all --rpm_safe_upgrade" scripts_ok "$HR" vbus
		verdict "rpm-venet-dkms-scriptlets" "%post dkms add/build/install, %preun dkms remove --all --rpm_safe_upgrade" scripts_ok "$GR" venet
		verdict "rpm-vbus-utils-scriptlets" "systemd scriptlets for vbusd@ missing, or a restart on upgrade" \
			sh -c "s=\$(rpm -qp --scripts '$UR'); echo \"\$s\" | grep -q 'vbusd@' && ! echo \"\$s\" | grep -q try-restart"
		unit=$(rpm2cpio "$UR" | (cd "$WORK" && cpio -i --quiet --to-stdout ./usr/lib/systemd/system/vbusd@.service 2>/dev/null))
		verdict "rpm-vbus-utils-unit" "vbusd@.service must run /usr/sbin/vbusd" grep -q '^ExecStart=/usr/sbin/vbusd ' <<<"$unit"
	else
		fail "rpm-files" "expected vbus-dkms, venet-dkms, vbus-utils and the SRPM under $R"
	fi
fi

# ----------------------------------------------------------------- dkms
# dkms_unsigned CONF DIR: the modules CONF names that are missing under DIR
# or not signed with DKMS's key (nothing printed: all there and signed)
dkms_unsigned() {
	local m f
	for m in $(sed -n 's/^BUILT_MODULE_NAME\[[0-9]*\]="\(.*\)"$/\1/p' "$1"); do
		f=$(find "$2" -name "$m.ko*" | head -n1)
		if [ -z "$f" ]; then
			printf ' %s (missing)' "$m"
		elif ! modinfo -F signer "$f" 2>/dev/null | grep -q 'DKMS module signing key'; then
			printf ' %s' "${f##*/}"
		fi
	done
}
# A private DKMS tree: dkms add/build for every installed header set.
dkms_case() {
	local name=$1 conf=$2 sub=$3 k log st
	local T=$WORK/dkms-$name S=$WORK/dkms-$name/src/$name-$VER
	mkdir -p "$S/src" "$T/tree"
	cp "$conf" "$S/dkms.conf"
	cp -r "$SRC/src/$sub" "$SRC/src/common" "$S/src/"
	# throw-away signing key: the Secure Boot path is exercised, /var/lib/dkms is not touched
	export mok_signing_key=$WORK/mok.key mok_certificate=$WORK/mok.der
	if ! dkms add -m "$name" -v "$VER" --sourcetree "$T/src" --dkmstree "$T/tree" >"$LOGS/dkms-$name-add.log" 2>&1; then
		fail "dkms-$name-add" "see $LOGS/dkms-$name-add.log"
		return
	fi
	pass "dkms-$name-add"
	for k in /lib/modules/*; do
		k=${k##*/}
		[ -e "/lib/modules/$k/build/Makefile" ] || continue
		log=$LOGS/dkms-$name-$k.log
		dkms build -m "$name" -v "$VER" -k "$k" --sourcetree "$T/src" --dkmstree "$T/tree" >"$log" 2>&1
		st=$(dkms status -m "$name" -v "$VER" -k "$k" --dkmstree "$T/tree" --sourcetree "$T/src" 2>/dev/null)
		if echo "$st" | grep -q ': built'; then
			pass "dkms-$name-build-$k"
			unsigned=$(dkms_unsigned "$conf" "$T/tree/$name/$VER/$k")
			if ! have modinfo; then
				skip "dkms-$name-signed-$k" "modinfo not installed"
			elif [ -z "$unsigned" ]; then
				pass "dkms-$name-signed-$k"
			else
				fail "dkms-$name-signed-$k" "not signed with the DKMS MOK key:$unsigned"
			fi
		else
			fail "dkms-$name-build-$k" "$(grep -m1 -E 'error:|Error!|No rule|not found' "$log" || tail -n1 "$log") (log: $log, make.log: build/pkg/logs/dkms-$name-$k-make.log)"
			cp "$T/tree/$name/$VER/build/make.log" "$LOGS/dkms-$name-$k-make.log" 2>/dev/null
		fi
	done
}
if [ "$DO_DKMS" = 1 ]; then
	if ! have dkms; then
		skip "dkms" "dkms not installed"
	elif ! ls /lib/modules/*/build/Makefile >/dev/null 2>&1; then
		skip "dkms" "no kernel headers installed"
	else
		if [ -f "$SRC/src/host/Kbuild" ]; then
			dkms_case vbus "$SRC/dkms.conf" host
		else
			skip "dkms-vbus" "src/host/Kbuild not written yet"
		fi
		if [ -f "$SRC/src/guest/Kbuild" ]; then
			dkms_case venet "$SRC/debian/venet-dkms.dkms" guest
		else
			skip "dkms-venet" "src/guest/Kbuild not written yet"
		fi
	fi
fi

echo "# packages: $(cd "$OUT" && ls -- *.deb *.rpm 2>/dev/null | sed "s|^|build/pkg/|" | tr '\n' ' ')"
echo "# logs: build/pkg/logs/"
echo "# $NPASS passed, $NFAIL failed, $NSKIP skipped"
[ "$NFAIL" = 0 ]
