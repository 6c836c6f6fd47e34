/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vbus_txc.h - tx-complete mitigation: when the host tells the guest that
 * transmitted buffers can be reclaimed.
 *
 * Rule: signal after every @every completions (0: after each one), or
 * when the queue has drained, whichever comes first; never with nothing
 * completed since the last signal. A burst of n packets into an idle
 * queue costs ceil(n / every) signals (n with every == 0).
 */
#ifndef _VBUS_TXC_H
#define _VBUS_TXC_H

#include "vbus_port.h"

struct vbus_txc {
	u32 unsignalled;	/* completions since the last signal */
	u32 every;		/* txmitigation, runtime tunable */
};

/* vbus_txc.c APIs: */
bool vbus_txc_due(u32 unsignalled, u32 every, bool drained);
bool vbus_txc_complete(struct vbus_txc *t, u32 n, bool drained);

#endif /* _VBUS_TXC_H */
