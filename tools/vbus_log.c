// SPDX-License-Identifier: GPL-2.0
/*
 * Logging to stderr, journald-aware.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "vbus_log.h"

static const char *log_prog = "vbus";
static int log_verbosity;
static int log_journal;

/* JOURNAL_STREAM is "dev:ino" of the journal stream systemd gave us. */
static int stderr_is_journal(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	if (!js || sscanf(js, "%llu:%llu", &dev, &ino) != 2)
		return 0;
	if (fstat(2, &st) < 0)
		return 0;
	return (unsigned long long)st.st_dev == dev &&
	       (unsigned long long)st.st_ino == ino;
}

void vbus_log_init(const char *prog, int verbosity)
{
	log_prog = prog;
	log_verbosity = verbosity;
	log_journal = stderr_is_journal();
}

int vbus_log_verbosity(void)
{
	return log_verbosity;
}

void vbus_log(int prio, const char *fmt, ...)
{
	va_list ap;

	if (prio == LOG_DEBUG && log_verbosity < 1)
		return;
	flockfile(stderr);	/* one line at a time from vbusd's threads */
	if (log_journal)
		fprintf(stderr, "<%d>", prio);
	fprintf(stderr, "%s: ", log_prog);
	if (prio == LOG_WARNING)
		fputs("warning: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	funlockfile(stderr);
}
