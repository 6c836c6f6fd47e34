// SPDX-License-Identifier: GPL-2.0
/*
 * vbus-peer: the host end of a vbus instance in userspace, for testing the
 * guest modules without the host kernel modules (as drivers/vhost/test.c
 * exercises the vhost engine). It serves the ivshmem-doorbell protocol to
 * one QEMU (tools/ivshmem_server.c), lays out the region with the shared
 * planner, and plays the host side of every ring with src/common:
 * it answers ARP and ICMP echo requests for any address, so a guest can
 * ping through it, and counts every notification both ways.
 *
 *   vbus-peer -s SOCKET [-S SIZE] [-v VECTORS] [-n DEVICES] [-t TXMIT]
 *             [-o STATSFILE] [-T TAPNAME]
 *
 * With -T, device 0 is bridged to a TAP device instead (IFF_VNET_HDR with
 * a 16-byte header: struct vbus_net_hdr begins with virtio_net_hdr), so
 * checksum offload and GSO frames pass both ways.
 *
 * SIGHUP: host reset (RESET, wait for the guest's acknowledgement, fresh
 * attach with a new generation). SIGUSR1: withhold (or give again) the
 * host's acknowledgement of a guest's let-go (host_ack_gen), a host that
 * resets the rings but never says so. SIGTERM/SIGINT: detach (GONE) and
 * exit.
 * The stats file is rewritten (key value lines) after every event.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "ivshmem_server.h"
#include "vbus_ioq.h"
#include "vbus_layout.h"
#include "vbus_signal.h"
#include "vbus_txc.h"

#define RING		256
#define BUF		2048
#define HDR		16
#define MAXFRAME	(HDR + 65536 + 64)

struct peer_dev {
	struct vbus_ioq txq, rxq;
	struct vbus_txc txc;
	struct vbus_net_config *cfg;
	unsigned char mac[6];		/* the guest's */
	unsigned char peer_mac[6];	/* ours */
	unsigned long long tx_frames, rx_frames, rx_nobuf, ignored, errors;
	int stopped;
};

static struct {
	struct ivshmem_region r;
	void *base;
	struct vbus_layout l;
	struct peer_dev dev[2];
	unsigned int ndev, nvectors, txmit;
	unsigned int gen;
	unsigned long long doorbells[IVSHMEM_MAX_VECTORS];
	unsigned long long irqs[IVSHMEM_MAX_VECTORS];
	unsigned int raise;		/* vectors to raise after this event */
	int client;
	const char *stats;
	int resetting;
	int no_ack;			/* SIGUSR1: host_ack_gen withheld */
	unsigned long long letgo_events;	/* guest RESET seen, READY host */
	int tap;			/* -T: device 0 <-> TAP, or -1 */
	int tap_blocked;		/* waiting for RX buffers */
	unsigned long long tap_drops;
	struct timespec reset_start;
	unsigned char frame[MAXFRAME];
} P = { .client = -1, .tap = -1 };

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static void raise_pending(void)
{
	unsigned int v;
	uint64_t one = 1;

	for (v = 0; v < P.nvectors; v++) {
		if (!(P.raise & (1U << v)))
			continue;
		if (P.client >= 0 &&
		    write(P.r.irq_fds[v], &one, sizeof(one)) == sizeof(one))
			P.irqs[v]++;
	}
	P.raise = 0;
}

static void write_stats(void)
{
	char tmp[4096];
	unsigned int v, d;
	u32 gen, st;
	FILE *f;

	if (!P.stats)
		return;
	snprintf(tmp, sizeof(tmp), "%s.tmp", P.stats);
	f = fopen(tmp, "w");
	if (!f)
		return;
	st = vbus_layout_guest_state(P.base, &gen);
	fprintf(f, "host_gen %u\nguest_state %u\nguest_gen %u\nclient %d\n"
		"tap_drops %llu\nno_ack %d\nletgo_events %llu\n", P.gen, st, gen,
		P.client >= 0, P.tap_drops, P.no_ack, P.letgo_events);
	for (v = 0; v < P.nvectors; v++)
		fprintf(f, "doorbells_%u %llu\nirqs_%u %llu\n", v,
			P.doorbells[v], v, P.irqs[v]);
	for (d = 0; d < P.ndev; d++)
		fprintf(f, "dev%u_tx_frames %llu\ndev%u_rx_frames %llu\n"
			"dev%u_rx_nobuf %llu\ndev%u_ignored %llu\n"
			"dev%u_errors %llu\n", d, P.dev[d].tx_frames,
			d, P.dev[d].rx_frames, d, P.dev[d].rx_nobuf,
			d, P.dev[d].ignored, d, P.dev[d].errors);
	fclose(f);
	rename(tmp, P.stats);
}

