// SPDX-License-Identifier: GPL-2.0
/*
 * vbus_ioq.c - the IOQ ring engine and its descriptor checker.
 *
 * Indexes are free-running u32; slot = index & mask. Ordering:
 *  - guest post: descriptor fields, then release-store of ring->head;
 *    host: acquire-load of ring->head, then descriptor reads.
 *  - host complete: len, then release-store of the descriptor flags with
 *    VBUS_DESC_F_HOST cleared (ownership back to the guest), then
 *    release-store of ring->tail; guest: acquire-load of the flags, then
 *    len.
 * The host copies each descriptor into a struct vbus_seg (one READ_ONCE per
 * field) and checks only the copy, so the guest cannot change a value
 * between check and use.
 */
#include "vbus_ioq.h"
#include "vbus_signal.h"

enum vbus_err vbus_ioq_init(struct vbus_ioq *q, void *base, u64 region_size,
			    u32 nvectors, const struct vbus_queue_layout *ql)
{
	enum vbus_err err;

	memset(q, 0, sizeof(*q));
	err = vbus_queue_layout_check(ql, region_size, nvectors);
	if (err)
		return err;
	q->ring = (struct vbus_ioq_ring *)((u8 *)base + ql->ring_off);
	q->region_size = region_size;
	q->pool_off = ql->pool_off;
	q->pool_size = (u64)ql->ring_count * ql->buf_size;
	q->mask = ql->ring_count - 1;
	q->buf_size = ql->buf_size;
	q->buf_shift = vbus_ctz32(ql->buf_size);
	q->max_chain = ql->max_chain;
	return VBUS_OK;
}

/* Host, before publishing READY: empty ring, both signals enabled. */
void vbus_ioq_reset(struct vbus_ioq *q)
{
	struct vbus_ioq_ring *r = q->ring;

	memset(r, 0, sizeof(*r) + (u64)(q->mask + 1) * sizeof(r->desc[0]));
	vbus_signal_init(&r->to_host);
	vbus_signal_init(&r->to_guest);
	q->head = 0;
	q->tail = 0;
}

/*
 * The checker. @s is a local copy. @posted: the slot is in the window the
 * guest handed to the host (owner bit set, length must be non-zero);
 * otherwise it was handed back (owner bit clear, any length up to a
 * buffer). Returns the first violated rule; touches no shared memory.
 */
enum vbus_err vbus_ioq_check(const struct vbus_ioq *q,
			     const struct vbus_seg *s, bool posted)
{
	u64 rel;

	if (s->flags & ~VBUS_DESC_F_ALL)
		return VBUS_E_DESC_FLAGS;
	if (!!(s->flags & VBUS_DESC_F_HOST) != posted)
		return VBUS_E_DESC_OWNER;
	if (s->offset >= q->region_size)
		return VBUS_E_DESC_OFFSET;
	if (s->offset < q->pool_off || s->offset - q->pool_off >= q->pool_size)
		return VBUS_E_DESC_POOL;
	rel = s->offset - q->pool_off;
	if (rel & (q->buf_size - 1))
		return VBUS_E_DESC_ALIGN;
	if (posted && !s->len)
		return VBUS_E_DESC_EMPTY;
	if (s->len > q->buf_size)
		return VBUS_E_DESC_LEN;
	return VBUS_OK;
}

static void vbus_ioq_copy(const struct vbus_ioq *q, u32 idx,
			  struct vbus_seg *s)
{
	const struct vbus_desc *d = &q->ring->desc[idx & q->mask];

	s->offset = vbus_ld64(&d->offset);
	s->len = vbus_ld32(&d->len);
	s->flags = vbus_ld16(&d->flags);
	s->slot = idx & q->mask;
}

/* Producer: slots that can be posted now. */
u32 vbus_ioq_free(const struct vbus_ioq *q)
{
	return q->mask + 1 - (q->head - q->tail);
}

/*
 * Producer: fill the next slot (not yet visible). @flags may carry
 * VBUS_DESC_F_NEXT; the owner bit is added here. The caller's own buffer
 * is checked like the host would, so a guest bug shows up at the source.
 */
enum vbus_err vbus_ioq_post(struct vbus_ioq *q, u64 offset, u32 len,
			    u16 flags)
{
	struct vbus_seg s = {
		.offset = offset,
		.len = len,
		.flags = flags | VBUS_DESC_F_HOST,
	};
	struct vbus_desc *d;
	enum vbus_err err;

	if (!vbus_ioq_free(q))
		return VBUS_E_FULL;
	err = vbus_ioq_check(q, &s, true);
	if (err)
		return err;
	d = &q->ring->desc[q->head & q->mask];
	vbus_st64(&d->offset, offset);
	vbus_st32(&d->len, len);
	vbus_st16(&d->flags, s.flags);
	q->head++;
	return VBUS_OK;
}

/*
 * Producer: post up to @n empty buffers (the receive refill), each slot
 * its own pool buffer at its full size, not yet visible; returns how many
 * (fewer when the ring is full). The offsets are the pool's by
 * construction, so none is checked one by one as vbus_ioq_post() does.
 */
