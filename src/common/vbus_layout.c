// SPDX-License-Identifier: GPL-2.0
/*
 * vbus_layout.c - plan, check, write and read the layout of a region.
 *
 * Pure functions over struct vbus_layout, plus the two that move it to and
 * from shared memory. vbus_layout_read() copies every shared field exactly
 * once and checks only the copy, so a peer that rewrites the region while
 * it is being read gets a consistent (possibly rejected) answer.
 */
#include "vbus_layout.h"

struct vbus_extent {
	u64 off;
	u64 len;
};

static u64 vbus_align(u64 v, u64 a)
{
	return (v + a - 1) & ~(a - 1);
}

u64 vbus_ring_bytes(u32 ring_count)
{
	return sizeof(struct vbus_ioq_ring) +
	       (u64)ring_count * sizeof(struct vbus_desc);
}

static u64 vbus_table_bytes(const struct vbus_layout *l)
{
	return (u64)l->ndevices * l->entry_size;
}

/* Queues a device table entry of @entry_size bytes holds; 0: not an entry. */
u32 vbus_layout_queues_max(u32 entry_size)
{
	if (entry_size == VBUS_DEV_ENTRY_V1)
		return 2;
	if (entry_size == sizeof(struct vbus_dev_entry))
		return VBUS_DEV_MAX_QUEUES;
	return 0;
}

/* The smallest entry that holds every device's queues. */
static u32 vbus_layout_entry_size(const struct vbus_layout *l)
{
	u32 d;

	for (d = 0; d < l->ndevices; d++)
		if (l->dev[d].nqueues > 2)
			return sizeof(struct vbus_dev_entry);
	return VBUS_DEV_ENTRY_V1;
}

enum vbus_err vbus_queue_layout_check(const struct vbus_queue_layout *q,
				      u64 region_size, u32 nvectors)
{
	u64 pool_size;

	if (q->ring_count < VBUS_RING_MIN || q->ring_count > VBUS_RING_MAX ||
	    !vbus_is_pow2(q->ring_count))
		return VBUS_E_RING_COUNT;
	if (q->buf_size < VBUS_BUF_MIN || q->buf_size > VBUS_BUF_MAX ||
	    !vbus_is_pow2(q->buf_size))
		return VBUS_E_BUF_SIZE;
	if (q->vector == VBUS_CTRL_VECTOR || q->vector >= nvectors)
		return VBUS_E_VECTOR;
	if (q->kind != VBUS_QUEUE_TX && q->kind != VBUS_QUEUE_RX)
		return VBUS_E_QUEUE_KIND;
	if (!q->max_chain || q->max_chain > q->ring_count ||
	    q->max_chain > VBUS_CHAIN_MAX)
		return VBUS_E_MAX_CHAIN;
	if ((q->ring_off | q->pool_off) & (VBUS_CACHELINE - 1))
		return VBUS_E_ALIGN;
	if (!vbus_range_ok(q->ring_off, vbus_ring_bytes(q->ring_count),
			   0, region_size))
		return VBUS_E_RING_RANGE;
	pool_size = (u64)q->ring_count * q->buf_size;
	if (!vbus_range_ok(q->pool_off, pool_size, 0, region_size))
		return VBUS_E_POOL_RANGE;
	return VBUS_OK;
}

/*
 * Extent @i of a layout, in the order: header and device table, then per
 * device its config block and per queue its ring and its pool. Computed,
 * not stored: up to 2 + 16 * 17 of them would not fit a kernel stack.
 * False past the last one.
 */
static bool vbus_extent_at(const struct vbus_layout *l, u32 i,
			   struct vbus_extent *e)
{
	const struct vbus_queue_layout *q;
	u32 d, n;

	if (!i) {
		e->off = 0;
		e->len = sizeof(struct vbus_shm_header) + vbus_table_bytes(l);
		return true;
	}
	i--;
	for (d = 0; d < l->ndevices; d++) {
		n = 1 + 2 * l->dev[d].nqueues;
		if (i >= n) {
			i -= n;
			continue;
		}
		if (!i) {
			e->off = l->dev[d].config_off;
			e->len = l->dev[d].config_size;
			return true;
		}
		q = &l->dev[d].queue[(i - 1) / 2];
		if (i & 1) {
			e->off = q->ring_off;
			e->len = vbus_ring_bytes(q->ring_count);
		} else {
			e->off = q->pool_off;
			e->len = (u64)q->ring_count * q->buf_size;
		}
		return true;
	}
	return false;
}

