// SPDX-License-Identifier: GPL-2.0
/*
 * vbus-hostile: a hostile guest (tests only, docs/security.md). Runs in a
 * guest VM next to (or instead of) the venet driver, maps the ivshmem
 * device's BAR2 (the shared region) and BAR0 (the doorbell register)
 * through sysfs and, with a seeded PRNG, overwrites what the host reads:
 * ring indexes, descriptors (offsets, lengths, flags and the owner bit),
 * forged descriptors that pass the checker with garbage frame headers,
 * the signal words, the config blocks, the header and device table, the
 * guest's liveness words; and storms the doorbell. Prints what it did and
 * its seed, so that a run can be repeated.
 *
 *   vbus-hostile [-d BDF] [-s SEED] [-n MUTATIONS] [-r PER_SECOND]
 *                [-a REARM_EVERY] [-b DOORBELLS] [-t CLASSES]
 *
 * -a N: every N mutations pretend to rebind (guest_state RESET, vector 0,
 * then READY, vector 0), so that the host resets the device and reads
 * the rings again instead of sitting out the rest of the run stopped.
 * -t: comma-separated classes to use (default all): see class_names.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "vbus_layout.h"

#define IVSHMEM_VENDOR		0x1af4
#define IVSHMEM_DEVICE		0x1110
#define REG_DOORBELL		0x0c	/* BAR0: peer << 16 | vector */
#define HOST_PEER		0

enum cls {
	C_HEAD, C_TAIL, C_DESC_OFF, C_DESC_LEN, C_DESC_FLAGS, C_DESC_ALL,
	C_FORGE, C_SIGNAL, C_CONFIG, C_HEADER, C_LIVENESS, C_NCLASSES
};

static const char *const class_names[C_NCLASSES] = {
	"head", "tail", "desc-offset", "desc-len", "desc-flags", "desc-all",
	"forge", "signal", "config", "header", "liveness",
};

/* relative frequency of each class */
static const unsigned int class_weight[C_NCLASSES] = {
	10, 4, 10, 10, 10, 6, 10, 8, 6, 2, 1,
};

static struct {
	u8 *base;
	u64 size;
	volatile u32 *regs;
	struct vbus_layout l;
	u64 rng;
	unsigned long count[C_NCLASSES];
	unsigned long doorbells, rearms;
	unsigned int enabled;		/* BIT(class) */
} H;

static u64 rnd(void)
{
	/* xorshift64* */
	H.rng ^= H.rng >> 12;
	H.rng ^= H.rng << 25;
	H.rng ^= H.rng >> 27;
	return H.rng * 0x2545f4914f6cdd1dULL;
}

static u64 below(u64 n)
{
	return n ? rnd() % n : 0;
}

static void w8(u64 off, u8 v)
{
	if (off < H.size)
		*(volatile u8 *)(H.base + off) = v;
}

static void w16(u64 off, u16 v)
{
	if (off + 2 <= H.size)
		*(volatile u16 *)(H.base + off) = v;
}

static void w32(u64 off, u32 v)
{
	if (off + 4 <= H.size)
		*(volatile u32 *)(H.base + off) = v;
}

static void w64(u64 off, u64 v)
{
	if (off + 8 <= H.size)
		*(volatile u64 *)(H.base + off) = v;
}

static u32 r32(u64 off)
{
	return *(volatile u32 *)(H.base + off);
}

static void doorbell(u32 v)
{
	H.regs[REG_DOORBELL / 4] = v;
	H.doorbells++;
}

/* A value of @bits bits that is likely to matter: edges, near misses, noise. */
static u64 nasty(unsigned int bits, u64 near)
{
	u64 mask = bits == 64 ? ~0ULL : (1ULL << bits) - 1;

	switch (below(8)) {
	case 0:
		return 0;
	case 1:
		return mask;
	case 2:
		return (near + 1) & mask;
	case 3:
		return (near - 1) & mask;
	case 4:
		return (near + below(1U << 16)) & mask;
	case 5:
		return (1ULL << below(bits)) & mask;
	default:
		return rnd() & mask;
	}
}

static const struct vbus_queue_layout *pick_queue(void)
{
	const struct vbus_dev_layout *d;
	u32 i, n = 0;

	for (i = 0; i < H.l.ndevices; i++)
		n += H.l.dev[i].nqueues;
	if (!n)
		return NULL;
	n = below(n);
	for (i = 0; i < H.l.ndevices; i++) {
		d = &H.l.dev[i];
		if (n < d->nqueues)
			return &d->queue[n];
		n -= d->nqueues;
	}
	return NULL;
}

