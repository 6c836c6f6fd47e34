// SPDX-License-Identifier: GPL-2.0
/*
 * vbus_frame.c - virtual-ethernet frames on an IOQ, see vbus_frame.h.
 * Kernel only but for vbus_frame_rx_flags(), which the unit tests build.
 */
#include "vbus_frame.h"

/*
 * The header flags a receiver acts on: @flags as the sender wrote them,
 * @from_guest when the sender is a guest (the host's receive path),
 * @rxcsum when the receiving netdev has rx-checksumming on.
 *
 * A guest may ask for a partial checksum (NEEDS_CSUM: the host completes
 * it or checks csum_start/csum_offset) but cannot vouch for one: its
 * DATA_VALID would be CHECKSUM_UNNECESSARY on the host, a frame no one
 * checks that is routed or bridged on as good. tun and vhost-net ignore it
 * from a driver too, so only NEEDS_CSUM survives from a guest. The host's
 * DATA_VALID tells a guest what the host's stack already checked.
 */
u8 vbus_frame_rx_flags(u8 flags, bool from_guest, bool rxcsum)
{
	if (from_guest)
		return flags & VBUS_NET_HDR_F_NEEDS_CSUM;
	if (!rxcsum)
		flags &= ~VBUS_NET_HDR_F_DATA_VALID;
	return flags;
}

#ifdef __KERNEL__

#include <linux/etherdevice.h>

/* Where the next byte of a frame held in a chain of segments is. */
struct vbus_frame_cur {
	const void *base;
	const struct vbus_seg *seg;
	const struct vbus_seg *end;
	u32 pos;			/* in *seg */
};

/*
 * Copy the next @len bytes of the frame into @dst and move on: one pass
 * over the chain for the whole frame, however many pieces it is copied in.
 */
static void vbus_frame_copy(struct vbus_frame_cur *c, void *dst, u32 len)
{
	u32 n;

	while (len && c->seg < c->end) {
		if (c->pos >= c->seg->len) {
			c->seg++;
			c->pos = 0;
			continue;
		}
		n = min(len, c->seg->len - c->pos);
		memcpy(dst, (const u8 *)c->base + c->seg->offset + c->pos, n);
		dst += n;
		len -= n;
		c->pos += n;
	}
}

/*
 * Pages for the paged part of a frame: 32 KiB blocks (a 64 KiB frame in
 * two or three), so that a large frame costs few allocations and few
 * frags. They come from the receiver's page pool, recycled when the stack
 * frees the skb (skb_mark_for_recycle()); without a pool, or when it has
 * none, from the page allocator, single pages when no block is free.
 */
#define VBUS_FRAME_PAGE_ORDER	3

static struct page *vbus_frame_page(const struct vbus_frame_rx *rx, u32 want,
				    u32 *size)
{
	unsigned int order = min_t(unsigned int, get_order(want),
				   VBUS_FRAME_PAGE_ORDER);
	struct page *page;

	if (rx->pool) {
		page = page_pool_dev_alloc_pages(rx->pool);
		if (page) {
			*size = PAGE_SIZE << VBUS_FRAME_PAGE_ORDER;
			return page;
		}
	}
	if (order) {
		page = alloc_pages(GFP_ATOMIC | __GFP_COMP | __GFP_NOWARN |
				   __GFP_NORETRY | __GFP_NOMEMALLOC, order);
		if (page) {
			*size = PAGE_SIZE << order;
			return page;
		}
	}
	*size = PAGE_SIZE;
	return dev_alloc_page();
}

/*
 * A page pool for a receiver's frame pages, one per NAPI context (its
 * allocations run there only); NULL if none could be made, and frames then
 * take their pages from the page allocator. Recycled pages skip the
 * allocator and its zeroing (init_on_alloc, on in Debian's kernels). Idle,
 * a pool keeps at most VBUS_FRAME_POOL_PAGES blocks in its ring and as
 * many in its allocation cache: 4 MiB, given back when the queue stops.
 */
