// SPDX-License-Identifier: GPL-2.0
/*
 * Layout planner, writer, guest validator, liveness words, error names.
 */
#include <string.h>
#include "harness.h"
#include "vbus_layout.h"

#define MIB (1024 * 1024ULL)

static struct vbus_dev_spec venet(u32 id)
{
	struct vbus_dev_spec s = {
		.id = id, .type = VBUS_TYPE_VENET,
		.config_size = sizeof(struct vbus_net_config),
		.nqueues = 2, .ring_count = 256, .buf_size = 2048,
		.max_chain = VBUS_NET_CHAIN(2048),
	};
	return s;
}

static int t_plan_4mib(struct tctx *t)
{
	struct vbus_dev_spec s[4] = { venet(1), venet(2), venet(3), venet(4) };
	static struct vbus_layout l;
	u32 d, k, seen = 0;
	enum vbus_err e;

	TCHECK(t, VBUS_NET_CHAIN(2048) == 33, "chain %u", VBUS_NET_CHAIN(2048));
	e = vbus_layout_plan(&l, 4 * MIB, 7, s, 3);
	TCHECK(t, e == VBUS_OK, "plan 3 devs: %s", vbus_err_name(e));
	TCHECK(t, l.layout_end <= 4 * MIB, "end %llu", (unsigned long long)l.layout_end);
	for (d = 0; d < 3; d++) {
		for (k = 0; k < 2; k++) {
			const struct vbus_queue_layout *q = &l.dev[d].queue[k];

			TCHECK(t, q->vector != 0, "vector 0 used");
			TCHECK(t, !(seen & (1u << q->vector)), "vector shared");
			seen |= 1u << q->vector;
			TCHECK(t, q->kind == (k ? VBUS_QUEUE_RX : VBUS_QUEUE_TX), "kind");
			TCHECK(t, !(q->pool_off % 4096), "pool unaligned");
		}
	}
	e = vbus_layout_plan(&l, 4 * MIB, 9, s, 4);
	TCHECK(t, e == VBUS_E_NOSPACE, "4 devs in 4 MiB: %s", vbus_err_name(e));
	e = vbus_layout_plan(&l, 8 * MIB, 9, s, 4);
	TCHECK(t, e == VBUS_OK, "4 devs in 8 MiB: %s", vbus_err_name(e));
	/* vectors are shared round-robin when there are fewer than queues */
	e = vbus_layout_plan(&l, 8 * MIB, 3, s, 4);
	TCHECK(t, e == VBUS_OK, "3 vectors: %s", vbus_err_name(e));
	TCHECK(t, l.dev[3].queue[1].vector == 2, "rr vector %u",
	       l.dev[3].queue[1].vector);
	return T_PASS;
}

/*
 * Rings that grow with the region: every elastic queue starts at its
 * device's ring_max, the largest ring is halved first (on a tie the last
 * device's, TX before RX), none below ring_count.
 */
