// SPDX-License-Identifier: GPL-2.0
/*
 * vbusctl: create, wire up and inspect vbus instances and devices through
 * the vbus configfs and sysfs trees, and print the QEMU or libvirt
 * configuration that connects an instance to a guest.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/vbus.h>

#include "vbus_sysfs.h"

#define EXIT_USAGE	2
#define ATTR_MAX	4096

struct cmd;

/* What the command was asked, for error messages: "create-device foo". */
static char ctx[256];
static const struct cmd *cur;

struct cmd {
	const char *name;
	const char *args;	/* synopsis after the name */
	const char *summary;
	const char *help;	/* details, options */
	int min_args, max_args;
	int (*run)(int argc, char **argv);
	const struct option *opts;
};

static int fail(int err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* "vbusctl: CTX: message (ENAME)"; returns the exit status. */
static int fail(int err, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "vbusctl: %s: ", ctx);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (err)
		fprintf(stderr, " (%s)", vbus_errname(err));
	fputc('\n', stderr);
	return EXIT_FAILURE;
}

static int usage_fail(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static int usage_fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "vbusctl: %s: ", cur->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nUsage: vbusctl %s %s\nTry 'vbusctl %s --help' for more information.\n",
		cur->name, cur->args, cur->name);
	return EXIT_USAGE;
}

/* ---- tree helpers ------------------------------------------------------ */

static int configfs_check(void)
{
	struct stat st;

	if (stat(vbus_configfs(), &st) < 0)
		return fail(errno, "vbus configfs tree %s not found: is configfs mounted and the vbus module loaded?",
			    vbus_configfs());
	return 0;
}

static bool is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int instance_dir(char *buf, size_t len, const char *inst)
{
	return vbus_path(buf, len, "%s/instances/%s", vbus_configfs(), inst);
}

static int device_dir(char *buf, size_t len, const char *dev)
{
	return vbus_path(buf, len, "%s/devices/%s", vbus_configfs(), dev);
}

static bool instance_exists(const char *inst)
{
	char p[PATH_MAX];

	return !instance_dir(p, sizeof(p), inst) && is_dir(p);
}

static bool device_exists(const char *dev)
{
	char p[PATH_MAX];

	return !device_dir(p, sizeof(p), dev) && is_dir(p);
}

static int no_instance(const char *inst)
{
	return fail(ENOENT, "no such instance '%s'", inst);
}

static int no_device(const char *dev)
{
	return fail(ENOENT, "no such device '%s'", dev);
}

/* Sorted names in dir, without dot entries; *n = -errno on failure. */
static struct dirent **list_dir(const char *dir, int *n)
{
	struct dirent **ents = NULL;
	int i, k = 0;

	*n = scandir(dir, &ents, NULL, alphasort);
	if (*n < 0) {
		*n = -errno;
		return NULL;
	}
	for (i = 0; i < *n; i++) {
		if (ents[i]->d_name[0] == '.')
			free(ents[i]);
		else
			ents[k++] = ents[i];
	}
	*n = k;
	return ents;
}

static void free_list(struct dirent **ents, int n)
{
	int i;

	for (i = 0; i < n; i++)
		free(ents[i]);
	free(ents);
}

static bool is_link(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0 && S_ISLNK(st.st_mode);
}

/* The instance DEV is attached to, into inst; -ENOENT if none. */
static int find_attachment(const char *dev, char *inst, size_t len)
{
	char dir[PATH_MAX], p[PATH_MAX];
	struct dirent **ents;
	int i, n, err = -ENOENT;

	if (vbus_path(dir, sizeof(dir), "%s/instances", vbus_configfs()))
		return -ENAMETOOLONG;
	ents = list_dir(dir, &n);
	if (!ents)
		return n;
	for (i = 0; i < n && err; i++) {
		if (!vbus_path(p, sizeof(p), "%s/%s/%s", dir, ents[i]->d_name, dev) &&
		    is_link(p))
			err = vbus_path(inst, len, "%s", ents[i]->d_name);
	}
	free_list(ents, n);
	return err;
}

