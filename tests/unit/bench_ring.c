// SPDX-License-Identifier: GPL-2.0
/*
 * Ring benchmark (not a test): a guest thread transmits 64-byte frames in
 * batches of 1..64 (one publish and at most one kick per batch), a host
 * thread consumes them, completes them with tx-complete mitigation
 * (every 10) and signals; both sleep on futex doorbells when idle.
 * Prints messages/s, ns/message and notifications/message per batch size
 * and writes the same as JSON.
 *
 * usage: bench_ring [out.json] [messages per batch size]
 */
#define _GNU_SOURCE
#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include "vbus_ioq.h"
#include "vbus_signal.h"
#include "vbus_txc.h"

#define RSIZE	(1024 * 1024ULL)
#define RING	256
#define BUF	2048
#define FRAME	64

struct bell {
	_Atomic u32 count;
};

struct bench {
	void *base;
	struct vbus_layout l;
	struct vbus_ioq gq, hq;
	struct bell to_host, to_guest;
	unsigned long n, batch;
	unsigned long kicks, irqs, bad;
};

static void ring_bell(struct bell *b)
{
	atomic_fetch_add(&b->count, 1);
	syscall(SYS_futex, &b->count, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

static void wait_bell(struct bell *b, u32 seen)
{
	syscall(SYS_futex, &b->count, FUTEX_WAIT_PRIVATE, seen, NULL, NULL, 0);
}

static void *guest(void *arg)
{
	struct bench *b = arg;
	struct vbus_shm_signal *sig = &b->gq.ring->to_guest;
	unsigned long sent = 0, done = 0;
	struct vbus_seg s;
	u32 acked = 0, seen, i;

	vbus_signal_disable(sig);
	while (done < b->n) {
		seen = atomic_load(&b->to_guest.count);
		if (seen != acked) {
			acked = seen;
			vbus_signal_ack(sig);
		}
		while (vbus_ioq_reclaim(&b->gq, &s) == VBUS_OK)
			done++;
		if (sent < b->n && vbus_ioq_free(&b->gq) >= b->batch) {
			for (i = 0; i < b->batch && sent < b->n; i++, sent++) {
				u64 off = vbus_ioq_buf_off(&b->gq, b->gq.head);

				memset((u8 *)b->base + off, (u8)sent, FRAME);
				vbus_ioq_post(&b->gq, off, FRAME, 0);
			}
			vbus_ioq_publish(&b->gq);
			if (vbus_signal_inject(&b->gq.ring->to_host)) {
				b->kicks++;
				ring_bell(&b->to_host);
			}
			continue;
		}
		if (done == sent && sent == b->n)
			break;
		if (vbus_signal_enable(sig)) {
			vbus_signal_disable(sig);
			continue;
		}
		wait_bell(&b->to_guest, seen);
		vbus_signal_disable(sig);
	}
	return NULL;
}

static void *host(void *arg)
{
	struct bench *b = arg;
	struct vbus_shm_signal *sig = &b->hq.ring->to_host;
	struct vbus_txc txc = { .every = 10 };
	struct vbus_seg seg;
	unsigned long got = 0;
	u8 frame[FRAME];
	u32 acked = 0, seen, n, left;

	vbus_signal_disable(sig);
	while (got < b->n) {
		seen = atomic_load(&b->to_host.count);
		if (seen != acked) {
			acked = seen;
			vbus_signal_ack(sig);
		}
		if (vbus_ioq_fetch(&b->hq, &seg, 1, &n) == VBUS_OK) {
			memcpy(frame, (u8 *)b->base + seg.offset, seg.len);
			if (frame[0] != (u8)got || seg.len != FRAME)
				b->bad++;
			vbus_ioq_complete(&b->hq, seg.len, 0);
			got++;
			left = 0;
			vbus_ioq_avail(&b->hq, &left);
			if (vbus_txc_complete(&txc, 1, !left) &&
			    vbus_signal_inject(&b->hq.ring->to_guest)) {
				b->irqs++;
				ring_bell(&b->to_guest);
			}
			continue;
		}
		if (vbus_signal_enable(sig)) {
			vbus_signal_disable(sig);
			continue;
		}
		wait_bell(&b->to_host, seen);
		vbus_signal_disable(sig);
	}
	return NULL;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int run(struct bench *b, double *secs)
{
	struct vbus_dev_spec d = {
		.id = 1, .type = VBUS_TYPE_VENET, .nqueues = 1,
		.ring_count = RING, .buf_size = BUF, .max_chain = 1,
	};
	pthread_t g, h;
	double t0;

	memset(b->base, 0, RSIZE);
	if (vbus_layout_plan(&b->l, RSIZE, 2, &d, 1) ||
	    vbus_ioq_init(&b->hq, b->base, RSIZE, 2, &b->l.dev[0].queue[0]) ||
	    vbus_ioq_init(&b->gq, b->base, RSIZE, 2, &b->l.dev[0].queue[0]))
		return -1;
	vbus_layout_write(b->base, &b->l);
	vbus_ioq_reset(&b->hq);
	t0 = now();
	if (pthread_create(&g, NULL, guest, b) ||
	    pthread_create(&h, NULL, host, b))
		return -1;
	pthread_join(g, NULL);
	pthread_join(h, NULL);
	*secs = now() - t0;
	return 0;
}

int main(int argc, char **argv)
{
	static const unsigned long batches[] = { 1, 2, 4, 8, 16, 32, 64 };
	const char *json = argc > 1 ? argv[1] : NULL;
	unsigned long n = argc > 2 ? strtoul(argv[2], NULL, 0) : 2000000;
	FILE *f = NULL;
	size_t i;
	int rc = 0;
	void *base = aligned_alloc(4096, RSIZE);

	if (!base)
		return 1;
	if (json) {
		f = fopen(json, "w");
		if (!f) {
			perror(json);
			free(base);
			return 1;
		}
		fprintf(f, "{\n  \"benchmark\": \"vbus ioq ring, userspace, 2 threads\",\n"
			"  \"frame_bytes\": %d, \"ring\": %d, \"txmitigation\": 10,\n"
			"  \"messages_per_batch_size\": %lu,\n  \"results\": [\n",
			FRAME, RING, n);
	}
	printf("%6s %12s %10s %10s %10s %10s\n", "batch", "msgs/s", "ns/msg",
	       "kicks/msg", "irqs/msg", "notif/msg");
	for (i = 0; i < sizeof(batches) / sizeof(batches[0]); i++) {
		struct bench b = { .base = base, .n = n, .batch = batches[i] };
		double secs, nm;

		if (run(&b, &secs)) {
			rc = 1;
			break;
		}
		if (b.bad)
			rc = 1;
		nm = (double)(b.kicks + b.irqs) / n;
		printf("%6lu %12.0f %10.1f %10.4f %10.4f %10.4f%s\n", b.batch,
		       n / secs, secs * 1e9 / n, (double)b.kicks / n,
		       (double)b.irqs / n, nm, b.bad ? "  CORRUPT" : "");
		if (f)
			fprintf(f, "    {\"batch\": %lu, \"msgs_per_s\": %.0f, "
				"\"ns_per_msg\": %.1f, \"kicks_per_msg\": %.5f, "
				"\"irqs_per_msg\": %.5f, \"notifications_per_msg\": %.5f}%s\n",
				b.batch, n / secs, secs * 1e9 / n,
				(double)b.kicks / n, (double)b.irqs / n, nm,
				i + 1 < sizeof(batches) / sizeof(batches[0]) ? "," : "");
	}
	if (f) {
		fprintf(f, "  ]\n}\n");
		fclose(f);
	}
	free(base);
	return rc;
}
