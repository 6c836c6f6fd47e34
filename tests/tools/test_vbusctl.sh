#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# vbusctl tests on a fake configfs/sysfs tree in a temporary directory.
# fake_configfs.so (LD_PRELOAD) makes mkdir/rmdir there behave as configfs
# does (attributes appear and go with their group).
#
# Environment: VBUSCTL (binary), SHIM (fake_configfs.so), VALGRIND=1 to
# run every vbusctl under valgrind (case names get a valgrind- prefix; a
# case also fails on memory errors, leaks or descriptors left open).
# Output: one line per case, PASS: name | FAIL: name reason.
set -u

VBUSCTL=${VBUSCTL:-../../tools/vbusctl}
SHIM=${SHIM:-./fake_configfs.so}
case $SHIM in /*) ;; *) SHIM=$(pwd)/$SHIM ;; esac
VALGRIND=${VALGRIND:-}
PFX=
[ -n "$VALGRIND" ] && PFX=valgrind-

T=$(mktemp -d /tmp/vbusctl-test.XXXXXX)
trap 'rm -rf "$T"' EXIT
CFG=$T/sys/kernel/config/vbus
SYS=$T/sys/vbus
mkdir -p "$CFG/instances" "$CFG/devices" "$SYS/deviceclass/venet-tap" \
	"$SYS/devices" "$SYS/instances"
echo 1 > "$SYS/version"
export VBUS_CONFIGFS="$CFG" VBUS_SYSFS="$SYS"
unset VBUS_RUNDIR

failures=0
n=0
OUT=$T/out
ERR=$T/err

# Run vbusctl; sets $rc, output in $OUT and $ERR. Under valgrind, a bad
# valgrind report turns into rc 99 and a reason in $vgwhy.
ctl() {
	n=$((n + 1))
	vgwhy=
	if [ -n "$VALGRIND" ]; then
		LD_PRELOAD=$SHIM valgrind --leak-check=full --show-leak-kinds=all \
			--errors-for-leak-kinds=all --track-fds=yes \
			--log-file="$T/vg.$n" "$VBUSCTL" "$@" >"$OUT" 2>"$ERR"
		rc=$?
		vg_check "$T/vg.$n" || rc=99
	else
		LD_PRELOAD=$SHIM "$VBUSCTL" "$@" >"$OUT" 2>"$ERR"
		rc=$?
	fi
}

vg_check() {
	grep -q "ERROR SUMMARY: 0 errors" "$1" || { vgwhy="valgrind errors in $1"; return 1; }
	grep -q "All heap blocks were freed" "$1" || { vgwhy="heap not freed, $1"; return 1; }
	# Every descriptor open at exit must be inherited (stdio).
	awk '/== Open /{o=1; next} o{ if ($0 !~ /inherited from parent/) bad=1; o=0 }
	     END{ exit bad }' "$1" || { vgwhy="descriptor left open, $1"; return 1; }
}

pass() { echo "PASS: $PFX$1"; }
fail() { echo "FAIL: $PFX$1 $2"; failures=$((failures + 1)); }

# expect NAME RC [STDERR-SUBSTRING]: check the last ctl run.
expect() {
	if [ -n "$vgwhy" ]; then
		fail "$1" "$vgwhy"
	elif [ "$rc" != "$2" ]; then
		fail "$1" "exit status $rc, want $2; stderr: $(head -c 300 "$ERR")"
	elif [ $# -ge 3 ] && ! grep -qF -- "$3" "$ERR"; then
		fail "$1" "stderr lacks '$3': $(head -c 300 "$ERR")"
	else
		return 0
	fi
	return 1
}

# check NAME CONDITION-DESCRIPTION: after expect, for extra conditions.
ok_if() { if [ "$2" = 0 ]; then pass "$1"; else fail "$1" "$3"; fi; }

out_is() { printf '%s\n' "$1" | cmp -s - "$OUT"; }

# ---- help and usage -------------------------------------------------------
ctl --help
expect ctl-help 0 && { grep -q "^Commands:" "$OUT"; ok_if ctl-help $? "no command list"; }
ctl --version
expect ctl-version 0 && { grep -q "^vbusctl " "$OUT"; ok_if ctl-version $? "no version"; }
ok=0
for c in create-instance delete-instance create-device delete-device attach \
	 detach set get status qemu-args libvirt-xml help; do
	ctl "$c" --help
	if [ "$rc" != 0 ] || ! grep -q "^Usage: vbusctl $c" "$OUT" || [ -n "$vgwhy" ]; then
		ok=1; why="$c --help: rc $rc $vgwhy"; break
	fi
done
ok_if ctl-command-help $ok "${why:-}"
ctl help attach
expect ctl-help-command 0 && { grep -q "Usage: vbusctl attach DEVICE INSTANCE" "$OUT"; ok_if ctl-help-command $? "wrong help"; }
ctl frobnicate
expect ctl-unknown-command 2 "unknown command 'frobnicate'" && pass ctl-unknown-command
ctl create-device
expect ctl-missing-argument 2 "missing argument" && pass ctl-missing-argument
ctl status extra
expect ctl-extra-argument 2 "unexpected argument 'extra'" && pass ctl-extra-argument
ctl --bogus status
expect ctl-bad-option 2 "invalid option" && pass ctl-bad-option
VBUS_CONFIGFS=$T/nonexistent ctl status
expect ctl-no-configfs 1 "not found: is configfs mounted and the vbus module loaded? (ENOENT)" &&
	pass ctl-no-configfs

# ---- instances ------------------------------------------------------------
ctl create-instance bus0
expect ctl-create-instance 0 && { [ -d "$CFG/instances/bus0" ]; ok_if ctl-create-instance $? "no dir"; }
ctl create-instance bus0
expect ctl-create-instance-exists 1 "vbusctl: create-instance bus0: instance 'bus0' already exists (EEXIST)" &&
	pass ctl-create-instance-exists
ctl create-instance big --shm-size 8M
expect ctl-create-instance-shm-size 0 &&
	{ [ "$(cat "$CFG/instances/big/shm_size")" = 8388608 ]; ok_if ctl-create-instance-shm-size $? "shm_size not written"; }
ctl create-instance odd --shm-size 3M
expect ctl-create-instance-bad-size 2 "power of two" &&
	{ [ ! -e "$CFG/instances/odd" ]; ok_if ctl-create-instance-bad-size $? "instance created anyway"; }
ctl create-instance a/b
expect ctl-create-instance-bad-name 2 "invalid instance name 'a/b'" && pass ctl-create-instance-bad-name
ctl create-instance abcdefghijabcdefghijabcdefghijabc
expect ctl-create-instance-long-name 2 "invalid instance name" && pass ctl-create-instance-long-name

# ---- devices --------------------------------------------------------------
ctl create-device foo --type x
expect ctl-create-device-bad-class 1 "vbusctl: create-device foo: no such device class 'x' (ENOENT); available: venet-tap" &&
	{ [ ! -e "$CFG/devices/foo" ]; ok_if ctl-create-device-bad-class $? "device created anyway"; }
ctl create-device foo
expect ctl-create-device-no-type 2 "--type CLASS is required" && pass ctl-create-device-no-type
ctl create-device eth0 --type venet-tap
expect ctl-create-device 0 &&
	{ [ "$(cat "$CFG/devices/eth0/type")" = venet-tap ]; ok_if ctl-create-device $? "type not written"; }
ctl create-device --type venet-tap eth1
expect ctl-create-device-option-first 0 && pass ctl-create-device-option-first
ctl create-device eth0 --type venet-tap
expect ctl-create-device-exists 1 "device 'eth0' already exists (EEXIST)" && pass ctl-create-device-exists

# The kernel creates the device's sysfs side; fake it.
D=$SYS/devices/eth0
mkdir -p "$D/counters"
echo 02:00:00:00:00:01 > "$D/client_mac"
echo 02:00:00:00:00:02 > "$D/host_mac"
echo 0 > "$D/enabled"
echo venet-tap0 > "$D/ifname"
echo 10 > "$D/txmitigation"
echo 64 > "$D/burstthresh"
echo 5 > "$D/counters/rx_packets"
echo 7 > "$D/counters/tx_packets"
echo 2 > "$CFG/instances/bus0/vectors"

# ---- attach / detach ------------------------------------------------------
ctl attach eth0 bus0
expect ctl-attach 0 &&
	{ [ "$(readlink "$CFG/instances/bus0/eth0")" = "$CFG/devices/eth0" ]; ok_if ctl-attach $? "no link"; }
ctl attach eth0 big
expect ctl-attach-twice 1 "device 'eth0' is already attached to instance 'bus0' (EBUSY)" && pass ctl-attach-twice
ctl attach eth1 nosuch
expect ctl-attach-no-instance 1 "vbusctl: attach eth1 nosuch: no such instance 'nosuch' (ENOENT)" &&
	pass ctl-attach-no-instance
ctl attach nosuch bus0
expect ctl-attach-no-device 1 "no such device 'nosuch' (ENOENT)" && pass ctl-attach-no-device

# ---- attributes -----------------------------------------------------------
ctl set eth0 client_mac 02:00:00:00:00:09
expect ctl-set 0 && { [ "$(cat "$D/client_mac")" = 02:00:00:00:00:09 ]; ok_if ctl-set $? "not written"; }
ctl set eth0 nope 1
expect ctl-set-unknown-attr 1 "vbusctl: set eth0 nope: device 'eth0' has no attribute 'nope' (ENOENT)" &&
	pass ctl-set-unknown-attr
ctl set eth0 ../../version 2
expect ctl-set-path-escape 1 "has no attribute" &&
	{ [ "$(cat "$SYS/version")" = 1 ]; ok_if ctl-set-path-escape $? "wrote outside the device"; }
ctl set eth0 counters 1
expect ctl-set-write-error 1 "(EISDIR)" && pass ctl-set-write-error
ctl get eth0 ifname
expect ctl-get-one 0 && { out_is venet-tap0; ok_if ctl-get-one $? "got $(cat "$OUT")"; }
ctl get eth0 type
expect ctl-get-configfs-attr 0 && { out_is venet-tap; ok_if ctl-get-configfs-attr $? "got $(cat "$OUT")"; }
ctl get eth0
expect ctl-get-all 0 &&
	{ grep -qx "type=venet-tap" "$OUT" && grep -qx "txmitigation=10" "$OUT" &&
	  grep -qx "counters/rx_packets=5" "$OUT"; ok_if ctl-get-all $? "$(tr '\n' ' ' < "$OUT")"; }
ctl get nosuch
expect ctl-get-no-device 1 "no such device 'nosuch' (ENOENT)" && pass ctl-get-no-device

# ---- status ---------------------------------------------------------------
ctl status
expect ctl-status 0 &&
	{ grep -qx "vbus version 1" "$OUT" &&
	  grep -qx "device classes: venet-tap" "$OUT" &&
	  grep -qx "instance bus0: shm_size 4 MiB, 2 vectors" "$OUT" &&
	  grep -qx "instance big: shm_size 8 MiB, 1 vector" "$OUT" &&
	  grep -qx "  devices: eth0" "$OUT" &&
	  grep -qx "device eth0: type venet-tap, instance bus0" "$OUT" &&
	  grep -qx "device eth1: type venet-tap, instance (detached)" "$OUT" &&
	  grep -qx "  counters/tx_packets=7" "$OUT" &&
	  grep -qx "  ifname=venet-tap0" "$OUT"; ok_if ctl-status $? "$(tr '\n' '|' < "$OUT")"; }
VBUS_CONFIGFS=$T/nonexistent VBUS_SYSFS=$T/nonexistent ctl --root "$T" status
expect ctl-root-option 0 && { grep -qx "device eth0: type venet-tap, instance bus0" "$OUT"; ok_if ctl-root-option $? "wrong tree"; }

# ---- guest configuration --------------------------------------------------
ctl qemu-args bus0
expect ctl-qemu-args 0 &&
	{ out_is "-chardev socket,path=/run/vbus/bus0.sock,id=vbusbus0 -device ivshmem-doorbell,chardev=vbusbus0,vectors=2"
	  ok_if ctl-qemu-args $? "got $(cat "$OUT")"; }
ctl qemu-args bus0 --socket /tmp/a,b.sock
expect ctl-qemu-args-socket-comma 0 &&
	{ out_is "-chardev socket,path=/tmp/a,,b.sock,id=vbusbus0 -device ivshmem-doorbell,chardev=vbusbus0,vectors=2"
	  ok_if ctl-qemu-args-socket-comma $? "got $(cat "$OUT")"; }
VBUS_RUNDIR=/srv/vbus ctl qemu-args big
expect ctl-qemu-args-rundir 0 &&
	{ out_is "-chardev socket,path=/srv/vbus/big.sock,id=vbusbig -device ivshmem-doorbell,chardev=vbusbig,vectors=1"
	  ok_if ctl-qemu-args-rundir $? "got $(cat "$OUT")"; }
ctl qemu-args nosuch
expect ctl-qemu-args-no-instance 1 "vbusctl: qemu-args nosuch: no such instance 'nosuch' (ENOENT)" &&
	pass ctl-qemu-args-no-instance
ctl libvirt-xml bus0
expect ctl-libvirt-xml 0 &&
	{ printf "%s\n" "<shmem name='vbusbus0'>" "  <model type='ivshmem-doorbell'/>" \
		"  <server path='/run/vbus/bus0.sock'/>" "  <msi vectors='2' ioeventfd='on'/>" \
		"</shmem>" | cmp -s - "$OUT"; ok_if ctl-libvirt-xml $? "got $(cat "$OUT")"; }
ctl libvirt-xml bus0 --socket "/tmp/x'&.sock"
expect ctl-libvirt-xml-escape 0 &&
	{ grep -qF "<server path='/tmp/x&apos;&amp;.sock'/>" "$OUT"; ok_if ctl-libvirt-xml-escape $? "not escaped"; }

# ---- deletion -------------------------------------------------------------
ctl delete-instance bus0
expect ctl-delete-instance-busy 1 "instance 'bus0' still has devices attached: eth0; detach them first or use --force (ENOTEMPTY)" &&
	pass ctl-delete-instance-busy
ctl delete-device eth0
expect ctl-delete-device-attached 1 "device 'eth0' is attached to instance 'bus0'; detach it first or use --force (EBUSY)" &&
	pass ctl-delete-device-attached
ctl detach eth0 big
expect ctl-detach-wrong-instance 1 "device 'eth0' is not attached to instance 'big' (ENOENT)" &&
	pass ctl-detach-wrong-instance
ctl detach eth0
expect ctl-detach 0 && { [ ! -L "$CFG/instances/bus0/eth0" ]; ok_if ctl-detach $? "link still there"; }
ctl detach eth0
expect ctl-detach-not-attached 1 "device 'eth0' is not attached to any instance (ENOENT)" &&
	pass ctl-detach-not-attached
ctl attach eth0 bus0 && ctl detach eth0 bus0
expect ctl-detach-named-instance 0 && pass ctl-detach-named-instance
ctl delete-device eth1
expect ctl-delete-device 0 && { [ ! -e "$CFG/devices/eth1" ]; ok_if ctl-delete-device $? "still there"; }
ctl attach eth0 bus0
ctl delete-instance bus0 --force
expect ctl-delete-instance-force 0 && { [ ! -e "$CFG/instances/bus0" ]; ok_if ctl-delete-instance-force $? "still there"; }
ctl attach eth0 big
ctl delete-device eth0 --force
expect ctl-delete-device-force 0 &&
	{ [ ! -e "$CFG/devices/eth0" ] && [ ! -L "$CFG/instances/big/eth0" ]; ok_if ctl-delete-device-force $? "still there"; }
ctl delete-instance big
expect ctl-delete-instance 0 && { [ ! -e "$CFG/instances/big" ]; ok_if ctl-delete-instance $? "still there"; }
ctl delete-instance big
expect ctl-delete-instance-missing 1 "no such instance 'big' (ENOENT)" && pass ctl-delete-instance-missing
ctl status
expect ctl-status-empty 0 && { grep -qx "no instances" "$OUT" && grep -qx "no devices" "$OUT"; ok_if ctl-status-empty $? "$(tr '\n' '|' < "$OUT")"; }

[ "$failures" = 0 ]
