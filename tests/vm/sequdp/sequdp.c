// SPDX-License-Identifier: GPL-2.0
/*
 * sequdp: sequenced UDP for the "nothing lost" tests.
 *
 *   sequdp send ADDR PORT COUNT [--rate PPS] [--size BYTES] [--from N]
 *   sequdp recv PORT COUNT [--bind ADDR] [--idle SECS] [--timeout SECS]
 *
 * The sender numbers datagrams N..COUNT-1 (N = 0 unless --from) and paces
 * them at PPS.
 * Its own queue's drops are not the path's: with IP_RECVERR a full local
 * queue answers ENOBUFS and the datagram is sent again, so every number
 * leaves the sender exactly once. It prints
 *   sent      datagrams send() took (COUNT - N unless it failed or was
 *             stopped)
 *   retries   sends that were refused (ENOBUFS) and made again
 * also when an error ends it early (exit status 1) or SIGTERM/SIGINT
 * stops it (exit status 0: `timeout 5 sequdp send ...` floods for 5 s and
 * says how many it sent).
 *
 * The receiver keeps a bitmap of the numbers it saw and reports
 *   received  datagrams that carried our magic
 *   unique    distinct numbers among them
 *   lost      COUNT - unique
 *   dup       datagrams whose number had been seen already
 *   reordered datagrams with a number below the highest seen before them
 *   sockdrops datagrams the kernel dropped at this socket (SO_RXQ_OVFL):
 *             the receiver's fault, not the path's
 *   foreign   datagrams without our magic or of a bad length
 *   missing   the first SEQUDP_SHOW_MISSING numbers that never came, or -
 * and ends when all COUNT arrived, when nothing came for --idle seconds
 * after the first datagram, or at --timeout.
 *
 * Exit status: 0 when the count ran (whatever it found), 1 on errors,
 * 2 on bad usage.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define SEQUDP_MAGIC	0x53455155u	/* "SEQU" */
#define SEQUDP_HDR	12		/* magic (4) + number (8), big endian */
#define SEQUDP_MAXLEN	65000
#define SEQUDP_SHOW_MISSING	8	/* missing numbers printed at most */

static const char usage[] =
	"usage: sequdp send ADDR PORT COUNT [--rate PPS] [--size BYTES] [--from N]\n"
	"       sequdp recv PORT COUNT [--bind ADDR] [--idle SECS] [--timeout SECS]\n"
	"\n"
	"Sequenced UDP over IPv4 or IPv6. The sender numbers datagrams N to COUNT-1\n"
	"(N: 0 unless --from) and paces them at PPS per second (default 10000;\n"
	"0: as fast as it can), each BYTES long (12 to 65000, default 64). A\n"
	"full local queue (ENOBUFS) is waited out and the datagram sent again,\n"
	"so the sender loses nothing. It prints one line, also when an error\n"
	"ends it early (exit status 1) or SIGTERM or SIGINT stops it (0):\n"
	"  sent= retries= seconds= pps=\n"
	"sent counts the datagrams sent (send() took them), retries the refusals.\n"
	"\n"
	"The receiver listens on PORT (on ADDR, default any) and prints one line:\n"
	"  received= unique= lost= dup= reordered= sockdrops= foreign= seconds= pps= missing=\n"
	"lost is COUNT - unique; dup counts repeated numbers; reordered counts\n"
	"datagrams numbered below the highest seen before them; sockdrops counts\n"
	"what the kernel dropped at the receiving socket (SO_RXQ_OVFL); missing\n"
	"lists the first 8 numbers that never came (- if none). It ends\n"
	"when all COUNT arrived, after --idle seconds (default 3) without a\n"
	"datagram once one came, or at --timeout seconds (default 3600).\n"
	"\n"
	"Exit status: 0 the count ran, 1 an error (message on stderr), 2 usage.\n";

static volatile sig_atomic_t stop;

static void on_stop(int sig)
{
	(void)sig;
	stop = 1;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A decimal number in [min, max], or -1 with a message. */
static long long number(const char *what, const char *s, long long min,
			long long max)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max) {
		fprintf(stderr, "sequdp: %s: '%s' is not a number from %lld to %lld\n",
			what, s, min, max);
		return -1;
	}
	return v;
}

/* An IPv4 or IPv6 address and a port; returns the sockaddr's length, or 0. */
static socklen_t addr(const char *s, uint16_t port, struct sockaddr_storage *ss)
{
	struct sockaddr_in *sa = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sa6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, s, &sa->sin_addr) == 1) {
		sa->sin_family = AF_INET;
		sa->sin_port = htons(port);
		return sizeof(*sa);
	}
	if (inet_pton(AF_INET6, s, &sa6->sin6_addr) == 1) {
		sa6->sin6_family = AF_INET6;
		sa6->sin6_port = htons(port);
		return sizeof(*sa6);
	}
	fprintf(stderr, "sequdp: '%s' is not an IPv4 or IPv6 address\n", s);
	return 0;
}