#define RINGS(l, d) ((l).dev[d].queue[0].ring_count), ((l).dev[d].queue[1].ring_count)
static int t_plan_elastic(struct tctx *t)
{
	struct vbus_dev_spec s[3] = { venet(1), venet(2), venet(3) };
	static struct vbus_layout l;
	enum vbus_err e;
	u32 d;

	for (d = 0; d < 3; d++)
		s[d].ring_max = 1024;
	/* one device: 1024 x 2 KiB both ways is the whole 4 MiB; TX gives way */
	e = vbus_layout_plan(&l, 4 * MIB, 3, s, 1);
	TCHECK(t, e == VBUS_OK, "1 dev in 4 MiB: %s", vbus_err_name(e));
	TCHECK(t, l.dev[0].queue[0].ring_count == 512 &&
	       l.dev[0].queue[1].ring_count == 1024, "tx %u rx %u", RINGS(l, 0));
	e = vbus_layout_plan(&l, 8 * MIB, 3, s, 1);
	TCHECK(t, e == VBUS_OK && l.dev[0].queue[0].ring_count == 1024 &&
	       l.dev[0].queue[1].ring_count == 1024,
	       "1 dev in 8 MiB: %s, tx %u rx %u", vbus_err_name(e), RINGS(l, 0));
	/* two in 4 MiB: 512 both ways for the first, TX 256 for the second */
	e = vbus_layout_plan(&l, 4 * MIB, 5, s, 2);
	TCHECK(t, e == VBUS_OK, "2 devs in 4 MiB: %s", vbus_err_name(e));
	TCHECK(t, l.dev[0].queue[0].ring_count == 512 &&
	       l.dev[0].queue[1].ring_count == 512 &&
	       l.dev[1].queue[0].ring_count == 256 &&
	       l.dev[1].queue[1].ring_count == 512,
	       "%u/%u %u/%u", RINGS(l, 0), RINGS(l, 1));
	/* three in 4 MiB: all 256 but the first's RX (the fixed plan of 256
	 * fits exactly so)
	 */
	e = vbus_layout_plan(&l, 4 * MIB, 7, s, 3);
	TCHECK(t, e == VBUS_OK, "3 devs in 4 MiB: %s", vbus_err_name(e));
	TCHECK(t, l.dev[0].queue[0].ring_count == 256 &&
	       l.dev[0].queue[1].ring_count == 512, "%u/%u", RINGS(l, 0));
	for (d = 1; d < 3; d++)
		TCHECK(t, l.dev[d].queue[0].ring_count == 256 &&
		       l.dev[d].queue[1].ring_count == 256,
		       "dev %u: %u/%u", d, RINGS(l, d));
	e = vbus_layout_check(&l);
	TCHECK(t, e == VBUS_OK, "check: %s", vbus_err_name(e));
	/* a fixed device keeps its rings; the elastic one takes what is left */
	s[0].ring_max = 0;
	e = vbus_layout_plan(&l, 4 * MIB, 5, s, 2);
	TCHECK(t, e == VBUS_OK, "fixed + elastic: %s", vbus_err_name(e));
	TCHECK(t, l.dev[0].queue[0].ring_count == 256 &&
	       l.dev[0].queue[1].ring_count == 256 &&
	       l.dev[1].queue[0].ring_count == 512 &&
	       l.dev[1].queue[1].ring_count == 512,
	       "%u/%u %u/%u", RINGS(l, 0), RINGS(l, 1));
	/* no room even at ring_count: as without ring_max */
	for (d = 0; d < 3; d++)
		s[d].ring_max = 1024;
	e = vbus_layout_plan(&l, 2 * MIB, 7, s, 3);
	TCHECK(t, e == VBUS_E_NOSPACE, "3 devs in 2 MiB: %s", vbus_err_name(e));
	/* bad ring_max, or a bad ring_count under it */
	s[0].ring_max = 1000;
	e = vbus_layout_plan(&l, 8 * MIB, 3, s, 1);
	TCHECK(t, e == VBUS_E_RING_COUNT, "ring_max 1000: %s", vbus_err_name(e));
	s[0].ring_max = 2 * VBUS_RING_MAX;
	e = vbus_layout_plan(&l, 8 * MIB, 3, s, 1);
	TCHECK(t, e == VBUS_E_RING_COUNT, "ring_max too big: %s", vbus_err_name(e));
	s[0].ring_max = 1024;
	s[0].ring_count = 100;
	e = vbus_layout_plan(&l, 8 * MIB, 3, s, 1);
	TCHECK(t, e == VBUS_E_RING_COUNT, "ring_count 100: %s", vbus_err_name(e));
	return T_PASS;
}

/* Devices with vectors of their own (venet-tap: TX and RX on one) get
 * disjoint vectors, as the host core counts them (1 + 1 per device). */