#define VBUS_FRAME_POOL_PAGES	64

struct page_pool *vbus_frame_pool_create(struct net_device *ndev)
{
	struct page_pool_params pp = {
		.order = VBUS_FRAME_PAGE_ORDER,
		.pool_size = VBUS_FRAME_POOL_PAGES,
		.nid = NUMA_NO_NODE,
	};
	struct page_pool *pool = page_pool_create(&pp);

	if (IS_ERR(pool)) {
		netdev_warn_once(ndev, "no page pool (%ld): frame pages come from the page allocator\n",
				 PTR_ERR(pool));
		return NULL;
	}
	return pool;
}

/* After the NAPI context stopped for good; pages still out return later. */
void vbus_frame_pool_destroy(struct page_pool **pool)
{
	if (*pool)
		page_pool_destroy(*pool);
	*pool = NULL;
}

/* The @len frame bytes behind the header: small frames linear, else paged. */
static struct sk_buff *vbus_frame_skb(const struct vbus_frame_rx *rx,
				      const struct vbus_seg *segs, u32 nsegs,
				      u32 len)
{
	struct vbus_frame_cur c = {
		.base = rx->base,
		.seg = segs,
		.end = segs + nsegs,
		.pos = VBUS_FRAME_HDR_LEN,	/* segs[0] holds the header */
	};
	struct sk_buff *skb;
	u32 pos, n, size;

	if (len <= rx->linear) {
		skb = napi_alloc_skb(rx->napi, len);
		if (skb)
			vbus_frame_copy(&c, skb_put(skb, len), len);
		return skb;
	}
	skb = napi_alloc_skb(rx->napi, rx->head);
	if (!skb)
		return NULL;
	/*
	 * Before a pool page is added: a freed skb hands its pool pages back
	 * to the pool (the head and pages not of the pool are told apart and
	 * freed as usual).
	 */
	if (rx->pool)
		skb_mark_for_recycle(skb);
	vbus_frame_copy(&c, skb_put(skb, rx->head), rx->head);
	for (pos = rx->head; pos < len; pos += n) {
		struct page *page;

		if (skb_shinfo(skb)->nr_frags >= MAX_SKB_FRAGS)
			goto err;
		page = vbus_frame_page(rx, len - pos, &size);
		if (!page)
			goto err;
		n = min(len - pos, size);
		vbus_frame_copy(&c, page_address(page), n);
		skb_add_rx_frag(skb, skb_shinfo(skb)->nr_frags, page, 0, n,
				size);
	}
	return skb;
err:
	kfree_skb(skb);
	return NULL;
}

/*
 * One received chain into an skb with its offload metadata applied and
 * its protocol set: VBUS_FRAME_OK with *@skbp and *@lenp (frame bytes
 * without the header), or why it was dropped (no skb is left). The
 * header is copied out of the region before any of it is used.
 */
enum vbus_frame_drop vbus_frame_rx(const struct vbus_frame_rx *rx,
				   const struct vbus_seg *segs, u32 nsegs,
				   struct sk_buff **skbp, u32 *lenp)
{
	struct virtio_net_hdr vh;
	struct vbus_net_hdr h;
	struct sk_buff *skb;
	u32 i, len = 0;

