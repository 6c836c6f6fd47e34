// SPDX-License-Identifier: GPL-2.0
/*
 * libvbusprof.so: a TCG plugin for the nest's OUTER QEMU (the host VM's).
 *
 * It counts, per translation block start, the guest instructions executed
 * (inline counters, added when the block starts), for everything the
 * emulated CPU runs: the host VM's kernel and processes and, through the
 * emulated SVM, the nested KVM guest's kernel and processes. A block is
 * keyed by its start address (the virtual address of whoever ran it) and
 * the host pointer of its first byte in QEMU's RAM block (which tells two
 * blocks at the same address in different address spaces apart, and lets
 * bench/profile.py find out whose memory the code was in).
 *
 * Phases: a thread reads a small file (the "phase file", written by the
 * test in the host VM over 9p) every interval_ms. When its first line
 * changes, the counts since the last change are written to
 * prof-<old phase>.txt next to the phase file (unless the old phase was
 * empty or "none"), and the new name is acknowledged in prof-ack there,
 * so the test can start its transfer once counting has begun.
 *
 * Arguments (-plugin libvbusprof.so,key=value,...):
 *   phasefile=PATTERN  the phase file; a glob pattern: of several matches
 *                      the newest is used (a retried host VM boot writes
 *                      boot-2/, ...)
 *   interval_ms=N      how often to read it (500)
 *   out=DIR            where to write (default: the phase file's folder)
 *
 * Counts are inexact in small ways: a block's instructions are added when
 * it starts, so a block left early (a fault, an interrupt) counts whole,
 * and with several vCPUs the inline additions race (the nest has one).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <glob.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <qemu-plugin.h>

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

/*
 * One cache line per block: the counters of blocks that different vCPUs
 * run at the same time do not share a line (a block that both run at once
 * still does: the inline additions cannot be per vCPU in API 1).
 */
struct blk {
	uint64_t vaddr;
	uint64_t haddr;
	uint64_t insns;		/* added to by the translated code */
	uint64_t execs;		/* likewise */
	uint64_t base_insns;	/* at the start of the current phase */
	uint64_t base_execs;
	uint32_t n;		/* instructions in the block, last translation */
	struct blk *next;	/* hash chain */
} __attribute__((aligned(64)));

#define NBUCKETS (1u << 20)
static struct blk **buckets;
static uint64_t nblocks;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static char *phase_pattern;
static char *out_override;
static unsigned interval_ms = 500;

/* the phase being counted (poller thread only, and atexit) */
static char cur_name[128];
static char cur_dir[4096];
static double cur_start;
static pthread_t poller;
static volatile int stopping;

static double now_unix(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint32_t hash(uint64_t v, uint64_t h)
{
	uint64_t x = v * 0x9e3779b97f4a7c15ull ^ (h + (h >> 17)) * 0xc2b2ae3d27d4eb4full;

	return (uint32_t)(x >> 40) & (NBUCKETS - 1);
}

static struct blk *lookup(uint64_t vaddr, uint64_t haddr, uint32_t n)
{
	uint32_t i = hash(vaddr, haddr);
	struct blk *b;

	pthread_mutex_lock(&lock);
	for (b = buckets[i]; b; b = b->next)
		if (b->vaddr == vaddr && b->haddr == haddr)
			break;
	if (!b) {
		/* never freed: translated code holds pointers into it */
		b = aligned_alloc(64, sizeof(*b));
		if (b)
			memset(b, 0, sizeof(*b));
		if (!b) {
			pthread_mutex_unlock(&lock);
			return NULL;
		}
		b->vaddr = vaddr;
		b->haddr = haddr;
		b->next = buckets[i];
		buckets[i] = b;
		nblocks++;
	}
	b->n = n;
	pthread_mutex_unlock(&lock);
	return b;
}

static void tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	size_t n = qemu_plugin_tb_n_insns(tb);
	uint64_t haddr = 0;
	struct blk *b;

	(void)id;
	if (n == 0)
		return;
	haddr = (uint64_t)(uintptr_t)qemu_plugin_insn_haddr(qemu_plugin_tb_get_insn(tb, 0));
	b = lookup(qemu_plugin_tb_vaddr(tb), haddr, (uint32_t)n);
	if (!b)
		return;
	qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64,
						 &b->insns, n);
	qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64,
						 &b->execs, 1);
}

