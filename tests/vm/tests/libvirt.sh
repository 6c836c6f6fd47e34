# SPDX-License-Identifier: GPL-2.0
# timeout: 900
# series: 6.12
# A guest defined and started by libvirt (Debian's libvirtd and virsh in
# the host VM), connected to vbus by the <shmem> element that
# `vbusctl libvirt-xml` prints, QEMU run by libvirt as an unprivileged
# user (libvirt-qemu, group kvm) as Debian's libvirt runs it:
# - the domain XML, with that element, passes virt-xml-validate;
# - vbusd's socket owned by group kvm, mode 0660 (--socket-group,
#   --socket-mode), is what lets that QEMU connect: with the default (0600,
#   root's group) `virsh start` fails and says why;
# - the guest comes up, venet appears with the configured MAC, pings and
#   TCP both ways (sha256 of the bytes) pass;
# - `virsh destroy` detaches the instance, and the host netdev's carrier
#   goes.
# What is not tested here: AppArmor (the host VM loads no profiles; see
# docs/libvirt.md), SELinux, and libvirt's cgroup placement (no cgroup
# controllers are set up in the host VM).
GUEST_BOOT_TIMEOUT=${GUEST_BOOT_TIMEOUT:-300}
. "$VBUS_REPO/tests/vm/netlib.sh"
venet_paths
MAC=02:00:c6:12:0d:02 HOST=198.18.13.1 GUEST=198.18.13.2
S=/sys/vbus/devices/ethL
L=/run/vbus-libvirt
mkdir -p "$L"
chmod 0777 "$L"	# QEMU, as libvirt-qemu, writes the console here

check "libvirtd, virsh and virt-xml-validate installed" \
	sh -c 'command -v libvirtd && command -v virsh && command -v virt-xml-validate'
at_exit "pkill -x vbusd; sleep 1; echo 0 > $S/enabled; $VBUSCTL detach ethL; $VBUSCTL delete-device ethL; $VBUSCTL delete-instance busL; rmmod venet_tap; rmmod vbus"
check "vbus.ko loads" insmod "$VBUS"
check "venet-tap.ko loads" insmod "$TAP"
check "create busL, create and attach ethL" sh -c \
	"$VBUSCTL create-instance busL && $VBUSCTL create-device ethL --type venet-tap && $VBUSCTL attach ethL busL"
HIF=$(host_dev ethL $MAC $HOST)
expect_match "host netdev" "$HIF" '^venet-tap[0-9]+$'

# ---- libvirtd as Debian runs it: QEMU as libvirt-qemu:kvm ---------------
# (the host VM has no libvirt-daemon-system: its user, group and
# configuration are made here as that package's scripts make them)
getent group kvm > /dev/null || groupadd -r kvm
getent group libvirt-qemu > /dev/null || groupadd -r libvirt-qemu
getent passwd libvirt-qemu > /dev/null ||
	useradd -r -g libvirt-qemu -G kvm -d /var/lib/libvirt -s /usr/sbin/nologin libvirt-qemu
# udev is not running: /dev/kvm and /dev/vhost-vsock get the modes
# Debian's udev rules give them
chgrp kvm /dev/kvm /dev/vhost-vsock && chmod 0660 /dev/kvm /dev/vhost-vsock
mkdir -p /etc/libvirt /var/lib/libvirt/qemu /var/cache/libvirt/qemu /var/log/libvirt/qemu
cat > /etc/libvirt/qemu.conf <<'EOF'
user = "libvirt-qemu"
group = "libvirt-qemu"
# the kernel and initrd are on the read-only root: nothing to relabel
dynamic_ownership = 0
remember_owner = 0
security_driver = "none"
# QEMU's output to a file of its own (no virtlogd in the host VM)
stdio_handler = "file"
namespaces = [ ]
cgroup_controllers = [ ]
EOF
libvirtd -d -l 2> "$VBUS_TEST_OUT/libvirtd.err" ||
	libvirtd -d 2>> "$VBUS_TEST_OUT/libvirtd.err"
at_exit "pkill -x libvirtd"
wait_for 120 "libvirtd answers (virsh version)" virsh -c qemu:///system version
log "$(virsh -c qemu:///system version 2>&1 | tr '\n' ' ')"
V="virsh -c qemu:///system"

# ---- the domain -----------------------------------------------------------
mkdir -p "$VBUS_VMDIR/l1"
echo 40 > "$VBUS_VMDIR/l1/cid"
domain_xml() {
	cat <<EOF
<domain type='kvm'>
  <name>vbus-l1</name>
  <memory unit='MiB'>768</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>/boot/vmlinuz-$VBUS_KVER</kernel>
    <initrd>$VBUS_BUILD/vm/$VBUS_KVER/guest.gz</initrd>
    <cmdline>console=ttyS0 loglevel=5 panic=-1 vbus.repo=$VBUS_REPO vbus.build=$VBUS_BUILD vbus.name=l1</cmdline>
  </os>
  <cpu mode='host-passthrough'>
    <feature policy='disable' name='arch-capabilities'/>
    <feature policy='disable' name='xsave'/>
  </cpu>
  <on_reboot>destroy</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <filesystem type='mount' accessmode='passthrough' multidevs='remap'>
      <source dir='/hostroot'/>
      <target dir='hostroot'/>
      <readonly/>
    </filesystem>
    <serial type='file'>
      <source path='$L/console.log'/>
    </serial>
    <vsock model='virtio'>
      <cid auto='no' address='40'/>
    </vsock>
$("$VBUSCTL" libvirt-xml busL | sed 's/^/    /')
    <memballoon model='none'/>
  </devices>
</domain>
EOF
}
vbusd_start busL	# the default socket: mode 0600, root's group
domain_xml > "$L/l1.xml"
cp "$L/l1.xml" "$VBUS_TEST_OUT/domain.xml"
expect_match "the domain carries vbusctl's <shmem> element" "$(cat "$L/l1.xml")" \
	"<model type='ivshmem-doorbell'/>"
