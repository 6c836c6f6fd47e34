// SPDX-License-Identifier: GPL-2.0
/*
 * IOQ ring: basic flow, wrap-around, and the checker: every class of
 * malformed guest-written value yields its own code and changes nothing.
 */
#include <string.h>
#include "harness.h"
#include "vbus_ioq.h"

#define RSIZE (64 * 1024ULL)
#define RING 8
#define BUF 256
#define CHAIN 4

struct fix {
	struct region r;
	struct vbus_layout l;
	struct vbus_ioq host, guest;
};

static int fix_init(struct fix *f)
{
	struct vbus_dev_spec s = {
		.id = 1, .type = "test", .config_size = 0, .nqueues = 1,
		.ring_count = RING, .buf_size = BUF, .max_chain = CHAIN,
	};
	static struct vbus_layout g;

	if (region_alloc(&f->r, RSIZE))
		return -1;
	if (vbus_layout_plan(&f->l, RSIZE, 2, &s, 1))
		return -1;
	vbus_layout_write(f->r.base, &f->l);
	if (vbus_ioq_init(&f->host, f->r.base, RSIZE, 2, &f->l.dev[0].queue[0]))
		return -1;
	vbus_ioq_reset(&f->host);
	vbus_layout_set_host_state(f->r.base, VBUS_STATE_READY, 1);
	if (vbus_layout_read(f->r.base, RSIZE, &g))
		return -1;
	return vbus_ioq_init(&f->guest, f->r.base, RSIZE, g.nvectors,
			     &g.dev[0].queue[0]) ? -1 : 0;
}

static int t_flow(struct tctx *t)
{
	static struct fix f;
	struct vbus_seg segs[CHAIN], s;
	u32 n, i;
	enum vbus_err e;
	int rc = T_PASS;

	TCHECK(t, !fix_init(&f), "setup");
	TCHECK(t, vbus_ioq_fetch(&f.host, segs, CHAIN, &n) == VBUS_E_EMPTY, "empty");
	for (i = 0; i < 3; i++) {
		e = vbus_ioq_post(&f.guest, vbus_ioq_buf_off(&f.guest, i),
				  100 + i, i < 2 ? VBUS_DESC_F_NEXT : 0);
		if (e)
			rc = TFAIL(t, "post %u: %s", i, vbus_err_name(e));
	}
	/* not visible before publish */
	if (rc == T_PASS && vbus_ioq_fetch(&f.host, segs, CHAIN, &n) != VBUS_E_EMPTY)
		rc = TFAIL(t, "visible before publish");
	vbus_ioq_publish(&f.guest);
	e = vbus_ioq_fetch(&f.host, segs, CHAIN, &n);
	if (rc == T_PASS && (e || n != 3))
		rc = TFAIL(t, "fetch: %s n=%u", vbus_err_name(e), n);
	for (i = 0; rc == T_PASS && i < 3; i++) {
		if (segs[i].len != 100 + i || segs[i].slot != i ||
		    segs[i].offset != f.l.dev[0].queue[0].pool_off + i * BUF)
			rc = TFAIL(t, "seg %u wrong", i);
		vbus_ioq_complete(&f.host, 50 + i, 0);
	}
	if (rc == T_PASS && vbus_ioq_complete(&f.host, 0, 0) != VBUS_E_EMPTY)
		rc = TFAIL(t, "complete beyond fetched");
	for (i = 0; rc == T_PASS && i < 3; i++) {
		e = vbus_ioq_reclaim(&f.guest, &s);
		if (e || s.len != 50 + i || s.flags)
			rc = TFAIL(t, "reclaim %u: %s len %u", i, vbus_err_name(e), s.len);
	}
	if (rc == T_PASS && vbus_ioq_reclaim(&f.guest, &s) != VBUS_E_EMPTY)
		rc = TFAIL(t, "reclaim past head");
	for (i = 0; rc == T_PASS && i < RING; i++)
		if (vbus_ioq_post(&f.guest, vbus_ioq_buf_off(&f.guest, i), 1, 0))
			rc = TFAIL(t, "post %u", i);
	if (rc == T_PASS && vbus_ioq_post(&f.guest, vbus_ioq_buf_off(&f.guest, 0),
					  1, 0) != VBUS_E_FULL)
		rc = TFAIL(t, "not full");
	region_free(&f.r);
	return rc;
}

