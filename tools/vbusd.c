// SPDX-License-Identifier: GPL-2.0
/*
 * vbusd: serves one vbus instance to one QEMU ivshmem-doorbell device and
 * hands the shared memory and eventfds to the vbus module.
 *
 * Lifetime of a region: it is created, attached and served when a client
 * connects, and detached and dropped when that client goes away. A guest
 * whose QEMU restarts therefore gets a fresh, zeroed region and the kernel
 * a fresh attachment, never the state a previous guest left behind; and
 * changes to the instance's shm_size take effect at the next connect.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "ivshmem_server.h"
#include "vbus_control.h"
#include "vbus_log.h"
#include "vbus_sysfs.h"

#define EXIT_USAGE	2
#define SEND_TIMEOUT_S	5

struct vbusd {
	const char *instance;
	const char *socket_path;
	const char *control_path;
	bool attach;
	bool shm_size_set;
	uint64_t shm_size;
	unsigned int nvectors;		/* 0: from configfs */
	mode_t sock_mode;
	gid_t sock_gid;
	bool sock_gid_set;

	int ctl_fd;
	int listen_fd;
	int sig_fd;
	int client_fd;
	char client_desc[64];
	bool attached;
	struct ivshmem_region region;
	char socket_buf[PATH_MAX];
};

static void usage(FILE *f)
{
	fprintf(f,
"Usage: vbusd [options] INSTANCE\n"
"Serve vbus instance INSTANCE to one QEMU ivshmem-doorbell device over a\n"
"UNIX socket, and attach the instance to it through the vbus control device\n"
"when the guest's QEMU connects (detach when it goes away).\n"
"\n"
"Options:\n"
"  -s, --socket PATH       listen on PATH (default %s/INSTANCE.sock)\n"
"  -c, --control PATH      vbus control device (default %s)\n"
"  -n, --no-attach         serve the ivshmem protocol only, never touch the\n"
"                          control device (shared memory only, tests)\n"
"      --shm-size SIZE     region size, a power of two, 64K..4G (K/M/G);\n"
"                          only with --no-attach (default: the instance's\n"
"                          shm_size, or 4M)\n"
"      --vectors N         interrupt vectors, 1..%d; only with --no-attach\n"
"                          (default: the instance's vectors, or 1)\n"
"      --socket-mode MODE  permissions of the socket, octal (default 0600)\n"
"      --socket-group GRP  group of the socket (e.g. kvm for libvirt)\n"
"      --root DIR          look for configfs and sysfs under DIR\n"
"  -v, --verbose           log more (repeat for more)\n"
"  -h, --help              show this help\n"
"  -V, --version           show the version\n"
"\n"
"Environment: VBUS_CONFIGFS (default %s), VBUS_RUNDIR.\n"
"Exit status: 0 after SIGTERM/SIGINT/SIGHUP, 1 on errors, 2 on bad usage.\n",
		VBUS_DEFAULT_RUNDIR, VBUS_DEFAULT_CONTROL, IVSHMEM_MAX_VECTORS,
		VBUS_DEFAULT_CONFIGFS);
}

static void usage_error(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));

static void usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("vbusd: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry 'vbusd --help' for more information.\n", stderr);
	exit(EXIT_USAGE);
}

enum {
	OPT_SHM_SIZE = 256,
	OPT_VECTORS,
	OPT_SOCKET_MODE,
	OPT_SOCKET_GROUP,
	OPT_ROOT,
};