static int t_plan_own_vectors(struct tctx *t)
{
	struct vbus_dev_spec s[3] = { venet(1), venet(2), venet(3) };
	static struct vbus_layout l;
	enum vbus_err e;
	u32 d;

	for (d = 0; d < 3; d++)
		s[d].nvectors = 1;
	e = vbus_layout_plan(&l, 8 * MIB, 4, s, 3);
	TCHECK(t, e == VBUS_OK, "plan: %s", vbus_err_name(e));
	for (d = 0; d < 3; d++) {
		TCHECK(t, l.dev[d].queue[0].vector == d + 1,
		       "dev %u tx vector %u", d, l.dev[d].queue[0].vector);
		TCHECK(t, l.dev[d].queue[1].vector == d + 1,
		       "dev %u rx vector %u", d, l.dev[d].queue[1].vector);
	}
	/* two vectors for one device: TX and RX apart */
	s[0].nvectors = 2;
	e = vbus_layout_plan(&l, 8 * MIB, 3, s, 1);
	TCHECK(t, e == VBUS_OK, "plan: %s", vbus_err_name(e));
	TCHECK(t, l.dev[0].queue[0].vector == 1 && l.dev[0].queue[1].vector == 2,
	       "vectors %u %u", l.dev[0].queue[0].vector, l.dev[0].queue[1].vector);
	e = vbus_layout_check(&l);
	TCHECK(t, e == VBUS_OK, "check: %s", vbus_err_name(e));
	return T_PASS;
}

static int t_plan_rejects(struct tctx *t)
{
	static struct vbus_layout l;
	struct vbus_dev_spec s = venet(1), b;
	struct vbus_dev_spec many[VBUS_MAX_DEVICES + 1];
	u32 i;

	for (i = 0; i <= VBUS_MAX_DEVICES; i++)
		many[i] = venet(i);
	TCHECK(t, vbus_layout_plan(&l, 3 * MIB, 3, &s, 1) == VBUS_E_REGION_SIZE, "size");
	TCHECK(t, vbus_layout_plan(&l, 1024, 3, &s, 1) == VBUS_E_REGION_SIZE, "small");
	TCHECK(t, vbus_layout_plan(&l, 64 * MIB, 3, many, VBUS_MAX_DEVICES + 1) ==
	       VBUS_E_NDEVICES, "ndev");
	TCHECK(t, vbus_layout_plan(&l, 4 * MIB, 1, &s, 1) == VBUS_E_NVECTORS, "nvec");
	TCHECK(t, vbus_layout_plan(&l, 4 * MIB, 17, &s, 1) == VBUS_E_NVECTORS, "nvec17");
	b = s; b.type = "a-type-name-that-is-far-too-long-for-the-table";
	TCHECK(t, vbus_layout_plan(&l, 4 * MIB, 3, &b, 1) == VBUS_E_DEV_TYPE, "type");
	b = s; b.ring_count = 3;
	TCHECK(t, vbus_layout_plan(&l, 4 * MIB, 3, &b, 1) == VBUS_E_RING_COUNT, "count");
	b = s; b.buf_size = 1000;
	TCHECK(t, vbus_layout_plan(&l, 4 * MIB, 3, &b, 1) == VBUS_E_BUF_SIZE, "buf");
	b = s; b.max_chain = 0;
	TCHECK(t, vbus_layout_plan(&l, 4 * MIB, 3, &b, 1) == VBUS_E_MAX_CHAIN, "chain");
	b = s; b.nqueues = VBUS_DEV_MAX_QUEUES + 1;
	TCHECK(t, vbus_layout_plan(&l, 64 * MIB, 3, &b, 1) == VBUS_E_NQUEUES, "nq");
	return T_PASS;
}

static int make_region(struct region *r, struct vbus_layout *l)
{
	struct vbus_dev_spec s[2] = { venet(7), venet(9) };

	if (region_alloc(r, 4 * MIB))
		return -1;
	if (vbus_layout_plan(l, 4 * MIB, 5, s, 2) != VBUS_OK)
		return -1;
	vbus_layout_write(r->base, l);
	vbus_layout_set_host_state(r->base, VBUS_STATE_READY, 1);
	return 0;
}

static int t_roundtrip(struct tctx *t)
{
	static struct vbus_layout l, g;
	struct region r;
	enum vbus_err e, e2;
	int same;

	TCHECK(t, !make_region(&r, &l), "setup");
	e = vbus_layout_read(r.base, r.size, &g);
	same = !memcmp(&l, &g, sizeof(l));
	e2 = vbus_layout_read(r.base, r.size / 2, &g);
	region_free(&r);
	TCHECK(t, e == VBUS_OK, "read: %s", vbus_err_name(e));
	TCHECK(t, same, "layout read back differs from the plan");
	TCHECK(t, e2 == VBUS_E_REGION_SIZE, "bar size mismatch: %s",
	       vbus_err_name(e2));
	return T_PASS;
}