/* Names of the device links in an instance, space separated. */
static int instance_devices(const char *inst, char *buf, size_t len)
{
	char dir[PATH_MAX], p[PATH_MAX];
	struct dirent **ents;
	size_t used = 0;
	int i, n;

	buf[0] = '\0';
	if (instance_dir(dir, sizeof(dir), inst))
		return -ENAMETOOLONG;
	ents = list_dir(dir, &n);
	if (!ents)
		return n;
	for (i = 0; i < n; i++) {
		if (vbus_path(p, sizeof(p), "%s/%s", dir, ents[i]->d_name) ||
		    !is_link(p))
			continue;
		used += (size_t)snprintf(buf + used, used < len ? len - used : 0,
					 "%s%s", used ? " " : "", ents[i]->d_name);
	}
	free_list(ents, n);
	return used < len ? 0 : -ENAMETOOLONG;
}

/* Print every readable attribute in dir as "indent[prefix]name=value";
 * with recurse, one level of subdirectories (e.g. counters) too. */
static void print_attrs(const char *dir, const char *indent,
			const char *prefix, bool recurse)
{
	char p[PATH_MAX], val[ATTR_MAX], sub[NAME_MAX + 2];
	struct dirent **ents;
	struct stat st;
	int i, n;

	ents = list_dir(dir, &n);
	if (!ents)
		return;
	for (i = 0; i < n; i++) {
		const char *name = ents[i]->d_name;

		if (!strcmp(name, "uevent") || !strcmp(name, "power") ||
		    vbus_path(p, sizeof(p), "%s/%s", dir, name) ||
		    lstat(p, &st) < 0 || S_ISLNK(st.st_mode))
			continue;
		if (S_ISDIR(st.st_mode)) {
			if (recurse) {
				snprintf(sub, sizeof(sub), "%s/", name);
				print_attrs(p, indent, sub, false);
			}
			continue;
		}
		if (!S_ISREG(st.st_mode) || !(st.st_mode & 0444))
			continue;
		if (vbus_read_attr(p, val, sizeof(val)))
			continue;
		printf("%s%s%s=%s\n", indent, prefix, name, val);
	}
	free_list(ents, n);
}

/* ---- instances --------------------------------------------------------- */

static uint64_t opt_shm_size;
static bool opt_shm_size_set;
static bool opt_force;
static const char *opt_type;
static const char *opt_socket;

static int cmd_create_instance(int argc, char **argv)
{
	const char *inst = argv[0];
	char dir[PATH_MAX], p[PATH_MAX], val[32];
	int err;

	(void)argc;
	if (!vbus_instance_name_valid(inst))
		return usage_fail("invalid instance name '%s': 1-31 of A-Z a-z 0-9 _ . - (not starting with . or -)",
				  inst);
	if (configfs_check())
		return EXIT_FAILURE;
	if (instance_dir(dir, sizeof(dir), inst))
		return fail(ENAMETOOLONG, "path too long");
	if (mkdir(dir, 0755) < 0) {
		if (errno == EEXIST)
			return fail(EEXIST, "instance '%s' already exists", inst);
		return fail(errno, "cannot create %s: %s", dir, strerror(errno));
	}
	if (!opt_shm_size_set)
		return 0;
	snprintf(val, sizeof(val), "%llu", (unsigned long long)opt_shm_size);
	err = vbus_path(p, sizeof(p), "%s/shm_size", dir);
	if (!err)
		err = vbus_write_attr(p, val);
	if (err) {
		rmdir(dir);
		if (err == -EINVAL)
			return fail(err, "instance not created: the kernel refused shm_size %s",
				    val);
		return fail(err, "instance not created: cannot set shm_size %s: %s",
			    val, strerror(-err));
	}
	return 0;
}