/* Free-running indexes across the 2^32 wrap, random chains, RX-style NEXT. */
static int t_wrap(struct tctx *t)
{
	static struct fix f;
	struct vbus_seg segs[CHAIN], s;
	u32 start = 0xfffffff0u, it, i, n, rnd = 12345, posted_len[RING];
	enum vbus_err e;
	int rc = T_PASS;

	TCHECK(t, !fix_init(&f), "setup");
	f.guest.head = f.guest.tail = f.host.head = f.host.tail = start;
	vbus_st32(&f.host.ring->head, start);
	vbus_st32(&f.host.ring->tail, start);
	for (it = 0; it < 20000 && rc == T_PASS; it++) {
		u32 k = 1 + (rnd = rnd * 1103515245 + 12345) % CHAIN;

		if (vbus_ioq_free(&f.guest) < k)
			k = vbus_ioq_free(&f.guest);
		for (i = 0; i < k; i++) {
			u32 len = 1 + (rnd >> 8) % BUF;

			posted_len[f.guest.head & (RING - 1)] = len;
			e = vbus_ioq_post(&f.guest, vbus_ioq_buf_off(&f.guest, f.guest.head),
					  len, i + 1 < k ? VBUS_DESC_F_NEXT : 0);
			if (e)
				rc = TFAIL(t, "post: %s", vbus_err_name(e));
		}
		vbus_ioq_publish(&f.guest);
		while (rc == T_PASS && !(e = vbus_ioq_fetch(&f.host, segs, CHAIN, &n))) {
			for (i = 0; i < n; i++) {
				if (segs[i].len != posted_len[segs[i].slot])
					rc = TFAIL(t, "len mismatch");
				vbus_ioq_complete(&f.host, segs[i].len,
						  segs[i].flags & VBUS_DESC_F_NEXT);
			}
		}
		if (rc == T_PASS && e != VBUS_E_EMPTY)
			rc = TFAIL(t, "fetch: %s", vbus_err_name(e));
		/* reclaim only some, to keep partial rings around */
		for (i = 0; rc == T_PASS && i < (rnd >> 20) % (RING + 1); i++) {
			e = vbus_ioq_reclaim(&f.guest, &s);
			if (e == VBUS_E_EMPTY)
				break;
			if (e || s.len != posted_len[s.slot])
				rc = TFAIL(t, "reclaim: %s", vbus_err_name(e));
		}
	}
	if (rc == T_PASS && f.host.tail - start < 20000)
		rc = TFAIL(t, "only %u slots moved", f.host.tail - start);
	region_free(&f.r);
	return rc;
}

/* A hostile guest writes slot @i of the ring directly. */
static void raw(struct fix *f, u32 i, u64 off, u32 len, u16 flags)
{
	struct vbus_desc *d = &f->host.ring->desc[i & (RING - 1)];

	d->offset = cpu_to_le64(off);
	d->len = cpu_to_le32(len);
	d->flags = cpu_to_le16(flags);
}

struct bad {
	const char *what;
	int nd;			/* descriptors written, all in one packet */
	u64 off;		/* 0: a good one for the slot */
	u32 len;		/* 0: 10 (use EMPTY case for a real 0) */
	u16 flags;		/* flags of every descriptor */
	u32 head;		/* published head, 0: nd */
	enum vbus_err want;
};

#define HF VBUS_DESC_F_HOST
#define NF VBUS_DESC_F_NEXT
#define POOL(f) ((f)->l.dev[0].queue[0].pool_off)