static bool vbus_extents_overlap(const struct vbus_layout *l)
{
	struct vbus_extent a, b;
	u32 i, j;

	for (i = 0; vbus_extent_at(l, i, &a); i++)
		for (j = i + 1; vbus_extent_at(l, j, &b); j++)
			if (a.off < b.off + b.len && b.off < a.off + a.len)
				return true;
	return false;
}

static bool vbus_type_ok(const char *type)
{
	u32 i;

	if (!type[0])
		return false;
	for (i = 1; i < VBUS_TYPE_LEN; i++)
		if (!type[i])
			return true;
	return false;
}

/*
 * Everything a consumer of the layout relies on: ranges inside the region,
 * alignment, counts, vectors, unique ids, no two extents overlapping.
 */
enum vbus_err vbus_layout_check(const struct vbus_layout *l)
{
	u32 d, k, qmax = vbus_layout_queues_max(l->entry_size);
	enum vbus_err err;

	if (!vbus_is_pow2(l->region_size) || l->region_size < VBUS_REGION_MIN ||
	    l->region_size > VBUS_REGION_MAX)
		return VBUS_E_REGION_SIZE;
	if (l->nvectors < 1 || l->nvectors > VBUS_NVECTORS_MAX)
		return VBUS_E_NVECTORS;
	if (l->ndevices > VBUS_MAX_DEVICES)
		return VBUS_E_NDEVICES;
	if (l->layout_end > l->region_size)
		return VBUS_E_NOSPACE;
	if (!qmax)
		return VBUS_E_HDR_SIZE;

	for (d = 0; d < l->ndevices; d++) {
		const struct vbus_dev_layout *dev = &l->dev[d];

		if (!vbus_type_ok(dev->type))
			return VBUS_E_DEV_TYPE;
		for (k = 0; k < d; k++)
			if (l->dev[k].id == dev->id)
				return VBUS_E_DEV_ID;
		if (dev->nqueues > qmax)
			return VBUS_E_NQUEUES;
		if (dev->config_off & (VBUS_CACHELINE - 1))
			return VBUS_E_ALIGN;
		if (!vbus_range_ok(dev->config_off, dev->config_size, 0,
				   l->region_size))
			return VBUS_E_CONFIG_RANGE;
		for (k = 0; k < dev->nqueues; k++) {
			err = vbus_queue_layout_check(&dev->queue[k],
						      l->region_size,
						      l->nvectors);
			if (err)
				return err;
		}
	}
	if (vbus_extents_overlap(l))
		return VBUS_E_OVERLAP;
	return VBUS_OK;
}

/*
 * Host: lay out @ndevs devices in a region of @region_size bytes with
 * @nvectors interrupt vectors (vector 0 reserved for bus control; the
 * queues of a device with its own vectors (spec nvectors) on those, the
 * others round-robin over all but 0; even queues TX, odd ones RX). Order:
 * header, device table, config blocks,
 * rings, buffer pools; each section page-aligned. Pure: only writes @out.
 */