static int cmd_delete_instance(int argc, char **argv)
{
	const char *inst = argv[0];
	char dir[PATH_MAX], p[PATH_MAX], devs[1024];
	char *save = NULL, *d;
	int err;

	(void)argc;
	if (configfs_check())
		return EXIT_FAILURE;
	if (!vbus_instance_name_valid(inst) || !instance_exists(inst))
		return no_instance(inst);
	instance_dir(dir, sizeof(dir), inst);
	err = instance_devices(inst, devs, sizeof(devs));
	if (err)
		return fail(err, "cannot list devices: %s", strerror(-err));
	if (devs[0] && !opt_force)
		return fail(ENOTEMPTY, "instance '%s' still has devices attached: %s; detach them first or use --force",
			    inst, devs);
	for (d = strtok_r(devs, " ", &save); d; d = strtok_r(NULL, " ", &save)) {
		if (vbus_path(p, sizeof(p), "%s/%s", dir, d) || unlink(p) < 0)
			return fail(errno, "cannot detach device '%s': %s", d,
				    strerror(errno));
	}
	if (rmdir(dir) < 0) {
		if (errno == EBUSY)
			return fail(EBUSY, "instance '%s' is in use: is a guest attached? stop its vbusd first",
				    inst);
		return fail(errno, "cannot remove %s: %s", dir, strerror(errno));
	}
	return 0;
}

/* ---- devices ----------------------------------------------------------- */

static int no_class(const char *class)
{
	char dir[PATH_MAX], avail[512];
	struct dirent **ents;
	size_t used = 0;
	int i, n;

	avail[0] = '\0';
	if (!vbus_path(dir, sizeof(dir), "%s/deviceclass", vbus_sysfs()) &&
	    (ents = list_dir(dir, &n))) {
		for (i = 0; i < n; i++)
			used += (size_t)snprintf(avail + used,
					used < sizeof(avail) ? sizeof(avail) - used : 0,
					"%s%s", used ? ", " : "", ents[i]->d_name);
		free_list(ents, n);
	}
	fprintf(stderr, "vbusctl: %s: no such device class '%s' (ENOENT)", ctx, class);
	if (avail[0] && used < sizeof(avail))
		fprintf(stderr, "; available: %s", avail);
	fputc('\n', stderr);
	return EXIT_FAILURE;
}

static int cmd_create_device(int argc, char **argv)
{
	const char *dev = argv[0];
	char dir[PATH_MAX], p[PATH_MAX];
	int err;

	(void)argc;
	if (!opt_type)
		return usage_fail("--type CLASS is required");
	if (!vbus_device_name_valid(dev))
		return usage_fail("invalid device name '%s': 1-63 of A-Z a-z 0-9 _ . - (not starting with . or -)",
				  dev);
	if (configfs_check())
		return EXIT_FAILURE;
	/* Check the class first when sysfs lists them: no half-made device. */
	if (!vbus_path(p, sizeof(p), "%s/deviceclass", vbus_sysfs()) && is_dir(p) &&
	    (!vbus_name_valid(opt_type, NAME_MAX) ||
	     vbus_path(p, sizeof(p), "%s/deviceclass/%s", vbus_sysfs(), opt_type) ||
	     access(p, F_OK) < 0))
		return no_class(opt_type);
	if (device_dir(dir, sizeof(dir), dev))
		return fail(ENAMETOOLONG, "path too long");
	if (mkdir(dir, 0755) < 0) {
		if (errno == EEXIST)
			return fail(EEXIST, "device '%s' already exists", dev);
		return fail(errno, "cannot create %s: %s", dir, strerror(errno));
	}
	err = vbus_path(p, sizeof(p), "%s/type", dir);
	if (!err && access(p, F_OK) < 0)
		err = -errno;
	if (err) {
		rmdir(dir);
		return fail(err, "device not created: no 'type' attribute in %s: %s",
			    dir, strerror(-err));
	}
	err = vbus_write_attr(p, opt_type);
	if (err) {
		rmdir(dir);
		if (err == -ENOENT || err == -EINVAL || err == -ENODEV)
			return no_class(opt_type);
		return fail(err, "device not created: cannot set type '%s': %s",
			    opt_type, strerror(-err));
	}
	return 0;
}

