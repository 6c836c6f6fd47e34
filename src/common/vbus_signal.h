/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vbus_signal.h - shm-signal: one direction of notification through shared
 * memory, so that a side which is already polling is never interrupted.
 *
 * Sender, after publishing work:
 *	if (vbus_signal_inject(sig))
 *		ring the doorbell;
 * Receiver, when the doorbell arrives (interrupt / eventfd wake-up):
 *	vbus_signal_ack(sig);  then schedule the poller
 * Receiver poller:
 *	vbus_signal_disable(sig);
 *	(or vbus_signal_ack(sig) here instead, after the disable: the sender
 *	 rings no more until the poller runs, when the poller runs long after
 *	 the doorbell, as venet-tap's NAPI after an eventfd wake-up does)
 *	do work until none is left;
 *	if (vbus_signal_enable(sig))
 *		vbus_signal_disable(sig) and poll again;
 *	else
 *		sleep until the doorbell;
 *
 * No wake-up is lost: the sender stores its work and @dirty, then (full
 * barrier) loads @enabled; the receiver stores @enabled, then (full
 * barrier) loads @dirty. At least one of them sees the other's store.
 */
#ifndef _VBUS_SIGNAL_H
#define _VBUS_SIGNAL_H

#include "vbus_abi.h"

/* vbus_signal.c APIs: */
void vbus_signal_init(struct vbus_shm_signal *sig);
bool vbus_signal_inject(struct vbus_shm_signal *sig);
void vbus_signal_ack(struct vbus_shm_signal *sig);
void vbus_signal_disable(struct vbus_shm_signal *sig);
bool vbus_signal_enable(struct vbus_shm_signal *sig);
bool vbus_signal_enabled(const struct vbus_shm_signal *sig);

#endif /* _VBUS_SIGNAL_H */
