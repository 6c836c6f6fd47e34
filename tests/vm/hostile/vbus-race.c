// SPDX-License-Identifier: GPL-2.0
/*
 * vbus-race: a local root user racing the configuration of vbus.ko
 * against VBUS_ATTACH, for the VM tests (vbus-core).
 *
 *   vbus-race mkdir CFS SECS
 *	mkdir/rmdir of instances/<a long name> in a loop while a second
 *	process asks /dev/vbus to attach an instance, again and again: the
 *	attach looks every instance up by name, a new one included.
 *
 * Each prints its counts and exits 0; the kernel's log is the verdict
 * (the test checks it and nest.py scans it). Run it with the kernel's
 * preemption at "full": the windows are a few instructions wide.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "linux/vbus.h"

#define SHM_SIZE	(1UL << 20)
/* longer than a config_item's inline name: configfs allocates it */
#define LONG_NAME	"race-instance-with-a-long-name"

static const char *cfs;
static double deadline;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int running(void)
{
	return now() < deadline;
}

static void path(char *buf, size_t len, const char *rel)
{
	snprintf(buf, len, "%s/%s", cfs, rel);
}

/* VBUS_ATTACH of @name (fails at the name if not earlier) until the end. */
static long attacher(const char *name)
{
	struct vbus_attach a;
	long n = 0, ok = 0;
	int ctl, i;

	ctl = open("/dev/vbus", O_RDWR);
	if (ctl < 0) {
		perror("/dev/vbus");
		exit(2);
	}
	memset(&a, 0, sizeof(a));
	a.version = VBUS_UAPI_VERSION;
	snprintf(a.instance, sizeof(a.instance), "%s", name);
	a.shm_size = SHM_SIZE;
	a.shm_fd = -1;
	a.nvectors = 1;
	for (i = 0; i < VBUS_MAX_VECTORS; i++)
		a.doorbell_fds[i] = a.irq_fds[i] = -1;
	while (running()) {
		n++;
		if (!ioctl(ctl, VBUS_ATTACH, &a)) {
			ok++;
			ioctl(ctl, VBUS_DETACH);
		}
	}
	printf("attacher: %ld attaches, %ld succeeded\n", n, ok);
	return n;
}

static pid_t spawn(void (*fn)(void))
{
	pid_t pid = fork();

	if (pid < 0) {
		perror("fork");
		exit(2);
	}
	if (!pid) {
		fn();
		fflush(stdout);
		_exit(0);
	}
	return pid;
}

static int reap(pid_t pid)
{
	int st;

	if (waitpid(pid, &st, 0) < 0)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* ---- mkdir ----------------------------------------------------------- */

static void attach_unknown(void)
{
	attacher("race-no-such-instance");
}

static int race_mkdir(void)
{
	char dir[512];
	long n = 0, made = 0;
	pid_t pid;
	int rc;

	path(dir, sizeof(dir), "instances/" LONG_NAME);
	pid = spawn(attach_unknown);
	while (running()) {
		n++;
		if (!mkdir(dir, 0755)) {
			made++;
			if (rmdir(dir))
				perror("rmdir");
		}
	}
	rc = reap(pid);
	printf("mkdir: %ld rounds, %ld instances made; attacher exit %d\n",
	       n, made, rc);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: vbus-race mkdir CFS SECS\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	cfs = argv[2];
	deadline = now() + atof(argv[3]);
	if (!strcmp(argv[1], "mkdir"))
		return race_mkdir();
	fprintf(stderr, "unknown mode %s\n", argv[1]);
	return 2;
}