/* Each corruption of a good header and the code the guest must report. */
struct corrupt {
	const char *what;
	size_t off;		/* byte offset in region (0 = header) */
	int dev;		/* >= 0: offset is inside dev entry */
	int width;		/* 1, 2, 4, 8 */
	u64 val;
	enum vbus_err want;
};

#define H(f) offsetof(struct vbus_shm_header, f), -1
#define D(d, f) offsetof(struct vbus_dev_entry, f), d
#define Q(d, k, f) (offsetof(struct vbus_dev_entry, queue) + \
		    (k) * sizeof(struct vbus_queue_desc) + \
		    offsetof(struct vbus_queue_desc, f)), d

static const struct corrupt corruptions[] = {
	{ "magic", H(magic), 4, 0x12345678, VBUS_E_MAGIC },
	{ "version", H(abi_major), 2, 2, VBUS_E_VERSION },
	{ "region_size", H(region_size), 8, 8 * MIB, VBUS_E_REGION_SIZE },
	{ "header_size", H(header_size), 4, 128, VBUS_E_HDR_SIZE },
	{ "entry_size", H(dev_entry_size), 4, 64, VBUS_E_HDR_SIZE },
	{ "host_state", H(host_state), 4, VBUS_STATE_INIT, VBUS_E_NOT_READY },
	{ "ndevices", H(ndevices), 4, 17, VBUS_E_NDEVICES },
	{ "nvectors0", H(nvectors), 4, 0, VBUS_E_NVECTORS },
	{ "nvectors17", H(nvectors), 4, 17, VBUS_E_NVECTORS },
	{ "table_off", H(dev_table_off), 4, 0xffffff00, VBUS_E_DEV_TABLE },
	{ "layout_end", H(layout_end), 8, 5 * MIB, VBUS_E_NOSPACE },
	{ "type_empty", D(0, type), 1, 0, VBUS_E_DEV_TYPE },
	{ "dup_id", D(1, id), 4, 7, VBUS_E_DEV_ID },
	{ "nqueues", D(0, nqueues), 2, 3, VBUS_E_NQUEUES },
	{ "config_range", D(0, config_off), 8, 4 * MIB, VBUS_E_CONFIG_RANGE },
	{ "config_align", D(0, config_off), 8, 4096 + 8, VBUS_E_ALIGN },
	{ "ring_range", Q(0, 0, ring_off), 8, 4 * MIB - 128, VBUS_E_RING_RANGE },
	{ "ring_count", Q(0, 1, ring_count), 4, 255, VBUS_E_RING_COUNT },
	{ "ring_count0", Q(0, 1, ring_count), 4, 0, VBUS_E_RING_COUNT },
	{ "pool_range", Q(1, 0, pool_off), 8, 4 * MIB - 4096, VBUS_E_POOL_RANGE },
	{ "buf_size", Q(1, 1, buf_size), 4, 3000, VBUS_E_BUF_SIZE },
	{ "vector0", Q(0, 0, vector), 2, 0, VBUS_E_VECTOR },
	{ "vector_hi", Q(0, 0, vector), 2, 5, VBUS_E_VECTOR },
	{ "kind", Q(0, 0, kind), 2, 7, VBUS_E_QUEUE_KIND },
	{ "max_chain0", Q(0, 0, max_chain), 2, 0, VBUS_E_MAX_CHAIN },
	{ "max_chain_hi", Q(0, 0, max_chain), 2, 65, VBUS_E_MAX_CHAIN },
	{ "ring_align", Q(1, 0, ring_off), 8, 0x3008, VBUS_E_ALIGN },
	{ "overlap", Q(1, 1, pool_off), 8, 0, VBUS_E_OVERLAP },
};

static void poke(void *p, int width, u64 v)
{
	switch (width) {
	case 1: *(u8 *)p = (u8)v; break;
	case 2: *(__le16 *)p = cpu_to_le16(v); break;
	case 4: *(__le32 *)p = cpu_to_le32(v); break;
	default: *(__le64 *)p = cpu_to_le64(v); break;
	}
}