/* The phase file: the newest match of the pattern, its first line. */
static int read_phase(char *name, size_t nsz, char *dir, size_t dsz)
{
	glob_t g;
	size_t i, best = 0;
	time_t best_t = 0;
	long best_ns = -1;
	FILE *f;
	char line[256], *p, *q;
	struct stat st;

	if (glob(phase_pattern, 0, NULL, &g) != 0)
		return -1;
	for (i = 0; i < g.gl_pathc; i++) {
		if (stat(g.gl_pathv[i], &st) != 0)
			continue;
		if (best_ns < 0 || st.st_mtim.tv_sec > best_t ||
		    (st.st_mtim.tv_sec == best_t && st.st_mtim.tv_nsec > best_ns)) {
			best = i;
			best_t = st.st_mtim.tv_sec;
			best_ns = st.st_mtim.tv_nsec;
		}
	}
	if (best_ns < 0) {
		globfree(&g);
		return -1;
	}
	f = fopen(g.gl_pathv[best], "r");
	if (!f) {
		globfree(&g);
		return -1;
	}
	if (!fgets(line, sizeof(line), f))
		line[0] = 0;
	fclose(f);
	/* a name is a word: [A-Za-z0-9._-], the rest is dropped */
	for (p = line, q = name; *p && (size_t)(q - name) < nsz - 1; p++)
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '.' || *p == '_' || *p == '-')
			*q++ = *p;
		else if (*p == '\n')
			break;
	*q = 0;
	snprintf(dir, dsz, "%s", g.gl_pathv[best]);
	p = strrchr(dir, '/');
	if (p)
		*p = 0;
	else
		snprintf(dir, dsz, ".");
	globfree(&g);
	return 0;
}

static void write_file_atomic(const char *dir, const char *name, const char *text)
{
	char path[4200], tmp[4300];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f)
		return;
	fputs(text, f);
	if (fclose(f) == 0)
		rename(tmp, path);
}

/* QEMU's own memory map: bench/profile.py finds the RAM block in it */
static void copy_maps(const char *dir)
{
	char path[4200], buf[65536];
	FILE *in, *out;
	size_t n;

	snprintf(path, sizeof(path), "%s/prof-qemu-maps.txt", dir);
	in = fopen("/proc/self/maps", "r");
	out = fopen(path, "w");
	while (in && out && (n = fread(buf, 1, sizeof(buf), in)) > 0)
		fwrite(buf, 1, n, out);
	if (in)
		fclose(in);
	if (out)
		fclose(out);
}

/*
 * Write the counts since the phase began (if write) and make now the new
 * beginning.
 */