/* The plan with device d's queues of kind k at rings[d][k] descriptors. */
static enum vbus_err vbus_layout_plan_rings(struct vbus_layout *out,
					    u64 region_size, u32 nvectors,
					    const struct vbus_dev_spec *devs,
					    u32 ndevs, const u32 (*rings)[2])
{
	u64 pos;
	u32 d, k, nq = 0, vbase = 0;

	memset(out, 0, sizeof(*out));
	if (ndevs > VBUS_MAX_DEVICES)
		return VBUS_E_NDEVICES;
	if (nvectors < 1 || nvectors > VBUS_NVECTORS_MAX)
		return VBUS_E_NVECTORS;
	if (!vbus_is_pow2(region_size) || region_size < VBUS_REGION_MIN ||
	    region_size > VBUS_REGION_MAX)
		return VBUS_E_REGION_SIZE;
	out->region_size = region_size;
	out->nvectors = nvectors;
	out->ndevices = ndevs;
	for (d = 0; d < ndevs; d++) {
		if (devs[d].nqueues > VBUS_DEV_MAX_QUEUES)
			return VBUS_E_NQUEUES;
		out->dev[d].nqueues = devs[d].nqueues;
	}
	out->entry_size = vbus_layout_entry_size(out);

	pos = sizeof(struct vbus_shm_header) + vbus_table_bytes(out);
	pos = vbus_align(pos, VBUS_PAGE);
	for (d = 0; d < ndevs; d++) {
		const struct vbus_dev_spec *s = &devs[d];
		struct vbus_dev_layout *dev = &out->dev[d];

		if (!s->type || !s->type[0] ||
		    strlen(s->type) >= VBUS_TYPE_LEN)
			return VBUS_E_DEV_TYPE;
		if (s->nqueues > VBUS_DEV_MAX_QUEUES)
			return VBUS_E_NQUEUES;
		if (s->config_size > VBUS_PAGE)
			return VBUS_E_INVAL;
		dev->id = s->id;
		memcpy(dev->type, s->type, strlen(s->type) + 1);
		dev->config_off = pos;
		dev->config_size = s->config_size;
		dev->nqueues = s->nqueues;
		pos = vbus_align(pos + s->config_size, VBUS_CACHELINE);
	}
	pos = vbus_align(pos, VBUS_PAGE);
	for (d = 0; d < ndevs; d++) {
		for (k = 0; k < devs[d].nqueues; k++) {
			struct vbus_queue_layout *q = &out->dev[d].queue[k];

			if (rings[d][k & 1] > VBUS_RING_MAX ||
			    devs[d].max_chain > VBUS_CHAIN_MAX)
				return VBUS_E_INVAL;
			if (nvectors < 2)
				return VBUS_E_NVECTORS;
			q->ring_count = rings[d][k & 1];
			q->buf_size = devs[d].buf_size;
			q->max_chain = devs[d].max_chain;
			q->kind = k & 1 ? VBUS_QUEUE_RX : VBUS_QUEUE_TX;
			if (devs[d].nvectors)
				q->vector = 1 + (vbase + k * devs[d].nvectors /
						 devs[d].nqueues) %
					    (nvectors - 1);
			else
				q->vector = 1 + nq++ % (nvectors - 1);
			q->ring_off = pos;
			pos = vbus_align(pos + vbus_ring_bytes(q->ring_count),
					 VBUS_CACHELINE);
		}
		vbase += devs[d].nvectors;
	}
	pos = vbus_align(pos, VBUS_PAGE);
	for (d = 0; d < ndevs; d++) {
		for (k = 0; k < devs[d].nqueues; k++) {
			struct vbus_queue_layout *q = &out->dev[d].queue[k];

			if (q->buf_size > VBUS_BUF_MAX)
				return VBUS_E_BUF_SIZE;
			q->pool_off = pos;
			pos += (u64)q->ring_count * q->buf_size;
			pos = vbus_align(pos, VBUS_PAGE);
			if (pos > region_size)
				return VBUS_E_NOSPACE;
		}
	}
	if (pos > region_size)
		return VBUS_E_NOSPACE;
	out->layout_end = pos;
	return vbus_layout_check(out);
}

/*
 * Host: (re)write the header and the device table from its private plan,
 * host_state left INIT; the guest's liveness words, the signals, the
 * config blocks and the rings are not touched. At attach through
 * vbus_layout_write(); again whenever the guest lets go of the region, so
 * that whatever it wrote over the host's part is gone before it binds
 * again.
 */
void vbus_layout_publish(void *base, const struct vbus_layout *l)
{
	struct vbus_shm_header *h = base;
	u32 d, k;

	vbus_st32(&h->host_state, VBUS_STATE_INIT);
	/* a guest must see INIT before any half-written table */
	vbus_mb();
	h->magic = cpu_to_le32(VBUS_SHM_MAGIC);
	h->abi_major = cpu_to_le16(VBUS_ABI_MAJOR);
	h->abi_minor = cpu_to_le16(VBUS_ABI_MINOR);
	h->region_size = cpu_to_le64(l->region_size);
	h->header_size = cpu_to_le32(sizeof(*h));
	h->dev_entry_size = cpu_to_le32(l->entry_size);
	h->dev_table_off = cpu_to_le32(sizeof(*h));
	h->ndevices = cpu_to_le32(l->ndevices);
	h->nvectors = cpu_to_le32(l->nvectors);
	h->flags = 0;
	h->layout_end = cpu_to_le64(l->layout_end);
	memset(h->reserved, 0, sizeof(h->reserved));

	memset((u8 *)base + sizeof(*h), 0, vbus_table_bytes(l));
	for (d = 0; d < l->ndevices; d++) {
		const struct vbus_dev_layout *dev = &l->dev[d];
		/* entries of l->entry_size bytes: queue[] may end early */
		struct vbus_dev_entry *e =
			(struct vbus_dev_entry *)((u8 *)base + sizeof(*h) +
						  (u64)d * l->entry_size);

		e->id = cpu_to_le32(dev->id);
		memcpy(e->type, dev->type, VBUS_TYPE_LEN);
		e->config_off = cpu_to_le64(dev->config_off);
		e->config_size = cpu_to_le32(dev->config_size);
		e->nqueues = cpu_to_le16(dev->nqueues);
		for (k = 0; k < dev->nqueues; k++) {
			const struct vbus_queue_layout *q = &dev->queue[k];
			struct vbus_queue_desc *qd = &e->queue[k];

			qd->ring_off = cpu_to_le64(q->ring_off);
			qd->pool_off = cpu_to_le64(q->pool_off);
			qd->ring_count = cpu_to_le32(q->ring_count);
			qd->buf_size = cpu_to_le32(q->buf_size);
			qd->vector = cpu_to_le16(q->vector);
			qd->kind = cpu_to_le16(q->kind);
			qd->max_chain = cpu_to_le16(q->max_chain);
		}
	}
}