static int t_checker(struct tctx *t)
{
	static struct fix f;
	const struct bad cases[] = {
		{ "flags", 1, 0, 0, HF | 0x8, 0, VBUS_E_DESC_FLAGS },
		{ "flags_hi", 1, 0, 0, HF | 0x8000, 0, VBUS_E_DESC_FLAGS },
		{ "owner", 1, 0, 0, 0, 0, VBUS_E_DESC_OWNER },
		{ "offset", 1, RSIZE + BUF, 0, HF, 0, VBUS_E_DESC_OFFSET },
		{ "offset_max", 1, ~0ULL, 0, HF, 0, VBUS_E_DESC_OFFSET },
		{ "offset_wrap", 1, ~0ULL - 5, 100, HF, 0, VBUS_E_DESC_OFFSET },
		{ "pool_header", 1, 64, 0, HF, 0, VBUS_E_DESC_POOL },
		{ "pool_past", 1, 1, 0, HF, 0, VBUS_E_DESC_POOL },
		{ "align", 1, 8, 0, HF, 0, VBUS_E_DESC_ALIGN },
		{ "empty", 1, 0, 0xdead, HF, 0, VBUS_E_DESC_EMPTY },
		{ "len", 1, 0, BUF + 1, HF, 0, VBUS_E_DESC_LEN },
		{ "len_max", 1, 0, 0xffffffffu, HF, 0, VBUS_E_DESC_LEN },
		{ "chain", CHAIN + 1, 0, 0, HF | NF, 0, VBUS_E_DESC_CHAIN },
		{ "trunc", 2, 0, 0, HF | NF, 0, VBUS_E_DESC_TRUNC },
		{ "index", 1, 0, 0, HF, RING + 1, VBUS_E_RING_INDEX },
		{ "index_neg", 1, 0, 0, HF, 0xffffffffu, VBUS_E_RING_INDEX },
	};
	struct vbus_seg segs[CHAIN + 1];
	size_t c;
	u64 codes = 0;
	int rc = T_PASS, want_codes = 0;

	TCHECK(t, !fix_init(&f), "setup");
	for (c = 0; c < sizeof(cases) / sizeof(cases[0]) && rc == T_PASS; c++) {
		const struct bad *b = &cases[c];
		u64 off;
		u32 i, n = 99, len;
		enum vbus_err e;

		vbus_ioq_reset(&f.host);
		for (i = 0; i < (u32)b->nd; i++) {
			off = POOL(&f) + i * BUF;
			if (b->off == 1)
				off = POOL(&f) + RING * BUF;
			else if (b->off == 8)
				off += 8;
			else if (b->off)
				off = b->off;
			len = b->len == 0xdead ? 0 : b->len ? b->len : 10;
			/* the last one of a chain ends it, unless truncated */
			raw(&f, i, off, len,
			    i + 1 == (u32)b->nd && b->want != VBUS_E_DESC_TRUNC ?
			    (b->flags & ~NF) : b->flags);
		}
		vbus_st32(&f.host.ring->head, b->head ? b->head : (u32)b->nd);
		e = vbus_ioq_fetch(&f.host, segs, CHAIN + 1, &n);
		if (e != b->want)
			rc = TFAIL(t, "%s: got %s want %s", b->what,
				   vbus_err_name(e), vbus_err_name(b->want));
		else if (n != 0 || f.host.tail != 0)
			rc = TFAIL(t, "%s: state changed on error", b->what);
		else if (b->want == VBUS_E_RING_INDEX &&
			 vbus_ioq_complete(&f.host, 0, 0) != VBUS_E_EMPTY)
			rc = TFAIL(t, "%s: completable after bad head", b->what);
		if (!(codes & (1ULL << b->want)))
			want_codes++;
		codes |= 1ULL << b->want;
	}
	/* a repaired descriptor is then accepted */
	if (rc == T_PASS) {
		u32 n;
		enum vbus_err e;

		vbus_ioq_reset(&f.host);
		raw(&f, 0, POOL(&f), 10, HF | 0x8);
		vbus_st32(&f.host.ring->head, 1);
		e = vbus_ioq_fetch(&f.host, segs, CHAIN, &n);
		raw(&f, 0, POOL(&f), 10, HF);
		if (e != VBUS_E_DESC_FLAGS || vbus_ioq_fetch(&f.host, segs, CHAIN, &n) ||
		    n != 1)
			rc = TFAIL(t, "repair not accepted");
	}
	region_free(&f.r);
	if (rc == T_PASS && want_codes != 10)
		rc = TFAIL(t, "%d distinct codes, want 10", want_codes);
	return rc;
}