static u64 desc_at(const struct vbus_queue_layout *q, u32 slot)
{
	return q->ring_off + offsetof(struct vbus_ioq_ring, desc) +
	       (u64)(slot & (q->ring_count - 1)) * sizeof(struct vbus_desc);
}

static u64 any_desc(const struct vbus_queue_layout *q)
{
	return desc_at(q, below(q->ring_count));
}

static void mutate_desc(const struct vbus_queue_layout *q, enum cls c)
{
	u64 d = any_desc(q);
	u64 pool_end = q->pool_off + (u64)q->ring_count * q->buf_size;

	if (c == C_DESC_OFF || c == C_DESC_ALL) {
		switch (below(4)) {
		case 0:
			w64(d, nasty(64, q->pool_off));
			break;
		case 1:
			w64(d, nasty(64, pool_end));
			break;
		case 2:	/* inside the pool, misaligned */
			w64(d, q->pool_off + below(pool_end - q->pool_off));
			break;
		default:	/* anywhere in the region */
			w64(d, below(H.size + 4096));
			break;
		}
	}
	if (c == C_DESC_LEN || c == C_DESC_ALL)
		w32(d + 8, nasty(32, q->buf_size));
	if (c == C_DESC_FLAGS || c == C_DESC_ALL) {
		u16 f = *(volatile u16 *)(H.base + d + 12);

		switch (below(4)) {
		case 0:
			f ^= VBUS_DESC_F_HOST;
			break;
		case 1:
			f ^= VBUS_DESC_F_NEXT;
			break;
		default:
			f = nasty(16, f);
			break;
		}
		w16(d + 12, f);
	}
}

/*
 * A descriptor the checker accepts (owned, in the pool, aligned, a length
 * within the buffer) at the head, with the head moved past it: the host
 * takes the frame, whose header and bytes are garbage half the time.
 */
static void forge(const struct vbus_queue_layout *q)
{
	u64 ring_head = q->ring_off + offsetof(struct vbus_ioq_ring, head);
	u32 head = r32(ring_head), n = 1 + below(4), i;

	for (i = 0; i < n; i++) {
		u64 d = desc_at(q, head + i);
		u64 buf = q->pool_off + below(q->ring_count) * q->buf_size;
		u32 len = 1 + below(q->buf_size);

		if (below(2)) {
			u32 k, words = len < 64 ? len / 4 : 16;

			for (k = 0; k < words; k++)
				w32(buf + 4 * k, rnd());
		}
		w64(d, buf);
		w32(d + 8, len);
		w16(d + 12, VBUS_DESC_F_HOST |
			    (i + 1 < n ? VBUS_DESC_F_NEXT : 0));
	}
	w32(ring_head, head + n);
}

static void mutate_signal(const struct vbus_queue_layout *q)
{
	u64 s;

	switch (below(3)) {
	case 0:
		s = q->ring_off + offsetof(struct vbus_ioq_ring, to_host);
		break;
	case 1:
		s = q->ring_off + offsetof(struct vbus_ioq_ring, to_guest);
		break;
	default:
		s = below(2) ? offsetof(struct vbus_shm_header, ctrl_to_host) :
			       offsetof(struct vbus_shm_header, ctrl_to_guest);
		break;
	}
	w32(s + 4 * below(4), below(2) ? below(2) : rnd());
}

static void mutate_config(void)
{
	const struct vbus_dev_layout *d = &H.l.dev[below(H.l.ndevices)];

	if (!d->config_size)
		return;
	if (below(2))
		w32(d->config_off + 4 * below(d->config_size / 4), rnd());
	else
		w8(d->config_off + below(d->config_size), rnd());
}

static void mutate_header(void)
{
	u64 end = sizeof(struct vbus_shm_header) +
		  (u64)H.l.ndevices * H.l.entry_size;
	u64 off = below(end) & ~3ULL;

	/* the guest's liveness pair is C_LIVENESS */
	if (off == offsetof(struct vbus_shm_header, guest_state) ||
	    off == offsetof(struct vbus_shm_header, guest_gen))
		off = 0;
	w32(off, nasty(32, r32(off)));
}

