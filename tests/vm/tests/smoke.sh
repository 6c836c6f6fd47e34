# SPDX-License-Identifier: GPL-2.0
# timeout: 240
# The nest itself: KVM in the host VM, a guest VM that answers commands, the
# tools the tests rely on present in both VMs.
check "host VM has /dev/kvm" test -c /dev/kvm
check "host VM runs the stock kernel" test "$(uname -r)" = "$VBUS_KVER"
for tool in ip ping iperf3 sockperf ethtool dpkg apt dkms; do
	check "host VM has $tool" command -v $tool
done
check "host VM has headers for its kernel" test -d "/lib/modules/$VBUS_KVER/build/include"
guest_start g1
expect_eq "guest runs the same kernel" "$(gx g1 uname -r)" "$VBUS_KVER"
expect_match "guest sees a KVM hypervisor" "$(gx g1 dmesg)" "Hypervisor detected: KVM"
for tool in ip ping iperf3 sockperf ethtool dpkg apt dkms; do
	check "guest has $tool" gx g1 command -v $tool
done
check "guest has headers for its kernel" gx g1 test -d "/lib/modules/$VBUS_KVER/build/include"
check_fails "a failing guest command fails" gx g1 false
expect_eq "guest exit status comes back" "$(gx g1 'exit 7'; echo $?)" "7"
guest_stop g1