static void reset_queues(void)
{
	unsigned int d;

	for (d = 0; d < P.ndev; d++) {
		struct peer_dev *pd = &P.dev[d];

		vbus_ioq_reset(&pd->txq);
		vbus_ioq_reset(&pd->rxq);
		/* we look at RX buffers when we have a frame: no doorbells */
		vbus_signal_disable(&pd->rxq.ring->to_host);
		pd->txc.unsignalled = 0;
		pd->stopped = 0;
	}
}

/* Host attach (docs/abi.md section 2): zero, write, reset, READY, raise. */
static void attach(void)
{
	struct vbus_dev_spec spec[2];
	struct vbus_shm_header *h = P.base;
	unsigned int d;
	enum vbus_err err;
	u32 st, ggen;

	memset(spec, 0, sizeof(spec));
	for (d = 0; d < P.ndev; d++) {
		spec[d].id = d;
		spec[d].type = VBUS_TYPE_VENET;
		spec[d].config_size = sizeof(struct vbus_net_config);
		spec[d].nqueues = 2;
		spec[d].ring_count = RING;
		spec[d].buf_size = BUF;
		spec[d].max_chain = VBUS_NET_CHAIN(BUF);
	}
	err = vbus_layout_plan(&P.l, P.r.shm_size, P.nvectors, spec, P.ndev);
	if (err) {
		fprintf(stderr, "plan: %s\n", vbus_err_name(err));
		exit(1);
	}
	/* the guest's let-go, if any, before the region is zeroed */
	st = vbus_layout_guest_state(P.base, &ggen);
	memset(P.base, 0, P.r.shm_size);
	vbus_layout_write(P.base, &P.l);
	vbus_signal_init(&h->ctrl_to_guest);
	vbus_signal_init(&h->ctrl_to_host);
	for (d = 0; d < P.ndev; d++) {
		struct peer_dev *pd = &P.dev[d];
		struct vbus_dev_layout *dl = &P.l.dev[d];
		struct vbus_net_config *c;

		if (vbus_ioq_init(&pd->txq, P.base, P.r.shm_size, P.nvectors,
				  &dl->queue[0]) ||
		    vbus_ioq_init(&pd->rxq, P.base, P.r.shm_size, P.nvectors,
				  &dl->queue[1]))
			die("ioq_init");
		pd->txc.every = P.txmit;
		c = (struct vbus_net_config *)((u8 *)P.base + dl->config_off);
		pd->cfg = c;
		unsigned char mac[6] = { 0x02, 0x00, 0xc6, 0x12, 0x00,
					 (unsigned char)(0x10 + d) };
		unsigned char pmac[6] = { 0x02, 0x00, 0xc6, 0x12, 0x01,
					  (unsigned char)(0x10 + d) };
		memcpy(pd->mac, mac, 6);
		memcpy(pd->peer_mac, pmac, 6);
		memcpy(c->mac, mac, 6);
		c->mtu = cpu_to_le16(1500);
		c->features = cpu_to_le32(VBUS_NET_F_ALL);
		c->link = cpu_to_le32(VBUS_NET_LINK_UP);
		c->max_frame = cpu_to_le32(VBUS_NET_MAX_FRAME);
	}
	reset_queues();
	P.gen++;
	/* acknowledged at once: the handshake needs no second let-go */
	if ((st == VBUS_STATE_RESET || st == VBUS_STATE_GONE) && !P.no_ack)
		vbus_layout_set_host_ack(P.base, ggen);
	vbus_layout_set_host_state(P.base, VBUS_STATE_READY, P.gen);
	if (vbus_signal_inject(&h->ctrl_to_guest))
		P.raise |= 1;
	fprintf(stderr, "vbus-peer: attached, generation %u, %u device(s), %u vectors\n",
		P.gen, P.ndev, P.nvectors);
}

static u16 csum(const void *data, size_t len, u32 sum)
{
	const u8 *p = data;

	for (; len > 1; len -= 2, p += 2)
		sum += (u32)p[0] << 8 | p[1];
	if (len)
		sum += (u32)p[0] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (u16)~sum;
}