check "virt-xml-validate: the domain is valid" virt-xml-validate "$L/l1.xml" domain
check "virsh define" $V define "$L/l1.xml"
at_exit "$V destroy vbus-l1; $V undefine vbus-l1; cp $L/console.log $VBUS_TEST_OUT/guest-l1.console.log; cp /var/log/libvirt/qemu/vbus-l1.log $VBUS_TEST_OUT/qemu-l1.log"
rc=0
out=$($V start vbus-l1 2>&1) || rc=$?
expect_match "virsh start refused while the socket is root's only (exit status)" "$rc" '^[1-9][0-9]*$'
expect_match "... and says QEMU cannot reach vbusd's socket" "$out" \
	"/run/vbus/busL.sock.*Permission denied"
log "virsh start (socket 0600): $(printf '%s' "$out" | tr '\n' ' ')"

kill $VBUSD_PIDS
VBUSD_PIDS=
wait_for 10 "vbusd gone" sh -c '! pgrep -x vbusd'
"$VBUSD" --socket-group kvm --socket-mode 0660 busL > "$VBUS_TEST_OUT/vbusd-busL-kvm.log" 2>&1 &
VBUSD_PIDS=" $!"
wait_for 10 "vbusd listens, group kvm, mode 0660" \
	sh -c 'test "$(stat -c %G:%a /run/vbus/busL.sock)" = kvm:660'
if out=$($V start vbus-l1 2>&1); then
	vbus_ok "virsh start"
else
	printf '%s\n' "$out" | sed 's/^/#   /'
	fatal "virsh start"
fi
log "QEMU runs as: $(ps -o user:32=,group:32= -C qemu-system-x86_64 | sort -u | tr '\n' ' ')"
expect_match "libvirt's QEMU runs as libvirt-qemu" \
	"$(ps -o user:32= -C qemu-system-x86_64 | tr -d " " | sort -u)" '^libvirt-qemu$'
vbus_agent --wait 40 "$GUEST_BOOT_TIMEOUT" || fatal "the guest's agent did not answer"
vbus_ok "the guest's agent answers"
log "guest l1 is up: $(gx l1 uname -r)"

# ---- traffic ----------------------------------------------------------------
check "insmod vbus-bridge, venet" gx l1 "insmod $BRIDGE && insmod $VENET"
for _ in $(seq 40); do
	GIF=$(guest_ifname_by_mac l1 $MAC)
	[ -n "$GIF" ] && break
	sleep 0.5
done
expect_match "venet in the guest, MAC $MAC" "$GIF" '.'
check "guest address up" gx l1 "sysctl -qw net.ipv6.conf.$GIF.disable_ipv6=1; ip addr add $GUEST/24 dev $GIF && ip link set $GIF up"
wait_for 20 "host carrier" grep -qx 1 "/sys/class/net/$HIF/carrier"
check "20 pings host -> guest" ping -c 20 -i 0.2 -w 60 -q $GUEST
check "20 pings guest -> host" gx l1 "ping -c 20 -i 0.2 -w 60 -q $HOST"
head -c 4194304 /dev/urandom > "$L/blob"
want=$(sha256sum < "$L/blob")
gx_bg l1 "socat -u TCP-LISTEN:7301,reuseaddr - | sha256sum > /tmp/got" > /dev/null
sleep 1
check "4 MiB TCP host -> guest" socat -u "FILE:$L/blob" "TCP:$GUEST:7301,retry=20"
wait_for 30 "the guest's sha256" gx l1 "test -s /tmp/got"
expect_eq "host -> guest: sha256 of the bytes" "$(gx l1 'cat /tmp/got')" "$want"
socat -u TCP-LISTEN:7302,reuseaddr - > "$L/back" &
spid=$!
sleep 1
check "4 MiB TCP guest -> host" gx l1 "head -c 4194304 /dev/urandom > /tmp/blob && sha256sum < /tmp/blob > /tmp/sent && socat -u FILE:/tmp/blob TCP:$HOST:7302,retry=20"
wait $spid
expect_eq "guest -> host: sha256 of the bytes" "$(sha256sum < "$L/back")" "$(gx l1 'cat /tmp/sent')"

# ---- the end ----------------------------------------------------------------
gx l1 dmesg > "$VBUS_TEST_OUT/guest-l1.dmesg.txt" 2>&1
check "virsh destroy" $V destroy vbus-l1
wait_for 20 "the instance detached" grep -qx 0 /sys/vbus/instances/busL/attached
wait_for 20 "the host carrier went" grep -qx 0 "/sys/class/net/$HIF/carrier"
check "virsh undefine" $V undefine vbus-l1
check "vbusd still runs" kill -0 $VBUSD_PIDS