/* The guest checks what the host hands back, and its own posts. */
static int t_guest_checks(struct tctx *t)
{
	static struct fix f;
	struct vbus_seg s, segs[CHAIN];
	u32 n;
	enum vbus_err e1, e2, e3, e4;

	TCHECK(t, !fix_init(&f), "setup");
	e1 = vbus_ioq_post(&f.guest, POOL(&f) + 3, 10, 0);
	e2 = vbus_ioq_post(&f.guest, POOL(&f), BUF + 1, 0);
	e3 = vbus_ioq_post(&f.guest, POOL(&f), 10, 0x40);
	vbus_ioq_post(&f.guest, POOL(&f), 10, 0);
	vbus_ioq_publish(&f.guest);
	vbus_ioq_fetch(&f.host, segs, CHAIN, &n);
	vbus_ioq_complete(&f.host, BUF * 2, 0);	/* host lies about length */
	e4 = vbus_ioq_reclaim(&f.guest, &s);
	region_free(&f.r);
	TCHECK(t, e1 == VBUS_E_DESC_ALIGN, "align: %s", vbus_err_name(e1));
	TCHECK(t, e2 == VBUS_E_DESC_LEN, "len: %s", vbus_err_name(e2));
	TCHECK(t, e3 == VBUS_E_DESC_FLAGS, "flags: %s", vbus_err_name(e3));
	TCHECK(t, e4 == VBUS_E_DESC_LEN, "reclaim: %s", vbus_err_name(e4));
	return T_PASS;
}

/* The host acts on its copy: rewriting the slot after fetch changes nothing. */
static int t_copy_then_check(struct tctx *t)
{
	static struct fix f;
	struct vbus_seg segs[CHAIN];
	u32 n;
	enum vbus_err e;

	TCHECK(t, !fix_init(&f), "setup");
	vbus_ioq_post(&f.guest, POOL(&f), 10, 0);
	vbus_ioq_publish(&f.guest);
	e = vbus_ioq_fetch(&f.host, segs, CHAIN, &n);
	raw(&f, 0, ~0ULL, ~0U, HF);
	region_free(&f.r);
	TCHECK(t, !e && n == 1, "fetch %s", vbus_err_name(e));
	TCHECK(t, segs[0].offset == f.l.dev[0].queue[0].pool_off &&
	       segs[0].len == 10, "copy changed");
	return T_PASS;
}

/*
 * Peek (a receiver gathering buffers for one frame) consumes nothing and
 * judges the guest's head against the real tail: a head more than a ring
 * ahead of it is refused however far the peek has got.
 */
