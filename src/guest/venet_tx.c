// SPDX-License-Identifier: GPL-2.0
/*
 * Transmit: copy each frame, behind its struct vbus_net_hdr,
 * into consecutive ring buffers (a chain for frames larger than one
 * buffer), free the skb, publish, and ring the host only when its
 * shm-signal says it is idle. Slots come back when the host completes
 * them; they are reclaimed in xmit and in NAPI, the completion interrupt
 * is only needed while slots are in flight (tx_irq_thresh).
 */
#include <linux/netdevice.h>
#include <linux/virtio_net.h>

#include "venet.h"

static void venet_tx_reclaim(struct venet_queue *qp)
{
	struct vbus_ioq *q = &qp->txq;
	struct vbus_seg s;
	enum vbus_err err;
	u32 n = 0;

	while ((err = vbus_ioq_reclaim(q, &s)) == VBUS_OK)
		n++;
	if (!n && err == VBUS_E_EMPTY)
		return;
	u64_stats_update_begin(&qp->tx_stats.syncp);
	qp->tx_stats.completions += n;
	if (err != VBUS_E_EMPTY)
		qp->tx_stats.ring_errors++;
	u64_stats_update_end(&qp->tx_stats.syncp);
	if (err != VBUS_E_EMPTY)
		netdev_err_once(qp->p->ndev, "host completed a bad TX slot: %s\n",
				vbus_err_name(err));
}

/* Publish what was posted; one doorbell only if the host waits for it. */
static void venet_tx_kick(struct venet_queue *qp)
{
	struct vbus_ioq *q = &qp->txq;
	bool kick;

	vbus_ioq_publish(q);
	qp->tx_unkicked = 0;
	kick = vbus_signal_inject(&q->ring->to_host);
	if (kick)
		vbus_bridge_kick(qp->p->vdev, qp->tx_vector);
	u64_stats_update_begin(&qp->tx_stats.syncp);
	if (kick)
		qp->tx_stats.kicks++;
	else
		qp->tx_stats.kicks_skipped++;
	u64_stats_update_end(&qp->tx_stats.syncp);
}

static bool venet_tx_irq_wanted(struct venet_queue *qp, struct netdev_queue *txq)
{
	u32 in_flight = qp->txq.head - qp->txq.tail;

	return netif_tx_queue_stopped(txq) ||
	       in_flight > READ_ONCE(qp->p->tun.tx_irq_thresh);
}

/*
 * Under the TX lock: enable the completion signal if slots wait for it.
 * Returns true if completions arrived while it was off (poll again).
 */
static bool __venet_tx_arm(struct venet_queue *qp, struct netdev_queue *txq)
{
	struct vbus_shm_signal *sig = &qp->txq.ring->to_guest;

	if (!venet_tx_irq_wanted(qp, txq) || vbus_signal_enabled(sig))
		return false;
	return vbus_signal_enable(sig);
}

bool venet_tx_arm(struct venet_queue *qp)
{
	struct netdev_queue *txq = netdev_get_tx_queue(qp->p->ndev, qp->index);
	bool again;

	__netif_tx_lock(txq, smp_processor_id());
	again = __venet_tx_arm(qp, txq);
	__netif_tx_unlock(txq);
	return again;
}

/* NAPI: take back completed slots with the completion signal off. */
void venet_tx_clean(struct venet_queue *qp)
{
	struct netdev_queue *txq = netdev_get_tx_queue(qp->p->ndev, qp->index);

	__netif_tx_lock(txq, smp_processor_id());
	vbus_signal_disable(&qp->txq.ring->to_guest);
	venet_tx_reclaim(qp);
	if (netif_tx_queue_stopped(txq) &&
	    vbus_ioq_free(&qp->txq) >= qp->txq.max_chain)
		netif_tx_wake_queue(txq);
	__netif_tx_unlock(txq);
}

static void venet_tx_drop(struct venet_queue *qp, struct sk_buff *skb, u64 *ctr)
{
	u64_stats_update_begin(&qp->tx_stats.syncp);
	(*ctr)++;
	u64_stats_update_end(&qp->tx_stats.syncp);
	dev_kfree_skb_any(skb);
}

/*
 * Under the TX lock: write one frame of @len bytes, behind the header
 * @vh, into @need consecutive free slots (the caller counted them) and
 * post them as a chain; the bytes come from @skb, or from @data if @skb
 * is NULL (XDP). Counted as sent; publishing is the caller's.
 */