static int t_read_rejects(struct tctx *t)
{
	static struct vbus_layout l, g;
	static u8 saved[8192];
	struct region r;
	size_t i, ntests = sizeof(corruptions) / sizeof(corruptions[0]);
	u64 codes = 0;
	int rc = T_PASS;

	TCHECK(t, !make_region(&r, &l), "setup");
	memcpy(saved, r.base, sizeof(saved));
	for (i = 0; i < ntests && rc == T_PASS; i++) {
		const struct corrupt *c = &corruptions[i];
		size_t off = c->off;
		enum vbus_err e;

		if (c->dev >= 0)
			off += sizeof(struct vbus_shm_header) +
			       c->dev * l.entry_size;
		memcpy(r.base, saved, sizeof(saved));
		poke((u8 *)r.base + off, c->width, c->val);
		e = vbus_layout_read(r.base, r.size, &g);
		if (e != c->want)
			rc = TFAIL(t, "%s: got %s want %s", c->what,
				   vbus_err_name(e), vbus_err_name(c->want));
		codes |= 1ULL << c->want;
	}
	/* the type without a NUL anywhere */
	if (rc == T_PASS) {
		enum vbus_err e;

		memcpy(r.base, saved, sizeof(saved));
		memset((u8 *)r.base + sizeof(struct vbus_shm_header) +
		       offsetof(struct vbus_dev_entry, type), 'x', VBUS_TYPE_LEN);
		e = vbus_layout_read(r.base, r.size, &g);
		if (e != VBUS_E_DEV_TYPE)
			rc = TFAIL(t, "type without NUL: %s", vbus_err_name(e));
	}
	region_free(&r);
	if (rc == T_PASS && __builtin_popcountll(codes) < 20)
		rc = TFAIL(t, "only %d distinct codes", __builtin_popcountll(codes));
	return rc;
}

static int t_liveness(struct tctx *t)
{
	static struct vbus_layout l;
	struct region r;
	u32 gen, st;

	TCHECK(t, !make_region(&r, &l), "setup");
	st = vbus_layout_guest_state(r.base, &gen);
	if (st != VBUS_STATE_ABSENT || gen) {
		region_free(&r);
		return TFAIL(t, "fresh guest state %u gen %u", st, gen);
	}
	vbus_layout_set_guest_state(r.base, VBUS_STATE_READY, 3);
	vbus_layout_set_host_state(r.base, VBUS_STATE_RESET, 2);
	st = vbus_layout_guest_state(r.base, &gen);
	TCHECK(t, st == VBUS_STATE_READY && gen == 3, "guest %u/%u", st, gen);
	st = vbus_layout_host_state(r.base, &gen);
	region_free(&r);
	TCHECK(t, st == VBUS_STATE_RESET && gen == 2, "host %u/%u", st, gen);
	return T_PASS;
}

/*
 * The reset handshake: a guest that let go under a generation may bind
 * again only when the host is READY having acknowledged that very
 * generation; a host of ABI 1.0 (which never acknowledges) is not waited
 * for; a republish keeps the acknowledgement.
 */
static int t_handshake(struct tctx *t)
{
	static struct vbus_layout l;
	struct vbus_shm_header *h;
	struct region r;
	bool a[8];

	TCHECK(t, !make_region(&r, &l), "setup");
	h = r.base;
	vbus_layout_set_guest_state(r.base, VBUS_STATE_RESET, 4);
	a[0] = vbus_layout_host_acked(r.base, 4);	/* READY, ack 0 */
	vbus_layout_set_host_state(r.base, VBUS_STATE_RESET, 1);
	vbus_layout_set_host_ack(r.base, 4);
	a[1] = vbus_layout_host_acked(r.base, 4);	/* acked, not READY */
	vbus_layout_publish(r.base, &l);
	vbus_layout_set_host_state(r.base, VBUS_STATE_READY, 1);
	a[2] = vbus_layout_host_acked(r.base, 4);	/* kept, READY */
	a[3] = vbus_layout_host_acked(r.base, 5);	/* another let-go */
	a[4] = vbus_layout_host_acked(r.base, 3);
	h->abi_minor = 0;				/* an ABI 1.0 host */
	a[5] = vbus_layout_host_acked(r.base, 5);
	vbus_layout_set_host_state(r.base, VBUS_STATE_INIT, 1);
	a[6] = vbus_layout_host_acked(r.base, 5);
	a[7] = le32_to_cpu(h->host_ack_gen) == 4 &&
	       le16_to_cpu(h->abi_minor) == 0;
	region_free(&r);
	TCHECK(t, !a[0], "acked before the host said so");
	TCHECK(t, !a[1], "acked while the host is not READY");
	TCHECK(t, a[2], "not acked: READY with host_ack_gen 4 after publish");
	TCHECK(t, !a[3] && !a[4], "acked another generation");
	TCHECK(t, a[5], "an ABI 1.0 host is waited for");
	TCHECK(t, !a[6], "an ABI 1.0 host not READY: acked");
	TCHECK(t, a[7], "header words");
	return T_PASS;
}

