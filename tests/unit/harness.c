// SPDX-License-Identifier: GPL-2.0
/*
 * Test runner: vbus_unit [--prefix P] [--msgs N] [--quick] [filter...]
 */
#include <stdarg.h>
#include <string.h>
#include <time.h>
#include "harness.h"

int tfail(struct tctx *t, const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(t->reason, sizeof(t->reason), "%s:%d: ", file, line);
	va_start(ap, fmt);
	vsnprintf(t->reason + n, sizeof(t->reason) - n, fmt, ap);
	va_end(ap);
	return T_FAIL;
}

int tskip(struct tctx *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(t->reason, sizeof(t->reason), fmt, ap);
	va_end(ap);
	return T_SKIP;
}

static const struct vbus_test *const groups[] = {
	layout_tests, ioq_tests, signal_tests, notify_tests, stress_tests,
	frame_tests,
};

static int selected(const char *name, int argc, char **argv, int first)
{
	int i;

	if (first >= argc)
		return 1;
	for (i = first; i < argc; i++)
		if (strstr(name, argv[i]))
			return 1;
	return 0;
}

int main(int argc, char **argv)
{
	const char *prefix = "";
	struct tctx ctx = { .msgs = 10000000 };
	int i = 1, fails = 0;
	size_t g;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while (i < argc && !strncmp(argv[i], "--", 2)) {
		if (!strcmp(argv[i], "--prefix") && i + 1 < argc) {
			prefix = argv[i + 1];
			i += 2;
		} else if (!strcmp(argv[i], "--msgs") && i + 1 < argc) {
			ctx.msgs = strtoul(argv[i + 1], NULL, 0);
			i += 2;
		} else if (!strcmp(argv[i], "--quick")) {
			ctx.quick = 1;
			i++;
		} else {
			fprintf(stderr, "unknown option %s\n", argv[i]);
			return 2;
		}
	}
	for (g = 0; g < sizeof(groups) / sizeof(groups[0]); g++) {
		const struct vbus_test *tc;

		for (tc = groups[g]; tc->name; tc++) {
			struct timespec a, b;
			int rc;

			if (!selected(tc->name, argc, argv, i))
				continue;
			ctx.reason[0] = 0;
			clock_gettime(CLOCK_MONOTONIC, &a);
			rc = tc->fn(&ctx);
			clock_gettime(CLOCK_MONOTONIC, &b);
			if (rc == T_PASS) {
				printf("PASS: %s%s\n", prefix, tc->name);
			} else if (rc == T_SKIP) {
				printf("SKIP: %s%s %s\n", prefix, tc->name,
				       ctx.reason);
			} else {
				printf("FAIL: %s%s %s\n", prefix, tc->name,
				       ctx.reason);
				fails++;
			}
			fprintf(stderr, "  (%s%s: %.2f s)\n", prefix, tc->name,
				(b.tv_sec - a.tv_sec) +
				(b.tv_nsec - a.tv_nsec) / 1e9);
		}
	}
	return fails ? 1 : 0;
}

int region_alloc(struct region *r, uint64_t size)
{
	r->size = size;
	r->base = aligned_alloc(4096, size);
	if (!r->base)
		return -1;
	memset(r->base, 0, size);
	return 0;
}

void region_free(struct region *r)
{
	free(r->base);
	r->base = NULL;
}