static void venet_tx_post_chain(struct venet_queue *qp,
				const struct virtio_net_hdr *vh, u32 need,
				const struct sk_buff *skb, const void *data,
				u32 len)
{
	struct vbus_ioq *q = &qp->txq;
	struct vbus_frame_src src;
	u32 i, pos = 0;

	if (skb)
		vbus_frame_src_init(&src, skb);
	for (i = 0; i < need; i++) {
		u64 off = vbus_ioq_buf_off(q, q->head);
		u8 *dst = venet_buf(qp->p, off);
		u32 room = q->buf_size, n;

		if (!i) {
			vbus_frame_hdr_put(dst, vh, need);
			dst += VENET_HDR_LEN;
			room -= VENET_HDR_LEN;
		}
		if (skb) {
			n = vbus_frame_put(&src, dst, room);
		} else {
			n = min(room, len - pos);
			memcpy(dst, (const u8 *)data + pos, n);
		}
		pos += n;
		/* cannot fail: the slots were counted */
		WARN_ON_ONCE(vbus_ioq_post(q, off, n + (i ? 0 : VENET_HDR_LEN),
					   i + 1 < need ? VBUS_DESC_F_NEXT : 0));
	}
	u64_stats_update_begin(&qp->tx_stats.syncp);
	qp->tx_stats.packets++;
	qp->tx_stats.bytes += len;
	if (!skb)
		qp->tx_stats.xdp_tx++;
	u64_stats_update_end(&qp->tx_stats.syncp);
	qp->tx_unkicked++;
}

netdev_tx_t venet_start_xmit(struct sk_buff *skb, struct net_device *ndev)
{
	struct venet_priv *p = netdev_priv(ndev);
	u16 qi = skb_get_queue_mapping(skb);
	struct venet_queue *qp = &p->q[qi];
	struct netdev_queue *txq = netdev_get_tx_queue(ndev, qi);
	struct vbus_ioq *q = &qp->txq;
	struct virtio_net_hdr vh;
	u32 need, len = skb->len;

	venet_tx_reclaim(qp);
	need = DIV_ROUND_UP(VENET_HDR_LEN + len, q->buf_size);
	if (need > q->max_chain) {
		venet_tx_drop(qp, skb, &qp->tx_stats.drop_oversize);
		return NETDEV_TX_OK;
	}
	if (need > vbus_ioq_free(q)) {
		venet_tx_drop(qp, skb, &qp->tx_stats.drop_ring_full);
		return NETDEV_TX_OK;
	}
	if (virtio_net_hdr_from_skb(skb, &vh, true, false, 0)) {
		venet_tx_drop(qp, skb, &qp->tx_stats.drop_hdr);
		return NETDEV_TX_OK;
	}
	venet_tx_post_chain(qp, &vh, need, skb, NULL, len);
	dev_consume_skb_any(skb);

	venet_tx_settle(qp, txq, !netdev_xmit_more() ||
			qp->tx_unkicked >= READ_ONCE(qp->p->tun.tx_kick_frames));
	return NETDEV_TX_OK;
}

/*
 * Under the TX lock, after posting: publish and kick if @kick or if a
 * maximal frame may not fit any more; then stop the queue in that case
 * (completion signal on, look once more), else arm the completion signal
 * if slots wait for it.
 */
void venet_tx_settle(struct venet_queue *qp, struct netdev_queue *txq,
		     bool kick)
{
	struct vbus_ioq *q = &qp->txq;
	bool stop = vbus_ioq_free(q) < q->max_chain;

	if (stop || kick)
		venet_tx_kick(qp);
	if (stop) {
		netif_tx_stop_queue(txq);
		u64_stats_update_begin(&qp->tx_stats.syncp);
		qp->tx_stats.queue_stops++;
		u64_stats_update_end(&qp->tx_stats.syncp);
		/* completion irq on, then look once more */
		__venet_tx_arm(qp, txq);
		venet_tx_reclaim(qp);
		if (vbus_ioq_free(q) >= q->max_chain)
			netif_tx_start_queue(txq);
	} else if (__venet_tx_arm(qp, txq)) {
		napi_schedule(&qp->napi);
	}
}

/*
 * Under the TX lock: post @len bytes at @data as one frame with a plain
 * header (no checksum or GSO request), for XDP (XDP_TX, ndo_xdp_xmit).
 * Publishing is left to venet_tx_settle(). False if the frame needs
 * more slots than a chain may have or than are free.
 */
bool venet_tx_post_plain(struct venet_queue *qp, const void *data, u32 len)
{
	const struct virtio_net_hdr vh = { 0 };
	struct vbus_ioq *q = &qp->txq;
	u32 need = DIV_ROUND_UP(VENET_HDR_LEN + len, q->buf_size);

	if (need > q->max_chain)
		return false;
	if (need > vbus_ioq_free(q)) {
		venet_tx_reclaim(qp);
		if (need > vbus_ioq_free(q))
			return false;
	}
	venet_tx_post_chain(qp, &vh, need, NULL, data, len);
	return true;
}
