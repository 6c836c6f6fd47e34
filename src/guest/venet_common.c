// SPDX-License-Identifier: GPL-2.0
/*
 * Src/common compiled into this module. Both guest modules
 * link their own copy (src/common exports nothing); kbuild (6.12) warns
 * when one object is listed in two modules, so each includes the sources.
 * The frame code (vbus_frame.c, shared with venet-tap) is venet's alone.
 */
#include "vbus_guest_compat.h"	/* before vbus_frame.c: page pools */
#include "vbus_err.c"
#include "vbus_signal.c"
#include "vbus_ioq.c"
#include "vbus_layout.c"
#include "vbus_txc.c"
#include "vbus_frame.c"
