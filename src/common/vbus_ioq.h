/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vbus_ioq.h - IOQ ring: the guest posts descriptors (producer), the host
 * consumes and completes them (consumer). TX and RX queues use the same
 * ring: on TX the guest posts full buffers, on RX empty ones.
 *
 * Each side keeps a private struct vbus_ioq built from its own layout
 * (the host's plan, the guest's validated copy); ring geometry is never
 * read back from shared memory. Every shared-memory access goes through
 * q->ring, masked slot indexes, or offsets accepted by vbus_ioq_check().
 */
#ifndef _VBUS_IOQ_H
#define _VBUS_IOQ_H

#include "vbus_layout.h"

struct vbus_ioq {
	struct vbus_ioq_ring *ring;
	u64 region_size;
	u64 pool_off;
	u64 pool_size;
	u32 mask;		/* ring_count - 1 */
	u32 buf_size;
	u32 buf_shift;		/* log2(buf_size) */
	u32 max_chain;
	u32 head;		/* producer: next post; consumer: head seen */
	u32 tail;		/* producer: next reclaim; consumer: next fetch */
};

/* A local, checked copy of one descriptor. */
struct vbus_seg {
	u64 offset;
	u32 len;
	u16 flags;
	u16 slot;		/* ring slot it came from */
};

/* vbus_ioq.c APIs: */
enum vbus_err vbus_ioq_init(struct vbus_ioq *q, void *base, u64 region_size,
			    u32 nvectors, const struct vbus_queue_layout *ql);
void vbus_ioq_reset(struct vbus_ioq *q);
enum vbus_err vbus_ioq_check(const struct vbus_ioq *q,
			     const struct vbus_seg *s, bool posted);
/* producer (guest) */
u32 vbus_ioq_free(const struct vbus_ioq *q);
enum vbus_err vbus_ioq_post(struct vbus_ioq *q, u64 offset, u32 len,
			    u16 flags);
u32 vbus_ioq_post_empty(struct vbus_ioq *q, u32 n);
void vbus_ioq_publish(struct vbus_ioq *q);
enum vbus_err vbus_ioq_reclaim(struct vbus_ioq *q, struct vbus_seg *s);
/* consumer (host) */
enum vbus_err vbus_ioq_avail(struct vbus_ioq *q, u32 *n);
enum vbus_err vbus_ioq_fetch(struct vbus_ioq *q, struct vbus_seg *segs,
			     u32 max, u32 *nsegs);
enum vbus_err vbus_ioq_peek(struct vbus_ioq *q, u32 skip, struct vbus_seg *s);
enum vbus_err vbus_ioq_complete(struct vbus_ioq *q, u32 len, u16 flags);

static inline u64 vbus_ioq_buf_off(const struct vbus_ioq *q, u32 i)
{
	return q->pool_off + ((u64)(i & q->mask) << q->buf_shift);
}

#endif /* _VBUS_IOQ_H */
