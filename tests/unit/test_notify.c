// SPDX-License-Identifier: GPL-2.0
/*
 * Exact notification counts, deterministic: a guest driver and a host
 * backend modelled as steps on one thread, TX queue only.
 *
 * Guest xmit: post, publish, inject to_host -> kick if told to.
 * Host on kick: disable, ack, drain (complete + tx-complete mitigation),
 * enable; if enable reports new work, disable and drain again.
 * Guest completion interrupt: ack and reclaim (the "fast guest"), or
 * nothing until later (the "slow guest").
 */
#include "harness.h"
#include "vbus_ioq.h"
#include "vbus_signal.h"
#include "vbus_txc.h"

#define RSIZE (256 * 1024ULL)

struct sim {
	struct region r;
	struct vbus_layout l;
	struct vbus_ioq hq, gq;
	struct vbus_txc txc;
	int fast_guest;
	u32 kicks, irqs, due, reclaimed, completed, reenable_hits;
};

static int sim_init(struct sim *s, u32 every, int fast_guest)
{
	struct vbus_dev_spec d = {
		.id = 1, .type = VBUS_TYPE_VENET, .nqueues = 1,
		.ring_count = 512, .buf_size = 256, .max_chain = 33,
	};

	memset(s, 0, sizeof(*s));
	s->txc.every = every;
	s->fast_guest = fast_guest;
	if (region_alloc(&s->r, RSIZE) ||
	    vbus_layout_plan(&s->l, RSIZE, 2, &d, 1) ||
	    vbus_ioq_init(&s->hq, s->r.base, RSIZE, 2, &s->l.dev[0].queue[0]) ||
	    vbus_ioq_init(&s->gq, s->r.base, RSIZE, 2, &s->l.dev[0].queue[0]))
		return -1;
	vbus_ioq_reset(&s->hq);
	return 0;
}

static void guest_reclaim(struct sim *s)
{
	struct vbus_seg seg;

	while (vbus_ioq_reclaim(&s->gq, &seg) == VBUS_OK)
		s->reclaimed++;
}

static void guest_irq(struct sim *s)
{
	if (!s->fast_guest)
		return;
	vbus_signal_ack(&s->gq.ring->to_guest);
	guest_reclaim(s);
}

static int guest_xmit(struct sim *s, u32 n)
{
	u32 i;

	for (i = 0; i < n; i++) {
		if (vbus_ioq_post(&s->gq, vbus_ioq_buf_off(&s->gq, s->gq.head),
				  60, 0))
			return -1;
		vbus_ioq_publish(&s->gq);
		if (vbus_signal_inject(&s->gq.ring->to_host))
			s->kicks++;
	}
	return 0;
}

static void host_drain(struct sim *s)
{
	struct vbus_seg segs[33];
	u32 n, i, left;

	while (vbus_ioq_fetch(&s->hq, segs, 33, &n) == VBUS_OK) {
		for (i = 0; i < n; i++)
			vbus_ioq_complete(&s->hq, segs[i].len, 0);
		s->completed++;
		left = 1;
		vbus_ioq_avail(&s->hq, &left);
		if (vbus_txc_complete(&s->txc, 1, left == 0)) {
			s->due++;
			if (vbus_signal_inject(&s->hq.ring->to_guest)) {
				s->irqs++;
				guest_irq(s);
			}
		}
	}
}

/* venet-tap's poll pass: mask, then acknowledge the doorbell */
static void host_wake(struct sim *s)
{
	vbus_signal_disable(&s->hq.ring->to_host);
	vbus_signal_ack(&s->hq.ring->to_host);
}

static void host_run(struct sim *s)
{
	host_wake(s);
	for (;;) {
		host_drain(s);
		if (!vbus_signal_enable(&s->hq.ring->to_host))
			break;
		s->reenable_hits++;
		vbus_signal_disable(&s->hq.ring->to_host);
	}
}

static u32 expect_irqs(u32 count, u32 every)
{
	return every ? (count + every - 1) / every : count;
}