static void end_phase(const char *name, const char *dir, int write)
{
	char path[4400], tmp[4500];
	FILE *f = NULL;
	uint32_t i;
	struct blk *b;
	uint64_t ti = 0, te = 0, nb = 0, di, de, ins, ex;
	double end = now_unix();

	if (write) {
		snprintf(path, sizeof(path), "%s/prof-%s.txt", dir, name);
		snprintf(tmp, sizeof(tmp), "%s.tmp", path);
		f = fopen(tmp, "w");
		if (!f)
			fprintf(stderr, "vbusprof: %s: %s\n", tmp, strerror(errno));
	}
	if (f)
		fprintf(f, "# vbusprof 1: vaddr haddr insns execs block_insns\n");
	pthread_mutex_lock(&lock);
	for (i = 0; i < NBUCKETS; i++) {
		for (b = buckets[i]; b; b = b->next) {
			ins = __atomic_load_n(&b->insns, __ATOMIC_RELAXED);
			ex = __atomic_load_n(&b->execs, __ATOMIC_RELAXED);
			di = ins - b->base_insns;
			de = ex - b->base_execs;
			b->base_insns = ins;
			b->base_execs = ex;
			if (!di)
				continue;
			ti += di;
			te += de;
			nb++;
			if (f)
				fprintf(f, "%" PRIx64 " %" PRIx64 " %" PRIu64 " %" PRIu64 " %u\n",
					b->vaddr, b->haddr, di, de, b->n);
		}
	}
	pthread_mutex_unlock(&lock);
	if (f) {
		fprintf(f, "# phase %s\n# start_unix %.3f\n# end_unix %.3f\n"
			"# total_insns %" PRIu64 "\n# total_execs %" PRIu64 "\n"
			"# blocks %" PRIu64 "\n# blocks_known %" PRIu64 "\n",
			name, cur_start, end, ti, te, nb, nblocks);
		if (fclose(f) == 0)
			rename(tmp, path);
		copy_maps(dir);
	}
}

static int counted(const char *name)
{
	return name[0] && strcmp(name, "none") != 0;
}

static void *poll_phase(void *arg)
{
	char name[128], dir[4096], ack[256];
	struct timespec ts = { interval_ms / 1000, (interval_ms % 1000) * 1000000L };

	(void)arg;
	while (!stopping) {
		nanosleep(&ts, NULL);
		if (read_phase(name, sizeof(name), dir, sizeof(dir)) != 0)
			continue;
		if (out_override)
			snprintf(dir, sizeof(dir), "%s", out_override);
		if (strcmp(name, cur_name) == 0)
			continue;
		end_phase(cur_name, cur_dir, counted(cur_name));
		snprintf(cur_name, sizeof(cur_name), "%s", name);
		snprintf(cur_dir, sizeof(cur_dir), "%s", dir);
		cur_start = now_unix();
		snprintf(ack, sizeof(ack), "%s\n", name);
		write_file_atomic(dir, "prof-ack", ack);
	}
	return NULL;
}

static void at_exit(qemu_plugin_id_t id, void *p)
{
	(void)id;
	(void)p;
	stopping = 1;
	pthread_join(poller, NULL);
	if (counted(cur_name))
		end_phase(cur_name, cur_dir, 1);
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info,
					   int argc, char **argv)
{
	int i;

	if (info->system_emulation == false) {
		fprintf(stderr, "vbusprof: system emulation only\n");
		return -1;
	}
	for (i = 0; i < argc; i++) {
		char *eq = strchr(argv[i], '=');

		if (!eq) {
			fprintf(stderr, "vbusprof: bad argument %s\n", argv[i]);
			return -1;
		}
		*eq = 0;
		if (strcmp(argv[i], "phasefile") == 0) {
			phase_pattern = strdup(eq + 1);
		} else if (strcmp(argv[i], "out") == 0) {
			out_override = strdup(eq + 1);
		} else if (strcmp(argv[i], "interval_ms") == 0) {
			interval_ms = (unsigned)strtoul(eq + 1, NULL, 10);
			if (interval_ms < 10)
				interval_ms = 10;
		} else {
			fprintf(stderr, "vbusprof: unknown argument %s\n", argv[i]);
			return -1;
		}
	}
	if (!phase_pattern) {
		fprintf(stderr, "vbusprof: phasefile=PATTERN is required\n");
		return -1;
	}
	buckets = calloc(NBUCKETS, sizeof(*buckets));
	if (!buckets)
		return -1;
	if (pthread_create(&poller, NULL, poll_phase, NULL) != 0)
		return -1;
	qemu_plugin_register_vcpu_tb_trans_cb(id, tb_trans);
	qemu_plugin_register_atexit_cb(id, at_exit, NULL);
	return 0;
}
