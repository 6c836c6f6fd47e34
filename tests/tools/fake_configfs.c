// SPDX-License-Identifier: GPL-2.0
/*
 * LD_PRELOAD shim: makes a plain directory tree at $VBUS_CONFIGFS behave
 * like the vbus configfs tree for vbusctl's tests. mkdir of an instance
 * makes its shm_size and vectors attributes appear, mkdir of a device its
 * type attribute; rmdir removes them again, and (as configfs) refuses
 * while the group still holds links.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* "instances" or "devices" if path is ROOT/<that>/<name>, else NULL. */
static const char *group_of(const char *path)
{
	const char *root = getenv("VBUS_CONFIGFS");
	size_t n;

	if (!root || !root[0])
		return NULL;
	n = strlen(root);
	if (strncmp(path, root, n) || path[n] != '/')
		return NULL;
	path += n + 1;
	if (!strncmp(path, "instances/", 10) && path[10] && !strchr(path + 10, '/'))
		return "instances";
	if (!strncmp(path, "devices/", 8) && path[8] && !strchr(path + 8, '/'))
		return "devices";
	return NULL;
}

static void put(const char *dir, const char *name, const char *val)
{
	char p[PATH_MAX];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	f = fopen(p, "w");
	if (f) {
		fputs(val, f);
		fclose(f);
	}
}

int mkdir(const char *path, mode_t mode)
{
	int (*real)(const char *, mode_t) =
		(int (*)(const char *, mode_t))dlsym(RTLD_NEXT, "mkdir");
	const char *g = group_of(path);
	int ret = real(path, mode);

	if (ret == 0 && g && !strcmp(g, "instances")) {
		put(path, "shm_size", "4194304\n");
		put(path, "vectors", getenv("FAKE_VECTORS") ? getenv("FAKE_VECTORS") : "1\n");
	} else if (ret == 0 && g) {
		put(path, "type", "\n");
	}
	return ret;
}

int rmdir(const char *path)
{
	int (*real)(const char *) =
		(int (*)(const char *))dlsym(RTLD_NEXT, "rmdir");
	char p[PATH_MAX];
	struct dirent *e;
	struct stat st;
	DIR *d;

	if (group_of(path) && (d = opendir(path))) {
		while ((e = readdir(d))) {
			snprintf(p, sizeof(p), "%s/%s", path, e->d_name);
			if (lstat(p, &st) == 0 && S_ISLNK(st.st_mode)) {
				closedir(d);
				errno = ENOTEMPTY;
				return -1;
			}
		}
		rewinddir(d);
		while ((e = readdir(d))) {
			snprintf(p, sizeof(p), "%s/%s", path, e->d_name);
			if (lstat(p, &st) == 0 && S_ISREG(st.st_mode))
				unlink(p);
		}
		closedir(d);
	}
	return real(path);
}