static int detach_link(const char *dev, const char *inst)
{
	char p[PATH_MAX];

	if (vbus_path(p, sizeof(p), "%s/instances/%s/%s", vbus_configfs(),
		      inst, dev))
		return fail(ENAMETOOLONG, "path too long");
	if (unlink(p) < 0) {
		if (errno == EBUSY)
			return fail(EBUSY, "device '%s' is busy on instance '%s': is a guest attached?",
				    dev, inst);
		return fail(errno, "cannot detach from instance '%s': %s", inst,
			    strerror(errno));
	}
	return 0;
}

static int cmd_delete_device(int argc, char **argv)
{
	const char *dev = argv[0];
	char dir[PATH_MAX], inst[VBUS_NAME_MAX + 64];
	int err;

	(void)argc;
	if (configfs_check())
		return EXIT_FAILURE;
	if (!vbus_device_name_valid(dev) || !device_exists(dev))
		return no_device(dev);
	err = find_attachment(dev, inst, sizeof(inst));
	if (!err) {
		if (!opt_force)
			return fail(EBUSY, "device '%s' is attached to instance '%s'; detach it first or use --force",
				    dev, inst);
		if (detach_link(dev, inst))
			return EXIT_FAILURE;
	}
	device_dir(dir, sizeof(dir), dev);
	if (rmdir(dir) < 0)
		return fail(errno, "cannot remove %s: %s", dir, strerror(errno));
	return 0;
}

static int cmd_attach(int argc, char **argv)
{
	const char *dev = argv[0], *inst = argv[1];
	char target[PATH_MAX], link[PATH_MAX], cur_inst[VBUS_NAME_MAX + 64];

	(void)argc;
	if (configfs_check())
		return EXIT_FAILURE;
	if (!vbus_device_name_valid(dev) || !device_exists(dev))
		return no_device(dev);
	if (!vbus_instance_name_valid(inst) || !instance_exists(inst))
		return no_instance(inst);
	if (!find_attachment(dev, cur_inst, sizeof(cur_inst)))
		return fail(EBUSY, "device '%s' is already attached to instance '%s'",
			    dev, cur_inst);
	device_dir(target, sizeof(target), dev);
	if (vbus_path(link, sizeof(link), "%s/instances/%s/%s", vbus_configfs(),
		      inst, dev))
		return fail(ENAMETOOLONG, "path too long");
	if (symlink(target, link) < 0) {
		if (errno == EEXIST)
			return fail(EEXIST, "instance '%s' already has an entry named '%s'",
				    inst, dev);
		return fail(errno, "cannot attach device '%s' to instance '%s': %s",
			    dev, inst, strerror(errno));
	}
	return 0;
}

static int cmd_detach(int argc, char **argv)
{
	const char *dev = argv[0];
	char inst[VBUS_NAME_MAX + 64], p[PATH_MAX];

	if (configfs_check())
		return EXIT_FAILURE;
	if (!vbus_device_name_valid(dev) || !device_exists(dev))
		return no_device(dev);
	if (argc > 1) {
		if (!vbus_instance_name_valid(argv[1]) || !instance_exists(argv[1]))
			return no_instance(argv[1]);
		if (vbus_path(p, sizeof(p), "%s/instances/%s/%s", vbus_configfs(),
			      argv[1], dev) || !is_link(p))
			return fail(ENOENT, "device '%s' is not attached to instance '%s'",
				    dev, argv[1]);
		snprintf(inst, sizeof(inst), "%s", argv[1]);
	} else if (find_attachment(dev, inst, sizeof(inst))) {
		return fail(ENOENT, "device '%s' is not attached to any instance", dev);
	}
	return detach_link(dev, inst) ? EXIT_FAILURE : 0;
}

/* ---- attributes -------------------------------------------------------- */

