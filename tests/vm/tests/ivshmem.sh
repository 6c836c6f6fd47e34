# SPDX-License-Identifier: GPL-2.0
# timeout: 300
# series: none
# The transport: a guest sees an ivshmem-doorbell device served from the host
# VM; memory written on either side is read on the other; a doorbell write
# wakes the host's eventfd; an eventfd write from the host raises an MSI-X
# interrupt in the guest (counted by the test driver vbus_ivtest).
ko=$(need_module vbus_ivtest.ko)
peer="$VBUS_REPO/tests/vm/ivshmem_peer.py"
pcimem="python3 $VBUS_REPO/tests/vm/pcimem.py"
python3 "$peer" /run/ivshmem.sock --vectors 2 --irqs 3 > "$VBUS_TEST_OUT/peer.log" 2>&1 &
wait_for 20 "peer listens" test -S /run/ivshmem.sock
guest_start g1 -chardev socket,path=/run/ivshmem.sock,id=iv0 \
	-device ivshmem-doorbell,chardev=iv0,vectors=2
dev=$(gx g1 'grep -l 0x1110 /sys/bus/pci/devices/*/device | xargs -r dirname')
expect_match "guest sees PCI 1af4:1110" "$dev" '^/sys/bus/pci/devices/'
expect_eq "subsystem 1af4:1100" "$(gx g1 cat "$dev/subsystem_vendor" "$dev/subsystem_device" | tr '\n' ' ')" "0x1af4 0x1100 "
expect_eq "revision 1" "$(gx g1 cat "$dev/revision")" "0x01"
check "test driver loads" gx g1 insmod "$ko"
expect_eq "two MSI-X vectors requested" "$(gx g1 grep -c vbus_ivtest /proc/interrupts)" 2
expect_eq "guest is peer 1 (IVPosition)" "$(gx g1 $pcimem "$dev" 0 read32 8)" 1
expect_eq "guest reads what the host wrote" "$(gx g1 $pcimem "$dev" 2 read 0 16)" "vbus-host-to-gst"
check "guest writes shared memory" gx g1 $pcimem "$dev" 2 write 4096 vbus-gst-to-host
check "guest rings vector 0" gx g1 $pcimem "$dev" 0 write32 12 0
check "guest rings vector 1" gx g1 $pcimem "$dev" 0 write32 12 1
wait_for 30 "host signalled the guest" grep -q 'signalled vector 1' "$VBUS_TEST_OUT/peer.log"
log "$(cat "$VBUS_TEST_OUT/peer.log")"
expect_match "doorbell 0 reached the host eventfd" "$(cat "$VBUS_TEST_OUT/peer.log")" 'doorbell vector 0 count 1$'
expect_match "doorbell 1 reached the host eventfd" "$(cat "$VBUS_TEST_OUT/peer.log")" 'doorbell vector 1 count 1$'
expect_match "host reads what the guest wrote" "$(cat "$VBUS_TEST_OUT/peer.log")" 'guest wrote vbus-gst-to-host'
irqs=$(gx g1 "awk '/vbus_ivtest/ { n = 0; for (i = 2; i <= NF; i++) if (\$i ~ /^[0-9]+\$/) n += \$i; print \$NF, n }' /proc/interrupts")
log "guest interrupts: $irqs"
expect_match "3 interrupts on vector 0" "$irqs" '^vbus_ivtest-0 3$'
expect_match "3 interrupts on vector 1" "$irqs" '^vbus_ivtest-1 3$'
check "test driver unloads" gx g1 rmmod vbus_ivtest
guest_stop g1