static int t_peek(struct tctx *t)
{
	static struct fix f;
	struct vbus_seg s;
	enum vbus_err e[8];
	u32 i, tail;

	TCHECK(t, !fix_init(&f), "setup");
	for (i = 0; i < 3; i++)
		vbus_ioq_post(&f.guest, vbus_ioq_buf_off(&f.guest, i), 10 + i, 0);
	vbus_ioq_publish(&f.guest);
	e[0] = vbus_ioq_peek(&f.host, 0, &s);
	e[1] = vbus_ioq_peek(&f.host, 2, &s);
	i = s.len;
	e[2] = vbus_ioq_peek(&f.host, 3, &s);
	e[3] = vbus_ioq_peek(&f.host, RING, &s);
	tail = f.host.tail;
	/* consume two, then the guest claims a ring and one beyond the tail */
	vbus_ioq_complete(&f.host, 0, 0);
	vbus_ioq_complete(&f.host, 0, 0);
	vbus_st32(&f.host.ring->head, f.host.tail + RING + 1);
	e[4] = vbus_ioq_peek(&f.host, RING - 1, &s);
	vbus_st32(&f.host.ring->head, f.host.tail + RING);
	e[5] = vbus_ioq_peek(&f.host, RING - 1, &s);
	e[6] = vbus_ioq_peek(&f.host, 0, &s);
	region_free(&f.r);
	TCHECK(t, !e[0] && !e[1] && i == 12, "peek: %s %s len %u",
	       vbus_err_name(e[0]), vbus_err_name(e[1]), i);
	TCHECK(t, tail == 0, "peek consumed: tail %u", tail);
	TCHECK(t, e[2] == VBUS_E_EMPTY, "past head: %s", vbus_err_name(e[2]));
	TCHECK(t, e[3] == VBUS_E_INVAL, "past ring: %s", vbus_err_name(e[3]));
	TCHECK(t, e[4] == VBUS_E_RING_INDEX, "head > ring: %s",
	       vbus_err_name(e[4]));
	/* a full ring is legal; its last slot was never posted properly */
	TCHECK(t, e[5] == VBUS_E_DESC_OWNER, "full ring: %s", vbus_err_name(e[5]));
	TCHECK(t, !e[6], "slot 2: %s", vbus_err_name(e[6]));
	return T_PASS;
}

/*
 * The refill: each slot's own buffer at its full size, as the host's
 * checker wants it, at most the free slots, and nothing visible before
 * the publish.
 */
static int t_post_empty(struct tctx *t)
{
	static struct fix f;
	struct vbus_seg segs[CHAIN], s;
	u32 n, i, got;
	enum vbus_err e;
	int rc = T_PASS;

	TCHECK(t, !fix_init(&f), "setup");
	/* two slots in use: one posted by hand, one posted and completed */
	vbus_ioq_post(&f.guest, vbus_ioq_buf_off(&f.guest, 0), 10, 0);
	vbus_ioq_post(&f.guest, vbus_ioq_buf_off(&f.guest, 1), 10, 0);
	vbus_ioq_publish(&f.guest);
	for (i = 0; i < 2; i++) {
		vbus_ioq_fetch(&f.host, segs, CHAIN, &n);
		vbus_ioq_complete(&f.host, 5, 0);
	}
	vbus_ioq_reclaim(&f.guest, &s);
	got = vbus_ioq_post_empty(&f.guest, 3);
	TCHECK(t, got == 3, "posted %u of 3", got);
	TCHECK(t, vbus_ioq_fetch(&f.host, segs, CHAIN, &n) == VBUS_E_EMPTY,
	       "visible before publish");
	got = vbus_ioq_post_empty(&f.guest, 100);
	TCHECK(t, got == RING - 4, "posted %u, free was %u", got, RING - 4);
	TCHECK(t, vbus_ioq_free(&f.guest) == 0 &&
	       vbus_ioq_post_empty(&f.guest, 1) == 0, "ring full");
	vbus_ioq_publish(&f.guest);
	for (i = 0; rc == T_PASS && i < RING - 1; i++) {
		e = vbus_ioq_fetch(&f.host, segs, CHAIN, &n);
		if (e || n != 1 || segs[0].len != BUF ||
		    segs[0].offset != vbus_ioq_buf_off(&f.host, 2 + i) ||
		    segs[0].slot != ((2 + i) & (RING - 1)))
			rc = TFAIL(t, "slot %u: %s n %u len %u", 2 + i,
				   vbus_err_name(e), n, segs[0].len);
		vbus_ioq_complete(&f.host, 0, 0);
	}
	region_free(&f.r);
	return rc;
}

const struct vbus_test ioq_tests[] = {
	{ "ioq/flow", t_flow },
	{ "ioq/wraparound", t_wrap },
	{ "ioq/checker-distinct-codes", t_checker },
	{ "ioq/guest-side-checks", t_guest_checks },
	{ "ioq/copy-then-check", t_copy_then_check },
	{ "ioq/peek", t_peek },
	{ "ioq/post-empty", t_post_empty },
	{ NULL, NULL },
};