static void parse_args(struct vbusd *d, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket",	  required_argument, NULL, 's' },
		{ "control",	  required_argument, NULL, 'c' },
		{ "no-attach",	  no_argument,	     NULL, 'n' },
		{ "shm-size",	  required_argument, NULL, OPT_SHM_SIZE },
		{ "vectors",	  required_argument, NULL, OPT_VECTORS },
		{ "socket-mode",  required_argument, NULL, OPT_SOCKET_MODE },
		{ "socket-group", required_argument, NULL, OPT_SOCKET_GROUP },
		{ "root",	  required_argument, NULL, OPT_ROOT },
		{ "verbose",	  no_argument,	     NULL, 'v' },
		{ "help",	  no_argument,	     NULL, 'h' },
		{ "version",	  no_argument,	     NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	int verbosity = 0, c;
	unsigned long ul;
	struct group *gr;
	char *end;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+s:c:nvhV", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			d->socket_path = optarg;
			break;
		case 'c':
			d->control_path = optarg;
			break;
		case 'n':
			d->attach = false;
			break;
		case OPT_SHM_SIZE:
			if (vbus_parse_size(optarg, &d->shm_size) ||
			    vbus_check_shm_size(d->shm_size))
				usage_error("invalid --shm-size '%s': must be " VBUS_SHM_SIZE_RULE, optarg);
			d->shm_size_set = true;
			break;
		case OPT_VECTORS:
			errno = 0;
			ul = strtoul(optarg, &end, 10);
			if (errno || *end || !optarg[0] || ul < 1 ||
			    ul > IVSHMEM_MAX_VECTORS)
				usage_error("invalid --vectors '%s': must be 1..16", optarg);
			d->nvectors = (unsigned int)ul;
			break;
		case OPT_SOCKET_MODE:
			errno = 0;
			ul = strtoul(optarg, &end, 8);
			if (errno || *end || !optarg[0] || ul > 0777)
				usage_error("invalid --socket-mode '%s': octal, at most 0777", optarg);
			d->sock_mode = (mode_t)ul;
			break;
		case OPT_SOCKET_GROUP:
			gr = getgrnam(optarg);
			if (gr) {
				d->sock_gid = gr->gr_gid;
			} else {
				errno = 0;
				ul = strtoul(optarg, &end, 10);
				if (errno || *end || !optarg[0])
					usage_error("unknown group '%s'", optarg);
				d->sock_gid = (gid_t)ul;
			}
			d->sock_gid_set = true;
			break;
		case OPT_ROOT:
			vbus_set_root(optarg);
			break;
		case 'v':
			verbosity++;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case 'V':
			printf("vbusd %s (vbus control ABI %d)\n",
			       VBUS_TOOLS_VERSION, VBUS_UAPI_VERSION);
			exit(0);
		default:
			if (optopt && optopt < 256)
				usage_error("invalid option or missing argument: -%c",
					    optopt);
			usage_error("invalid option or missing argument: '%s'",
				    argv[optind - 1]);
		}
	}
	if (optind >= argc)
		usage_error("missing INSTANCE");
	if (optind + 1 < argc)
		usage_error("unexpected argument '%s'", argv[optind + 1]);
	d->instance = argv[optind];
	if (!vbus_instance_name_valid(d->instance))
		usage_error("invalid instance name '%s': use 1-31 of A-Z a-z 0-9 _ . - (not starting with . or -)",
			    d->instance);
	if (d->attach && (d->shm_size_set || d->nvectors))
		usage_error("--shm-size and --vectors need --no-attach (with the kernel, the instance's configfs attributes decide)");
	vbus_log_init("vbusd", verbosity);
}

/* The instance's settings, for the next client. */
static int load_config(struct vbusd *d, struct vbus_instance_cfg *cfg,
		       bool startup)
{
	char sz[32];
	int err;

	err = vbus_instance_config(d->instance, cfg);
	if (err == -ENOENT && !d->attach) {
		if (startup)
			vbus_info("instance '%s' not found in %s/instances; serving without it",
				  d->instance, vbus_configfs());
		cfg->shm_size = VBUS_DEFAULT_SHM_SIZE;
		cfg->nvectors = 1;
		err = 0;
	} else if (err == -ENOENT) {
		struct stat st;

		if (stat(vbus_configfs(), &st) < 0)
			vbus_err("vbus configfs tree %s: %s (%s); is configfs mounted and the vbus module loaded?",
				 vbus_configfs(), strerror(errno), vbus_errname(errno));
		else
			vbus_err("no such instance '%s' in %s/instances (ENOENT); create it first: vbusctl create-instance %s",
				 d->instance, vbus_configfs(), d->instance);
		return err;
	} else if (err) {
		vbus_err("instance '%s': bad %s attribute: %s (%s)", d->instance,
			 cfg->bad_attr ? cfg->bad_attr : "configfs",
			 err == -EINVAL && cfg->bad_attr &&
			 !strcmp(cfg->bad_attr, "shm_size") ?
			 "not " VBUS_SHM_SIZE_RULE :
			 strerror(-err), vbus_errname(err));
		return err;
	}
	if (d->shm_size_set)
		cfg->shm_size = d->shm_size;
	if (d->nvectors)
		cfg->nvectors = d->nvectors;
	if (startup)
		vbus_dbg("instance '%s': shm %s, %u vector%s", d->instance,
			 vbus_fmt_size(cfg->shm_size, sz, sizeof(sz)),
			 cfg->nvectors, cfg->nvectors == 1 ? "" : "s");
	return 0;
}

