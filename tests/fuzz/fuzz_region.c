// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the host-side view of a region a guest has written.
 *
 * The input picks a plan (ring sizes, buffer size, chain limit, devices),
 * the host lays the region out and resets it, then the rest of the input
 * is applied as patches anywhere in the region (header, table, rings,
 * signals, buffers): arbitrary guest writes. The host then runs its
 * paths on its private plan: peek (RX) and fetch/check/copy/complete on
 * every queue, RX fills, signals, mitigation; and the guest's header
 * validator runs on the same bytes, its result used the way a guest
 * would use it.
 *
 * The region is malloc'ed at its exact size, so ASan reports any access
 * past it; in-region accesses outside an accepted buffer are caught by
 * checking every (offset, len) the checker accepted against the plan.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "vbus_ioq.h"
#include "vbus_signal.h"
#include "vbus_txc.h"

#define RSIZE	(64 * 1024ULL)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void die_if(int cond)
{
	if (cond)
		__builtin_trap();
}

/* Host side of one queue: consume everything, like venet-tap would. */
static void host_queue(u8 *base, const struct vbus_queue_layout *ql,
		       u32 nvectors, u32 every, int reset)
{
	static u8 scratch[VBUS_CHAIN_MAX * VBUS_BUF_MAX];
	struct vbus_seg segs[VBUS_CHAIN_MAX];
	struct vbus_txc txc = { .every = every };
	struct vbus_ioq q;
	u32 n, i, left, rounds;
	u64 pool_end;

	if (vbus_ioq_init(&q, base, RSIZE, nvectors, ql))
		return;
	if (reset)
		vbus_ioq_reset(&q);
	pool_end = ql->pool_off + (u64)ql->ring_count * ql->buf_size;
	vbus_signal_ack(&q.ring->to_host);
	vbus_signal_disable(&q.ring->to_host);
	/* venet-tap's RX gather: look ahead without consuming */
	for (i = 0; ql->kind == VBUS_QUEUE_RX && i < ql->max_chain; i++) {
		if (vbus_ioq_peek(&q, i, &segs[i]))
			break;
		die_if(segs[i].offset < ql->pool_off ||
		       segs[i].offset + segs[i].len > pool_end ||
		       q.head - q.tail > ql->ring_count || q.head - q.tail <= i);
	}
	for (rounds = 0; rounds < 4 * (ql->ring_count + 1); rounds++) {
		enum vbus_err e = vbus_ioq_fetch(&q, segs, VBUS_CHAIN_MAX, &n);
		u64 copied = 0;

		if (e)
			break;
		die_if(n == 0 || n > ql->max_chain);
		for (i = 0; i < n; i++) {
			/* every accepted buffer lies inside this queue's pool */
			die_if(segs[i].offset < ql->pool_off ||
			       segs[i].offset + segs[i].len > pool_end ||
			       segs[i].len > ql->buf_size);
			if (ql->kind == VBUS_QUEUE_TX) {
				memcpy(scratch + copied, base + segs[i].offset,
				       segs[i].len);
				copied += segs[i].len;
			} else {
				memset(base + segs[i].offset, 0xa5, segs[i].len);
			}
			vbus_ioq_complete(&q, segs[i].len,
					  i + 1 < n ? VBUS_DESC_F_NEXT : 0);
		}
		left = 0;
		vbus_ioq_avail(&q, &left);
		if (vbus_txc_complete(&txc, 1, !left))
			vbus_signal_inject(&q.ring->to_guest);
	}
	vbus_signal_enable(&q.ring->to_host);
}

