# SPDX-License-Identifier: GPL-2.0
# timeout: 300
# series: 6.1
# The nest itself, then the first baseline. Nest: KVM in the host VM, a
# guest VM that answers commands, the tools the tests rely on present in
# both VMs. Baseline: virtio-net with QEMU's userspace backend over a tap in
# the host VM (ping both ways, iperf3 both ways).
. "$VBUS_REPO/tests/vm/netlib.sh"
check "host VM has /dev/kvm" test -c /dev/kvm
check "host VM runs the stock kernel" test "$(uname -r)" = "$VBUS_KVER"
for tool in ip ping iperf3 sockperf ethtool dpkg apt dkms; do
	check "host VM has $tool" command -v $tool
done
check "host VM has headers for its kernel" test -d "/lib/modules/$VBUS_KVER/build/include"

nest_guest_checks() {
	local tools="ip ping iperf3 sockperf ethtool dpkg apt dkms" missing
	expect_eq "guest runs the same kernel" "$(gx "$1" uname -r)" "$VBUS_KVER"
	expect_match "guest sees a KVM hypervisor" "$(gx "$1" dmesg)" "Hypervisor detected: KVM"
	# one round trip for all the tools: each costs most of a second
	missing=$(gx "$1" "for t in $tools; do command -v \$t >/dev/null || echo \$t; done")
	expect_eq "guest has $tools" "$missing" ""
	check "guest has headers for its kernel" gx "$1" test -d "/lib/modules/$VBUS_KVER/build/include"
	check_fails "a failing guest command fails" gx "$1" false
	expect_eq "guest exit status comes back" "$(gx "$1" 'exit 7'; echo $?)" "7"
	expect_eq "a guest command past its timeout answers 124" \
		"$(GX_TIMEOUT=2 gx "$1" "sleep 20" >/dev/null; echo $?)" 124
}
virtio_net_test off nest_guest_checks
