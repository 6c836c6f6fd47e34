# SPDX-License-Identifier: GPL-2.0
# timeout: 300
# series: none
# Baseline: virtio-net with the in-kernel vhost-net backend.
. "$VBUS_REPO/tests/vm/netlib.sh"
virtio_net_test on