/* Hand a frame (starting with the 16-byte header) to the guest. */
static void deliver(struct peer_dev *pd, const u8 *frame, u32 len)
{
	struct vbus_ioq *q = &pd->rxq;
	u32 need = (len + BUF - 1) / BUF, avail, i, n;
	struct vbus_seg seg;
	enum vbus_err err;

	if (vbus_ioq_avail(q, &avail) || avail < need) {
		pd->rx_nobuf++;
		return;
	}
	for (i = 0; i < need; i++) {
		err = vbus_ioq_fetch(q, &seg, 1, &n);
		if (err) {
			fprintf(stderr, "rx fetch: %s\n", vbus_err_name(err));
			pd->errors++;
			return;
		}
		n = len - i * BUF < BUF ? len - i * BUF : BUF;
		memcpy((u8 *)P.base + seg.offset, frame + i * BUF, n);
		vbus_ioq_complete(q, n, i + 1 < need ? VBUS_DESC_F_NEXT : 0);
	}
	pd->rx_frames++;
	if (vbus_signal_inject(&q->ring->to_guest))
		P.raise |= 1U << P.l.dev[pd - P.dev].queue[1].vector;
}

/* ARP and ICMP echo responder. @f: header + Ethernet frame. */
static void handle(struct peer_dev *pd, u8 *f, u32 len)
{
	u8 out[HDR + 1514];
	u8 *e = f + HDR, *o = out + HDR;
	u32 elen = len - HDR;

	memset(out, 0, HDR);
	if (elen >= 42 && e[12] == 0x08 && e[13] == 0x06 &&
	    e[20] == 0 && e[21] == 1 && memcmp(e + 28, e + 38, 4)) {
		memcpy(o, e + 6, 6);
		memcpy(o + 6, pd->peer_mac, 6);
		memcpy(o + 12, e + 12, 8);
		o[21] = 2;
		memcpy(o + 22, pd->peer_mac, 6);
		memcpy(o + 28, e + 38, 4);
		memcpy(o + 32, e + 22, 10);
		deliver(pd, out, HDR + 42);
		return;
	}
	if (elen >= 42 && elen <= 1514 && e[12] == 0x08 && e[13] == 0x00 &&
	    (e[14] >> 4) == 4 && e[23] == 1) {
		u32 ihl = (e[14] & 15) * 4;
		u32 tot = (u32)e[16] << 8 | e[17];
		u16 c;

		if (ihl < 20 || tot < ihl + 8 || 14 + tot > elen ||
		    e[14 + ihl] != 8)
			goto ignore;
		memcpy(o, e + 6, 6);
		memcpy(o + 6, pd->peer_mac, 6);
		memcpy(o + 12, e + 12, 14 + tot - 12);
		memcpy(o + 26, e + 30, 4);
		memcpy(o + 30, e + 26, 4);
		o[22] = 64;
		o[24] = o[25] = 0;
		c = csum(o + 14, ihl, 0);
		o[24] = c >> 8;
		o[25] = c & 0xff;
		o[14 + ihl] = 0;
		o[14 + ihl + 2] = o[14 + ihl + 3] = 0;
		c = csum(o + 14 + ihl, tot - ihl, 0);
		o[14 + ihl + 2] = c >> 8;
		o[14 + ihl + 3] = c & 0xff;
		deliver(pd, out, HDR + 14 + tot);
		return;
	}
ignore:
	pd->ignored++;
}

static void service_tx(struct peer_dev *pd, u16 vector)
{
	struct vbus_ioq *q = &pd->txq;
	struct vbus_seg segs[VBUS_CHAIN_MAX];
	enum vbus_err err;
	u32 n, i, len, avail;
	bool signal = false;

	if (pd->stopped)
		return;
	for (;;) {
		vbus_signal_disable(&q->ring->to_host);
		while ((err = vbus_ioq_fetch(q, segs, VBUS_CHAIN_MAX, &n)) ==
		       VBUS_OK) {
			for (i = 0, len = 0; i < n; i++) {
				memcpy(P.frame + len,
				       (u8 *)P.base + segs[i].offset,
				       segs[i].len);
				len += segs[i].len;
				vbus_ioq_complete(q, segs[i].len, 0);
			}
			pd->tx_frames++;
			if (P.tap >= 0 && pd == P.dev) {
				if (write(P.tap, P.frame, len) != (ssize_t)len)
					P.tap_drops++;
			} else if (len >= HDR + 14) {
				handle(pd, P.frame, len);
			}
			vbus_ioq_avail(q, &avail);
			if (vbus_txc_complete(&pd->txc, 1, !avail))
				signal = true;
		}
		if (err != VBUS_E_EMPTY) {
			fprintf(stderr, "tx fetch: %s, queue stopped\n",
				vbus_err_name(err));
			pd->errors++;
			pd->stopped = 1;
			break;
		}
		if (!vbus_signal_enable(&q->ring->to_host))
			break;
	}
	if (signal && vbus_signal_inject(&q->ring->to_guest))
		P.raise |= 1U << vector;
}