static int burst(struct tctx *t, u32 count, u32 every, int fast)
{
	static struct sim s;
	int rc = T_PASS;

	TCHECK(t, !sim_init(&s, every, fast), "setup");
	if (guest_xmit(&s, count))
		rc = TFAIL(t, "xmit");
	host_run(&s);
	if (rc == T_PASS && s.kicks != 1)
		rc = TFAIL(t, "count %u every %u: %u kicks, want 1", count, every,
			   s.kicks);
	if (rc == T_PASS && s.due != expect_irqs(count, every))
		rc = TFAIL(t, "count %u every %u: %u completion signals, want %u",
			   count, every, s.due, expect_irqs(count, every));
	if (rc == T_PASS && fast && s.irqs != s.due)
		rc = TFAIL(t, "fast guest: %u irqs for %u signals", s.irqs, s.due);
	if (rc == T_PASS && !fast && s.irqs != 1)
		rc = TFAIL(t, "slow guest: %u irqs, want 1", s.irqs);
	if (rc == T_PASS && s.completed != count)
		rc = TFAIL(t, "completed %u of %u", s.completed, count);
	if (rc == T_PASS && !fast)
		guest_reclaim(&s);
	if (rc == T_PASS && s.reclaimed != count)
		rc = TFAIL(t, "reclaimed %u of %u", s.reclaimed, count);
	region_free(&s.r);
	return rc;
}

static int t_one(struct tctx *t)
{
	return burst(t, 1, 10, 1);
}

static int t_burst100(struct tctx *t)
{
	return burst(t, 100, 10, 1);
}

static int t_every0(struct tctx *t)
{
	return burst(t, 100, 0, 1);
}

static int t_sweep(struct tctx *t)
{
	static const u32 counts[] = { 1, 2, 5, 7, 10, 11, 33, 64, 99, 100,
				      101, 200, 256, 511 };
	u32 every, c;
	int rc;

	for (every = 0; every <= 130; every++)
		for (c = 0; c < sizeof(counts) / sizeof(counts[0]); c++) {
			rc = burst(t, counts[c], every, 1);
			if (rc != T_PASS)
				return rc;
		}
	return T_PASS;
}

/* A guest that does not take its interrupt yet gets one, not ten. */
static int t_slow_guest(struct tctx *t)
{
	return burst(t, 100, 10, 0);
}

/*
 * Two bursts with an idle host between them: each costs a kick and drains
 * on its own. Packets sent while the host polls cost no kick, and the
 * host's re-enable sees them (no sleep with work pending).
 */
static int t_interleaved(struct tctx *t)
{
	static struct sim s;
	int rc = T_PASS;

	TCHECK(t, !sim_init(&s, 10, 1), "setup");
	guest_xmit(&s, 15);
	host_run(&s);
	guest_xmit(&s, 15);
	host_run(&s);
	if (s.kicks != 2 || s.due != 4 || s.irqs != 4)
		rc = TFAIL(t, "two bursts: kicks %u signals %u irqs %u, want 2/4/4",
			   s.kicks, s.due, s.irqs);
	/* third burst: the host wakes, and more arrive while it polls */
	guest_xmit(&s, 5);
	host_wake(&s);
	host_drain(&s);
	guest_xmit(&s, 50);
	if (rc == T_PASS && s.kicks != 3)
		rc = TFAIL(t, "kick while host polls: %u kicks", s.kicks);
	if (rc == T_PASS && !vbus_signal_enable(&s.hq.ring->to_host))
		rc = TFAIL(t, "enable missed work posted while polling");
	vbus_signal_disable(&s.hq.ring->to_host);
	host_drain(&s);
	if (rc == T_PASS && (s.completed != 85 || s.reclaimed != 85))
		rc = TFAIL(t, "completed %u reclaimed %u", s.completed, s.reclaimed);
	if (rc == T_PASS && vbus_signal_enable(&s.hq.ring->to_host))
		rc = TFAIL(t, "spurious dirty after drain");
	region_free(&s.r);
	return rc;
}

static int t_txc_rule(struct tctx *t)
{
	TCHECK(t, !vbus_txc_due(0, 10, true), "nothing to signal");
	TCHECK(t, vbus_txc_due(1, 0, false), "every 0");
	TCHECK(t, !vbus_txc_due(9, 10, false), "9 of 10");
	TCHECK(t, vbus_txc_due(10, 10, false), "10 of 10");
	TCHECK(t, vbus_txc_due(3, 10, true), "drained");
	return T_PASS;
}

const struct vbus_test notify_tests[] = {
	{ "notify/txc-rule", t_txc_rule },
	{ "notify/one-packet-idle", t_one },
	{ "notify/burst100-every10", t_burst100 },
	{ "notify/burst100-every0", t_every0 },
	{ "notify/sweep-every", t_sweep },
	{ "notify/slow-guest", t_slow_guest },
	{ "notify/interleaved-bursts", t_interleaved },
	{ NULL, NULL },
};
