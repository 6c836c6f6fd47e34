// SPDX-License-Identifier: GPL-2.0
/*
 * Guest to host: the frames the guest transmits (queue 2k of pair k),
 * received by the host netdev under the pair's NAPI. Each chain is copied and checked
 * (vbus_ioq_fetch()), copied out of the region into an skb (small frames
 * linear, large ones into pages) with its struct vbus_net_hdr applied and
 * validated (checksum offset, GSO) by vbus_frame_rx(), shared with the
 * guest; then its slots are completed, and the guest told to reclaim
 * them every txmitigation frames or when the queue drains (vbus_txc).
 */
#include "venet_tap.h"

#define VENET_TAP_RX_MAX	(VBUS_NET_MAX_FRAME - VENET_TAP_HDR_LEN)

/*
 * One checked chain into an skb, or NULL (counted) if the frame is
 * malformed or memory is short. vbus_frame_rx() checks the lengths and
 * copies the header out of the region before any of it is used.
 */
static struct sk_buff *venet_tap_rx_frame(struct venet_tap_pair *qp,
					  const struct vbus_seg *segs, u32 nsegs)
{
	struct venet_tap *t = qp->t;
	const struct vbus_frame_rx rx = {
		.base = t->base,
		.napi = &qp->napi,
		.pool = qp->rx_pool,
		.ndev = t->ndev,
		.max_len = VENET_TAP_RX_MAX,
		.linear = VENET_TAP_RX_LINEAR,
		.head = VENET_TAP_RX_HEAD,
		.from_guest = true,	/* its DATA_VALID is not believed */
	};
	struct sk_buff *skb;
	u32 len;

	switch (vbus_frame_rx(&rx, segs, nsegs, &skb, &len)) {
	case VBUS_FRAME_OK:
		break;
	case VBUS_FRAME_NOMEM:
		venet_tap_rx_count(qp, &qp->rx_stats.drop_no_buffer);
		return NULL;
	default:
		venet_tap_rx_count(qp, &qp->rx_stats.drop_bad_hdr);
		return NULL;
	}
	u64_stats_update_begin(&qp->rx_stats.syncp);
	qp->rx_stats.packets++;
	qp->rx_stats.bytes += len;
	u64_stats_update_end(&qp->rx_stats.syncp);
	skb_record_rx_queue(skb, qp->index);
	return skb;
}

/*
 * Account one completed frame for tx-complete mitigation and inject the
 * guest's completion signal when due. The signal that ends a drained
 * queue waits for the end of the pass, where it shares its interrupt with
 * any reply sent meanwhile.
 */
static void venet_tap_rx_completed(struct venet_tap_pair *qp, u32 n,
				   bool drained)
{
	struct vbus_ioq *q = &qp->txq;

	if (!vbus_txc_complete(&qp->txc, n, drained))
		return;
	venet_tap_rx_count(qp, &qp->rx_stats.completions);
	if (!vbus_signal_inject(&q->ring->to_guest)) {
		atomic64_inc(&qp->t->irqs_suppressed);
		return;
	}
	if (drained)
		qp->defer |= BIT(0);
	else
		venet_tap_notify(qp->t, VENET_TAP_TXQ(qp->index));
}

/* NAPI, guest kicks masked: up to min(budget, burstthresh) frames. */
int venet_tap_rx_poll(struct venet_tap_pair *qp, int budget)
{
	struct venet_tap *t = qp->t;
	int limit = min_t(int, budget, READ_ONCE(t->burstthresh));
	struct vbus_ioq *q = &qp->txq;
	struct sk_buff *skb;
	enum vbus_err err;
	u32 n, i, avail;
	bool drained;
	int done = 0;

	venet_tap_rx_count(qp, &qp->rx_stats.polls);
	if (READ_ONCE(t->broken))
		return 0;
	qp->txc.every = READ_ONCE(t->txmitigation);
	while (done < limit) {
		err = vbus_ioq_fetch(q, qp->rx_segs, VBUS_CHAIN_MAX, &n);
		if (err == VBUS_E_EMPTY) {
			/* nothing owed may stay unsignalled on an idle queue */
			venet_tap_rx_completed(qp, 0, true);
			break;
		}
		if (err) {
			venet_tap_rx_count(qp, &qp->rx_stats.drop_bad_desc);
			venet_tap_ring_error(t, VENET_TAP_TXQ(qp->index), err);
			break;
		}
		skb = venet_tap_rx_frame(qp, qp->rx_segs, n);
		for (i = 0; i < n; i++)
			vbus_ioq_complete(q, qp->rx_segs[i].len, 0);
		done++;
		drained = q->head == q->tail && !vbus_ioq_avail(q, &avail) &&
			  !avail;
		venet_tap_rx_completed(qp, 1, drained);
		if (skb)
			netif_receive_skb(skb);
	}
	if (done) {
		if (!READ_ONCE(qp->kicked))
			venet_tap_rx_count(qp, &qp->rx_stats.kicks_skipped);
		WRITE_ONCE(qp->kicked, false);
	}
	/* burstthresh ends the pass early: stay scheduled */
	if (done == limit && limit < budget)
		return budget;
	return done;
}