/*
 * Host, at attach: vbus_layout_publish() and zeroed config blocks.
 * host_state is left INIT; rings are reset per queue with
 * vbus_ioq_reset(), then vbus_layout_set_host_state(READY) publishes.
 */
void vbus_layout_write(void *base, const struct vbus_layout *l)
{
	u32 d;

	vbus_layout_publish(base, l);
	for (d = 0; d < l->ndevices; d++)
		memset((u8 *)base + l->dev[d].config_off, 0,
		       l->dev[d].config_size);
}

static void vbus_queue_read(const struct vbus_queue_desc *qd,
			    struct vbus_queue_layout *q)
{
	q->ring_off = vbus_ld64(&qd->ring_off);
	q->pool_off = vbus_ld64(&qd->pool_off);
	q->ring_count = vbus_ld32(&qd->ring_count);
	q->buf_size = vbus_ld32(&qd->buf_size);
	q->vector = vbus_ld16(&qd->vector);
	q->kind = vbus_ld16(&qd->kind);
	q->max_chain = vbus_ld16(&qd->max_chain);
}

/*
 * Guest: validate the header of a region of @region_size bytes (the BAR2
 * size, not the header's claim) and copy the layout into @out. Reads only
 * inside the region, each field once. The caller should compare host_gen
 * before and after to detect a concurrent host reset.
 */
enum vbus_err vbus_layout_read(const void *base, u64 region_size,
			       struct vbus_layout *out)
{
	const struct vbus_shm_header *h = base;
	const struct vbus_dev_entry *e;
	u32 table_off, d, k, i, qmax;

	memset(out, 0, sizeof(*out));
	if (!vbus_is_pow2(region_size) || region_size < VBUS_REGION_MIN ||
	    region_size > VBUS_REGION_MAX)
		return VBUS_E_REGION_SIZE;
	if (vbus_ld32(&h->magic) != VBUS_SHM_MAGIC)
		return VBUS_E_MAGIC;
	if (vbus_ld16(&h->abi_major) != VBUS_ABI_MAJOR)
		return VBUS_E_VERSION;
	if (vbus_ld64(&h->region_size) != region_size)
		return VBUS_E_REGION_SIZE;
	out->entry_size = vbus_ld32(&h->dev_entry_size);
	qmax = vbus_layout_queues_max(out->entry_size);
	if (vbus_ld32(&h->header_size) != sizeof(*h) || !qmax)
		return VBUS_E_HDR_SIZE;
	if (vbus_ld32_acquire(&h->host_state) != VBUS_STATE_READY)
		return VBUS_E_NOT_READY;
	out->region_size = region_size;
	out->ndevices = vbus_ld32(&h->ndevices);
	out->nvectors = vbus_ld32(&h->nvectors);
	out->layout_end = vbus_ld64(&h->layout_end);
	if (out->ndevices > VBUS_MAX_DEVICES)
		return VBUS_E_NDEVICES;
	table_off = vbus_ld32(&h->dev_table_off);
	if (table_off != sizeof(*h))
		return VBUS_E_DEV_TABLE;
	/* the table is inside the smallest region: 256 + 16 * 320 bytes */
	for (d = 0; d < out->ndevices; d++) {
		struct vbus_dev_layout *dev = &out->dev[d];

		e = (const struct vbus_dev_entry *)((const u8 *)base + table_off +
						    (u64)d * out->entry_size);
		dev->id = vbus_ld32(&e->id);
		for (i = 0; i < VBUS_TYPE_LEN; i++)
			dev->type[i] = VBUS_READ_ONCE(e->type[i]);
		dev->config_off = vbus_ld64(&e->config_off);
		dev->config_size = vbus_ld32(&e->config_size);
		dev->nqueues = vbus_ld16(&e->nqueues);
		if (dev->nqueues > qmax)
			return VBUS_E_NQUEUES;
		for (k = 0; k < dev->nqueues; k++)
			vbus_queue_read(&e->queue[k], &dev->queue[k]);
	}
	return vbus_layout_check(out);
}

