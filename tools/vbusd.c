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
 *
 * Threads: the attach (the kernel pins and zeroes the whole region, up to
 * 4 GiB) and the handshake run in a worker thread, one per connecting
 * client, so the poll loop goes on answering signals, refusing other
 * clients and noticing a client that hangs up meanwhile. While the worker
 * runs it owns the session (client socket, region, control device); the
 * loop only reads the client's descriptor, and takes the session back when
 * the worker has said it is done (done_fd) and has been joined. To stop a
 * worker early the loop sets cancel and sends it WAKE_SIGNAL until it is
 * done: the kernel's attach returns EINTR on a pending signal.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "ivshmem_server.h"
#include "vbus_control.h"
#include "vbus_log.h"
#include "vbus_sysfs.h"

#define EXIT_USAGE	2
#define SEND_TIMEOUT_S	5
#define WAKE_SIGNAL	SIGUSR1	/* interrupts the worker's blocking calls */
#define CANCEL_KICK_MS	20	/* WAKE_SIGNAL again until the worker is done */
#define CANCEL_WAIT_MS	3000	/* at shutdown, then exit without the worker */

enum session_state {
	SESSION_NONE,		/* no client */
	SESSION_STARTING,	/* the worker attaches and runs the handshake */
	SESSION_SERVING,	/* handed over; the loop watches the client */
};

enum start_result {
	START_OK,
	START_REFUSE,		/* nothing sent yet: refuse the client */
	START_DROP,		/* the handshake failed */
	START_CANCELLED,	/* stopped by the loop (shutdown, hangup) */
};

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

	/* the session's start, in the worker thread */
	enum session_state state;
	pthread_t worker;
	int done_fd;			/* eventfd the worker signals at its end */
	atomic_bool cancel;		/* set by the loop: stop early */
	long cancel_ms;			/* when the loop first set it */
	bool stopping;			/* a signal asked vbusd to exit */
	/* written by the worker, read by the loop once it is joined */
	enum start_result result;
	const char *result_why;
	bool handshake_begun;
	struct vbus_instance_cfg cfg;
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
"A client's attach and handshake run in a thread of their own: signals and\n"
"other clients are answered meanwhile (SIGUSR1 is used internally).\n"
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

static void wake_handler(int sig)
{
	(void)sig;	/* only there to interrupt the worker's system call */
}