u32 vbus_ioq_post_empty(struct vbus_ioq *q, u32 n)
{
	u32 i, free = vbus_ioq_free(q);
	struct vbus_desc *d;

	if (n > free)
		n = free;
	for (i = 0; i < n; i++, q->head++) {
		d = &q->ring->desc[q->head & q->mask];
		vbus_st64(&d->offset, vbus_ioq_buf_off(q, q->head));
		vbus_st32(&d->len, q->buf_size);
		vbus_st16(&d->flags, VBUS_DESC_F_HOST);
	}
	return n;
}

/* Producer: make every posted slot visible to the host. */
void vbus_ioq_publish(struct vbus_ioq *q)
{
	vbus_st32_release(&q->ring->head, q->head);
}

/*
 * Producer: take back the oldest slot the host completed. VBUS_E_EMPTY if
 * there is none yet; a checker code if the host handed back garbage.
 */
enum vbus_err vbus_ioq_reclaim(struct vbus_ioq *q, struct vbus_seg *s)
{
	const struct vbus_desc *d;
	enum vbus_err err;

	if (q->tail == q->head)
		return VBUS_E_EMPTY;
	d = &q->ring->desc[q->tail & q->mask];
	if (vbus_ld16_acquire(&d->flags) & VBUS_DESC_F_HOST)
		return VBUS_E_EMPTY;
	vbus_ioq_copy(q, q->tail, s);
	err = vbus_ioq_check(q, s, false);
	if (err)
		return err;
	q->tail++;
	return VBUS_OK;
}

static enum vbus_err vbus_ioq_refresh(struct vbus_ioq *q)
{
	u32 head = vbus_ld32_acquire(&q->ring->head);

	if (head - q->tail > q->mask + 1)
		return VBUS_E_RING_INDEX;
	q->head = head;
	return VBUS_OK;
}

/*
 * Consumer: number of posted slots not yet fetched, from a fresh look at
 * the guest's head (use it for "has the queue drained?" and before
 * deciding to sleep). VBUS_E_RING_INDEX if the guest claims more than a
 * ring's worth.
 */
enum vbus_err vbus_ioq_avail(struct vbus_ioq *q, u32 *n)
{
	enum vbus_err err = vbus_ioq_refresh(q);

	*n = err ? 0 : q->head - q->tail;
	return err;
}

/*
 * Consumer: copy and check the packet (chain) starting at the next slot
 * into @segs (room for @max, at least max_chain). Does not consume: the
 * caller completes each slot with vbus_ioq_complete(). On error nothing
 * changes, the caller decides (count, stop the queue, request a reset).
 */
enum vbus_err vbus_ioq_fetch(struct vbus_ioq *q, struct vbus_seg *segs,
			     u32 max, u32 *nsegs)
{
	enum vbus_err err;
	u32 n, i;

	*nsegs = 0;
	/* the guest publishes whole chains: re-read only when used up */
	if (q->head == q->tail) {
		err = vbus_ioq_refresh(q);
		if (err)
			return err;
	}
	n = q->head - q->tail;
	if (!n)
		return VBUS_E_EMPTY;
	for (i = 0; ; i++) {
		if (i == n)
			return VBUS_E_DESC_TRUNC;
		if (i == q->max_chain)
			return VBUS_E_DESC_CHAIN;
		if (i == max)
			return VBUS_E_INVAL;
		vbus_ioq_copy(q, q->tail + i, &segs[i]);
		err = vbus_ioq_check(q, &segs[i], true);
		if (err)
			return err;
		if (!(segs[i].flags & VBUS_DESC_F_NEXT))
			break;
	}
	*nsegs = i + 1;
	return VBUS_OK;
}

/*
 * Consumer: copy and check the single posted slot @skip places after the
 * next one, without consuming anything: how a receiver gathers buffers
 * for one frame before it fills them. The guest's head is re-read when
 * the slot is not known to be posted yet, and always judged against the
 * real tail, so the window never exceeds a ring. VBUS_E_EMPTY if fewer
 * than @skip + 1 slots are posted.
 */
enum vbus_err vbus_ioq_peek(struct vbus_ioq *q, u32 skip, struct vbus_seg *s)
{
	enum vbus_err err;

	if (skip > q->mask)
		return VBUS_E_INVAL;
	if (q->head - q->tail <= skip) {
		err = vbus_ioq_refresh(q);
		if (err)
			return err;
		if (q->head - q->tail <= skip)
			return VBUS_E_EMPTY;
	}
	vbus_ioq_copy(q, q->tail + skip, s);
	return vbus_ioq_check(q, s, true);
}

/*
 * Consumer: hand the next fetched slot back with @len bytes (RX: bytes
 * written; TX: bytes consumed) and @flags (VBUS_DESC_F_NEXT to continue an
 * RX frame into the next slot).
 */
enum vbus_err vbus_ioq_complete(struct vbus_ioq *q, u32 len, u16 flags)
{
	struct vbus_desc *d;

	if (q->tail == q->head)
		return VBUS_E_EMPTY;
	d = &q->ring->desc[q->tail & q->mask];
	vbus_st32(&d->len, len);
	vbus_st16_release(&d->flags, flags & VBUS_DESC_F_NEXT);
	q->tail++;
	vbus_st32_release(&q->ring->tail, q->tail);
	return VBUS_OK;
}