static void put_be(unsigned char *p, uint64_t v, int n)
{
	for (int i = n - 1; i >= 0; i--, v >>= 8)
		p[i] = v & 0xff;
}

static uint64_t get_be(const unsigned char *p, int n)
{
	uint64_t v = 0;

	for (int i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

static int do_send(int argc, char **argv)
{
	long long port, count, rate = 10000, size = 64, from = 0;
	unsigned char buf[SEQUDP_MAXLEN];
	struct sockaddr_storage sa;
	socklen_t salen = 0;
	unsigned long long retries = 0;
	double t0, t;
	uint64_t seq;
	int fd, one = 1;

	if (argc < 3)
		goto bad;
	port = number("PORT", argv[1], 1, 65535);
	count = number("COUNT", argv[2], 1, 1LL << 32);
	if (port < 0 || count < 0)
		return 2;
	salen = addr(argv[0], port, &sa);
	if (!salen)
		return 2;
	for (int i = 3; i < argc; i += 2) {
		if (i + 1 >= argc)
			goto bad;
		if (!strcmp(argv[i], "--rate"))
			rate = number("--rate", argv[i + 1], 0, 100000000);
		else if (!strcmp(argv[i], "--size"))
			size = number("--size", argv[i + 1], SEQUDP_HDR, SEQUDP_MAXLEN);
		else if (!strcmp(argv[i], "--from"))
			from = number("--from", argv[i + 1], 0, count);
		else
			goto bad;
		if (rate < 0 || size < 0 || from < 0)
			return 2;
	}

	fd = socket(sa.ss_family, SOCK_DGRAM, 0);
	if (fd < 0 ||
	    (sa.ss_family == AF_INET6 ?
	     setsockopt(fd, IPPROTO_IPV6, IPV6_RECVERR, &one, sizeof(one)) :
	     setsockopt(fd, IPPROTO_IP, IP_RECVERR, &one, sizeof(one))) ||
	    connect(fd, (struct sockaddr *)&sa, salen)) {
		fprintf(stderr, "sequdp: socket to %s:%lld: %s\n", argv[0], port,
			strerror(errno));
		if (fd >= 0)
			close(fd);
		return 1;
	}
	memset(buf, 0xa5, sizeof(buf));
	put_be(buf, SEQUDP_MAGIC, 4);
	{
		/* no SA_RESTART: a blocked send() or nanosleep() returns */
		struct sigaction sa = { .sa_handler = on_stop };

		sigaction(SIGTERM, &sa, NULL);
		sigaction(SIGINT, &sa, NULL);
	}
	t0 = now();
	for (seq = from; seq < (uint64_t)count && !stop;) {
		if (rate) {
			double due = t0 + (seq - from) / (double)rate;

			t = now();
			if (t < due) {
				struct timespec ts = { 0, (long)((due - t) * 1e9) };

				/* sleep only for more than 200 us: below that, spin */
				if (due - t > 200e-6)
					nanosleep(&ts, NULL);
				continue;
			}
		}
		put_be(buf + 4, seq, 8);
		if (send(fd, buf, size, 0) == size) {
			seq++;
			continue;
		}
		if (errno == ENOBUFS || errno == EAGAIN || errno == EINTR) {
			struct timespec ts = { 0, 100000 };

			retries++;
			nanosleep(&ts, NULL);
			continue;
		}
		/* with IP_RECVERR an ICMP error from the path comes back here */
		fprintf(stderr, "sequdp: send of datagram %llu to %s:%lld: %s\n",
			(unsigned long long)seq, argv[0], port, strerror(errno));
		break;
	}
	/* what left: the datagrams send() took, not the count asked for */
	t = now() - t0;
	printf("sent=%llu retries=%llu seconds=%.3f pps=%.0f\n",
	       (unsigned long long)(seq - from), retries, t,
	       t > 0 ? (seq - from) / t : 0);
	close(fd);
	return seq < (uint64_t)count && !stop ? 1 : 0;
bad:
	fputs(usage, stderr);
	return 2;
}

static int do_recv(int argc, char **argv)
{
	long long port, count, idle = 3, timeout = 3600;
	unsigned long long received = 0, unique = 0, dup = 0, reordered = 0;
	unsigned long long foreign = 0;
	const char *bind_addr = "0.0.0.0";
	unsigned char buf[SEQUDP_MAXLEN], *seen;
	char cbuf[CMSG_SPACE(sizeof(uint32_t))];
	uint32_t drops = 0;
	uint64_t highest = 0;
	struct sockaddr_storage sa;
	socklen_t salen;
	double start, first = 0, last = 0;
	int fd, one = 1, rcvbuf = 4 << 20, ret = 1;

	if (argc < 2)
		goto bad;
	port = number("PORT", argv[0], 1, 65535);
	count = number("COUNT", argv[1], 1, 1LL << 32);
	if (port < 0 || count < 0)
		return 2;
	for (int i = 2; i < argc; i += 2) {
		if (i + 1 >= argc)
			goto bad;
		if (!strcmp(argv[i], "--bind"))
			bind_addr = argv[i + 1];
		else if (!strcmp(argv[i], "--idle"))
			idle = number("--idle", argv[i + 1], 1, 86400);
		else if (!strcmp(argv[i], "--timeout"))
			timeout = number("--timeout", argv[i + 1], 1, 86400);
		else
			goto bad;
		if (idle < 0 || timeout < 0)
			return 2;
	}
	salen = addr(bind_addr, port, &sa);
	if (!salen)
		return 2;
	seen = calloc(count / 8 + 1, 1);
	if (!seen) {
		fprintf(stderr, "sequdp: no memory for %lld numbers\n", count);
		return 1;
	}
	fd = socket(sa.ss_family, SOCK_DGRAM, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_RXQ_OVFL, &one, sizeof(one)) ||
	    bind(fd, (struct sockaddr *)&sa, salen)) {
		fprintf(stderr, "sequdp: socket on %s:%lld: %s\n", bind_addr, port,
			strerror(errno));
		goto out;
	}
	/* 4 MiB, past net.core.rmem_max where we may (root: the VMs): a
	 * receiver off the CPU for a while (a guest whose vCPU the loaded
	 * host VM does not run) is not the path losing datagrams (sockdrops
	 * says if it was)
	 */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));

	start = now();
	while (unique < (uint64_t)count) {
		struct iovec iov = { buf, sizeof(buf) };
		struct msghdr msg = {
			.msg_iov = &iov, .msg_iovlen = 1,
			.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
		};
		struct pollfd pfd = { fd, POLLIN, 0 };
		struct cmsghdr *c;
		double t = now(), left;
		ssize_t n;
		uint64_t seq;

		left = start + timeout - t;
		if (first > 0 && last + idle - t < left)
			left = last + idle - t;
		if (left <= 0)
			break;
		n = poll(&pfd, 1, (int)(left * 1000) + 1);
		if (n < 0 && errno != EINTR) {
			perror("sequdp: poll");
			goto out;
		}
		if (n <= 0)
			continue;
		n = recvmsg(fd, &msg, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			perror("sequdp: recvmsg");
			goto out;
		}
		last = now();
		for (c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
			if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_RXQ_OVFL)
				memcpy(&drops, CMSG_DATA(c), sizeof(drops));
		if (n < SEQUDP_HDR || get_be(buf, 4) != SEQUDP_MAGIC) {
			foreign++;
			continue;
		}
		seq = get_be(buf + 4, 8);
		if (seq >= (uint64_t)count) {
			foreign++;
			continue;
		}
		if (!first)
			first = last;
		received++;
		if (seen[seq / 8] & (1u << (seq % 8))) {
			dup++;
			continue;
		}
		seen[seq / 8] |= 1u << (seq % 8);
		unique++;
		if (unique > 1 && seq < highest)
			reordered++;
		if (seq > highest)
			highest = seq;
	}
	{
		double secs = last > first ? last - first : 0;

		uint64_t i, shown = 0;

		printf("received=%llu unique=%llu lost=%llu dup=%llu reordered=%llu sockdrops=%u foreign=%llu seconds=%.3f pps=%.0f missing=",
		       received, unique, (unsigned long long)count - unique, dup,
		       reordered, drops, foreign, secs, secs > 0 ? received / secs : 0);
		/* the first few numbers that never came: where the loss was */
		for (i = 0; i < (uint64_t)count && shown < SEQUDP_SHOW_MISSING; i++) {
			if (seen[i / 8] & (1u << (i % 8)))
				continue;
			printf("%s%llu", shown++ ? "," : "", (unsigned long long)i);
		}
		printf("%s\n", shown ? "" : "-");
	}
	ret = 0;
out:
	if (fd >= 0)
		close(fd);
	free(seen);
	return ret;
bad:
	fputs(usage, stderr);
	return 2;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		fputs(usage, stdout);
		return 0;
	}
	if (argc >= 2 && !strcmp(argv[1], "send"))
		return do_send(argc - 2, argv + 2);
	if (argc >= 2 && !strcmp(argv[1], "recv"))
		return do_recv(argc - 2, argv + 2);
	fputs(usage, stderr);
	return 2;
}