	*skbp = NULL;
	for (i = 0; i < nsegs; i++)
		len += segs[i].len;
	if (segs[0].len < VBUS_FRAME_HDR_LEN ||
	    len < VBUS_FRAME_HDR_LEN + ETH_HLEN ||
	    len - VBUS_FRAME_HDR_LEN > rx->max_len)
		return VBUS_FRAME_BAD_LEN;
	len -= VBUS_FRAME_HDR_LEN;
	memcpy(&h, (const u8 *)rx->base + segs[0].offset, sizeof(h));
	skb = vbus_frame_skb(rx, segs, nsegs, len);
	if (!skb)
		return VBUS_FRAME_NOMEM;
	vh.flags = vbus_frame_rx_flags(h.flags, rx->from_guest,
				       rx->ndev->features & NETIF_F_RXCSUM);
	vh.gso_type = h.gso_type;
	/* both little-endian: virtio_net_hdr_to_skb(..., true) */
	vh.hdr_len = (__force __virtio16)h.hdr_len;
	vh.gso_size = (__force __virtio16)h.gso_size;
	vh.csum_start = (__force __virtio16)h.csum_start;
	vh.csum_offset = (__force __virtio16)h.csum_offset;
	if (virtio_net_hdr_to_skb(skb, &vh, true)) {
		kfree_skb(skb);
		return VBUS_FRAME_BAD_HDR;
	}
	if (vh.flags & VBUS_NET_HDR_F_DATA_VALID)
		skb->ip_summed = CHECKSUM_UNNECESSARY;
	skb->protocol = eth_type_trans(skb, rx->ndev);
	*skbp = skb;
	*lenp = len;
	return VBUS_FRAME_OK;
}

/*
 * Write the struct vbus_net_hdr of a frame of @nbufs buffers, from @vh
 * as virtio_net_hdr_from_skb(..., little_endian=true, ...) filled it.
 */
void vbus_frame_hdr_put(void *dst, const struct virtio_net_hdr *vh, u32 nbufs)
{
	struct vbus_net_hdr h = {
		.flags = vh->flags,
		.gso_type = vh->gso_type,
		/* both little-endian */
		.hdr_len = (__force __le16)vh->hdr_len,
		.gso_size = (__force __le16)vh->gso_size,
		.csum_start = (__force __le16)vh->csum_start,
		.csum_offset = (__force __le16)vh->csum_offset,
		.nbufs = cpu_to_le16(nbufs),
	};

	memcpy(dst, &h, sizeof(h));
}

/* Ready to copy @skb from its first byte with vbus_frame_put(). */
void vbus_frame_src_init(struct vbus_frame_src *src, const struct sk_buff *skb)
{
	src->skb = skb;
	src->pos = 0;
	src->frag = 0;
	src->frag_off = 0;
}

/*
 * Copy the next bytes of the skb into one buffer of @room bytes at @dst,
 * as many as fit; returns how many. The cursor remembers the fragment it
 * stands in, so a frame put into N buffers costs one walk over its
 * fragments, not N (skb_copy_bits() starts from the head each time). An
 * skb with a frag_list, or a fragment without an address (highmem, or
 * memory the CPU cannot read), is left to skb_copy_bits().
 */
u32 vbus_frame_put(struct vbus_frame_src *src, void *dst, u32 room)
{
	const struct sk_buff *skb = src->skb;
	const struct skb_shared_info *sh = skb_shinfo(skb);
	u32 n = min(room, skb->len - src->pos), done = 0, k;
	const skb_frag_t *f;
	const u8 *from;

	if (IS_ENABLED(CONFIG_HIGHMEM) || skb_has_frag_list(skb))
		goto slow;
	while (done < n) {
		if (src->pos < skb_headlen(skb)) {
			k = min(n - done, skb_headlen(skb) - src->pos);
			memcpy((u8 *)dst + done, skb->data + src->pos, k);
		} else {
			if (src->frag >= sh->nr_frags)
				goto slow;
			f = &sh->frags[src->frag];
			from = skb_frag_address(f);
			if (!from)
				goto slow;
			k = min(n - done, skb_frag_size(f) - src->frag_off);
			memcpy((u8 *)dst + done, from + src->frag_off, k);
			src->frag_off += k;
			if (src->frag_off == skb_frag_size(f)) {
				src->frag++;
				src->frag_off = 0;
			}
		}
		done += k;
		src->pos += k;
	}
	return n;
slow:
	/* cannot fail for a readable skb: pos + n <= skb->len */
	if (n - done && skb_copy_bits(skb, src->pos, (u8 *)dst + done,
				      n - done))
		return done;
	src->pos += n - done;
	return n;
}

#endif /* __KERNEL__ */
