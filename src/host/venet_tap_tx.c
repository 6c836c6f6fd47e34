// SPDX-License-Identifier: GPL-2.0
/*
 * Host to guest: frames the host netdev transmits on its queue k go into
 * the empty buffers the guest posts on queue 2k + 1 (pair k), behind their struct vbus_net_hdr
 * (checksum and GSO metadata); a frame larger than one buffer fills
 * consecutive slots, completed with VBUS_DESC_F_NEXT on all but the last.
 * The guest is interrupted only if its shm-signal is enabled. When too
 * few buffers are posted the queue stops and the guest's refill doorbell
 * is turned on until NAPI sees enough again.
 */
#include <linux/virtio_net.h>

#include "venet_tap.h"

static void venet_tap_tx_count(struct venet_tap_pair *qp, u64 *ctr)
{
	u64_stats_update_begin(&qp->tx_stats.syncp);
	(*ctr)++;
	u64_stats_update_end(&qp->tx_stats.syncp);
}

/* Posted buffers needed before the queue runs: one maximal frame. */
static u32 venet_tap_tx_thresh(const struct venet_tap_pair *qp)
{
	return qp->rxq.max_chain;
}

/* Offloads follow what the guest accepted; the stack does the rest. */
netdev_features_t venet_tap_features_check(struct sk_buff *skb,
					   struct net_device *ndev,
					   netdev_features_t features)
{
	struct venet_tap *t = venet_tap_from_ndev(ndev);
	u32 gf = READ_ONCE(t->guest_features);

	if (!(gf & VBUS_NET_F_GUEST_CSUM))
		features &= ~(NETIF_F_CSUM_MASK | NETIF_F_GSO_MASK);
	if (!(gf & VBUS_NET_F_GUEST_TSO4))
		features &= ~(NETIF_F_TSO | NETIF_F_TSO_ECN);
	if (!(gf & VBUS_NET_F_GUEST_TSO6))
		features &= ~NETIF_F_TSO6;
	return features;
}

/* Under the TX lock: tell the guest about completed slots. */
static void venet_tap_tx_signal(struct venet_tap_pair *qp)
{
	qp->tx_unsignalled = false;
	if (vbus_signal_inject(&qp->rxq.ring->to_guest))
		venet_tap_signal(qp, 1);
	else
		atomic64_inc(&qp->t->irqs_suppressed);
}

/*
 * Under the TX lock: stop the queue if a maximal frame may not fit, with
 * the guest's refill doorbell enabled, then look once more (the guest
 * may have posted before it saw the signal enabled).
 */
static void venet_tap_tx_maybe_stop(struct venet_tap_pair *qp,
				    struct netdev_queue *txq)
{
	u32 avail;

	if (vbus_ioq_avail(&qp->rxq, &avail) ||
	    avail >= venet_tap_tx_thresh(qp))
		return;
	netif_tx_stop_queue(txq);
	venet_tap_tx_count(qp, &qp->tx_stats.queue_stops);
	vbus_signal_enable(&qp->rxq.ring->to_host);
	if (!vbus_ioq_avail(&qp->rxq, &avail) &&
	    avail >= venet_tap_tx_thresh(qp))
		netif_tx_start_queue(txq);
}

/*
 * Gather posted buffers for @total bytes into qp->tx_segs without
 * consuming them (vbus_ioq_peek(): the guest's head is judged against the
 * real tail). Returns the number of buffers, 0 if too few are posted, or
 * a negative vbus_err.
 */
static int venet_tap_tx_gather(struct venet_tap_pair *qp, u32 total)
{
	enum vbus_err err;
	u32 k = 0, cap = 0;

	while (cap < total) {
		if (k == qp->rxq.max_chain)
			return -VBUS_E_DESC_CHAIN;
		err = vbus_ioq_peek(&qp->rxq, k, &qp->tx_segs[k]);
		if (err == VBUS_E_EMPTY)
			return 0;
		if (err)
			return -err;
		/* empty buffers come one per slot */
		if (qp->tx_segs[k].flags & VBUS_DESC_F_NEXT)
			return -VBUS_E_DESC_FLAGS;
		if (!k && qp->tx_segs[0].len < VENET_TAP_HDR_LEN)
			return -VBUS_E_DESC_LEN;
		cap += qp->tx_segs[k].len;
		k++;
	}
	return k;
}

