/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Paths and attribute helpers shared by vbusd and vbusctl: where the vbus
 * configfs and sysfs trees live, how names and sizes are checked, and how
 * an instance's transport settings are read.
 *
 * Every function that can fail returns 0 or a negative errno.
 */
#ifndef VBUS_SYSFS_H
#define VBUS_SYSFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifndef VBUS_TOOLS_VERSION
#define VBUS_TOOLS_VERSION	"0.1.0"
#endif

#define VBUS_DEFAULT_CONFIGFS	"/sys/kernel/config/vbus"
#define VBUS_DEFAULT_SYSFS	"/sys/vbus"
#define VBUS_DEFAULT_RUNDIR	"/run/vbus"
#define VBUS_DEFAULT_CONTROL	"/dev/vbus"
#define VBUS_DEFAULT_SHM_SIZE	(UINT64_C(4) << 20)
/* Region sizes: VBUS_REGION_MIN..MAX of src/common/vbus_abi.h (checked
 * against it in vbus_sysfs.c). */
#define VBUS_SHM_SIZE_RULE	"a power of two from 64K to 4G"

/* Longest device name: a configfs item name. Instance names are shorter
 * (VBUS_NAME_MAX from the uapi header, NUL included). */
#define VBUS_DEVNAME_MAX	64

/* vbus_sysfs.c APIs: roots (env VBUS_CONFIGFS, VBUS_SYSFS, VBUS_RUNDIR;
 * vbus_set_root() overrides the first two with ROOT/sys/kernel/config/vbus
 * and ROOT/sys/vbus; NULL or "" drops the override). */
void vbus_set_root(const char *root);
const char *vbus_configfs(void);
const char *vbus_sysfs(void);
const char *vbus_rundir(void);

/* snprintf into buf; -ENAMETOOLONG if it does not fit. */
int vbus_path(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Names: [A-Za-z0-9_.-], not starting with '.' or '-', 1..max-1 chars. */
bool vbus_name_valid(const char *name, size_t max);
bool vbus_instance_name_valid(const char *name);
bool vbus_device_name_valid(const char *name);

/* Attributes: read trims trailing whitespace; write never creates. */
int vbus_read_attr(const char *path, char *buf, size_t len);
int vbus_write_attr(const char *path, const char *val);
int vbus_read_u64(const char *path, uint64_t *out);

/* Sizes: decimal or 0x hex bytes, optional K/M/G suffix (binary, also
 * KiB/MiB/GiB). -EINVAL if malformed, -ERANGE on overflow. */
int vbus_parse_size(const char *s, uint64_t *out);
/* 0 if size is a usable region size (VBUS_SHM_SIZE_RULE), else -EINVAL. */
int vbus_check_shm_size(uint64_t size);
/* "4 MiB" style, for messages. */
const char *vbus_fmt_size(uint64_t size, char *buf, size_t len);

/* An instance's transport settings, from its configfs attributes. */
struct vbus_instance_cfg {
	uint64_t shm_size;
	unsigned int nvectors;
	const char *bad_attr;	/* on error: the attribute at fault, or NULL */
};
/* -ENOENT if the instance does not exist, -EINVAL if shm_size is not a
 * usable size, -ERANGE if vectors exceeds VBUS_MAX_VECTORS. A missing
 * attribute takes its default (4 MiB, 1 vector); vectors 0 means 1. */
int vbus_instance_config(const char *instance, struct vbus_instance_cfg *cfg);

/* Default socket of an instance: <rundir>/<instance>.sock */
int vbus_socket_path(char *buf, size_t len, const char *instance);

/* "ENOENT" for ENOENT (positive errno), "E?" if unknown. */
const char *vbus_errname(int err);

#endif /* VBUS_SYSFS_H */