/* configfs first (type, class settings), then sysfs (tunables, counters). */
static int attr_path(const char *dev, const char *attr, char *p, size_t len)
{
	if (!vbus_path(p, len, "%s/devices/%s/%s", vbus_configfs(), dev, attr) &&
	    access(p, F_OK) == 0)
		return 0;
	if (!vbus_path(p, len, "%s/devices/%s/%s", vbus_sysfs(), dev, attr) &&
	    access(p, F_OK) == 0)
		return 0;
	return -ENOENT;
}

static bool attr_name_valid(const char *attr)
{
	return vbus_name_valid(attr, NAME_MAX);
}

static int cmd_set(int argc, char **argv)
{
	const char *dev = argv[0], *attr = argv[1], *val = argv[2];
	char p[PATH_MAX];
	int err;

	(void)argc;
	if (configfs_check())
		return EXIT_FAILURE;
	if (!vbus_device_name_valid(dev) || !device_exists(dev))
		return no_device(dev);
	if (!attr_name_valid(attr) || attr_path(dev, attr, p, sizeof(p)))
		return fail(ENOENT, "device '%s' has no attribute '%s'", dev, attr);
	err = vbus_write_attr(p, val);
	switch (err) {
	case 0:
		return 0;
	case -EINVAL:
	case -ERANGE:
		return fail(err, "invalid value '%s' for %s", val, attr);
	case -EACCES:
	case -EPERM:
		return fail(err, "%s is read-only or needs more privileges", attr);
	case -EBUSY:
		return fail(err, "%s cannot be changed now (device in use?)", attr);
	default:
		return fail(err, "cannot write %s: %s", p, strerror(-err));
	}
}

static int cmd_get(int argc, char **argv)
{
	const char *dev = argv[0];
	char p[PATH_MAX], val[ATTR_MAX];
	int err;

	if (configfs_check())
		return EXIT_FAILURE;
	if (!vbus_device_name_valid(dev) || !device_exists(dev))
		return no_device(dev);
	if (argc == 1) {
		device_dir(p, sizeof(p), dev);
		print_attrs(p, "", "", false);
		if (!vbus_path(p, sizeof(p), "%s/devices/%s", vbus_sysfs(), dev))
			print_attrs(p, "", "", true);
		return 0;
	}
	if (!attr_name_valid(argv[1]) || attr_path(dev, argv[1], p, sizeof(p)))
		return fail(ENOENT, "device '%s' has no attribute '%s'", dev, argv[1]);
	err = vbus_read_attr(p, val, sizeof(val));
	if (err)
		return fail(err, "cannot read %s: %s", p, strerror(-err));
	printf("%s\n", val);
	return 0;
}

/* ---- status ------------------------------------------------------------ */

static void status_instance(const char *inst)
{
	struct vbus_instance_cfg cfg;
	char devs[1024], sz[32], sock[PATH_MAX], p[PATH_MAX];
	struct stat st;
	int err;

	err = vbus_instance_config(inst, &cfg);
	if (err)
		printf("instance %s: bad %s (%s)\n", inst,
		       cfg.bad_attr ? cfg.bad_attr : "configuration",
		       vbus_errname(err));
	else
		printf("instance %s: shm_size %s, %u vector%s\n", inst,
		       vbus_fmt_size(cfg.shm_size, sz, sizeof(sz)), cfg.nvectors,
		       cfg.nvectors == 1 ? "" : "s");
	if (!instance_devices(inst, devs, sizeof(devs)))
		printf("  devices: %s\n", devs[0] ? devs : "(none)");
	if (!vbus_socket_path(sock, sizeof(sock), inst))
		printf("  socket: %s (%s)\n", sock,
		       stat(sock, &st) == 0 && S_ISSOCK(st.st_mode) ?
		       "present" : "absent: vbusd not running?");
	if (!vbus_path(p, sizeof(p), "%s/instances/%s", vbus_sysfs(), inst))
		print_attrs(p, "  ", "", true);
}

