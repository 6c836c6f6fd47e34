// SPDX-License-Identifier: GPL-2.0
/*
 * Two threads, a guest and a host, exchange messages both ways at once
 * over one virtual-ethernet device (TX and RX queues), with random stalls
 * and random batch sizes. Doorbells are futex counters; a side sleeps
 * only after the enable-and-recheck step says nothing arrived.
 *
 * Every message carries its sequence number, length and checksum; the
 * receiver recomputes all three from the sequence number it expects, so a
 * lost, duplicated, reordered or corrupted message fails. A watchdog fails
 * the run if both sides sleep with no progress while work is pending (a
 * lost wake-up), and a self-test breaks the protocol on purpose to show
 * that the watchdog fires.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include "harness.h"
#include "vbus_ioq.h"
#include "vbus_signal.h"
#include "vbus_txc.h"

#define RSIZE	(1024 * 1024ULL)
#define RING	256
#define BUF	256
#define CHAIN	8
#define HDR	16	/* message header: seq, len, csum */
#define MAXMSG	(CHAIN * BUF)
#define TXC_EVERY 10

struct doorbell {
	_Atomic u32 count;	/* futex word: bumped on every ring */
	atomic_int sleeping;
	_Atomic unsigned long rings;
};

struct stress {
	struct region r;
	struct vbus_layout l;
	struct vbus_ioq g_tx, g_rx, h_tx, h_rx;
	struct doorbell to_host, to_guest;
	unsigned long n;
	int break_guest_sleep;	/* self-test: skip enable-and-recheck */
	atomic_int abort;
	atomic_int host_done, guest_done;
	_Atomic unsigned long progress;
	/* results */
	char err[256];
	atomic_int failed;
	unsigned long tx_recv, rx_recv, stalls;
	unsigned long kicks_tx, kicks_rx, irqs_tx, irqs_rx;
};

static void fail(struct stress *s, const char *fmt, unsigned long a,
		 unsigned long b)
{
	int zero = 0;

	if (atomic_compare_exchange_strong(&s->failed, &zero, 1))
		snprintf(s->err, sizeof(s->err), fmt, a, b);
	atomic_store(&s->abort, 1);
}