static int control_open(struct vbusd *d)
{
	int err, kver;

	err = vbus_control_open(d->control_path, &d->ctl_fd, &kver);
	if (!err)
		return 0;
	if (err == -EPROTO && kver >= 0)
		vbus_err("control device %s speaks ABI version %d, vbusd needs version %d (EPROTO); install matching vbus module and tools",
			 d->control_path, kver, VBUS_UAPI_VERSION);
	else if (err == -ENOTTY || err == -EINVAL)
		vbus_err("%s is not a vbus control device: %s (%s)",
			 d->control_path, strerror(-err), vbus_errname(err));
	else
		vbus_err("cannot open control device %s: %s (%s)%s",
			 d->control_path, strerror(-err), vbus_errname(err),
			 err == -ENOENT ? "; is the vbus module loaded? (--no-attach serves shared memory without it)" : "");
	return err;
}

static int make_rundir(const char *dir)
{
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		int err = -errno;

		vbus_err("cannot create %s: %s (%s)", dir, strerror(-err),
			 vbus_errname(err));
		return err;
	}
	return 0;
}

/* An existing socket file: refuse if a server answers, remove if stale. */
static int clear_stale_socket(const struct sockaddr_un *sa)
{
	struct stat st;
	int fd, err;

	if (lstat(sa->sun_path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode)) {
		vbus_err("%s exists and is not a socket (EEXIST); remove it or choose another --socket",
			 sa->sun_path);
		return -EEXIST;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	err = connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) < 0 ? errno : 0;
	close(fd);
	if (!err) {
		vbus_err("%s is in use by another server (EADDRINUSE); is another vbusd serving it?",
			 sa->sun_path);
		return -EADDRINUSE;
	}
	if (err != ECONNREFUSED) {
		vbus_err("cannot probe existing socket %s: %s (%s)", sa->sun_path,
			 strerror(err), vbus_errname(err));
		return -err;
	}
	vbus_info("removing stale socket %s", sa->sun_path);
	if (unlink(sa->sun_path) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}

static int socket_open(struct vbusd *d)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	mode_t old_umask;
	int fd, err;

	if (!d->socket_path) {
		err = vbus_socket_path(d->socket_buf, sizeof(d->socket_buf),
				       d->instance);
		if (err) {
			vbus_err("socket path too long (ENAMETOOLONG)");
			return err;
		}
		d->socket_path = d->socket_buf;
		err = make_rundir(vbus_rundir());
		if (err)
			return err;
	}
	if (strlen(d->socket_path) >= sizeof(sa.sun_path)) {
		vbus_err("socket path %s is too long: %s (ENAMETOOLONG), at most %zu bytes",
			 d->socket_path, strerror(ENAMETOOLONG),
			 sizeof(sa.sun_path) - 1);
		return -ENAMETOOLONG;
	}
	memcpy(sa.sun_path, d->socket_path, strlen(d->socket_path) + 1);

	err = clear_stale_socket(&sa);
	if (err)
		return err;

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		goto fail_errno;
	old_umask = umask(~d->sock_mode & 0777);
	err = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old_umask);
	if (err < 0)
		goto fail_errno_close;
	d->listen_fd = fd;	/* from here on, shutdown unlinks the path */
	if (chmod(d->socket_path, d->sock_mode) < 0 ||
	    (d->sock_gid_set && chown(d->socket_path, (uid_t)-1, d->sock_gid) < 0) ||
	    listen(fd, 4) < 0) {
		err = -errno;
		vbus_err("cannot set up socket %s: %s (%s)", d->socket_path,
			 strerror(-err), vbus_errname(err));
		return err;
	}
	return 0;

fail_errno_close:
	err = -errno;
	close(fd);
	goto fail;
fail_errno:
	err = -errno;
fail:
	vbus_err("cannot listen on %s: %s (%s)", d->socket_path,
		 strerror(-err), vbus_errname(err));
	return err;
}

static int signals_open(struct vbusd *d)
{
	sigset_t set;

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -errno;
	d->sig_fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (d->sig_fd < 0) {
		int err = -errno;

		vbus_err("signalfd: %s (%s)", strerror(-err), vbus_errname(err));
		return err;
	}
	return 0;
}

