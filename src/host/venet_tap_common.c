// SPDX-License-Identifier: GPL-2.0
/*
 * src/common (layout, shm-signal, IOQ rings, tx-complete mitigation,
 * virtual-ethernet frames)
 * compiled into venet-tap.ko: vbus.ko exports none of it (see common.c),
 * and one object cannot be linked into two modules. DKMS builds both
 * copies from one tree, so they cannot disagree.
 */
#include "vbus_compat.h"	/* before vbus_frame.c: page pools */
#include "../common/vbus_err.c"
#include "../common/vbus_layout.c"
#include "../common/vbus_signal.c"
#include "../common/vbus_ioq.c"
#include "../common/vbus_txc.c"
#include "../common/vbus_frame.c"
