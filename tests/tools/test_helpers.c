// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the helpers shared by vbusd and vbusctl (vbus_sysfs.c) and
 * of the ivshmem protocol encoder (ivshmem_server.c).
 * One line per case: PASS: name | FAIL: name reason.
 */
#define _GNU_SOURCE
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdarg.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ivshmem_server.h"
#include "vbus_sysfs.h"

static int failures;
static char reason[256];

static bool why(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static bool why(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	return false;
}

static void report(const char *name, bool ok)
{
	if (ok)
		printf("PASS: %s\n", name);
	else
		printf("FAIL: %s %s\n", name, reason);
	failures += !ok;
	reason[0] = '\0';
}

static bool t_parse_size(void)
{
	static const struct {
		const char *s;
		int err;
		uint64_t v;
	} c[] = {
		{ "4096", 0, 4096 }, { "4K", 0, 4096 }, { "4k", 0, 4096 },
		{ "4M", 0, 4 << 20 }, { "4MiB", 0, 4 << 20 }, { "4MB", 0, 4 << 20 },
		{ "1G", 0, 1 << 30 }, { "0x1000", 0, 4096 },
		{ "", -EINVAL, 0 }, { "-1", -EINVAL, 0 }, { "4X", -EINVAL, 0 },
		{ "4Mx", -EINVAL, 0 }, { " 4", -EINVAL, 0 }, { "M", -EINVAL, 0 },
		{ "99999999999999999999", -ERANGE, 0 },
		{ "17179869184G", -ERANGE, 0 },
	};
	size_t i;
	uint64_t v;
	int err;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		v = 0;
		err = vbus_parse_size(c[i].s, &v);
		if (err != c[i].err || (!err && v != c[i].v))
			return why("'%s': err %d v %llu, want err %d v %llu", c[i].s,
				   err, (unsigned long long)v, c[i].err,
				   (unsigned long long)c[i].v);
	}
	return true;
}

static bool t_shm_size_check(void)
{
	if (vbus_check_shm_size(65536) || vbus_check_shm_size(4 << 20) ||
	    vbus_check_shm_size(UINT64_C(1) << 32))
		return why("valid size refused");
	if (!vbus_check_shm_size(0) || !vbus_check_shm_size(32768) ||
	    !vbus_check_shm_size(UINT64_C(1) << 33) ||
	    !vbus_check_shm_size(3 << 20) || !vbus_check_shm_size(UINT64_MAX))
		return why("invalid size accepted");
	return true;
}

static bool t_names(void)
{
	static const char *const good[] = { "bus0", "a", "venet-tap.0", "A_b-c" };
	static const char *const bad[] = {
		"", ".", "..", ".hidden", "-x", "a/b", "a b", "ä", "a\n",
		"abcdefghijabcdefghijabcdefghijab",	/* 32: no room for NUL */
	};
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (!vbus_instance_name_valid(good[i]))
			return why("'%s' refused", good[i]);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (vbus_instance_name_valid(bad[i]))
			return why("'%s' accepted", bad[i]);
	if (!vbus_instance_name_valid("abcdefghijabcdefghijabcdefghija"))
		return why("31-char name refused");
	if (!vbus_device_name_valid("abcdefghijabcdefghijabcdefghijab"))
		return why("32-char device name refused");
	return true;
}

static char tmp[64];

