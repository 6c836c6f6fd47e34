// SPDX-License-Identifier: GPL-2.0
/*
 * Receive under NAPI: the guest keeps the RX ring full of
 * empty buffers; the host fills them, a large frame as a chain of
 * consecutive slots (VBUS_DESC_F_NEXT on all but the last). Each frame is
 * copied out into an skb (small ones linear, large ones into pages) and
 * its buffers are posted again (vbus_frame_rx(), shared with the host).
 * With an XDP program attached a frame goes to venet_xdp.c instead.
 */
#include "venet.h"

static void venet_rx_count(struct venet_queue *qp, u64 *ctr)
{
	u64_stats_update_begin(&qp->rx_stats.syncp);
	(*ctr)++;
	u64_stats_update_end(&qp->rx_stats.syncp);
}

/* A frame for the XDP program: counted as received, then its verdict. */
static void venet_rx_xdp(struct venet_queue *qp, struct bpf_prog *prog,
			 const struct vbus_seg *segs, u32 nsegs)
{
	u32 i, len = 0;

	for (i = 0; i < nsegs; i++)
		len += segs[i].len;
	if (segs[0].len < VENET_HDR_LEN || len < VENET_HDR_LEN + ETH_HLEN) {
		venet_rx_count(qp, &qp->rx_stats.drop_short);
		return;
	}
	len -= VENET_HDR_LEN;
	u64_stats_update_begin(&qp->rx_stats.syncp);
	qp->rx_stats.packets++;
	qp->rx_stats.bytes += len;
	u64_stats_update_end(&qp->rx_stats.syncp);
	venet_xdp_rx(qp, prog, segs, nsegs, len);
}

static void venet_rx_frame(struct venet_queue *qp, const struct vbus_seg *segs,
			   u32 nsegs)
{
	const struct vbus_frame_rx rx = {
		.base = qp->p->base,
		.napi = &qp->napi,
		.pool = qp->rx_pool,
		.ndev = qp->p->ndev,
		.max_len = U32_MAX,	/* no limit but the chain */
		.linear = VENET_RX_LINEAR,
		.head = VENET_RX_HEAD,
	};
	struct sk_buff *skb;
	u32 len;

	switch (vbus_frame_rx(&rx, segs, nsegs, &skb, &len)) {
	case VBUS_FRAME_OK:
		break;
	case VBUS_FRAME_BAD_LEN:
		venet_rx_count(qp, &qp->rx_stats.drop_short);
		return;
	case VBUS_FRAME_NOMEM:
		venet_rx_count(qp, &qp->rx_stats.drop_nomem);
		return;
	default:
		venet_rx_count(qp, &qp->rx_stats.drop_hdr);
		return;
	}
	u64_stats_update_begin(&qp->rx_stats.syncp);
	qp->rx_stats.packets++;
	qp->rx_stats.bytes += len;
	u64_stats_update_end(&qp->rx_stats.syncp);
	skb_record_rx_queue(skb, qp->index);
	napi_gro_receive(&qp->napi, skb);
}

/* Up to @budget frames; a chain cut by the budget or the host waits. */
int venet_rx_poll(struct venet_queue *qp, int budget)
{
	struct vbus_ioq *q = &qp->rxq;
	struct bpf_prog *prog;
	enum vbus_err err;
	int done = 0;

	venet_rx_count(qp, &qp->rx_stats.polls);
	/* one program for the whole pass; a detached one is freed after it */
	rcu_read_lock();
	prog = rcu_dereference(qp->p->xdp_prog);
	while (done < budget) {
		struct vbus_seg *s = &qp->rx_segs[qp->rx_nsegs];

		err = vbus_ioq_reclaim(q, s);
		if (err == VBUS_E_EMPTY)
			break;
		if (err) {
			venet_rx_count(qp, &qp->rx_stats.ring_errors);
			netdev_err_once(qp->p->ndev, "host completed a bad RX slot: %s\n",
					vbus_err_name(err));
			break;
		}
		qp->rx_nsegs++;
		if ((s->flags & VBUS_DESC_F_NEXT) && qp->rx_nsegs < q->max_chain)
			continue;
		if (s->flags & VBUS_DESC_F_NEXT)
			venet_rx_count(qp, &qp->rx_stats.drop_hdr);
		else if (prog)
			venet_rx_xdp(qp, prog, qp->rx_segs, qp->rx_nsegs);
		else
			venet_rx_frame(qp, qp->rx_segs, qp->rx_nsegs);
		qp->rx_nsegs = 0;
		done++;
	}
	venet_xdp_flush(qp);
	rcu_read_unlock();
	return done;
}

/*
 * Post empty buffers into every free slot, in batches of rx_refill_batch
 * (always when the host has none left, or when @force). Slots of a chain
 * still being assembled keep their buffers.
 */
void venet_rx_refill(struct venet_queue *qp, bool force)
{
	struct vbus_ioq *q = &qp->rxq;
	u32 free = vbus_ioq_free(q) - qp->rx_nsegs;
	u32 n;
	bool kick;

	if (!free)
		return;
	if (!force && free < READ_ONCE(qp->p->tun.rx_refill_batch) &&
	    free < q->mask + 1 - qp->rx_nsegs)
		return;
	n = vbus_ioq_post_empty(q, free);
	if (!n)
		return;
	vbus_ioq_publish(q);
	kick = vbus_signal_inject(&q->ring->to_host);
	if (kick)
		vbus_bridge_kick(qp->p->vdev, qp->rx_vector);
	u64_stats_update_begin(&qp->rx_stats.syncp);
	if (kick)
		qp->rx_stats.kicks++;
	else
		qp->rx_stats.kicks_skipped++;
	u64_stats_update_end(&qp->rx_stats.syncp);
}
