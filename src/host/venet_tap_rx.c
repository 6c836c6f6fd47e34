// SPDX-License-Identifier: GPL-2.0
/*
 * Guest to host: the frames the guest transmits (queue 0), received by
 * the host netdev under NAPI. Each chain is copied and checked
 * (vbus_ioq_fetch()), copied out of the region into an skb (small frames
 * linear, large ones into pages), its struct vbus_net_hdr applied and
 * validated (checksum offset, GSO), its slots completed, and the guest
 * told to reclaim them every txmitigation frames or when the queue
 * drains (vbus_txc).
 */
#include <linux/if_vlan.h>
#include <linux/virtio_net.h>

#include "venet_tap.h"

#define VENET_TAP_RX_MAX	(VBUS_NET_MAX_FRAME - VENET_TAP_HDR_LEN)

static void venet_tap_rx_count(struct venet_tap *t, u64 *ctr)
{
	u64_stats_update_begin(&t->rx_stats.syncp);
	(*ctr)++;
	u64_stats_update_end(&t->rx_stats.syncp);
}

/* Copy @len bytes at byte @pos of the frame held in @segs into @dst. */
static void venet_tap_rx_copy(struct venet_tap *t, const struct vbus_seg *segs,
			      u32 nsegs, u32 pos, void *dst, u32 len)
{
	u32 i, n;

	for (i = 0; i < nsegs && len; i++) {
		if (pos >= segs[i].len) {
			pos -= segs[i].len;
			continue;
		}
		n = min(len, segs[i].len - pos);
		memcpy(dst, venet_tap_buf(t, segs[i].offset + pos), n);
		dst += n;
		len -= n;
		pos = 0;
	}
}

static struct sk_buff *venet_tap_rx_skb(struct venet_tap *t,
					const struct vbus_seg *segs, u32 nsegs,
					u32 len)
{
	struct sk_buff *skb;
	u32 pos, n;

	if (len <= VENET_TAP_RX_LINEAR) {
		skb = napi_alloc_skb(&t->napi, len);
		if (skb)
			venet_tap_rx_copy(t, segs, nsegs, VENET_TAP_HDR_LEN,
					  skb_put(skb, len), len);
		return skb;
	}
	skb = napi_alloc_skb(&t->napi, VENET_TAP_RX_HEAD);
	if (!skb)
		return NULL;
	venet_tap_rx_copy(t, segs, nsegs, VENET_TAP_HDR_LEN,
			  skb_put(skb, VENET_TAP_RX_HEAD), VENET_TAP_RX_HEAD);
	for (pos = VENET_TAP_RX_HEAD; pos < len; pos += n) {
		struct page *page;

		if (skb_shinfo(skb)->nr_frags >= MAX_SKB_FRAGS)
			goto err;
		page = dev_alloc_page();
		if (!page)
			goto err;
		n = min_t(u32, len - pos, PAGE_SIZE);
		venet_tap_rx_copy(t, segs, nsegs, VENET_TAP_HDR_LEN + pos,
				  page_address(page), n);
		skb_add_rx_frag(skb, skb_shinfo(skb)->nr_frags, page, 0, n,
				PAGE_SIZE);
	}
	return skb;
err:
	kfree_skb(skb);
	return NULL;
}

/*
 * One checked chain into an skb, or NULL (counted) if the frame is
 * malformed or memory is short. The header is copied out of the region
 * before any of it is used.
 */