static void put(const char *rel, const char *text)
{
	char p[PATH_MAX];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", tmp, rel);
	f = fopen(p, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static void dir(const char *rel)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/%s", tmp, rel);
	mkdir(p, 0755);
}

static bool t_roots(void)
{
	char want[PATH_MAX];

	setenv("VBUS_CONFIGFS", "/x/cfg", 1);
	setenv("VBUS_SYSFS", "/x/sys", 1);
	if (strcmp(vbus_configfs(), "/x/cfg") || strcmp(vbus_sysfs(), "/x/sys"))
		return why("environment not honoured");
	vbus_set_root("/r//");
	if (strcmp(vbus_configfs(), "/r/sys/kernel/config/vbus") ||
	    strcmp(vbus_sysfs(), "/r/sys/vbus"))
		return why("--root gives %s %s", vbus_configfs(), vbus_sysfs());
	unsetenv("VBUS_RUNDIR");
	if (vbus_socket_path(want, sizeof(want), "bus0") ||
	    strcmp(want, "/run/vbus/bus0.sock"))
		return why("socket path %s", want);
	return true;
}

static bool t_attrs(void)
{
	char p[PATH_MAX], buf[64];
	uint64_t v;
	int err;

	put("attr", "  42 \n\n");
	snprintf(p, sizeof(p), "%s/attr", tmp);
	if (vbus_read_attr(p, buf, sizeof(buf)) || strcmp(buf, "  42"))
		return why("read_attr gave '%s'", buf);
	put("num", "4194304\n");
	snprintf(p, sizeof(p), "%s/num", tmp);
	if (vbus_read_u64(p, &v) || v != 4194304)
		return why("read_u64");
	put("bad", "12ab\n");
	snprintf(p, sizeof(p), "%s/bad", tmp);
	if (vbus_read_u64(p, &v) != -EINVAL)
		return why("read_u64 accepted 12ab");
	snprintf(p, sizeof(p), "%s/num", tmp);
	if (vbus_write_attr(p, "7") || vbus_read_u64(p, &v) || v != 7)
		return why("write_attr did not replace the value");
	snprintf(p, sizeof(p), "%s/absent", tmp);
	err = vbus_write_attr(p, "1");
	if (err != -ENOENT || access(p, F_OK) == 0)
		return why("write_attr created a missing attribute (%d)", err);
	if (vbus_read_attr(p, buf, sizeof(buf)) != -ENOENT)
		return why("read of a missing attribute");
	return true;
}

static void setup_instances(void)
{
	char root[PATH_MAX];

	snprintf(root, sizeof(root), "%s/cfg", tmp);
	setenv("VBUS_CONFIGFS", root, 1);
	vbus_set_root(NULL);
	dir("cfg");
	dir("cfg/instances");
	dir("cfg/instances/plain");
	dir("cfg/instances/full");
	dir("cfg/instances/odd");
	dir("cfg/instances/many");
	dir("cfg/instances/zero");
	put("cfg/instances/full/shm_size", "1048576\n");
	put("cfg/instances/full/vectors", "4\n");
	put("cfg/instances/odd/shm_size", "1000000\n");
	put("cfg/instances/many/vectors", "17\n");
	put("cfg/instances/zero/vectors", "0\n");
}

static bool check_cfg(const char *inst, int want_err, uint64_t size,
		      unsigned int nvec, const char *bad)
{
	struct vbus_instance_cfg cfg;
	int err = vbus_instance_config(inst, &cfg);

	if (err != want_err)
		return why("%s: err %d, want %d", inst, err, want_err);
	if (!err && (cfg.shm_size != size || cfg.nvectors != nvec))
		return why("%s: %llu/%u, want %llu/%u", inst,
			   (unsigned long long)cfg.shm_size, cfg.nvectors,
			   (unsigned long long)size, nvec);
	if (err && bad && (!cfg.bad_attr || strcmp(cfg.bad_attr, bad)))
		return why("%s: bad_attr %s, want %s", inst,
			   cfg.bad_attr ? cfg.bad_attr : "NULL", bad);
	return true;
}

static bool t_region(void)
{
	struct ivshmem_region r;
	struct stat st;
	unsigned int i;
	int seals;

	if (ivshmem_region_create(&r, "t", 3000, 1) != -EINVAL ||
	    ivshmem_region_create(&r, "t", 4096, 0) != -EINVAL ||
	    ivshmem_region_create(&r, "t", 4096, IVSHMEM_MAX_VECTORS + 1) != -EINVAL)
		return why("bad parameters accepted");
	if (r.shm_fd != -1)
		return why("failed create left an fd");
	if (ivshmem_region_create(&r, "t", 65536, 2))
		return why("create: %s", strerror(errno));
	if (fstat(r.shm_fd, &st) || st.st_size != 65536)
		return why("size");
	seals = fcntl(r.shm_fd, F_GET_SEALS);
	if (seals != (F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL))
		return why("seals 0x%x", seals);
	if (!(fcntl(r.shm_fd, F_GETFD) & FD_CLOEXEC))
		return why("memfd not close-on-exec");
	for (i = 0; i < 2; i++)
		if (r.doorbell_fds[i] < 0 || r.irq_fds[i] < 0)
			return why("eventfd %u missing", i);
	if (r.doorbell_fds[2] != -1 || r.irq_fds[2] != -1)
		return why("extra eventfds");
	ivshmem_region_destroy(&r);
	if (r.shm_fd != -1 || r.doorbell_fds[0] != -1)
		return why("destroy did not reset");
	return true;
}

static bool t_send_msg(void)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl;
	uint64_t le;
	struct iovec iov = { &le, sizeof(le) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf) };
	int sv[2], fd = -1;
	struct cmsghdr *c;
	bool ok = true;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		return why("socketpair");
	if (ivshmem_send_msg(sv[0], -1, 1) || ivshmem_send_msg(sv[0], 0x123456789, -1))
		ok = why("send failed");
	if (ok && (recvmsg(sv[1], &msg, MSG_CMSG_CLOEXEC) != 8 ||
		   le64toh(le) != UINT64_MAX))
		ok = why("first message not -1 (LE int64)");
	c = ok ? CMSG_FIRSTHDR(&msg) : NULL;
	if (ok && (!c || c->cmsg_type != SCM_RIGHTS))
		ok = why("no fd with first message");
	if (c)
		memcpy(&fd, CMSG_DATA(c), sizeof(fd));
	msg.msg_controllen = sizeof(ctl.buf);
	if (ok && (recvmsg(sv[1], &msg, 0) != 8 || le64toh(le) != 0x123456789 ||
		   msg.msg_controllen != 0))
		ok = why("second message wrong or carried an fd");
	if (fd >= 0)
		close(fd);
	close(sv[0]);
	close(sv[1]);
	return ok;
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	(void)st; (void)flag; (void)f;
	return remove(p);
}

int main(void)
{
	snprintf(tmp, sizeof(tmp), "/tmp/vbus-helpers.XXXXXX");
	if (!mkdtemp(tmp)) {
		perror("mkdtemp");
		return 2;
	}
	report("helpers-parse-size", t_parse_size());
	report("helpers-shm-size-check", t_shm_size_check());
	report("helpers-names", t_names());
	report("helpers-roots", t_roots());
	report("helpers-attrs", t_attrs());
	setup_instances();
	report("helpers-instance-config-defaults",
	       check_cfg("plain", 0, 4 << 20, 1, NULL));
	report("helpers-instance-config-values",
	       check_cfg("full", 0, 1 << 20, 4, NULL));
	report("helpers-instance-config-bad-size",
	       check_cfg("odd", -EINVAL, 0, 0, "shm_size"));
	report("helpers-instance-config-too-many-vectors",
	       check_cfg("many", -ERANGE, 0, 0, "vectors"));
	report("helpers-instance-config-zero-vectors",
	       check_cfg("zero", 0, 4 << 20, 1, NULL));
	report("helpers-instance-config-missing",
	       check_cfg("absent", -ENOENT, 0, 0, NULL));
	report("helpers-region", t_region());
	report("helpers-send-msg", t_send_msg());
	nftw(tmp, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return failures ? 1 : 0;
}