/* Guest side: what a guest driver does with the same bytes. */
static void guest_side(u8 *base)
{
	static struct vbus_layout g;
	struct vbus_seg s;
	struct vbus_ioq q;
	u32 d, k, i;

	if (vbus_layout_read(base, RSIZE, &g))
		return;
	die_if(g.ndevices > VBUS_MAX_DEVICES);
	for (d = 0; d < g.ndevices; d++) {
		die_if(g.dev[d].config_off + g.dev[d].config_size > RSIZE);
		for (k = 0; k < g.dev[d].nqueues; k++) {
			/* a validated layout must be usable as is */
			die_if(vbus_ioq_init(&q, base, RSIZE, g.nvectors,
					     &g.dev[d].queue[k]) != VBUS_OK);
			for (i = 0; i < q.mask + 1; i++)
				if (vbus_ioq_reclaim(&q, &s))
					break;
			vbus_signal_enable(&q.ring->to_guest);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vbus_layout plan;
	struct vbus_dev_spec spec[3];
	u32 ndev, nvec, d, k, every;
	size_t pos;
	u8 *base;

	if (size < 6)
		return 0;
	ndev = 1 + data[0] % 3;
	nvec = 1 + data[1] % VBUS_NVECTORS_MAX;
	every = data[5] % 16;
	for (d = 0; d < ndev; d++) {
		spec[d].id = d + 1;
		spec[d].type = VBUS_TYPE_VENET;
		spec[d].config_size = sizeof(struct vbus_net_config);
		spec[d].nqueues = 1 + (data[2] >> d) % 2;
		spec[d].ring_count = 1u << (1 + data[2] % 5);		/* 2..32 */
		spec[d].buf_size = 1u << (6 + data[3] % 5);		/* 64..1024 */
		spec[d].max_chain = 1 + data[4] % spec[d].ring_count;
	}
	if (vbus_layout_plan(&plan, RSIZE, nvec, spec, ndev))
		return 0;

	base = malloc(RSIZE);
	if (!base)
		return 0;
	memset(base, 0, RSIZE);
	vbus_layout_write(base, &plan);
	for (d = 0; d < plan.ndevices; d++)
		for (k = 0; k < plan.dev[d].nqueues; k++) {
			struct vbus_ioq q;

			if (!vbus_ioq_init(&q, base, RSIZE, plan.nvectors,
					   &plan.dev[d].queue[k]))
				vbus_ioq_reset(&q);
		}
	vbus_layout_set_host_state(base, VBUS_STATE_READY, 1);

	/*
	 * Patches: [sel][off lo][off hi][len] data... ; sel picks the base
	 * (header, a ring, a pool), off is relative to it.
	 */
	pos = 6;
	while (pos + 4 <= size) {
		u32 sel = data[pos], off = data[pos + 1] | data[pos + 2] << 8;
		u32 len = data[pos + 3];
		const struct vbus_queue_layout *ql;
		u64 at = 0;

		pos += 4;
		if (len > size - pos)
			len = size - pos;
		d = (sel >> 2) % plan.ndevices;
		k = (sel >> 4) % (plan.dev[d].nqueues ? plan.dev[d].nqueues : 1);
		ql = &plan.dev[d].queue[k];
		switch (sel & 3) {
		case 0: at = 0; break;
		case 1: at = ql->ring_off; break;
		case 2: at = ql->ring_off + sizeof(struct vbus_ioq_ring); break;
		default: at = ql->pool_off; break;
		}
		at = (at + off) % RSIZE;
		if (len > RSIZE - at)
			len = RSIZE - at;
		memcpy(base + at, data + pos, len);
		pos += len;
	}

	for (d = 0; d < plan.ndevices; d++)
		for (k = 0; k < plan.dev[d].nqueues; k++)
			host_queue(base, &plan.dev[d].queue[k], plan.nvectors,
				   every, 0);
	guest_side(base);
	/* and the whole region as raw bytes, header included */
	memcpy(base, data, size < RSIZE ? size : RSIZE);
	guest_side(base);
	for (d = 0; d < plan.ndevices; d++)
		for (k = 0; k < plan.dev[d].nqueues; k++)
			host_queue(base, &plan.dev[d].queue[k], plan.nvectors,
				   every, 0);
	free(base);
	return 0;
}