/*
 * The host's part of the header and the device table, overwritten at
 * random by a guest, is restored by vbus_layout_publish(); the guest's
 * liveness words and the config blocks are left alone.
 */
static int t_republish(struct tctx *t)
{
	static struct vbus_layout l, g;
	static u8 cfg[64];
	struct region r;
	u64 x = 0x9e3779b97f4a7c15ULL;
	u32 i, gen, st, ntab;
	enum vbus_err e1, e2;
	u8 *b;

	TCHECK(t, !make_region(&r, &l), "setup");
	b = r.base;
	vbus_layout_set_guest_state(r.base, VBUS_STATE_GONE, 5);
	memset(b + l.dev[0].config_off, 0xa5, sizeof(cfg));
	memcpy(cfg, b + l.dev[0].config_off, sizeof(cfg));
	ntab = sizeof(struct vbus_shm_header) + l.ndevices * l.entry_size;
	for (i = 0; i < 4096; i++) {
		u32 off;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		off = (u32)(x % ntab);
		/* not the guest's own liveness pair */
		if (off >= 0x38 && off < 0x40)
			continue;
		b[off] = (u8)(x >> 32);
	}
	e1 = vbus_layout_read(r.base, r.size, &g);
	vbus_layout_publish(r.base, &l);
	vbus_layout_set_host_state(r.base, VBUS_STATE_READY, 1);
	e2 = vbus_layout_read(r.base, r.size, &g);
	st = vbus_layout_guest_state(r.base, &gen);
	i = memcmp(&l, &g, sizeof(l)) ||
	    memcmp(cfg, b + l.dev[0].config_off, sizeof(cfg));
	region_free(&r);
	TCHECK(t, e1 != VBUS_OK, "random writes went unnoticed");
	TCHECK(t, e2 == VBUS_OK, "after publish: %s", vbus_err_name(e2));
	TCHECK(t, !i, "layout differs from the plan or config touched");
	TCHECK(t, st == VBUS_STATE_GONE && gen == 5, "guest words %u/%u", st, gen);
	return T_PASS;
}

/*
 * Queue pairs (ABI 1.2): a device of 4 pairs on 4 vectors of its own,
 * pair k (queues 2k TX, 2k + 1 RX) on its vector k; the table then has
 * entries of 320 bytes, which a guest reads back as planned; the old
 * 128-byte entries stay for devices of at most 2 queues (a guest of ABI
 * 1.0 binds to them), and an entry's size bounds its nqueues.
 */