static void status_device(const char *dev)
{
	char p[PATH_MAX], type[64], inst[VBUS_NAME_MAX + 64];

	if (vbus_path(p, sizeof(p), "%s/devices/%s/type", vbus_configfs(), dev) ||
	    vbus_read_attr(p, type, sizeof(type)) || !type[0])
		snprintf(type, sizeof(type), "(none)");
	if (find_attachment(dev, inst, sizeof(inst)))
		snprintf(inst, sizeof(inst), "(detached)");
	printf("device %s: type %s, instance %s\n", dev, type, inst);
	if (!vbus_path(p, sizeof(p), "%s/devices/%s", vbus_sysfs(), dev))
		print_attrs(p, "  ", "", true);
}

static void status_list(const char *root, const char *sub,
			void (*show)(const char *))
{
	char dir[PATH_MAX];
	struct dirent **ents;
	int i, n;

	if (vbus_path(dir, sizeof(dir), "%s/%s", root, sub))
		return;
	ents = list_dir(dir, &n);
	if (!ents)
		return;
	if (n == 0)
		printf("no %s\n", sub);
	for (i = 0; i < n; i++)
		show(ents[i]->d_name);
	free_list(ents, n);
}

static int cmd_status(int argc, char **argv)
{
	char p[PATH_MAX], val[64];
	struct dirent **ents;
	int i, n;

	(void)argc;
	(void)argv;
	if (configfs_check())
		return EXIT_FAILURE;
	if (!vbus_path(p, sizeof(p), "%s/version", vbus_sysfs()) &&
	    !vbus_read_attr(p, val, sizeof(val)))
		printf("vbus version %s\n", val);
	if (!vbus_path(p, sizeof(p), "%s/deviceclass", vbus_sysfs()) &&
	    (ents = list_dir(p, &n))) {
		printf("device classes:");
		for (i = 0; i < n; i++)
			printf(" %s", ents[i]->d_name);
		printf("%s\n", n ? "" : " (none)");
		free_list(ents, n);
	}
	status_list(vbus_configfs(), "instances", status_instance);
	status_list(vbus_configfs(), "devices", status_device);
	return 0;
}

/* ---- guest configuration ---------------------------------------------- */

static int guest_config(const char *inst, struct vbus_instance_cfg *cfg,
			char *sock, size_t len)
{
	int err;

	if (!vbus_instance_name_valid(inst))
		return no_instance(inst);
	if (configfs_check())
		return EXIT_FAILURE;
	err = vbus_instance_config(inst, cfg);
	if (err == -ENOENT)
		return no_instance(inst);
	if (err)
		return fail(err, "instance '%s': bad %s attribute", inst,
			    cfg->bad_attr ? cfg->bad_attr : "configfs");
	err = opt_socket ? vbus_path(sock, len, "%s", opt_socket) :
			   vbus_socket_path(sock, len, inst);
	if (err)
		return fail(err, "socket path too long");
	return 0;
}

static int cmd_qemu_args(int argc, char **argv)
{
	struct vbus_instance_cfg cfg;
	char sock[PATH_MAX];
	const char *c;

	(void)argc;
	if (guest_config(argv[0], &cfg, sock, sizeof(sock)))
		return EXIT_FAILURE;
	/* QEMU option values escape ',' by doubling it. */
	fputs("-chardev socket,path=", stdout);
	for (c = sock; *c; c++)
		fputs(*c == ',' ? ",," : (char[]){ *c, 0 }, stdout);
	printf(",id=vbus%s -device ivshmem-doorbell,chardev=vbus%s,vectors=%u\n",
	       argv[0], argv[0], cfg.nvectors);
	return 0;
}

static void xml_escaped(const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", stdout); break;
		case '<': fputs("&lt;", stdout); break;
		case '>': fputs("&gt;", stdout); break;
		case '\'': fputs("&apos;", stdout); break;
		case '"': fputs("&quot;", stdout); break;
		default: putchar(*s);
		}
	}
}