static void mutate_liveness(void)
{
	u64 st = offsetof(struct vbus_shm_header, guest_state);

	if (below(2))
		w32(st, below(6));
	else
		w32(st + 4, nasty(32, r32(st + 4)));
	doorbell(HOST_PEER << 16 | VBUS_CTRL_VECTOR);
}

static enum cls pick_class(void)
{
	unsigned int total = 0, i, x;

	for (i = 0; i < C_NCLASSES; i++)
		if (H.enabled & (1U << i))
			total += class_weight[i];
	x = below(total);
	for (i = 0; i < C_NCLASSES; i++) {
		if (!(H.enabled & (1U << i)))
			continue;
		if (x < class_weight[i])
			return i;
		x -= class_weight[i];
	}
	return C_HEAD;
}

static void mutate(void)
{
	const struct vbus_queue_layout *q = pick_queue();
	enum cls c = pick_class();
	u64 idx;

	if (!q)
		return;
	H.count[c]++;
	switch (c) {
	case C_HEAD:
	case C_TAIL:
		idx = q->ring_off + (c == C_HEAD ?
			offsetof(struct vbus_ioq_ring, head) :
			offsetof(struct vbus_ioq_ring, tail));
		w32(idx, nasty(32, r32(idx) + (below(2) ? q->ring_count : 0)));
		break;
	case C_DESC_OFF:
	case C_DESC_LEN:
	case C_DESC_FLAGS:
	case C_DESC_ALL:
		mutate_desc(q, c);
		break;
	case C_FORGE:
		forge(q);
		break;
	case C_SIGNAL:
		mutate_signal(q);
		break;
	case C_CONFIG:
		mutate_config();
		break;
	case C_HEADER:
		mutate_header();
		break;
	default:
		mutate_liveness();
		break;
	}
	/* most mutations are followed by a kick on a queue's vector */
	if (below(4))
		doorbell(HOST_PEER << 16 | q->vector);
}

