/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Minimal test harness: one line per case, PASS / FAIL / SKIP.
 */
#ifndef _VBUS_TEST_HARNESS_H
#define _VBUS_TEST_HARNESS_H

#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>

enum { T_PASS = 0, T_FAIL = 1, T_SKIP = 2 };

struct tctx {
	char reason[512];
	unsigned long msgs;	/* stress messages per direction */
	int quick;		/* reduced work (sanitizers, valgrind) */
};

struct vbus_test {
	const char *name;
	int (*fn)(struct tctx *t);
};

int tfail(struct tctx *t, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
int tskip(struct tctx *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define TFAIL(t, ...) tfail((t), __FILE__, __LINE__, __VA_ARGS__)
#define TCHECK(t, cond, ...)					\
	do {							\
		if (!(cond))					\
			return TFAIL((t), __VA_ARGS__);		\
	} while (0)

/* test groups */
extern const struct vbus_test layout_tests[];
extern const struct vbus_test ioq_tests[];
extern const struct vbus_test signal_tests[];
extern const struct vbus_test notify_tests[];
extern const struct vbus_test stress_tests[];
extern const struct vbus_test frame_tests[];

/* shared helpers (region.c) */
struct region {
	void *base;
	uint64_t size;
};
int region_alloc(struct region *r, uint64_t size);
void region_free(struct region *r);

#endif