static int t_queue_pairs(struct tctx *t)
{
	struct vbus_dev_spec s[2] = { venet(1), venet(2) };
	static struct vbus_layout l, g;
	struct region r;
	enum vbus_err e, e2, e3, e4;
	u8 *ent;
	u32 k;

	s[0].nqueues = 8;
	s[0].nvectors = 4;
	s[1].nvectors = 1;
	e = vbus_layout_plan(&l, 8 * MIB, 6, s, 2);
	TCHECK(t, e == VBUS_OK, "plan: %s", vbus_err_name(e));
	TCHECK(t, l.entry_size == sizeof(struct vbus_dev_entry) &&
	       l.entry_size == 320, "entry size %u", l.entry_size);
	for (k = 0; k < 8; k++) {
		const struct vbus_queue_layout *q = &l.dev[0].queue[k];

		TCHECK(t, q->vector == 1 + k / 2, "queue %u vector %u", k,
		       q->vector);
		TCHECK(t, q->kind == (k & 1 ? VBUS_QUEUE_RX : VBUS_QUEUE_TX),
		       "queue %u kind %u", k, q->kind);
	}
	TCHECK(t, l.dev[1].queue[0].vector == 5 && l.dev[1].queue[1].vector == 5,
	       "second device's vector %u", l.dev[1].queue[0].vector);
	/* 4 pairs of 256 x 2 KiB buffers do not fit the default 4 MiB */
	TCHECK(t, vbus_layout_plan(&g, 4 * MIB, 6, s, 2) == VBUS_E_NOSPACE,
	       "4 pairs + 1 in 4 MiB");

	TCHECK(t, !region_alloc(&r, 8 * MIB), "region");
	vbus_layout_write(r.base, &l);
	vbus_layout_set_host_state(r.base, VBUS_STATE_READY, 1);
	e = vbus_layout_read(r.base, r.size, &g);
	k = memcmp(&l, &g, sizeof(l));
	ent = (u8 *)r.base + sizeof(struct vbus_shm_header);
	/* 9 queues in an entry of 8 */
	poke(ent + offsetof(struct vbus_dev_entry, nqueues), 2, 9);
	e2 = vbus_layout_read(r.base, r.size, &g);
	/* 8 queues, but the header claims 128-byte entries */
	poke(ent + offsetof(struct vbus_dev_entry, nqueues), 2, 8);
	poke((u8 *)r.base + offsetof(struct vbus_shm_header, dev_entry_size),
	     4, VBUS_DEV_ENTRY_V1);
	e3 = vbus_layout_read(r.base, r.size, &g);
	poke((u8 *)r.base + offsetof(struct vbus_shm_header, dev_entry_size),
	     4, 256);
	e4 = vbus_layout_read(r.base, r.size, &g);
	region_free(&r);
	TCHECK(t, e == VBUS_OK, "read: %s", vbus_err_name(e));
	TCHECK(t, !k, "layout read back differs from the plan");
	TCHECK(t, e2 == VBUS_E_NQUEUES, "9 queues: %s", vbus_err_name(e2));
	TCHECK(t, e3 != VBUS_OK, "8 queues in 128-byte entries: %s",
	       vbus_err_name(e3));
	TCHECK(t, e4 == VBUS_E_HDR_SIZE, "entry size 256: %s",
	       vbus_err_name(e4));

	/* two queues a device: the ABI 1.0 entry */
	s[0].nqueues = 2;
	s[0].nvectors = 1;
	e = vbus_layout_plan(&l, 4 * MIB, 3, s, 2);
	TCHECK(t, e == VBUS_OK && l.entry_size == VBUS_DEV_ENTRY_V1,
	       "2 queues: %s, entry %u", vbus_err_name(e), l.entry_size);
	return T_PASS;
}

static int t_err_names(struct tctx *t)
{
	int i, j;

	for (i = 0; i < VBUS_E_COUNT; i++) {
		const char *n = vbus_err_name(i);

		TCHECK(t, strcmp(n, "unknown"), "code %d has no name", i);
		for (j = 0; j < i; j++)
			TCHECK(t, strcmp(n, vbus_err_name(j)), "dup name %s", n);
	}
	TCHECK(t, !strcmp(vbus_err_name(VBUS_E_COUNT), "unknown"), "count");
	TCHECK(t, !strcmp(vbus_err_name(-1), "unknown"), "-1");
	return T_PASS;
}

const struct vbus_test layout_tests[] = {
	{ "layout/plan-4mib", t_plan_4mib },
	{ "layout/plan-own-vectors", t_plan_own_vectors },
	{ "layout/plan-elastic", t_plan_elastic },
	{ "layout/plan-rejects", t_plan_rejects },
	{ "layout/write-read-roundtrip", t_roundtrip },
	{ "layout/validator-rejects", t_read_rejects },
	{ "layout/liveness", t_liveness },
	{ "layout/reset-handshake", t_handshake },
	{ "layout/republish", t_republish },
	{ "layout/queue-pairs", t_queue_pairs },
	{ "layout/err-names", t_err_names },
	{ NULL, NULL },
};