static int cmd_libvirt_xml(int argc, char **argv)
{
	struct vbus_instance_cfg cfg;
	char sock[PATH_MAX];

	(void)argc;
	if (guest_config(argv[0], &cfg, sock, sizeof(sock)))
		return EXIT_FAILURE;
	printf("<shmem name='vbus%s'>\n", argv[0]);
	printf("  <model type='ivshmem-doorbell'/>\n");
	printf("  <server path='");
	xml_escaped(sock);
	printf("'/>\n");
	printf("  <msi vectors='%u' ioeventfd='on'/>\n", cfg.nvectors);
	printf("</shmem>\n");
	return 0;
}

/* ---- dispatch ---------------------------------------------------------- */

enum { OPT_SHM_SIZE = 256, OPT_TYPE, OPT_FORCE, OPT_SOCKET };

static const struct option opts_none[] = {
	{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 }
};
static const struct option opts_shm[] = {
	{ "shm-size", required_argument, NULL, OPT_SHM_SIZE },
	{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 }
};
static const struct option opts_type[] = {
	{ "type", required_argument, NULL, OPT_TYPE },
	{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 }
};
static const struct option opts_force[] = {
	{ "force", no_argument, NULL, OPT_FORCE },
	{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 }
};
static const struct option opts_socket[] = {
	{ "socket", required_argument, NULL, OPT_SOCKET },
	{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 }
};

static int cmd_help(int argc, char **argv);

static const struct cmd cmds[] = {
	{ "create-instance", "NAME [--shm-size SIZE]",
	  "create a bus instance",
	  "  --shm-size SIZE  shared memory size, " VBUS_SHM_SIZE_RULE "\n"
	  "                   (K/M/G suffixes; default: the kernel's, 4M)\n",
	  1, 1, cmd_create_instance, opts_shm },
	{ "delete-instance", "NAME [--force]",
	  "delete a bus instance",
	  "  --force  detach the instance's devices first\n",
	  1, 1, cmd_delete_instance, opts_force },
	{ "create-device", "NAME --type CLASS",
	  "create a device of a device class (e.g. venet-tap)",
	  "  --type CLASS  device class, see /sys/vbus/deviceclass\n",
	  1, 1, cmd_create_device, opts_type },
	{ "delete-device", "NAME [--force]",
	  "delete a device",
	  "  --force  detach the device from its instance first\n",
	  1, 1, cmd_delete_device, opts_force },
	{ "attach", "DEVICE INSTANCE",
	  "put a device on a bus instance", NULL,
	  2, 2, cmd_attach, opts_none },
	{ "detach", "DEVICE [INSTANCE]",
	  "take a device off its bus instance", NULL,
	  1, 2, cmd_detach, opts_none },
	{ "set", "DEVICE ATTR VALUE",
	  "set a device attribute (configfs, then sysfs)", NULL,
	  3, 3, cmd_set, opts_none },
	{ "get", "DEVICE [ATTR]",
	  "print one device attribute, or all as ATTR=VALUE lines", NULL,
	  1, 2, cmd_get, opts_none },
	{ "status", "",
	  "show instances, devices, attachments and counters", NULL,
	  0, 0, cmd_status, opts_none },
	{ "qemu-args", "INSTANCE [--socket PATH]",
	  "print the QEMU options that connect a guest to INSTANCE",
	  "  --socket PATH  vbusd's socket (default: $VBUS_RUNDIR or /run/vbus, /INSTANCE.sock)\n",
	  1, 1, cmd_qemu_args, opts_socket },
	{ "libvirt-xml", "INSTANCE [--socket PATH]",
	  "print the libvirt <shmem> element that connects a guest to INSTANCE",
	  "  --socket PATH  vbusd's socket (default: $VBUS_RUNDIR or /run/vbus, /INSTANCE.sock)\n",
	  1, 1, cmd_libvirt_xml, opts_socket },
	{ "help", "[COMMAND]", "show help for a command", NULL,
	  0, 1, cmd_help, opts_none },
};

#define NCMDS (sizeof(cmds) / sizeof(cmds[0]))