static int tap_open(const char *name)
{
	struct ifreq ifr;
	int fd, sz = HDR;

	fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		die("/dev/net/tun");
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (ioctl(fd, TUNSETIFF, &ifr) || ioctl(fd, TUNSETVNETHDRSZ, &sz) ||
	    ioctl(fd, TUNSETOFFLOAD, TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6))
		die("tap setup");
	return fd;
}

/* TAP -> guest while the guest has buffers for a maximal frame. */
static void tap_pump(void)
{
	struct peer_dev *pd = &P.dev[0];
	struct vbus_ioq *q = &pd->rxq;
	u32 avail;
	ssize_t n;

	if (P.tap < 0 || P.resetting)
		return;
	for (;;) {
		if (vbus_ioq_avail(q, &avail))
			return;
		if (avail < VBUS_NET_CHAIN(BUF)) {
			/* ask the guest to ring when it posts buffers */
			if (!vbus_signal_enable(&q->ring->to_host)) {
				P.tap_blocked = 1;
				return;
			}
			continue;
		}
		vbus_signal_disable(&q->ring->to_host);
		P.tap_blocked = 0;
		n = read(P.tap, P.frame, sizeof(P.frame));
		if (n < HDR + 14)
			return;
		/* nbufs and reserved are ours to fill */
		memset(P.frame + 10, 0, HDR - 10);
		P.frame[10] = (u8)((n + BUF - 1) / BUF);
		deliver(pd, P.frame, (u32)n);
	}
}

static void control_event(void)
{
	struct vbus_shm_header *h = P.base;
	u32 gen, st;

	vbus_signal_ack(&h->ctrl_to_host);
	st = vbus_layout_guest_state(P.base, &gen);
	fprintf(stderr, "vbus-peer: guest state %u generation %u\n", st, gen);
	if (st != VBUS_STATE_READY && !P.resetting) {
		reset_queues();
		P.letgo_events++;
		/* the reset handshake (docs/abi.md, section 2) */
		if (!P.no_ack)
			vbus_layout_set_host_ack(P.base, gen);
		vbus_layout_set_host_state(P.base, VBUS_STATE_READY, P.gen);
		P.raise |= 1;
	}
}

static void doorbell(unsigned int v)
{
	unsigned int d, k;

	P.doorbells[v]++;
	if (v == VBUS_CTRL_VECTOR) {
		control_event();
		return;
	}
	for (d = 0; d < P.ndev; d++)
		for (k = 0; k < 2; k++) {
			struct vbus_queue_layout *ql = &P.l.dev[d].queue[k];
			struct vbus_ioq *q = k ? &P.dev[d].rxq : &P.dev[d].txq;

			if (ql->vector != v)
				continue;
			vbus_signal_ack(&q->ring->to_host);
			if (!k)
				service_tx(&P.dev[d], ql->vector);
		}
}

static void host_reset_begin(void)
{
	struct vbus_shm_header *h = P.base;

	fprintf(stderr, "vbus-peer: host reset\n");
	vbus_layout_set_host_state(P.base, VBUS_STATE_RESET, P.gen);
	if (vbus_signal_inject(&h->ctrl_to_guest))
		P.raise |= 1;
	P.resetting = 1;
	clock_gettime(CLOCK_MONOTONIC, &P.reset_start);
}

static void host_reset_poll(void)
{
	struct timespec now;
	u32 gen;

	if (!P.resetting)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (vbus_layout_guest_state(P.base, &gen) == VBUS_STATE_READY &&
	    now.tv_sec - P.reset_start.tv_sec < 5)
		return;
	P.resetting = 0;
	attach();
}

