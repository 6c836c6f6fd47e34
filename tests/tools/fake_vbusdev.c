// SPDX-License-Identifier: GPL-2.0
/*
 * LD_PRELOAD shim standing in for the vbus control device: any regular
 * file opened as vbusd's --control answers the VBUS_* ioctls. VBUS_ATTACH
 * checks what vbusd hands over (as the kernel will) and every call is
 * logged to $FAKE_VBUS_LOG, one line each:
 *   attach instance=NAME shm_size=N nvectors=N ok
 *   attach ... error=ENAME reason
 *   detach ok | detach error=ENOENT
 * $FAKE_VBUS_VERSION: version to report (default VBUS_UAPI_VERSION).
 * $FAKE_VBUS_FAIL_ATTACHES=N: fail the first N attaches with EBUSY.
 * $FAKE_VBUS_ATTACH_DELAY_MS=MS: the first $FAKE_VBUS_SLOW_ATTACHES (default
 * every) attach takes MS milliseconds, as pinning a large region does,
 * logged as "attach instance=NAME waiting MS ms"; a signal interrupts it,
 * as it does the kernel's: "attach instance=NAME error=EINTR interrupted".
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <linux/vbus.h>

static int attached_fd = -1;
static int attaches, slow_attaches;

static void logf_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void logf_(const char *fmt, ...)
{
	const char *path = getenv("FAKE_VBUS_LOG");
	va_list ap;
	FILE *f;

	if (!path || !(f = fopen(path, "a")))
		return;
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fputc('\n', f);
	fclose(f);
}

static int is_fake(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
}

static int fd_is(int fd, const char *prefix)
{
	char link[64], target[256];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, target, sizeof(target) - 1);
	if (n < 0)
		return 0;
	target[n] = '\0';
	return !strncmp(target, prefix, strlen(prefix));
}

static const char *check(const struct vbus_attach *a)
{
	struct stat st;
	unsigned int i;
	int seals;

	if (a->version != VBUS_UAPI_VERSION || a->flags)
		return "bad version or flags";
	if (!memchr(a->instance, '\0', sizeof(a->instance)) || !a->instance[0])
		return "bad instance name";
	if (!a->shm_size || (a->shm_size & (a->shm_size - 1)))
		return "shm_size not a power of two";
	if (!fd_is(a->shm_fd, "/memfd:") || fstat(a->shm_fd, &st) ||
	    (__u64)st.st_size != a->shm_size)
		return "shm_fd not a memfd of shm_size bytes";
	seals = fcntl(a->shm_fd, F_GET_SEALS);
	if (seals < 0 || !(seals & F_SEAL_SHRINK) || !(seals & F_SEAL_GROW))
		return "shm_fd not sealed against resizing";
	if (a->nvectors < 1 || a->nvectors > VBUS_MAX_VECTORS)
		return "bad nvectors";
	for (i = 0; i < VBUS_MAX_VECTORS; i++) {
		if (i < a->nvectors) {
			if (!fd_is(a->doorbell_fds[i], "anon_inode:[eventfd]") ||
			    !fd_is(a->irq_fds[i], "anon_inode:[eventfd]") ||
			    a->doorbell_fds[i] == a->irq_fds[i])
				return "vector fd not an eventfd";
		} else if (a->doorbell_fds[i] != -1 || a->irq_fds[i] != -1) {
			return "unused vector fd not -1";
		}
	}
	return NULL;
}

int ioctl(int fd, unsigned long req, ...)
{
	int (*real)(int, unsigned long, void *) =
		(int (*)(int, unsigned long, void *))dlsym(RTLD_NEXT, "ioctl");
	const struct vbus_attach *a;
	const char *why, *s;
	va_list ap;
	void *arg;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (!is_fake(fd))
		return real(fd, req, arg);

	switch (req) {
	case VBUS_GET_VERSION:
		s = getenv("FAKE_VBUS_VERSION");
		return s ? atoi(s) : VBUS_UAPI_VERSION;
	case VBUS_ATTACH:
		a = arg;
		s = getenv("FAKE_VBUS_FAIL_ATTACHES");
		if (s && attaches++ < atoi(s)) {
			logf_("attach instance=%.32s error=EBUSY injected", a->instance);
			errno = EBUSY;
			return -1;
		}
		if (attached_fd == fd) {
			logf_("attach instance=%.32s error=EBUSY already attached", a->instance);
			errno = EBUSY;
			return -1;
		}
		why = check(a);
		if (why) {
			logf_("attach instance=%.32s error=EINVAL %s", a->instance, why);
			errno = EINVAL;
			return -1;
		}
		s = getenv("FAKE_VBUS_ATTACH_DELAY_MS");
		if (s && (!getenv("FAKE_VBUS_SLOW_ATTACHES") ||
			  slow_attaches < atoi(getenv("FAKE_VBUS_SLOW_ATTACHES")))) {
			long ms = atol(s);
			struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

			slow_attaches++;
			logf_("attach instance=%s waiting %ld ms", a->instance, ms);
			if (nanosleep(&ts, NULL) < 0) {
				logf_("attach instance=%s error=EINTR interrupted",
				      a->instance);
				errno = EINTR;
				return -1;
			}
		}
		attached_fd = fd;
		logf_("attach instance=%s shm_size=%llu nvectors=%u ok", a->instance,
		      (unsigned long long)a->shm_size, a->nvectors);
		return 0;
	case VBUS_DETACH:
		if (attached_fd != fd) {
			logf_("detach error=ENOENT");
			errno = ENOENT;
			return -1;
		}
		attached_fd = -1;
		logf_("detach ok");
		return 0;
	default:
		errno = ENOTTY;
		return -1;
	}
}