static void session_end(struct vbusd *d, const char *why)
{
	if (d->client_fd < 0)
		return;
	if (d->attached) {
		int err = vbus_control_detach(d->ctl_fd);

		if (err) {
			int kver;

			/* Closing the control file detaches too. */
			vbus_warn("detach of instance '%s' failed: %s (%s); reopening %s",
				  d->instance, strerror(-err), vbus_errname(err),
				  d->control_path);
			close(d->ctl_fd);
			d->ctl_fd = -1;
			err = vbus_control_open(d->control_path, &d->ctl_fd, &kver);
			if (err)
				vbus_err("cannot reopen control device %s: %s (%s)",
					 d->control_path, strerror(-err),
					 vbus_errname(err));
		}
		d->attached = false;
	}
	ivshmem_region_destroy(&d->region);
	close(d->client_fd);
	d->client_fd = -1;
	vbus_info("client %s: %s; instance '%s' %s", d->client_desc, why,
		  d->instance, d->attach ? "detached" : "released");
}

/* Before the handshake: make QEMU fail cleanly rather than hang. */
static void session_refuse(struct vbusd *d, const char *why)
{
	ivshmem_refuse(d->client_fd);
	session_end(d, why);
}

static void describe_peer(int fd, char *buf, size_t len)
{
	struct ucred cr;
	socklen_t sl = sizeof(cr);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &sl) == 0)
		snprintf(buf, len, "pid %ld uid %ld", (long)cr.pid, (long)cr.uid);
	else
		snprintf(buf, len, "fd %d", fd);
}

static const char *attach_hint(int err)
{
	switch (err) {
	case -EBUSY:
		return "; is another vbusd serving this instance?";
	case -ENOENT:
		return "; was the instance deleted?";
	case -EPROTO:
		return "; vbus module and tools do not match";
	default:
		return "";
	}
}

static void session_start(struct vbusd *d, int fd)
{
	struct vbus_instance_cfg cfg;
	struct timeval tv = { .tv_sec = SEND_TIMEOUT_S };
	char name[64], sz[32];
	int err;

	describe_peer(fd, d->client_desc, sizeof(d->client_desc));
	d->client_fd = fd;

	if (load_config(d, &cfg, false)) {
		session_refuse(d, "refused, instance not usable");
		return;
	}
	snprintf(name, sizeof(name), "vbus-%s", d->instance);
	err = ivshmem_region_create(&d->region, name, cfg.shm_size, cfg.nvectors);
	if (err) {
		vbus_err("cannot create shared memory (%s, %u vectors): %s (%s)",
			 vbus_fmt_size(cfg.shm_size, sz, sizeof(sz)),
			 cfg.nvectors, strerror(-err), vbus_errname(err));
		session_refuse(d, "refused");
		return;
	}
	if (d->attach) {
		err = vbus_control_attach(d->ctl_fd, d->instance, &d->region);
		if (err) {
			vbus_err("attach of instance '%s' failed: %s (%s)%s",
				 d->instance, strerror(-err), vbus_errname(err),
				 attach_hint(err));
			session_refuse(d, "refused");
			return;
		}
		d->attached = true;
	}
	/* The handshake fits in the socket buffer; a timeout still bounds a
	 * client that stops reading. */
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	err = ivshmem_serve(fd, &d->region);
	if (err) {
		vbus_err("client %s: handshake failed: %s (%s)", d->client_desc,
			 strerror(-err), vbus_errname(err));
		session_end(d, "dropped");
		return;
	}
	vbus_info("client %s connected as peer %d: shm %s, %u vector%s, %s",
		  d->client_desc, IVSHMEM_GUEST_PEER,
		  vbus_fmt_size(cfg.shm_size, sz, sizeof(sz)), cfg.nvectors,
		  cfg.nvectors == 1 ? "" : "s",
		  d->attach ? "attached to the kernel" : "not attached (--no-attach)");
}

static void client_accept(struct vbusd *d)
{
	char desc[64];
	int fd;

	fd = accept4(d->listen_fd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0) {
		if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
			vbus_warn("accept on %s: %s (%s)", d->socket_path,
				  strerror(errno), vbus_errname(errno));
		return;
	}
	if (d->client_fd >= 0) {
		describe_peer(fd, desc, sizeof(desc));
		vbus_warn("refusing client %s: instance '%s' already serves client %s (one guest per socket)",
			  desc, d->instance, d->client_desc);
		ivshmem_refuse(fd);
		close(fd);
		return;
	}
	session_start(d, fd);
}

