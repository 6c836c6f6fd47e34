// SPDX-License-Identifier: GPL-2.0
/*
 * Paths and attribute helpers shared by vbusd and vbusctl.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/vbus.h>

#include "vbus_abi.h"
#include "vbus_sysfs.h"

_Static_assert(VBUS_REGION_MIN == (64 << 10) && VBUS_REGION_MAX == (1ULL << 32),
	       "region limits changed: update VBUS_SHM_SIZE_RULE");

static char root_configfs[PATH_MAX];
static char root_sysfs[PATH_MAX];

void vbus_set_root(const char *root)
{
	size_t n;

	if (!root || !root[0]) {	/* back to the environment/defaults */
		root_configfs[0] = root_sysfs[0] = '\0';
		return;
	}
	n = strlen(root);
	while (n > 1 && root[n - 1] == '/')
		n--;
	/* Truncation is caught when paths are built from these roots. */
	snprintf(root_configfs, sizeof(root_configfs), "%.*s%s", (int)n, root,
		 VBUS_DEFAULT_CONFIGFS);
	snprintf(root_sysfs, sizeof(root_sysfs), "%.*s%s", (int)n, root,
		 VBUS_DEFAULT_SYSFS);
}

static const char *root_or_env(const char *set, const char *env,
			       const char *def)
{
	const char *v;

	if (set[0])
		return set;
	v = getenv(env);
	return v && v[0] ? v : def;
}

const char *vbus_configfs(void)
{
	return root_or_env(root_configfs, "VBUS_CONFIGFS", VBUS_DEFAULT_CONFIGFS);
}

const char *vbus_sysfs(void)
{
	return root_or_env(root_sysfs, "VBUS_SYSFS", VBUS_DEFAULT_SYSFS);
}

const char *vbus_rundir(void)
{
	return root_or_env("", "VBUS_RUNDIR", VBUS_DEFAULT_RUNDIR);
}

int vbus_path(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -EINVAL;
	if ((size_t)n >= len)
		return -ENAMETOOLONG;
	return 0;
}

bool vbus_name_valid(const char *name, size_t max)
{
	size_t i, n = strlen(name);

	if (n == 0 || n >= max || name[0] == '.' || name[0] == '-')
		return false;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];

		if (!isascii(c) || !(isalnum(c) || c == '_' || c == '-' || c == '.'))
			return false;
	}
	return true;
}

bool vbus_instance_name_valid(const char *name)
{
	return vbus_name_valid(name, VBUS_NAME_MAX);
}

bool vbus_device_name_valid(const char *name)
{
	return vbus_name_valid(name, VBUS_DEVNAME_MAX);
}

int vbus_read_attr(const char *path, char *buf, size_t len)
{
	ssize_t n;
	size_t got = 0;
	int fd, err = 0;

	if (len == 0)
		return -EINVAL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (got < len - 1) {
		n = read(fd, buf + got, len - 1 - got);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			break;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	if (err)
		return err;
	buf[got] = '\0';
	while (got > 0 && isspace((unsigned char)buf[got - 1]))
		buf[--got] = '\0';
	return 0;
}

int vbus_write_attr(const char *path, const char *val)
{
	size_t len = strlen(val), off = 0;
	int fd, err = 0;

	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* One write(): configfs and sysfs take a store in a single call. */
	while (off < len) {
		ssize_t n = write(fd, val + off, len - off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			break;
		}
		off += (size_t)n;
	}
	if (close(fd) < 0 && !err)
		err = -errno;
	return err;
}

int vbus_read_u64(const char *path, uint64_t *out)
{
	char buf[64], *end;
	unsigned long long v;
	int err;

	err = vbus_read_attr(path, buf, sizeof(buf));
	if (err)
		return err;
	if (!isdigit((unsigned char)buf[0]))
		return -EINVAL;
	errno = 0;
	v = strtoull(buf, &end, 0);
	if (errno)
		return -errno;
	if (*end)
		return -EINVAL;
	*out = v;
	return 0;
}

int vbus_parse_size(const char *s, uint64_t *out)
{
	unsigned long long v;
	unsigned int shift = 0;
	char *end;

	if (!isdigit((unsigned char)s[0]))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno)
		return -errno;
	switch (*end) {
	case '\0':
		break;
	case 'k': case 'K':
		shift = 10;
		break;
	case 'm': case 'M':
		shift = 20;
		break;
	case 'g': case 'G':
		shift = 30;
		break;
	default:
		return -EINVAL;
	}
	if (shift) {
		end++;
		if (strcmp(end, "") && strcmp(end, "iB") && strcmp(end, "B"))
			return -EINVAL;
		if (v > (UINT64_MAX >> shift))
			return -ERANGE;
		v <<= shift;
	}
	*out = v;
	return 0;
}

int vbus_check_shm_size(uint64_t size)
{
	if (!vbus_is_pow2(size) || size < VBUS_REGION_MIN ||
	    size > VBUS_REGION_MAX)
		return -EINVAL;
	return 0;
}

const char *vbus_fmt_size(uint64_t size, char *buf, size_t len)
{
	static const char *const unit[] = { "bytes", "KiB", "MiB", "GiB", "TiB" };
	unsigned int u = 0;

	while (u < 4 && size >= 1024 && !(size & 1023)) {
		size >>= 10;
		u++;
	}
	snprintf(buf, len, "%" PRIu64 " %s", size, unit[u]);
	return buf;
}

int vbus_instance_config(const char *instance, struct vbus_instance_cfg *cfg)
{
	char path[PATH_MAX];
	struct stat st;
	uint64_t v;
	int err;

	cfg->shm_size = VBUS_DEFAULT_SHM_SIZE;
	cfg->nvectors = 1;
	cfg->bad_attr = NULL;

	err = vbus_path(path, sizeof(path), "%s/instances/%s", vbus_configfs(),
			instance);
	if (err)
		return err;
	if (stat(path, &st) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;

	err = vbus_path(path, sizeof(path), "%s/instances/%s/shm_size",
			vbus_configfs(), instance);
	if (err)
		return err;
	cfg->bad_attr = "shm_size";
	err = vbus_read_u64(path, &v);
	if (err && err != -ENOENT)
		return err;
	if (!err) {
		if (vbus_check_shm_size(v))
			return -EINVAL;
		cfg->shm_size = v;
	}

	err = vbus_path(path, sizeof(path), "%s/instances/%s/vectors",
			vbus_configfs(), instance);
	if (err)
		return err;
	cfg->bad_attr = "vectors";
	err = vbus_read_u64(path, &v);
	if (err && err != -ENOENT)
		return err;
	if (!err) {
		if (v > VBUS_MAX_VECTORS)
			return -ERANGE;
		cfg->nvectors = v ? (unsigned int)v : 1;
	}
	cfg->bad_attr = NULL;
	return 0;
}

int vbus_socket_path(char *buf, size_t len, const char *instance)
{
	return vbus_path(buf, len, "%s/%s.sock", vbus_rundir(), instance);
}

const char *vbus_errname(int err)
{
	const char *s;

	if (err < 0)
		err = -err;
	s = strerrorname_np(err);
	return s ? s : "E?";
}