static struct sk_buff *venet_tap_rx_frame(struct venet_tap *t,
					  const struct vbus_seg *segs, u32 nsegs)
{
	struct net_device *ndev = t->ndev;
	struct virtio_net_hdr vh;
	struct vbus_net_hdr h;
	struct sk_buff *skb;
	u32 i, len = 0;

	for (i = 0; i < nsegs; i++)
		len += segs[i].len;
	if (segs[0].len < VENET_TAP_HDR_LEN ||
	    len < VENET_TAP_HDR_LEN + ETH_HLEN ||
	    len - VENET_TAP_HDR_LEN > VENET_TAP_RX_MAX) {
		venet_tap_rx_count(t, &t->rx_stats.drop_bad_hdr);
		return NULL;
	}
	len -= VENET_TAP_HDR_LEN;
	memcpy(&h, venet_tap_buf(t, segs[0].offset), sizeof(h));
	skb = venet_tap_rx_skb(t, segs, nsegs, len);
	if (!skb) {
		venet_tap_rx_count(t, &t->rx_stats.drop_no_buffer);
		return NULL;
	}
	vh.flags = h.flags;
	vh.gso_type = h.gso_type;
	/* both little-endian: virtio_net_hdr_to_skb(..., true) */
	vh.hdr_len = (__force __virtio16)h.hdr_len;
	vh.gso_size = (__force __virtio16)h.gso_size;
	vh.csum_start = (__force __virtio16)h.csum_start;
	vh.csum_offset = (__force __virtio16)h.csum_offset;
	if (!(ndev->features & NETIF_F_RXCSUM))
		vh.flags &= ~VBUS_NET_HDR_F_DATA_VALID;
	if (virtio_net_hdr_to_skb(skb, &vh, true)) {
		kfree_skb(skb);
		venet_tap_rx_count(t, &t->rx_stats.drop_bad_hdr);
		return NULL;
	}
	if (vh.flags & VBUS_NET_HDR_F_DATA_VALID)
		skb->ip_summed = CHECKSUM_UNNECESSARY;
	skb->protocol = eth_type_trans(skb, ndev);
	u64_stats_update_begin(&t->rx_stats.syncp);
	t->rx_stats.packets++;
	t->rx_stats.bytes += len;
	u64_stats_update_end(&t->rx_stats.syncp);
	return skb;
}

/*
 * Account one completed frame for tx-complete mitigation and inject the
 * guest's completion signal when due. The signal that ends a drained
 * queue waits for the end of the pass, where it shares its interrupt with
 * any reply sent meanwhile.
 */
static void venet_tap_rx_completed(struct venet_tap *t, u32 n, bool drained)
{
	struct vbus_ioq *q = &t->txq;

	if (!vbus_txc_complete(&t->txc, n, drained))
		return;
	venet_tap_rx_count(t, &t->rx_stats.completions);
	if (!vbus_signal_inject(&q->ring->to_guest)) {
		atomic64_inc(&t->irqs_suppressed);
		return;
	}
	if (drained)
		t->defer |= BIT(VENET_TAP_TXQ);
	else
		venet_tap_notify(t, VENET_TAP_TXQ);
}

/* NAPI, guest kicks masked: up to min(budget, burstthresh) frames. */
int venet_tap_rx_poll(struct venet_tap *t, int budget)
{
	int limit = min_t(int, budget, READ_ONCE(t->burstthresh));
	struct vbus_ioq *q = &t->txq;
	struct sk_buff *skb;
	enum vbus_err err;
	u32 n, i, avail;
	bool drained;
	int done = 0;

	venet_tap_rx_count(t, &t->rx_stats.polls);
	if (READ_ONCE(t->broken))
		return 0;
	while (done < limit) {
		err = vbus_ioq_fetch(q, t->rx_segs, VBUS_CHAIN_MAX, &n);
		if (err == VBUS_E_EMPTY) {
			/* nothing owed may stay unsignalled on an idle queue */
			venet_tap_rx_completed(t, 0, true);
			break;
		}
		if (err) {
			venet_tap_rx_count(t, &t->rx_stats.drop_bad_desc);
			venet_tap_ring_error(t, VENET_TAP_TXQ, err);
			break;
		}
		skb = venet_tap_rx_frame(t, t->rx_segs, n);
		for (i = 0; i < n; i++)
			vbus_ioq_complete(q, t->rx_segs[i].len, 0);
		done++;
		drained = q->head == q->tail && !vbus_ioq_avail(q, &avail) &&
			  !avail;
		venet_tap_rx_completed(t, 1, drained);
		if (skb)
			netif_receive_skb(skb);
	}
	if (done) {
		if (!READ_ONCE(t->kicked))
			venet_tap_rx_count(t, &t->rx_stats.kicks_skipped);
		WRITE_ONCE(t->kicked, false);
	}
	/* burstthresh ends the pass early: stay scheduled */
	if (done == limit && limit < budget)
		return budget;
	return done;
}
