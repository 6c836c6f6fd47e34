# SPDX-License-Identifier: GPL-2.0
# timeout: 300
# Baseline: virtio-net with QEMU's userspace backend over a tap in the host VM.
. "$VBUS_REPO/tests/vm/netlib.sh"
virtio_net_test off