/* Liveness words: each side writes only its own pair, state last. */
void vbus_layout_set_host_state(void *base, enum vbus_state state, u32 gen)
{
	struct vbus_shm_header *h = base;

	vbus_st32(&h->host_gen, gen);
	vbus_st32_release(&h->host_state, state);
}

void vbus_layout_set_guest_state(void *base, enum vbus_state state, u32 gen)
{
	struct vbus_shm_header *h = base;

	vbus_st32(&h->guest_gen, gen);
	vbus_st32_release(&h->guest_state, state);
}

u32 vbus_layout_host_state(const void *base, u32 *gen)
{
	const struct vbus_shm_header *h = base;
	u32 state = vbus_ld32_acquire(&h->host_state);

	*gen = vbus_ld32(&h->host_gen);
	return state;
}

u32 vbus_layout_guest_state(const void *base, u32 *gen)
{
	const struct vbus_shm_header *h = base;
	u32 state = vbus_ld32_acquire(&h->guest_state);

	*gen = vbus_ld32(&h->guest_gen);
	return state;
}

/*
 * The reset handshake (ABI 1.1, docs/abi.md section 2). Host: it has
 * reset everything a guest let go of under @guest_gen (guest_state not
 * READY); call before vbus_layout_set_host_state(READY), whose release
 * store publishes it.
 */
void vbus_layout_set_host_ack(void *base, u32 guest_gen)
{
	struct vbus_shm_header *h = base;

	vbus_st32(&h->host_ack_gen, guest_gen);
}

/*
 * Guest, having let go under @guest_gen: may it bind again? Only once the
 * host is READY having acknowledged that let-go; a host of ABI 1.0 never
 * acknowledges, and is not waited for.
 */
bool vbus_layout_host_acked(const void *base, u32 guest_gen)
{
	const struct vbus_shm_header *h = base;

	if (vbus_ld32_acquire(&h->host_state) != VBUS_STATE_READY)
		return false;
	if (vbus_ld16(&h->abi_minor) < 1)
		return true;
	return vbus_ld32(&h->host_ack_gen) == guest_gen;
}

enum vbus_err vbus_layout_plan(struct vbus_layout *out, u64 region_size,
			       u32 nvectors, const struct vbus_dev_spec *devs,
			       u32 ndevs)
{
	u32 rings[VBUS_MAX_DEVICES][2];
	enum vbus_err err;
	u32 d, k, bd, bk;

	if (ndevs > VBUS_MAX_DEVICES)
		return VBUS_E_NDEVICES;
	for (d = 0; d < ndevs; d++) {
		rings[d][0] = devs[d].ring_count;
		if (devs[d].ring_max > rings[d][0]) {
			if (devs[d].ring_max > VBUS_RING_MAX ||
			    !vbus_is_pow2(devs[d].ring_max) ||
			    !vbus_is_pow2(rings[d][0]))
				return VBUS_E_RING_COUNT;
			rings[d][0] = devs[d].ring_max;
		}
		rings[d][1] = rings[d][0];
	}
	for (;;) {
		err = vbus_layout_plan_rings(out, region_size, nvectors, devs,
					     ndevs, rings);
		if (err != VBUS_E_NOSPACE)
			return err;
		/* the largest; on a tie the last device's, its TX rings first */
		bd = ndevs;
		bk = 0;
		for (d = 0; d < ndevs; d++)
			for (k = 2; k-- > 0;)
				if (rings[d][k] > devs[d].ring_count &&
				    (bd == ndevs || rings[d][k] >= rings[bd][bk])) {
					bd = d;
					bk = k;
				}
		if (bd == ndevs)
			return VBUS_E_NOSPACE;
		rings[bd][bk] /= 2;
	}
}
