// SPDX-License-Identifier: GPL-2.0
/*
 * src/common (shared-region layout, shm-signal, IOQ rings, tx-complete
 * mitigation) compiled into vbus.ko. The sources are built here unchanged,
 * so the objects land in src/host and src/common stays a plain source tree
 * shared with userspace and the guest.
 *
 * Nothing is exported: each host module that needs src/common (venet-tap)
 * compiles its own copy from a file like this one. DKMS builds all of them
 * from one tree, so the copies cannot disagree.
 */
#include "../common/vbus_err.c"
#include "../common/vbus_layout.c"
#include "../common/vbus_signal.c"
#include "../common/vbus_ioq.c"
#include "../common/vbus_txc.c"