static void msleep(unsigned long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* Pretend to rebind: the host resets the device and reads the rings again. */
static void rearm(void)
{
	u64 st = offsetof(struct vbus_shm_header, guest_state);
	u32 gen = r32(st + 4);

	w32(st + 4, gen);
	w32(st, VBUS_STATE_RESET);
	doorbell(HOST_PEER << 16 | VBUS_CTRL_VECTOR);
	msleep(20);
	w32(st, VBUS_STATE_READY);
	doorbell(HOST_PEER << 16 | VBUS_CTRL_VECTOR);
	msleep(5);
	H.rearms++;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int read_hex(const char *dir, const char *name, unsigned long *v)
{
	char path[512], buf[32];
	FILE *f;
	int ok;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	if (!f)
		return -1;
	ok = fgets(buf, sizeof(buf), f) != NULL;
	fclose(f);
	if (!ok)
		return -1;
	*v = strtoul(buf, NULL, 16);
	return 0;
}

/* The first ivshmem device, or @want. */
static int find_device(const char *want, char *out, size_t outlen)
{
	const char *top = "/sys/bus/pci/devices";
	char dir[512];
	struct dirent *e;
	DIR *d;

	if (want) {
		/* a BDF, or a directory with resource0 and resource2 */
		snprintf(out, outlen, "%s%s%s", strchr(want, '/') ? "" : top,
			 strchr(want, '/') ? "" : "/", want);
		return 0;
	}
	d = opendir(top);
	if (!d)
		return -1;
	while ((e = readdir(d))) {
		unsigned long ven, dev;

		if (e->d_name[0] == '.')
			continue;
		snprintf(dir, sizeof(dir), "%s/%s", top, e->d_name);
		if (read_hex(dir, "vendor", &ven) || read_hex(dir, "device", &dev))
			continue;
		if (ven == IVSHMEM_VENDOR && dev == IVSHMEM_DEVICE) {
			snprintf(out, outlen, "%s", dir);
			closedir(d);
			return 0;
		}
	}
	closedir(d);
	return -1;
}

static void *map_bar(const char *dir, int bar, u64 *size)
{
	char path[600];
	struct stat st;
	void *p;
	int fd;

	snprintf(path, sizeof(path), "%s/resource%d", dir, bar);
	fd = open(path, O_RDWR | O_SYNC);
	if (fd < 0 || fstat(fd, &st)) {
		fprintf(stderr, "vbus-hostile: %s: %s\n", path, strerror(errno));
		return NULL;
	}
	p = mmap(NULL, st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (p == MAP_FAILED) {
		fprintf(stderr, "vbus-hostile: mmap %s: %s\n", path,
			strerror(errno));
		return NULL;
	}
	*size = st.st_size;
	return p;
}

static int parse_classes(const char *s)
{
	char buf[256], *tok, *save;
	unsigned int i;

	H.enabled = 0;
	snprintf(buf, sizeof(buf), "%s", s);
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < C_NCLASSES; i++)
			if (!strcmp(tok, class_names[i]))
				break;
		if (i == C_NCLASSES) {
			fprintf(stderr, "vbus-hostile: no class '%s'\n", tok);
			return -1;
		}
		H.enabled |= 1U << i;
	}
	return H.enabled ? 0 : -1;
}

static void usage(void)
{
	unsigned int i;

	fprintf(stderr, "usage: vbus-hostile [-d BDF] [-s SEED] [-n MUTATIONS] [-r PER_SECOND]\n"
			"                    [-a REARM_EVERY] [-b DOORBELLS] [-t CLASS,...]\nclasses:");
	for (i = 0; i < C_NCLASSES; i++)
		fprintf(stderr, " %s", class_names[i]);
	fprintf(stderr, "\n");
	exit(2);
}

int main(int argc, char **argv)
{
	unsigned long n = 100000, rate = 0, every = 0, storm = 0, i;
	const char *bdf = NULL;
	char dir[512];
	u64 seed = 0, bar0;
	enum vbus_err err;
	double t0, t1;
	int opt, tries;

	H.enabled = (1U << C_NCLASSES) - 1;
	while ((opt = getopt(argc, argv, "d:s:n:r:a:b:t:")) != -1) {
		switch (opt) {
		case 'd':
			bdf = optarg;
			break;
		case 's':
			seed = strtoull(optarg, NULL, 0);
			break;
		case 'n':
			n = strtoul(optarg, NULL, 0);
			break;
		case 'r':
			rate = strtoul(optarg, NULL, 0);
			break;
		case 'a':
			every = strtoul(optarg, NULL, 0);
			break;
		case 'b':
			storm = strtoul(optarg, NULL, 0);
			break;
		case 't':
			if (parse_classes(optarg))
				usage();
			break;
		default:
			usage();
		}
	}
	if (!seed)
		seed = (u64)time(NULL) ^ ((u64)getpid() << 32);
	H.rng = seed;
	printf("vbus-hostile: seed %llu\n", (unsigned long long)seed);
	fflush(stdout);

	if (find_device(bdf, dir, sizeof(dir))) {
		fprintf(stderr, "vbus-hostile: no ivshmem device\n");
		return 1;
	}
	H.base = map_bar(dir, 2, &H.size);
	H.regs = map_bar(dir, 0, &bar0);
	if (!H.base || !H.regs || bar0 < REG_DOORBELL + 4)
		return 1;
	/* the layout as a well-behaved guest would read it, before we spoil it */
	for (tries = 0; ; tries++) {
		err = vbus_layout_read(H.base, H.size, &H.l);
		if (!err)
			break;
		if (tries == 50) {
			fprintf(stderr, "vbus-hostile: %s: layout rejected: %s\n",
				dir, vbus_err_name(err));
			return 1;
		}
		msleep(100);
	}
	printf("vbus-hostile: %s: region %llu bytes, %u device(s), %u vector(s)\n",
	       strrchr(dir, '/') + 1, (unsigned long long)H.size,
	       H.l.ndevices, H.l.nvectors);
	fflush(stdout);

	t0 = now();
	for (i = 0; i < n; i++) {
		mutate();
		if (every && (i + 1) % every == 0)
			rearm();
		/* pace in batches of 100 */
		if (rate && (i + 1) % 100 == 0) {
			double due = t0 + (double)(i + 1) / rate, t = now();

			if (due > t)
				msleep((unsigned long)((due - t) * 1000));
		}
	}
	t1 = now();
	for (i = 0; i < storm; i++)
		doorbell(HOST_PEER << 16 | (u32)(below(4) ? below(H.l.nvectors) :
						 rnd() & 0xffff));

	printf("vbus-hostile: %lu mutations in %.1f s:", n, t1 - t0);
	for (i = 0; i < C_NCLASSES; i++)
		printf(" %s %lu", class_names[i], H.count[i]);
	printf("; rearms %lu; doorbells %lu (storm %lu in %.1f s); seed %llu\n",
	       H.rearms, H.doorbells, storm, now() - t1,
	       (unsigned long long)seed);
	return 0;
}