static void usage(FILE *f)
{
	size_t i;

	fprintf(f,
"Usage: vbusctl [--root DIR] COMMAND [ARGS]\n"
"Manage vbus instances and devices (configfs %s, sysfs %s).\n"
"\n"
"Commands:\n", vbus_configfs(), vbus_sysfs());
	for (i = 0; i < NCMDS; i++)
		fprintf(f, "  %-16s %s\n", cmds[i].name, cmds[i].summary);
	fprintf(f,
"\n"
"Options:\n"
"  --root DIR     use DIR/sys/kernel/config/vbus and DIR/sys/vbus\n"
"  -h, --help     show this help ('vbusctl COMMAND --help' for a command)\n"
"  -V, --version  show the version\n"
"\n"
"Environment: VBUS_CONFIGFS, VBUS_SYSFS, VBUS_RUNDIR override the trees.\n"
"Exit status: 0 on success, 1 if the operation failed, 2 on bad usage.\n");
}

static void cmd_usage(const struct cmd *c)
{
	printf("Usage: vbusctl %s %s\n%s.\n", c->name, c->args, c->summary);
	if (c->help)
		printf("\nOptions:\n%s", c->help);
}

static const struct cmd *find_cmd(const char *name)
{
	size_t i;

	for (i = 0; i < NCMDS; i++)
		if (!strcmp(cmds[i].name, name))
			return &cmds[i];
	return NULL;
}

static int cmd_help(int argc, char **argv)
{
	const struct cmd *c;

	if (argc == 0) {
		usage(stdout);
		return 0;
	}
	c = find_cmd(argv[0]);
	if (!c)
		return usage_fail("unknown command '%s'", argv[0]);
	cmd_usage(c);
	return 0;
}

static int run_cmd(const struct cmd *c, int argc, char **argv)
{
	size_t used;
	int opt, i;

	cur = c;
	optind = 0;	/* glibc: reinitialise */
	opterr = 0;
	/* GNU getopt permutes: options may follow the arguments. */
	while ((opt = getopt_long(argc, argv, "h", c->opts, NULL)) != -1) {
		switch (opt) {
		case 'h':
			cmd_usage(c);
			return 0;
		case OPT_SHM_SIZE:
			if (vbus_parse_size(optarg, &opt_shm_size) ||
			    vbus_check_shm_size(opt_shm_size))
				return usage_fail("invalid --shm-size '%s': must be " VBUS_SHM_SIZE_RULE,
						  optarg);
			opt_shm_size_set = true;
			break;
		case OPT_TYPE:
			opt_type = optarg;
			break;
		case OPT_FORCE:
			opt_force = true;
			break;
		case OPT_SOCKET:
			opt_socket = optarg;
			break;
		default:
			return usage_fail("invalid option or missing argument: '%s'",
					  argv[optind - 1]);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < c->min_args)
		return usage_fail("missing argument");
	if (argc > c->max_args)
		return usage_fail("unexpected argument '%s'", argv[c->max_args]);

	used = (size_t)snprintf(ctx, sizeof(ctx), "%s", c->name);
	for (i = 0; i < argc && i < 2 && used < sizeof(ctx); i++)
		used += (size_t)snprintf(ctx + used, sizeof(ctx) - used, " %s", argv[i]);
	return c->run(argc, argv);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "root", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	const struct cmd *c;
	int opt;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+hV", opts, NULL)) != -1) {
		switch (opt) {
		case 'r':
			vbus_set_root(optarg);
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("vbusctl %s\n", VBUS_TOOLS_VERSION);
			return 0;
		default:
			fprintf(stderr, "vbusctl: invalid option or missing argument: '%s'\nTry 'vbusctl --help' for more information.\n",
				argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	c = find_cmd(argv[optind]);
	if (!c) {
		fprintf(stderr, "vbusctl: unknown command '%s'\nTry 'vbusctl --help' for more information.\n",
			argv[optind]);
		return EXIT_USAGE;
	}
	return run_cmd(c, argc - optind, argv + optind);
}
