// SPDX-License-Identifier: GPL-2.0
/*
 * Receive under NAPI: the guest keeps the RX ring full of
 * empty buffers; the host fills them, a large frame as a chain of
 * consecutive slots (VBUS_DESC_F_NEXT on all but the last). Each frame is
 * copied out into an skb (small ones linear, large ones into pages) and
 * its buffers are posted again.
 */
#include <linux/etherdevice.h>
#include <linux/virtio_net.h>

#include "venet.h"

/* Copy @len bytes at byte @pos of the frame held in @segs into @dst. */
static void venet_rx_copy(struct venet_priv *p, const struct vbus_seg *segs,
			  u32 nsegs, u32 pos, void *dst, u32 len)
{
	u32 i, n;

	for (i = 0; i < nsegs && len; i++) {
		if (pos >= segs[i].len) {
			pos -= segs[i].len;
			continue;
		}
		n = min(len, segs[i].len - pos);
		memcpy(dst, venet_buf(p, segs[i].offset + pos), n);
		dst += n;
		len -= n;
		pos = 0;
	}
}

static struct sk_buff *venet_rx_skb(struct venet_priv *p,
				    const struct vbus_seg *segs, u32 nsegs,
				    u32 total)
{
	struct sk_buff *skb;
	u32 pos, n;

	if (total <= VENET_RX_LINEAR) {
		skb = napi_alloc_skb(&p->napi, total);
		if (skb)
			venet_rx_copy(p, segs, nsegs, VENET_HDR_LEN,
				      skb_put(skb, total), total);
		return skb;
	}
	skb = napi_alloc_skb(&p->napi, VENET_RX_HEAD);
	if (!skb)
		return NULL;
	venet_rx_copy(p, segs, nsegs, VENET_HDR_LEN,
		      skb_put(skb, VENET_RX_HEAD), VENET_RX_HEAD);
	for (pos = VENET_RX_HEAD; pos < total; pos += n) {
		struct page *page;

		if (skb_shinfo(skb)->nr_frags >= MAX_SKB_FRAGS)
			goto err;
		page = dev_alloc_page();
		if (!page)
			goto err;
		n = min_t(u32, total - pos, PAGE_SIZE);
		venet_rx_copy(p, segs, nsegs, VENET_HDR_LEN + pos,
			      page_address(page), n);
		skb_add_rx_frag(skb, skb_shinfo(skb)->nr_frags, page, 0, n,
				PAGE_SIZE);
	}
	return skb;
err:
	kfree_skb(skb);
	return NULL;
}

static void venet_rx_count(struct venet_priv *p, u64 *ctr)
{
	u64_stats_update_begin(&p->rx_stats.syncp);
	(*ctr)++;
	u64_stats_update_end(&p->rx_stats.syncp);
}

static void venet_rx_frame(struct venet_priv *p, const struct vbus_seg *segs,
			   u32 nsegs)
{
	struct virtio_net_hdr vh;
	struct vbus_net_hdr h;
	struct sk_buff *skb;
	u32 i, total = 0;

	for (i = 0; i < nsegs; i++)
		total += segs[i].len;
	if (segs[0].len < VENET_HDR_LEN || total < VENET_HDR_LEN + ETH_HLEN) {
		venet_rx_count(p, &p->rx_stats.drop_short);
		return;
	}
	total -= VENET_HDR_LEN;
	memcpy(&h, venet_buf(p, segs[0].offset), sizeof(h));
	skb = venet_rx_skb(p, segs, nsegs, total);
	if (!skb) {
		venet_rx_count(p, &p->rx_stats.drop_nomem);
		return;
	}
	vh.flags = h.flags;
	vh.gso_type = h.gso_type;
	vh.hdr_len = (__force __virtio16)h.hdr_len;
	vh.gso_size = (__force __virtio16)h.gso_size;
	vh.csum_start = (__force __virtio16)h.csum_start;
	vh.csum_offset = (__force __virtio16)h.csum_offset;
	if (!(p->ndev->features & NETIF_F_RXCSUM))
		vh.flags &= ~VBUS_NET_HDR_F_DATA_VALID;
	if (virtio_net_hdr_to_skb(skb, &vh, true)) {
		kfree_skb(skb);
		venet_rx_count(p, &p->rx_stats.drop_hdr);
		return;
	}
	if (vh.flags & VBUS_NET_HDR_F_DATA_VALID)
		skb->ip_summed = CHECKSUM_UNNECESSARY;
	skb->protocol = eth_type_trans(skb, p->ndev);
	u64_stats_update_begin(&p->rx_stats.syncp);
	p->rx_stats.packets++;
	p->rx_stats.bytes += total;
	u64_stats_update_end(&p->rx_stats.syncp);
	napi_gro_receive(&p->napi, skb);
}

/* Up to @budget frames; a chain cut by the budget or the host waits. */
int venet_rx_poll(struct venet_priv *p, int budget)
{
	struct vbus_ioq *q = &p->rxq;
	enum vbus_err err;
	int done = 0;

	venet_rx_count(p, &p->rx_stats.polls);
	while (done < budget) {
		struct vbus_seg *s = &p->rx_segs[p->rx_nsegs];

		err = vbus_ioq_reclaim(q, s);
		if (err == VBUS_E_EMPTY)
			break;
		if (err) {
			venet_rx_count(p, &p->rx_stats.ring_errors);
			netdev_err_once(p->ndev, "host completed a bad RX slot: %s\n",
					vbus_err_name(err));
			break;
		}
		p->rx_nsegs++;
		if ((s->flags & VBUS_DESC_F_NEXT) && p->rx_nsegs < q->max_chain)
			continue;
		if (s->flags & VBUS_DESC_F_NEXT)
			venet_rx_count(p, &p->rx_stats.drop_hdr);
		else
			venet_rx_frame(p, p->rx_segs, p->rx_nsegs);
		p->rx_nsegs = 0;
		done++;
	}
	return done;
}

/*
 * Post empty buffers into every free slot, in batches of rx_refill_batch
 * (always when the host has none left, or when @force). Slots of a chain
 * still being assembled keep their buffers.
 */
void venet_rx_refill(struct venet_priv *p, bool force)
{
	struct vbus_ioq *q = &p->rxq;
	u32 free = vbus_ioq_free(q) - p->rx_nsegs;
	u32 n = 0;
	bool kick;

	if (!free)
		return;
	if (!force && free < READ_ONCE(p->tun.rx_refill_batch) &&
	    free < q->mask + 1 - p->rx_nsegs)
		return;
	while (n < free &&
	       !vbus_ioq_post(q, vbus_ioq_buf_off(q, q->head), q->buf_size, 0))
		n++;
	if (!n)
		return;
	vbus_ioq_publish(q);
	kick = vbus_signal_inject(&q->ring->to_host);
	if (kick)
		vbus_bridge_kick(p->vdev, p->rx_vector);
	u64_stats_update_begin(&p->rx_stats.syncp);
	if (kick)
		p->rx_stats.kicks++;
	else
		p->rx_stats.kicks_skipped++;
	u64_stats_update_end(&p->rx_stats.syncp);
}