int main(int argc, char **argv)
{
	const char *sock_path = NULL;
	unsigned long long size = 4 << 20;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct pollfd pfd[4 + IVSHMEM_MAX_VECTORS];
	sigset_t mask;
	int lfd, sfd, c, running = 1;
	unsigned int v;

	P.nvectors = 2;
	P.ndev = 1;
	P.txmit = 10;
	while ((c = getopt(argc, argv, "s:S:v:n:t:o:T:")) != -1) {
		switch (c) {
		case 's': sock_path = optarg; break;
		case 'S': size = strtoull(optarg, NULL, 0); break;
		case 'v': P.nvectors = atoi(optarg); break;
		case 'n': P.ndev = atoi(optarg); break;
		case 't': P.txmit = atoi(optarg); break;
		case 'o': P.stats = optarg; break;
		case 'T': P.tap = tap_open(optarg); break;
		default:
			fprintf(stderr, "usage: vbus-peer -s SOCKET [-S SIZE] [-v VECTORS] [-n 1|2] [-t TXMIT] [-o STATS]\n");
			return 2;
		}
	}
	if (!sock_path || P.ndev < 1 || P.ndev > 2 || P.nvectors < 2 ||
	    P.nvectors > IVSHMEM_MAX_VECTORS ||
	    strlen(sock_path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "vbus-peer: bad arguments\n");
		return 2;
	}
	if (ivshmem_region_create(&P.r, "vbus-peer", size, P.nvectors))
		die("region");
	P.base = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      P.r.shm_fd, 0);
	if (P.base == MAP_FAILED)
		die("mmap");
	attach();
	P.raise = 0;

	sigemptyset(&mask);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGUSR1);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC);
	lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (sfd < 0 || lfd < 0)
		die("socket");
	strcpy(sa.sun_path, sock_path);
	unlink(sock_path);
	if (bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) || listen(lfd, 4))
		die("bind");
	write_stats();

	while (running) {
		unsigned int n = 0;

		pfd[n++] = (struct pollfd){ .fd = sfd, .events = POLLIN };
		pfd[n++] = (struct pollfd){ .fd = lfd, .events = POLLIN };
		pfd[n++] = (struct pollfd){ .fd = P.client, .events = POLLIN };
		for (v = 0; v < P.nvectors; v++)
			pfd[n++] = (struct pollfd){ .fd = P.r.doorbell_fds[v],
						    .events = POLLIN };
		pfd[n++] = (struct pollfd){ .fd = P.tap_blocked ? -1 : P.tap,
					    .events = POLLIN };
		if (poll(pfd, n, P.resetting ? 100 : -1) < 0) {
			if (errno == EINTR)
				continue;
			die("poll");
		}
		if (pfd[0].revents) {
			struct signalfd_siginfo si;

			if (read(sfd, &si, sizeof(si)) == sizeof(si)) {
				if (si.ssi_signo == SIGHUP) {
					host_reset_begin();
				} else if (si.ssi_signo == SIGUSR1) {
					P.no_ack = !P.no_ack;
					fprintf(stderr, "vbus-peer: acknowledgements %s\n",
						P.no_ack ? "withheld" : "given");
					write_stats();
				} else {
					running = 0;
				}
			}
		}
		if (pfd[1].revents) {
			int cfd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);

			if (cfd >= 0 && P.client >= 0) {
				ivshmem_refuse(cfd);
				close(cfd);
			} else if (cfd >= 0) {
				if (ivshmem_serve(cfd, &P.r)) {
					close(cfd);
				} else {
					P.client = cfd;
					fprintf(stderr, "vbus-peer: client connected\n");
				}
			}
		}
		if (P.client >= 0 && pfd[2].revents) {
			char b[64];

			if (read(P.client, b, sizeof(b)) <= 0) {
				fprintf(stderr, "vbus-peer: client gone\n");
				close(P.client);
				P.client = -1;
			}
		}
		for (v = 0; v < P.nvectors; v++) {
			uint64_t cnt;

			if (!pfd[3 + v].revents)
				continue;
			if (read(P.r.doorbell_fds[v], &cnt, sizeof(cnt)) !=
			    sizeof(cnt))
				continue;
			doorbell(v);
		}
		host_reset_poll();
		tap_pump();
		raise_pending();
		write_stats();
	}
	vbus_layout_set_host_state(P.base, VBUS_STATE_GONE, P.gen);
	if (vbus_signal_inject(&((struct vbus_shm_header *)P.base)->ctrl_to_guest))
		P.raise |= 1;
	raise_pending();
	write_stats();
	unlink(sock_path);
	return 0;
}
