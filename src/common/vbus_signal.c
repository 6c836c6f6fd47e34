// SPDX-License-Identifier: GPL-2.0
/*
 * vbus_signal.c - shm-signal, see vbus_signal.h for the protocol.
 *
 * The signal words are shared with the peer and may hold any value; only
 * zero / non-zero is ever interpreted, so a hostile peer can cause at most
 * a spurious or a missing notification of its own work.
 */
#include "vbus_signal.h"

/* Start state: receiver asleep and waiting, nothing pending. */
void vbus_signal_init(struct vbus_shm_signal *sig)
{
	vbus_st32(&sig->pending, 0);
	vbus_st32(&sig->dirty, 0);
	vbus_st32(&sig->reserved, 0);
	vbus_st32(&sig->enabled, 1);
}

/*
 * Sender side, after the work it announces is published (release store).
 * Returns true if the caller must ring the doorbell: the receiver had the
 * signal enabled and no notification was already in flight.
 */
bool vbus_signal_inject(struct vbus_shm_signal *sig)
{
	/*
	 * Release: whoever sees dirty set (disable()'s exchange) also sees
	 * the work published before it.
	 */
	vbus_st32_release(&sig->dirty, 1);
	/* Order work + dirty before reading enabled; pairs with enable(). */
	vbus_mb();
	if (!vbus_ld32(&sig->enabled))
		return false;
	if (vbus_ld32(&sig->pending))
		return false;
	vbus_st32(&sig->pending, 1);
	return true;
}

/* Receiver side: a doorbell arrived, a new one may be sent from now on. */
void vbus_signal_ack(struct vbus_shm_signal *sig)
{
	vbus_st32(&sig->pending, 0);
}

/*
 * Receiver side, before a poll pass: stop notifications and forget the
 * dirty mark. The exchange is a full barrier, so the pass that follows
 * sees all work announced before the mark was cleared.
 */
void vbus_signal_disable(struct vbus_shm_signal *sig)
{
	vbus_st32(&sig->enabled, 0);
	vbus_xchg32(&sig->dirty, 0);
}

/*
 * Receiver side, before it sleeps. Returns true if work was announced
 * since the last disable(): the caller must not sleep but disable and
 * poll again. False: a later inject() will ring the doorbell.
 */
bool vbus_signal_enable(struct vbus_shm_signal *sig)
{
	vbus_st32(&sig->enabled, 1);
	/* Order enabled before reading dirty; pairs with inject(). */
	vbus_mb();
	return vbus_ld32(&sig->dirty) != 0;
}

bool vbus_signal_enabled(const struct vbus_shm_signal *sig)
{
	return vbus_ld32(&sig->enabled) != 0;
}