static int signals_open(struct vbusd *d)
{
	struct sigaction sa = { .sa_handler = wake_handler };
	sigset_t set;

	signal(SIGPIPE, SIG_IGN);
	/* no SA_RESTART: the worker's attach returns EINTR */
	sigemptyset(&sa.sa_mask);
	if (sigaction(WAKE_SIGNAL, &sa, NULL) < 0)
		return -errno;
	/* Blocked here, and so in the worker, which unblocks WAKE_SIGNAL. */
	sigemptyset(&set);
	sigaddset(&set, WAKE_SIGNAL);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -errno;
	sigdelset(&set, WAKE_SIGNAL);
	d->sig_fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (d->sig_fd < 0) {
		int err = -errno;

		vbus_err("signalfd: %s (%s)", strerror(-err), vbus_errname(err));
		return err;
	}
	d->done_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (d->done_fd < 0) {
		int err = -errno;

		vbus_err("eventfd: %s (%s)", strerror(-err), vbus_errname(err));
		return err;
	}
	return 0;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* The loop's; never while the worker owns the session. */
static void session_end(struct vbusd *d, const char *why)
{
	bool attached = d->attached;

	if (d->client_fd < 0 || d->state == SESSION_STARTING)
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
	d->state = SESSION_NONE;
	vbus_info("client %s: %s; instance '%s' %s", d->client_desc, why,
		  d->instance, !d->attach ? "released" :
		  attached ? "detached" : "not attached");
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

/* The worker's: region, attach, handshake. */
static enum start_result session_setup(struct vbusd *d)
{
	struct timeval tv = { .tv_sec = SEND_TIMEOUT_S };
	char name[64], sz[32];
	int err;

	d->result_why = "refused";
	if (load_config(d, &d->cfg, false)) {
		d->result_why = "refused, instance not usable";
		return START_REFUSE;
	}
	snprintf(name, sizeof(name), "vbus-%s", d->instance);
	err = ivshmem_region_create(&d->region, name, d->cfg.shm_size,
				    d->cfg.nvectors);
	if (err) {
		vbus_err("cannot create shared memory (%s, %u vectors): %s (%s)",
			 vbus_fmt_size(d->cfg.shm_size, sz, sizeof(sz)),
			 d->cfg.nvectors, strerror(-err), vbus_errname(err));
		return START_REFUSE;
	}
	if (d->attach) {
		vbus_dbg("client %s: attaching instance '%s' (%s)",
			 d->client_desc, d->instance,
			 vbus_fmt_size(d->cfg.shm_size, sz, sizeof(sz)));
		do {
			if (atomic_load(&d->cancel))
				return START_CANCELLED;
			err = vbus_control_attach(d->ctl_fd, d->instance,
						  &d->region);
		} while (err == -EINTR);
		if (err) {
			vbus_err("attach of instance '%s' failed: %s (%s)%s",
				 d->instance, strerror(-err), vbus_errname(err),
				 attach_hint(err));
			return START_REFUSE;
		}
		d->attached = true;
	}
	if (atomic_load(&d->cancel))
		return START_CANCELLED;
	/* The handshake fits in the socket buffer; a timeout still bounds a
	 * client that stops reading. */
	setsockopt(d->client_fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	d->handshake_begun = true;
	err = ivshmem_serve(d->client_fd, &d->region);
	if (err) {
		if (atomic_load(&d->cancel))
			return START_CANCELLED;
		vbus_err("client %s: handshake failed: %s (%s)", d->client_desc,
			 strerror(-err), vbus_errname(err));
		return START_DROP;
	}
	return START_OK;
}

static void *session_worker(void *arg)
{
	struct vbusd *d = arg;
	uint64_t one = 1;
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, WAKE_SIGNAL);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	d->result = session_setup(d);
	/* an eventfd's counter cannot overflow from one write */
	if (write(d->done_fd, &one, sizeof(one)) != sizeof(one))
		abort();
	return NULL;
}

static void session_start(struct vbusd *d, int fd)
{
	int err;

	describe_peer(fd, d->client_desc, sizeof(d->client_desc));
	d->client_fd = fd;
	d->handshake_begun = false;
	d->cancel_ms = 0;
	atomic_store(&d->cancel, false);
	d->state = SESSION_STARTING;
	err = pthread_create(&d->worker, NULL, session_worker, d);
	if (err) {
		d->state = SESSION_NONE;
		vbus_err("client %s: cannot start a thread for it: %s (%s)",
			 d->client_desc, strerror(err), vbus_errname(-err));
		session_refuse(d, "refused");
	}
}

/* The worker is done (done_fd): take the session back. */
static void session_started(struct vbusd *d)
{
	const char *why;
	uint64_t cnt;
	char sz[32];

	if (read(d->done_fd, &cnt, sizeof(cnt)) != sizeof(cnt))
		return;		/* not yet */
	pthread_join(d->worker, NULL);
	d->state = SESSION_SERVING;	/* the loop's again, to keep or end */
	switch (d->result) {
	case START_OK:
		vbus_info("client %s connected as peer %d: shm %s, %u vector%s, %s",
			  d->client_desc, IVSHMEM_GUEST_PEER,
			  vbus_fmt_size(d->cfg.shm_size, sz, sizeof(sz)),
			  d->cfg.nvectors, d->cfg.nvectors == 1 ? "" : "s",
			  d->attach ? "attached to the kernel" :
			  "not attached (--no-attach)");
		break;
	case START_REFUSE:
		session_refuse(d, d->result_why);
		break;
	case START_DROP:
		session_end(d, "dropped");
		break;
	case START_CANCELLED:
		why = d->stopping ? "server shutting down" :
		      "disconnected before the handshake";
		/* a QEMU still reading fails cleanly */
		if (!d->handshake_begun)
			session_refuse(d, why);
		else
			session_end(d, why);
		break;
	}
}

/* Stop the worker early; called again every CANCEL_KICK_MS until it is. */
static void session_cancel(struct vbusd *d)
{
	if (!atomic_exchange(&d->cancel, true))
		d->cancel_ms = now_ms();
	pthread_kill(d->worker, WAKE_SIGNAL);
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
	if (d->state != SESSION_NONE) {
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

/* 1: a signal asks vbusd to exit. */
static int signal_event(struct vbusd *d)
{
	struct signalfd_siginfo si;

	if (read(d->sig_fd, &si, sizeof(si)) != sizeof(si))
		return 0;
	vbus_info("caught SIG%s, shutting down",
		  sigabbrev_np((int)si.ssi_signo) ?
		  sigabbrev_np((int)si.ssi_signo) : "?");
	return 1;
}

static int run(struct vbusd *d)
{
	struct pollfd pfd[4 + IVSHMEM_MAX_VECTORS];
	unsigned int i, nfds, ndb;
	bool starting;
	int timeout;

	for (;;) {
		starting = d->state == SESSION_STARTING;
		if (d->stopping && !starting)
			return 0;
		timeout = -1;
		if (starting && atomic_load(&d->cancel)) {
			if (d->stopping &&
			    now_ms() - d->cancel_ms > CANCEL_WAIT_MS) {
				vbus_warn("client %s: attach still running %d ms after the signal; exiting without waiting for it",
					  d->client_desc, CANCEL_WAIT_MS);
				return 0;
			}
			session_cancel(d);
			timeout = CANCEL_KICK_MS;
		}
		pfd[0] = (struct pollfd){ .fd = d->sig_fd, .events = POLLIN };
		pfd[1] = (struct pollfd){ .fd = d->stopping ? -1 : d->listen_fd,
					  .events = POLLIN };
		/* starting: the worker owns the socket; only watch for a
		 * hangup, until the worker has been told */
		pfd[2] = (struct pollfd){
			.fd = timeout < 0 ? d->client_fd : -1,
			.events = starting ? 0 : POLLIN };
		pfd[3] = (struct pollfd){ .fd = starting ? d->done_fd : -1,
					  .events = POLLIN };
		nfds = 4;
		ndb = 0;
		if (!d->attach && d->state == SESSION_SERVING &&
		    vbus_log_verbosity() > 0)
			ndb = d->region.nvectors;
		for (i = 0; i < ndb; i++)
			pfd[nfds++] = (struct pollfd){
				.fd = d->region.doorbell_fds[i], .events = POLLIN };

		if (poll(pfd, nfds, timeout) < 0) {
			if (errno == EINTR)
				continue;
			vbus_err("poll: %s (%s)", strerror(errno),
				 vbus_errname(errno));
			return -errno;
		}
		if ((pfd[0].revents & POLLIN) && signal_event(d)) {
			d->stopping = true;
			if (starting)
				session_cancel(d);
			continue;
		}
		if (starting) {
			if (pfd[3].revents & POLLIN)
				session_started(d);
			else if (pfd[2].revents & (POLLHUP | POLLERR))
				session_cancel(d);	/* the client went away */
			else if (pfd[1].revents & POLLIN)
				client_accept(d);	/* refused */
			continue;
		}
		if (d->state == SESSION_SERVING && pfd[2].revents) {
			client_event(d, pfd[2].revents);
			continue;	/* the region may be gone */
		}
		for (i = 0; i < ndb; i++)
			if (pfd[4 + i].revents & POLLIN)
				doorbell_event(d, i);
		if (pfd[1].revents & POLLIN)
			client_accept(d);
	}
}

/* A worker still running (it did not stop in CANCEL_WAIT_MS) keeps the
 * session and the control device; exit ends it, and closing the control
 * file detaches. */
static void cleanup(struct vbusd *d)
{
	bool worker = d->state == SESSION_STARTING;

	session_end(d, "server shutting down");
	if (d->listen_fd >= 0) {
		close(d->listen_fd);
		if (unlink(d->socket_path) < 0 && errno != ENOENT)
			vbus_warn("cannot remove %s: %s (%s)", d->socket_path,
				  strerror(errno), vbus_errname(errno));
	}
	if (d->sig_fd >= 0)
		close(d->sig_fd);
	if (worker)
		return;
	if (d->done_fd >= 0)
		close(d->done_fd);
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
		.done_fd = -1,
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