static u64 mix64(u64 x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static u32 rnd(u64 *st)
{
	*st = *st * 6364136223846793005ULL + 1442695040888963407ULL;
	return (u32)(*st >> 33);
}

/* payload length of message @seq of direction @dir: mostly small */
static u32 msg_len(u64 seq, u32 dir)
{
	u64 h = mix64(seq * 2 + dir);
	u32 sel = h & 63;

	if (sel < 48)
		return 8 + (h >> 8) % 57;
	if (sel < 62)
		return 64 + (h >> 8) % (BUF - HDR - 64);
	return (h >> 8) % (MAXMSG - HDR + 1);
}

static void msg_fill(u8 *p, u64 seq, u32 dir, u32 len)
{
	u64 x = mix64(seq ^ ((u64)dir << 63));
	u32 i, csum = 2166136261u;

	for (i = 0; i < len; i++) {
		p[HDR + i] = (u8)(x >> ((i & 7) * 8)) ^ (u8)i;
		csum = (csum ^ p[HDR + i]) * 16777619u;
	}
	memcpy(p, &seq, 8);
	memcpy(p + 8, &len, 4);
	memcpy(p + 12, &csum, 4);
}

/* 0 if @p holds message @seq of @dir exactly, else a reason code */
static int msg_check(const u8 *p, u32 total, u64 seq, u32 dir)
{
	u64 x = mix64(seq ^ ((u64)dir << 63)), got_seq;
	u32 i, csum = 2166136261u, len, got_csum;

	if (total < HDR)
		return 1;
	memcpy(&got_seq, p, 8);
	memcpy(&len, p + 8, 4);
	memcpy(&got_csum, p + 12, 4);
	if (got_seq != seq)
		return 2;
	if (len != msg_len(seq, dir) || total != HDR + len)
		return 3;
	for (i = 0; i < len; i++) {
		if (p[HDR + i] != ((u8)(x >> ((i & 7) * 8)) ^ (u8)i))
			return 4;
		csum = (csum ^ p[HDR + i]) * 16777619u;
	}
	return csum == got_csum ? 0 : 5;
}

static void db_ring(struct doorbell *db)
{
	atomic_fetch_add(&db->rings, 1);
	atomic_fetch_add(&db->count, 1);
	syscall(SYS_futex, &db->count, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

static void db_wait(struct doorbell *db, u32 seen)
{
	atomic_store(&db->sleeping, 1);
	syscall(SYS_futex, &db->count, FUTEX_WAIT_PRIVATE, seen, NULL, NULL, 0);
	atomic_store(&db->sleeping, 0);
}

static void stall(u64 *st)
{
	u32 r = rnd(st);

	if ((r & 4095) == 0)
		usleep(r >> 24 & 63);
	else if ((r & 1023) == 1)
		sched_yield();
	else if ((r & 255) == 2)
		for (volatile int i = 0; i < (int)(r >> 20); i++)
			;
}

static u8 *at(struct stress *s, u64 off)
{
	return (u8 *)s->r.base + off;
}

/* ---- guest ---- */

struct guest {
	struct stress *s;
	u64 rng;
	unsigned long tx_sent, tx_segs_posted, tx_segs_done, rx_recv;
	u32 tx_len[RING];
	u8 txmsg[MAXMSG + BUF];
	u8 msg[MAXMSG + BUF];	/* RX frame being reassembled */
	u32 msg_fill;
};

static int guest_tx(struct guest *g)
{
	struct stress *s = g->s;
	u32 batch = 1 + rnd(&g->rng) % 64, sent = 0, nb, total, i;

	while (sent < batch && g->tx_sent < s->n) {
		total = HDR + msg_len(g->tx_sent, 0);
		nb = (total + BUF - 1) / BUF;
		if (vbus_ioq_free(&s->g_tx) < nb)
			break;
		msg_fill(g->txmsg, g->tx_sent, 0, total - HDR);
		for (i = 0; i < nb; i++) {
			u32 chunk = total - i * BUF < BUF ? total - i * BUF : BUF;
			u64 off = vbus_ioq_buf_off(&s->g_tx, s->g_tx.head);
			enum vbus_err e;

			memcpy(at(s, off), g->txmsg + i * BUF, chunk);
			g->tx_len[s->g_tx.head & (RING - 1)] = chunk;
			e = vbus_ioq_post(&s->g_tx, off, chunk,
					  i + 1 < nb ? VBUS_DESC_F_NEXT : 0);
			if (e) {
				fail(s, "guest post: err %lu", e, 0);
				return 0;
			}
		}
		g->tx_segs_posted += nb;
		g->tx_sent++;
		sent++;
	}
	if (sent) {
		vbus_ioq_publish(&s->g_tx);
		if (vbus_signal_inject(&s->g_tx.ring->to_host)) {
			s->kicks_tx++;
			db_ring(&s->to_host);
		}
	}
	return sent;
}

static int guest_reclaim(struct guest *g)
{
	struct stress *s = g->s;
	struct vbus_seg seg;
	enum vbus_err e;
	int n = 0;

	while ((e = vbus_ioq_reclaim(&s->g_tx, &seg)) == VBUS_OK) {
		if (seg.len != g->tx_len[seg.slot])
			fail(s, "tx completion len %lu want %lu", seg.len,
			     g->tx_len[seg.slot]);
		g->tx_segs_done++;
		n++;
	}
	if (e != VBUS_E_EMPTY)
		fail(s, "guest reclaim: err %lu", e, 0);
	return n;
}

static int guest_rx(struct guest *g)
{
	struct stress *s = g->s;
	struct vbus_seg seg;
	enum vbus_err e;
	int n = 0, r;

	while ((e = vbus_ioq_reclaim(&s->g_rx, &seg)) == VBUS_OK) {
		if (g->msg_fill + seg.len > sizeof(g->msg)) {
			fail(s, "rx message too long: %lu", g->msg_fill, 0);
			return n;
		}
		memcpy(g->msg + g->msg_fill, at(s, seg.offset), seg.len);
		g->msg_fill += seg.len;
		e = vbus_ioq_post(&s->g_rx, seg.offset, BUF, 0);
		if (e)
			fail(s, "rx repost: err %lu", e, 0);
		n++;
		if (seg.flags & VBUS_DESC_F_NEXT)
			continue;
		r = msg_check(g->msg, g->msg_fill, g->rx_recv, 1);
		if (r) {
			fail(s, "rx message %lu bad (reason %lu)", g->rx_recv, r);
			return n;
		}
		g->msg_fill = 0;
		g->rx_recv++;
	}
	if (e != VBUS_E_EMPTY)
		fail(s, "guest rx reclaim: err %lu", e, 0);
	if (n) {
		vbus_ioq_publish(&s->g_rx);
		if (vbus_signal_inject(&s->g_rx.ring->to_host)) {
			s->kicks_rx++;
			db_ring(&s->to_host);
		}
	}
	return n;
}

static void *guest_thread(void *arg)
{
	struct guest *g = arg;
	struct stress *s = g->s;
	u32 i, acked = 0;

	/* post every RX buffer, then poll with notifications off */
	for (i = 0; i < RING; i++)
		vbus_ioq_post(&s->g_rx, vbus_ioq_buf_off(&s->g_rx, i), BUF, 0);
	vbus_ioq_publish(&s->g_rx);
	if (vbus_signal_inject(&s->g_rx.ring->to_host))
		db_ring(&s->to_host);
	vbus_signal_disable(&s->g_tx.ring->to_guest);
	vbus_signal_disable(&s->g_rx.ring->to_guest);

	while (!atomic_load(&s->abort)) {
		int work = 0;
		u32 seen = atomic_load(&s->to_guest.count);

		/* the interrupt handler: runs for every doorbell */
		if (seen != acked) {
			acked = seen;
			vbus_signal_ack(&s->g_tx.ring->to_guest);
			vbus_signal_ack(&s->g_rx.ring->to_guest);
		}
		work += guest_tx(g);
		work += guest_reclaim(g);
		work += guest_rx(g);
		if (work) {
			atomic_fetch_add(&s->progress, 1);
			stall(&g->rng);
			continue;
		}
		if (g->tx_sent == s->n && g->tx_segs_done == g->tx_segs_posted &&
		    g->rx_recv == s->n)
			break;
		/* nothing to do: re-enable, re-check, sleep */
		if (!s->break_guest_sleep) {
			bool a = vbus_signal_enable(&s->g_tx.ring->to_guest);
			bool b = vbus_signal_enable(&s->g_rx.ring->to_guest);

			if (a || b) {
				vbus_signal_disable(&s->g_tx.ring->to_guest);
				vbus_signal_disable(&s->g_rx.ring->to_guest);
				continue;
			}
		}
		db_wait(&s->to_guest, seen);
		vbus_signal_disable(&s->g_tx.ring->to_guest);
		vbus_signal_disable(&s->g_rx.ring->to_guest);
	}
	s->rx_recv = g->rx_recv;
	atomic_store(&s->guest_done, 1);
	return NULL;
}

/* ---- host ---- */

struct host {
	struct stress *s;
	u64 rng;
	struct vbus_txc txc;
	unsigned long tx_recv, rx_sent;
	u8 msg[MAXMSG + BUF];
};

static int host_tx(struct host *h)
{
	struct stress *s = h->s;
	struct vbus_seg segs[CHAIN];
	u32 batch = 1 + rnd(&h->rng) % 64, done = 0, n, i, total, left;
	enum vbus_err e;
	int r;

	while (done < batch) {
		e = vbus_ioq_fetch(&s->h_tx, segs, CHAIN, &n);
		if (e == VBUS_E_EMPTY)
			break;
		if (e) {
			fail(s, "host fetch: err %lu", e, 0);
			return done;
		}
		for (i = 0, total = 0; i < n; i++) {
			memcpy(h->msg + total, at(s, segs[i].offset), segs[i].len);
			total += segs[i].len;
			vbus_ioq_complete(&s->h_tx, segs[i].len, 0);
		}
		r = msg_check(h->msg, total, h->tx_recv, 0);
		if (r) {
			fail(s, "tx message %lu bad (reason %lu)", h->tx_recv, r);
			return done;
		}
		h->tx_recv++;
		done++;
		left = 1;
		vbus_ioq_avail(&s->h_tx, &left);
		if (vbus_txc_complete(&h->txc, 1, !left) &&
		    vbus_signal_inject(&s->h_tx.ring->to_guest)) {
			s->irqs_tx++;
			db_ring(&s->to_guest);
		}
	}
	return done;
}

static int host_rx(struct host *h)
{
	struct stress *s = h->s;
	struct vbus_seg seg;
	u32 batch = 1 + rnd(&h->rng) % 64, sent = 0, avail, nb, total, i;
	enum vbus_err e;

	while (sent < batch && h->rx_sent < s->n) {
		total = HDR + msg_len(h->rx_sent, 1);
		nb = (total + BUF - 1) / BUF;
		if (vbus_ioq_avail(&s->h_rx, &avail)) {
			fail(s, "host rx avail", 0, 0);
			return sent;
		}
		if (avail < nb)
			break;
		msg_fill(h->msg, h->rx_sent, 1, total - HDR);
		for (i = 0; i < nb; i++) {
			u32 chunk = total - i * BUF < BUF ? total - i * BUF : BUF;

			e = vbus_ioq_fetch(&s->h_rx, &seg, 1, &avail);
			if (e || seg.len < chunk) {
				fail(s, "host rx fetch: err %lu len %lu", e, seg.len);
				return sent;
			}
			memcpy(at(s, seg.offset), h->msg + i * BUF, chunk);
			vbus_ioq_complete(&s->h_rx, chunk,
					  i + 1 < nb ? VBUS_DESC_F_NEXT : 0);
		}
		h->rx_sent++;
		sent++;
	}
	if (sent && vbus_signal_inject(&s->h_rx.ring->to_guest)) {
		s->irqs_rx++;
		db_ring(&s->to_guest);
	}
	return sent;
}

/*
 * The poll pass starts: doorbells masked; the transmit doorbell is
 * acknowledged here, after the mask, as venet-tap's NAPI does.
 */
static void host_mask(struct stress *s)
{
	vbus_signal_disable(&s->h_tx.ring->to_host);
	vbus_signal_disable(&s->h_rx.ring->to_host);
	vbus_signal_ack(&s->h_tx.ring->to_host);
}

static void *host_thread(void *arg)
{
	struct host *h = arg;
	struct stress *s = h->s;
	u32 acked = 0;

	h->txc.every = TXC_EVERY;
	host_mask(s);
	while (!atomic_load(&s->abort)) {
		u32 seen = atomic_load(&s->to_host.count);
		int work;

		/* the eventfd wake-up callback runs for every doorbell: it
		 * acknowledges the refill doorbell and schedules a poll pass,
		 * which masks and then acknowledges the transmit doorbell. That
		 * pass comes after the doorbell, so after the guest's store of
		 * pending that preceded it: a pass that acknowledged before
		 * that store (the guest read pending as 0 before our previous
		 * ack) is always followed by this one, or pending would stay
		 * set with us asleep.
		 */
		if (seen != acked) {
			acked = seen;
			vbus_signal_ack(&s->h_rx.ring->to_host);
			host_mask(s);
		}
		work = host_tx(h) + host_rx(h);
		if (work) {
			atomic_fetch_add(&s->progress, 1);
			stall(&h->rng);
			continue;
		}
		if (h->tx_recv == s->n && h->rx_sent == s->n)
			break;
		{
			bool a = vbus_signal_enable(&s->h_tx.ring->to_host);
			bool b = vbus_signal_enable(&s->h_rx.ring->to_host);

			if (a || b) {
				host_mask(s);
				continue;
			}
		}
		db_wait(&s->to_host, seen);
		host_mask(s);
	}
	s->tx_recv = h->tx_recv;
	atomic_store(&s->host_done, 1);
	return NULL;
}

/* ---- setup, watchdog ---- */

static int stress_init(struct stress *s)
{
	struct vbus_dev_spec d = {
		.id = 1, .type = VBUS_TYPE_VENET, .nqueues = 2,
		.config_size = sizeof(struct vbus_net_config),
		.ring_count = RING, .buf_size = BUF, .max_chain = CHAIN,
	};
	static struct vbus_layout g;
	const struct vbus_dev_layout *hd = &s->l.dev[0], *gd = &g.dev[0];

	if (region_alloc(&s->r, RSIZE) ||
	    vbus_layout_plan(&s->l, RSIZE, 3, &d, 1))
		return -1;
	vbus_layout_write(s->r.base, &s->l);
	if (vbus_ioq_init(&s->h_tx, s->r.base, RSIZE, 3, &hd->queue[0]) ||
	    vbus_ioq_init(&s->h_rx, s->r.base, RSIZE, 3, &hd->queue[1]))
		return -1;
	vbus_ioq_reset(&s->h_tx);
	vbus_ioq_reset(&s->h_rx);
	vbus_layout_set_host_state(s->r.base, VBUS_STATE_READY, 1);
	if (vbus_layout_read(s->r.base, RSIZE, &g) ||
	    vbus_ioq_init(&s->g_tx, s->r.base, RSIZE, g.nvectors, &gd->queue[0]) ||
	    vbus_ioq_init(&s->g_rx, s->r.base, RSIZE, g.nvectors, &gd->queue[1]))
		return -1;
	return 0;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static u32 pending_for_host(struct stress *s)
{
	return vbus_ld32(&s->h_tx.ring->head) - s->h_tx.tail;
}

/* Returns 0 when both threads finished, -1 on a detected hang. */
static int watchdog(struct stress *s, double hang_s, double limit_s,
		    pthread_t gt, pthread_t ht)
{
	unsigned long last = atomic_load(&s->progress);
	double since = now(), start = since;
	int rc = 0;

	while (!(atomic_load(&s->host_done) && atomic_load(&s->guest_done))) {
		struct timespec ts = { 0, 5 * 1000 * 1000 };
		unsigned long p;
		int hs, gs;

		nanosleep(&ts, NULL);
		p = atomic_load(&s->progress);
		hs = atomic_load(&s->to_host.sleeping) ||
		     atomic_load(&s->host_done);
		gs = atomic_load(&s->to_guest.sleeping) ||
		     atomic_load(&s->guest_done);
		if (p != last || !hs || !gs) {
			last = p;
			since = now();
		} else if (now() - since > hang_s && !atomic_load(&s->failed)) {
			fail(s, "lost wake-up: both sides asleep for the watchdog "
			     "period, %lu TX slots pending for the host, %lu "
			     "progress steps", pending_for_host(s), p);
			rc = -1;
		}
		if (now() - start > limit_s && !atomic_load(&s->failed)) {
			fail(s, "timeout after %lu s, progress %lu",
			     (unsigned long)limit_s, p);
			rc = -1;
		}
		if (atomic_load(&s->abort)) {
			/* let sleepers see abort */
			db_ring(&s->to_host);
			db_ring(&s->to_guest);
		}
	}
	pthread_join(gt, NULL);
	pthread_join(ht, NULL);
	return rc;
}

static int run(struct tctx *t, unsigned long n, int broken, double hang_s,
	       struct stress **out)
{
	static struct guest g;
	static struct host h;
	struct stress *s = calloc(1, sizeof(*s));
	pthread_t gt, ht;
	double t0;

	if (!s || stress_init(s)) {
		free(s);
		return TFAIL(t, "setup");
	}
	s->n = n;
	s->break_guest_sleep = broken;
	memset(&g, 0, sizeof(g));
	memset(&h, 0, sizeof(h));
	g.s = s;
	h.s = s;
	g.rng = 0x1234567 ^ (u64)time(NULL);
	h.rng = 0x89abcde ^ ((u64)time(NULL) << 7);
	t0 = now();
	if (pthread_create(&gt, NULL, guest_thread, &g) ||
	    pthread_create(&ht, NULL, host_thread, &h)) {
		region_free(&s->r);
		free(s);
		return TFAIL(t, "pthread_create");
	}
	watchdog(s, hang_s, 170.0, gt, ht);
	fprintf(stderr, "  stress: %lu/%lu msgs TX/RX of %lu each way in %.2f s%s; "
		"kicks tx %lu rx %lu, irqs tx %lu rx %lu, doorbells to host %lu "
		"to guest %lu\n", s->tx_recv, s->rx_recv, n, now() - t0,
		broken ? " (protocol broken on purpose)" : "", s->kicks_tx, s->kicks_rx, s->irqs_tx, s->irqs_rx,
		atomic_load(&s->to_host.rings), atomic_load(&s->to_guest.rings));
	*out = s;
	return T_PASS;
}

static void stress_free(struct stress *s)
{
	region_free(&s->r);
	free(s);
}

static int t_stress(struct tctx *t)
{
	struct stress *s;
	unsigned long n = t->msgs;
	int rc = run(t, n, 0, 5.0, &s);

	if (rc != T_PASS)
		return rc;
	if (atomic_load(&s->failed))
		rc = TFAIL(t, "%s", s->err);
	else if (s->tx_recv != n || s->rx_recv != n)
		rc = TFAIL(t, "received tx %lu rx %lu of %lu", s->tx_recv,
			   s->rx_recv, n);
	stress_free(s);
	return rc;
}

/* The watchdog must catch a guest that sleeps without re-enabling. */
static int t_watchdog_selftest(struct tctx *t)
{
	struct stress *s;
	int rc = run(t, 1000000, 1, 0.3, &s);

	if (rc != T_PASS)
		return rc;
	if (!atomic_load(&s->failed) || !strstr(s->err, "lost wake-up"))
		rc = TFAIL(t, "broken protocol not detected: %s",
			   atomic_load(&s->failed) ? s->err : "run completed");
	stress_free(s);
	return rc;
}

const struct vbus_test stress_tests[] = {
	{ "stress/watchdog-selftest", t_watchdog_selftest },
	{ "stress/two-threads-both-ways", t_stress },
	{ NULL, NULL },
};