netdev_tx_t venet_tap_start_xmit(struct sk_buff *skb, struct net_device *ndev)
{
	struct venet_tap *t = venet_tap_from_ndev(ndev);
	u16 qi = skb_get_queue_mapping(skb);
	struct netdev_queue *txq = netdev_get_tx_queue(ndev, qi);
	struct venet_tap_pair *qp = &t->pairs[qi];
	u32 gf = READ_ONCE(t->guest_features);
	struct virtio_net_hdr vh;
	struct vbus_frame_src src;
	u32 total, i, n, off;
	int k;

	/*
	 * Down: the rings may be gone (detached: the region is unmapped), so
	 * not a word of them is touched, not even to signal completions.
	 * The stack picks queues below real_num_tx_queues (the guest's
	 * active pairs, never more than are laid out).
	 */
	if (!READ_ONCE(t->up) || READ_ONCE(t->broken) ||
	    qi >= READ_ONCE(t->npairs)) {
		venet_tap_tx_count(qp, &qp->tx_stats.drop_down);
		dev_kfree_skb_any(skb);
		return NETDEV_TX_OK;
	}
	if ((skb_is_gso(skb) && !(gf & VBUS_NET_F_GUEST_CSUM)) ||
	    (skb->ip_summed == CHECKSUM_PARTIAL &&
	     !(gf & VBUS_NET_F_GUEST_CSUM) && skb_checksum_help(skb)) ||
	    virtio_net_hdr_from_skb(skb, &vh, true, true, 0)) {
		venet_tap_tx_count(qp, &qp->tx_stats.drop_hdr);
		goto drop;
	}
	total = VENET_TAP_HDR_LEN + skb->len;
	if (total > VBUS_NET_MAX_FRAME) {
		venet_tap_tx_count(qp, &qp->tx_stats.drop_oversize);
		goto drop;
	}
	k = venet_tap_tx_gather(qp, total);
	if (k < 0) {
		venet_tap_tx_count(qp, &qp->tx_stats.drop_bad_desc);
		venet_tap_ring_error(t, VENET_TAP_RXQ(qi), -k);
		goto drop;
	}
	if (!k) {
		venet_tap_tx_count(qp, &qp->tx_stats.drop_ring_full);
		venet_tap_tx_maybe_stop(qp, txq);
		goto drop;
	}

	vbus_frame_hdr_put(venet_tap_buf(t, qp->tx_segs[0].offset), &vh, k);
	vbus_frame_src_init(&src, skb);
	for (i = 0; i < k; i++) {
		off = i ? 0 : VENET_TAP_HDR_LEN;
		n = vbus_frame_put(&src,
				   venet_tap_buf(t, qp->tx_segs[i].offset + off),
				   qp->tx_segs[i].len - off);
		vbus_ioq_complete(&qp->rxq, off + n,
				  i + 1 < k ? VBUS_DESC_F_NEXT : 0);
	}
	u64_stats_update_begin(&qp->tx_stats.syncp);
	qp->tx_stats.packets++;
	qp->tx_stats.bytes += skb->len;
	u64_stats_update_end(&qp->tx_stats.syncp);
	qp->tx_unsignalled = true;
	if (!venet_tap_pure_ack(skb)) {
		if (!test_bit(VENET_TAP_SENT, &qp->sent))
			set_bit(VENET_TAP_SENT, &qp->sent);
		venet_tap_linger_cut(qp);
	}
	dev_consume_skb_any(skb);
	venet_tap_tx_maybe_stop(qp, txq);
	goto out;

drop:
	dev_kfree_skb_any(skb);
out:
	if (qp->tx_unsignalled &&
	    (!netdev_xmit_more() || netif_xmit_stopped(txq)))
		venet_tap_tx_signal(qp);
	return NETDEV_TX_OK;
}

/*
 * NAPI: the guest's side of queue 2k + 1. Pair 0 picks up the features
 * its driver accepted and the queue pairs it asks for; every pair notices
 * its first buffers (the guest's driver is up: carrier on), wakes its
 * queue once enough buffers are posted (refill doorbell off again), and
 * signals completions a batch left pending.
 */
void venet_tap_tx_poll(struct venet_tap_pair *qp)
{
	struct venet_tap *t = qp->t;
	struct netdev_queue *txq = netdev_get_tx_queue(t->ndev, qp->index);
	struct vbus_shm_signal *sig = &qp->rxq.ring->to_host;
	enum vbus_err err;
	u32 avail;

	if (!qp->index) {
		WRITE_ONCE(t->guest_features,
			   vbus_ld32(&t->cfg->guest_features) &
			   VENET_TAP_FEATURES);
		venet_tap_mq_poll(t);
	}
	__netif_tx_lock(txq, smp_processor_id());
	err = vbus_ioq_avail(&qp->rxq, &avail);
	if (err) {
		venet_tap_tx_count(qp, &qp->tx_stats.drop_bad_desc);
		venet_tap_ring_error(t, VENET_TAP_RXQ(qp->index), err);
		goto out;
	}
	if (avail && !t->guest_opened) {
		WRITE_ONCE(t->guest_opened, true);
		venet_tap_carrier(t);
	}
	if (avail >= venet_tap_tx_thresh(qp)) {
		if (vbus_signal_enabled(sig))
			vbus_signal_disable(sig);
		if (netif_tx_queue_stopped(txq))
			netif_tx_wake_queue(txq);
	}
	if (qp->tx_unsignalled)
		venet_tap_tx_signal(qp);
out:
	__netif_tx_unlock(txq);
}