/* QEMU never sends anything; EOF or an error means it went away. */
static void client_event(struct vbusd *d, short revents)
{
	char buf[256];
	ssize_t n;

	n = recv(d->client_fd, buf, sizeof(buf), MSG_DONTWAIT);
	if (n > 0) {
		vbus_dbg("client %s: ignoring %zd unexpected bytes",
			 d->client_desc, n);
		return;
	}
	if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
		if (!(revents & (POLLHUP | POLLERR)))
			return;
	}
	if (n < 0 && errno != EAGAIN && errno != EINTR) {
		char why[96];

		snprintf(why, sizeof(why), "connection error: %s (%s)",
			 strerror(errno), vbus_errname(errno));
		session_end(d, why);
		return;
	}
	session_end(d, "disconnected");
}

/* Only with --no-attach -v: nobody else consumes guest doorbells. */
static void doorbell_event(struct vbusd *d, unsigned int vector)
{
	uint64_t cnt;

	if (read(d->region.doorbell_fds[vector], &cnt, sizeof(cnt)) == sizeof(cnt))
		vbus_dbg("doorbell: vector %u rung %" PRIu64 " time%s",
			 vector, cnt, cnt == 1 ? "" : "s");
}

static int run(struct vbusd *d)
{
	struct pollfd pfd[3 + IVSHMEM_MAX_VECTORS];
	struct signalfd_siginfo si;
	unsigned int i, nfds, ndb;

	for (;;) {
		pfd[0] = (struct pollfd){ .fd = d->sig_fd, .events = POLLIN };
		pfd[1] = (struct pollfd){ .fd = d->listen_fd, .events = POLLIN };
		pfd[2] = (struct pollfd){ .fd = d->client_fd, .events = POLLIN };
		nfds = 3;
		ndb = 0;
		if (!d->attach && d->client_fd >= 0 && vbus_log_verbosity() > 0)
			ndb = d->region.nvectors;
		for (i = 0; i < ndb; i++)
			pfd[nfds++] = (struct pollfd){
				.fd = d->region.doorbell_fds[i], .events = POLLIN };

		if (poll(pfd, nfds, -1) < 0) {
			if (errno == EINTR)
				continue;
			vbus_err("poll: %s (%s)", strerror(errno),
				 vbus_errname(errno));
			return -errno;
		}
		if (pfd[0].revents & POLLIN) {
			if (read(d->sig_fd, &si, sizeof(si)) == sizeof(si)) {
				vbus_info("caught SIG%s, shutting down",
					  sigabbrev_np((int)si.ssi_signo) ?
					  sigabbrev_np((int)si.ssi_signo) : "?");
				return 0;
			}
		}
		if (d->client_fd >= 0 && pfd[2].revents) {
			client_event(d, pfd[2].revents);
			continue;	/* the region may be gone */
		}
		for (i = 0; i < ndb; i++)
			if (pfd[3 + i].revents & POLLIN)
				doorbell_event(d, i);
		if (pfd[1].revents & POLLIN)
			client_accept(d);
	}
}

static void cleanup(struct vbusd *d)
{
	session_end(d, "server shutting down");
	if (d->listen_fd >= 0) {
		close(d->listen_fd);
		if (unlink(d->socket_path) < 0 && errno != ENOENT)
			vbus_warn("cannot remove %s: %s (%s)", d->socket_path,
				  strerror(errno), vbus_errname(errno));
	}
	if (d->sig_fd >= 0)
		close(d->sig_fd);
	if (d->ctl_fd >= 0)
		close(d->ctl_fd);
}

int main(int argc, char **argv)
{
	struct vbusd d = {
		.control_path = VBUS_DEFAULT_CONTROL,
		.attach = true,
		.sock_mode = 0600,
		.ctl_fd = -1,
		.listen_fd = -1,
		.sig_fd = -1,
		.client_fd = -1,
	};
	struct vbus_instance_cfg cfg;
	char sz[32];
	int err;

	ivshmem_region_init(&d.region);
	parse_args(&d, argc, argv);

	err = d.attach ? control_open(&d) : 0;
	if (!err)
		err = load_config(&d, &cfg, true);
	if (!err)
		err = signals_open(&d);
	if (!err)
		err = socket_open(&d);
	if (!err) {
		vbus_info("serving instance '%s' on %s (shm %s, %u vector%s%s)",
			  d.instance, d.socket_path,
			  vbus_fmt_size(cfg.shm_size, sz, sizeof(sz)),
			  cfg.nvectors, cfg.nvectors == 1 ? "" : "s",
			  d.attach ? "" : ", no kernel attach");
		err = run(&d);
	}
	cleanup(&d);
	return err ? EXIT_FAILURE : EXIT_SUCCESS;
}
