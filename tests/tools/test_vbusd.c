// SPDX-License-Identifier: GPL-2.0
/*
 * vbusd tests: runs vbusd on a fake configfs tree in a temporary directory
 * and talks to it as QEMU's ivshmem-doorbell device does.
 *
 * Usage: test_vbusd VBUSD FAKE_VBUSDEV_SO [--valgrind]
 * One line per case: PASS: name | FAIL: name reason | SKIP: name reason.
 * With --valgrind every vbusd runs under valgrind and a case also fails on
 * a memory error, a leak, or a file descriptor left open at exit.
 */
#define _GNU_SOURCE
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAXVEC		16
#define TIMEOUT_MS	(valgrind ? 20000 : 5000)

static const char *vbusd_bin, *shim_so;
static bool valgrind;
static char tmp[64], configfs[128], sock_path[100];
static int failures, nspawn;

/* ---- reporting ---------------------------------------------------------- */

static char reason[512];

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
	if (ok) {
		printf("PASS: %s%s\n", valgrind ? "valgrind-" : "", name);
	} else {
		printf("FAIL: %s%s %s\n", valgrind ? "valgrind-" : "", name, reason);
		failures++;
	}
	fflush(stdout);
	reason[0] = '\0';
}

static void skip(const char *name, const char *r)
{
	printf("SKIP: %s%s %s\n", valgrind ? "valgrind-" : "", name, r);
	fflush(stdout);
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

/* ---- files -------------------------------------------------------------- */

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f) {
		perror(path);
		exit(2);
	}
	fputs(text, f);
	fclose(f);
}

static char *read_file(const char *path)
{
	static char buf[65536];
	ssize_t n;
	int fd;

	buf[0] = '\0';
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return buf;
	n = read(fd, buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	close(fd);
	return buf;
}

static bool file_has(const char *path, const char *needle)
{
	return strstr(read_file(path), needle) != NULL;
}

static bool wait_file_has(const char *path, const char *needle)
{
	long end = now_ms() + TIMEOUT_MS;

	while (now_ms() < end) {
		if (file_has(path, needle))
			return true;
		sleep_ms(10);
	}
	return false;
}

static int count_in_file(const char *path, const char *needle)
{
	const char *s = read_file(path);
	int n = 0;

	while ((s = strstr(s, needle))) {
		n++;
		s += strlen(needle);
	}
	return n;
}

static void make_instance(const char *name, const char *shm, const char *vec)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/instances/%s", configfs, name);
	mkdir(p, 0755);
	if (shm) {
		snprintf(p, sizeof(p), "%s/instances/%s/shm_size", configfs, name);
		write_file(p, shm);
	}
	if (vec) {
		snprintf(p, sizeof(p), "%s/instances/%s/vectors", configfs, name);
		write_file(p, vec);
	}
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	(void)st; (void)flag; (void)f;
	return remove(p);
}

/* ---- vbusd processes ---------------------------------------------------- */

struct proc {
	pid_t pid;
	char log[PATH_MAX];	/* stderr */
	char out[PATH_MAX];	/* stdout */
	char vglog[PATH_MAX];
	int status;
	bool reaped;
};

/* env: NULL-terminated "NAME=value" list added to the environment. */
static void spawn(struct proc *p, const char *const *args, const char *const *env)
{
	const char *argv[64];
	char vglogopt[PATH_MAX + 16];
	int n = 0, i, fd;

	memset(p, 0, sizeof(*p));
	nspawn++;
	snprintf(p->log, sizeof(p->log), "%s/vbusd.%d.err", tmp, nspawn);
	snprintf(p->out, sizeof(p->out), "%s/vbusd.%d.out", tmp, nspawn);
	snprintf(p->vglog, sizeof(p->vglog), "%s/vbusd.%d.vg", tmp, nspawn);
	if (valgrind) {
		snprintf(vglogopt, sizeof(vglogopt), "--log-file=%s", p->vglog);
		argv[n++] = "valgrind";
		argv[n++] = "--leak-check=full";
		argv[n++] = "--show-leak-kinds=all";
		argv[n++] = "--errors-for-leak-kinds=all";
		argv[n++] = "--track-fds=yes";
		argv[n++] = "--error-exitcode=99";
		argv[n++] = vglogopt;
	}
	argv[n++] = vbusd_bin;
	for (i = 0; args[i]; i++)
		argv[n++] = args[i];
	argv[n] = NULL;

	fflush(stdout);
	p->pid = fork();
	if (p->pid < 0) {
		perror("fork");
		exit(2);
	}
	if (p->pid == 0) {
		for (i = 0; env && env[i]; i++)
			putenv((char *)env[i]);
		setenv("VBUS_CONFIGFS", configfs, 1);
		setenv("VBUS_RUNDIR", tmp, 1);
		fd = open("/dev/null", O_RDONLY);
		dup2(fd, 0);
		close(fd);
		fd = open(p->out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		dup2(fd, 1);
		close(fd);
		fd = open(p->log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		dup2(fd, 2);
		close(fd);
		close_range(3, ~0U, 0);
		execvp(argv[0], (char **)argv);
		_exit(127);
	}
}

static bool reap(struct proc *p, long timeout_ms)
{
	long end = now_ms() + timeout_ms;

	while (!p->reaped) {
		pid_t r = waitpid(p->pid, &p->status, WNOHANG);

		if (r == p->pid) {
			p->reaped = true;
			break;
		}
		if (now_ms() > end)
			return false;
		sleep_ms(10);
	}
	return true;
}

static void kill_proc(struct proc *p)
{
	if (p->pid > 0 && !p->reaped) {
		kill(p->pid, SIGKILL);
		reap(p, 5000);
	}
}

/* valgrind --track-fds: every descriptor open at exit must be one vbusd
 * inherited (stdio, and whatever valgrind itself keeps). */
static bool fds_clean(const char *vg)
{
	const char *s = strstr(vg, "FILE DESCRIPTORS:");
	const char *nl;

	if (!s)
		return false;
	while ((s = strstr(s, "== Open "))) {
		nl = strchr(s, '\n');
		if (!nl || !strstr(nl, "<inherited from parent>") ||
		    strstr(nl, "<inherited from parent>") > strchr(nl + 1, '\n'))
			return false;
		s = nl;
	}
	return true;
}

/* Ends with exit status want; under valgrind also clean of errors, leaks
 * and leftover descriptors. */
static bool exits_with(struct proc *p, int want)
{
	const char *vg;

	if (!reap(p, TIMEOUT_MS)) {
		kill_proc(p);
		return why("vbusd did not exit");
	}
	if (!WIFEXITED(p->status))
		return why("vbusd died of signal %d", WTERMSIG(p->status));
	if (valgrind && WEXITSTATUS(p->status) == 99)
		return why("valgrind found errors, see %s", p->vglog);
	if (WEXITSTATUS(p->status) != want)
		return why("vbusd exit status %d, want %d; stderr: %.300s",
			   WEXITSTATUS(p->status), want, read_file(p->log));
	if (valgrind) {
		vg = read_file(p->vglog);
		if (!strstr(vg, "ERROR SUMMARY: 0 errors"))
			return why("valgrind reported errors: %s", p->vglog);
		if (!strstr(vg, "All heap blocks were freed"))
			return why("valgrind: heap blocks not freed: %s", p->vglog);
		if (!fds_clean(vg))
			return why("valgrind: descriptors left open at exit: %s", p->vglog);
	}
	return true;
}

static bool stop(struct proc *p)
{
	kill(p->pid, SIGTERM);
	return exits_with(p, 0);
}

static bool wait_log(struct proc *p, const char *needle)
{
	if (wait_file_has(p->log, needle))
		return true;
	return why("no '%s' in vbusd's log: %.300s", needle, read_file(p->log));
}

/* ---- the QEMU side ------------------------------------------------------ */

static int connect_sock(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* One message as QEMU reads it: 8 bytes, at most one fd. 1 on success,
 * 0 on EOF, -1 on timeout or error. */
static int recv_msg(int sock, int64_t *val, int *fd, int timeout_ms)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * 4)];
		struct cmsghdr align;
	} ctl;
	struct pollfd pfd = { .fd = sock, .events = POLLIN };
	uint64_t le;
	struct iovec iov = { .iov_base = &le, .iov_len = sizeof(le) };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf),
	};
	struct cmsghdr *c;
	ssize_t n;

	*fd = -1;
	if (poll(&pfd, 1, timeout_ms) != 1)
		return -1;
	n = recvmsg(sock, &msg, MSG_WAITALL | MSG_CMSG_CLOEXEC);
	if (n == 0)
		return 0;
	if (n != sizeof(le))
		return -1;
	for (c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
			if (c->cmsg_len != CMSG_LEN(sizeof(int)) || *fd >= 0)
				return -1;	/* QEMU takes one fd per message */
			memcpy(fd, CMSG_DATA(c), sizeof(int));
		}
	}
	*val = (int64_t)le64toh(le);
	return 1;
}

/* A refused client gets version -1 (QEMU then fails cleanly), then EOF. */
static bool refused(int sock)
{
	int64_t v = 0;
	int fd, r;

	r = recv_msg(sock, &v, &fd, TIMEOUT_MS);
	if (fd >= 0)
		close(fd);
	if (r != 1 || v != -1 || fd >= 0)
		return why("want version -1 without fd (r=%d v=%lld fd=%d)", r,
			   (long long)v, fd);
	r = recv_msg(sock, &v, &fd, TIMEOUT_MS);
	if (fd >= 0)
		close(fd);
	if (r != 0)
		return why("no EOF after the refusal (r=%d)", r);
	return true;
}

struct guest {
	int sock;
	int shm_fd;
	uint64_t shm_size;
	void *shm;
	unsigned int nvec;
	int doorbell[MAXVEC];	/* peer 0's */
	int irq[MAXVEC];	/* our own */
};

static void guest_close(struct guest *g)
{
	unsigned int i;

	if (g->shm && g->shm != MAP_FAILED)
		munmap(g->shm, g->shm_size);
	if (g->shm_fd >= 0)
		close(g->shm_fd);
	for (i = 0; i < MAXVEC; i++) {
		if (g->doorbell[i] >= 0)
			close(g->doorbell[i]);
		if (g->irq[i] >= 0)
			close(g->irq[i]);
	}
	if (g->sock >= 0)
		close(g->sock);
	memset(g, 0, sizeof(*g));
	g->sock = g->shm_fd = -1;
	for (i = 0; i < MAXVEC; i++)
		g->doorbell[i] = g->irq[i] = -1;
}

static bool is_eventfd(int fd)
{
	char link[64], target[64];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, target, sizeof(target) - 1);
	if (n < 0)
		return false;
	target[n] = '\0';
	return !strcmp(target, "anon_inode:[eventfd]");
}

/* The whole server sequence, checked message by message. */
static bool guest_connect(struct guest *g, unsigned int nvec, uint64_t size)
{
	int64_t v;
	int fd, r;
	unsigned int i;
	struct stat st;
	int seals;

	guest_close(g);
	g->sock = connect_sock(sock_path);
	if (g->sock < 0)
		return why("connect %s: %s", sock_path, strerror(errno));
	r = recv_msg(g->sock, &v, &fd, TIMEOUT_MS);
	if (r != 1 || v != 0 || fd >= 0)
		return why("message 1: want version 0 without fd (r=%d v=%lld fd=%d)",
			   r, (long long)v, fd);
	r = recv_msg(g->sock, &v, &fd, TIMEOUT_MS);
	if (r != 1 || v != 1 || fd >= 0)
		return why("message 2: want own id 1 without fd (r=%d v=%lld fd=%d)",
			   r, (long long)v, fd);
	r = recv_msg(g->sock, &v, &g->shm_fd, TIMEOUT_MS);
	if (r != 1 || v != -1 || g->shm_fd < 0)
		return why("message 3: want -1 with the shm fd (r=%d v=%lld fd=%d)",
			   r, (long long)v, g->shm_fd);
	for (i = 0; i < 2 * nvec; i++) {
		int64_t want = i < nvec ? 0 : 1;

		r = recv_msg(g->sock, &v, &fd, TIMEOUT_MS);
		if (r != 1 || v != want || fd < 0)
			return why("message %u: want peer %lld with an eventfd (r=%d v=%lld fd=%d)",
				   4 + i, (long long)want, r, (long long)v, fd);
		if (!is_eventfd(fd)) {
			close(fd);
			return why("message %u: fd is not an eventfd", 4 + i);
		}
		if (i < nvec)
			g->doorbell[i] = fd;
		else
			g->irq[i - nvec] = fd;
	}
	g->nvec = nvec;
	/* Nothing more: a further message would be another peer. */
	r = recv_msg(g->sock, &v, &fd, valgrind ? 1000 : 200);
	if (r != -1) {
		if (fd >= 0)
			close(fd);
		return why("unexpected extra message (r=%d v=%lld)", r, (long long)v);
	}
	if (fstat(g->shm_fd, &st) < 0 || (uint64_t)st.st_size != size)
		return why("shm size %lld, want %llu", (long long)st.st_size,
			   (unsigned long long)size);
	g->shm_size = size;
	seals = fcntl(g->shm_fd, F_GET_SEALS);
	if (seals < 0 || !(seals & F_SEAL_SHRINK) || !(seals & F_SEAL_GROW) ||
	    !(seals & F_SEAL_SEAL))
		return why("shm seals 0x%x, want SHRINK|GROW|SEAL", seals);
	if (ftruncate(g->shm_fd, (off_t)size / 2) == 0)
		return why("shm could be shrunk");
	g->shm = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, g->shm_fd, 0);
	if (g->shm == MAP_FAILED)
		return why("mmap shm: %s", strerror(errno));
	return true;
}

/* ---- cases -------------------------------------------------------------- */

#define ARGS(...)	((const char *const[]){ __VA_ARGS__, NULL })
#define ENV(...)	((const char *const[]){ __VA_ARGS__, NULL })

static bool t_help(void)
{
	struct proc p;

	spawn(&p, ARGS("--help"), NULL);
	if (!exits_with(&p, 0))
		return false;
	if (!file_has(p.out, "Usage: vbusd") || !file_has(p.out, "--no-attach"))
		return why("--help output lacks usage");
	spawn(&p, ARGS("--version"), NULL);
	if (!exits_with(&p, 0) || !file_has(p.out, "vbusd "))
		return why("--version: %s", reason[0] ? reason : "no version");
	return true;
}

static bool t_usage(void)
{
	const struct {
		const char *const *args;
		const char *msg;
	} cases[] = {
		{ ARGS("--no-attach"), "missing INSTANCE" },
		{ ARGS("--no-attach", "a/b"), "invalid instance name" },
		{ ARGS("--no-attach", "a", "b"), "unexpected argument" },
		{ ARGS("--bogus", "a"), "invalid option" },
		{ ARGS("--shm-size", "8M", "a"), "need --no-attach" },
		{ ARGS("--no-attach", "--shm-size", "3000", "a"), "power of two" },
		{ ARGS("--no-attach", "--vectors", "17", "a"), "--vectors" },
	};
	struct proc p;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		spawn(&p, cases[i].args, NULL);
		if (!exits_with(&p, 2))
			return false;
		if (!file_has(p.log, cases[i].msg))
			return why("case %zu: no '%s' in: %.200s", i, cases[i].msg,
				   read_file(p.log));
	}
	return true;
}

static bool t_missing_control(void)
{
	struct proc p;

	make_instance("bus0", NULL, NULL);
	spawn(&p, ARGS("--control", "/nonexistent/vbus", "bus0"), NULL);
	if (!exits_with(&p, 1))
		return false;
	if (!file_has(p.log, "/nonexistent/vbus") ||
	    !file_has(p.log, "No such file or directory (ENOENT)") ||
	    !file_has(p.log, "module loaded"))
		return why("unclear message: %.300s", read_file(p.log));
	if (access(sock_path, F_OK) == 0)
		return why("socket created although startup failed");
	return true;
}

static bool t_not_control(void)
{
	char ctl[PATH_MAX];
	struct proc p;

	snprintf(ctl, sizeof(ctl), "%s/notadevice", tmp);
	write_file(ctl, "");
	spawn(&p, ARGS("--control", ctl, "bus0"), NULL);
	if (!exits_with(&p, 1))
		return false;
	if (!file_has(p.log, "not a vbus control device") || !file_has(p.log, "(ENOTTY)"))
		return why("unclear message: %.300s", read_file(p.log));
	return true;
}

static char ctl_path[128], fake_log[128];
static char env_preload[PATH_MAX + 16], env_log[PATH_MAX + 16];

static bool t_version_mismatch(void)
{
	struct proc p;

	spawn(&p, ARGS("--control", ctl_path, "bus0"),
	      ENV(env_preload, env_log, "FAKE_VBUS_VERSION=7"));
	if (!exits_with(&p, 1))
		return false;
	if (!file_has(p.log, "ABI version 7") || !file_has(p.log, "EPROTO"))
		return why("unclear message: %.300s", read_file(p.log));
	return true;
}

static bool t_missing_instance(void)
{
	struct proc p;

	spawn(&p, ARGS("--control", ctl_path, "nosuch"), ENV(env_preload, env_log));
	if (!exits_with(&p, 1))
		return false;
	if (!file_has(p.log, "no such instance 'nosuch'") || !file_has(p.log, "vbusctl create-instance"))
		return why("unclear message: %.300s", read_file(p.log));
	return true;
}

static bool t_bad_shm_size(void)
{
	struct proc p;

	make_instance("odd", "3000\n", "1\n");
	spawn(&p, ARGS("--no-attach", "odd"), NULL);
	if (!exits_with(&p, 1))
		return false;
	if (!file_has(p.log, "shm_size") || !file_has(p.log, "power of two"))
		return why("unclear message: %.300s", read_file(p.log));
	return true;
}

static bool t_socket_not_socket(void)
{
	char path[PATH_MAX];
	struct proc p;

	snprintf(path, sizeof(path), "%s/regular", tmp);
	write_file(path, "x");
	spawn(&p, ARGS("--no-attach", "--socket", path, "bus0"), NULL);
	if (!exits_with(&p, 1))
		return false;
	if (!file_has(p.log, "not a socket"))
		return why("unclear message: %.300s", read_file(p.log));
	return true;
}

/* Serving without the kernel: handshake, refusal, reconnect, doorbells. */
static void t_no_attach(void)
{
	struct guest g1, g2;
	struct proc p, p2;
	uint64_t one = 1;
	ino_t ino1;
	struct stat st;
	int fd;
	bool ok;

	memset(&g1, 0, sizeof(g1));
	memset(&g2, 0, sizeof(g2));
	guest_close(&g1);
	guest_close(&g2);
	make_instance("bus0", "1048576\n", "3\n");
	spawn(&p, ARGS("-v", "--no-attach", "bus0"), NULL);
	if (!wait_log(&p, "serving instance 'bus0'")) {
		report("vbusd-start", false);
		kill_proc(&p);
		return;
	}
	report("vbusd-start", true);

	/* The default socket is <rundir>/<instance>.sock, mode 0600. */
	ok = stat(sock_path, &st) == 0 && S_ISSOCK(st.st_mode) &&
	     (st.st_mode & 0777) == 0600;
	report("vbusd-socket-default-path", ok || why("%s: not a 0600 socket", sock_path));

	ok = guest_connect(&g1, 3, 1048576);
	report("vbusd-handshake", ok);
	if (ok) {
		memcpy(g1.shm, "VBUS-TEST", 9);
		ino1 = fstat(g1.shm_fd, &st) == 0 ? st.st_ino : 0;
	} else {
		ino1 = 0;
	}
	ok = ok && wait_log(&p, "connected as peer 1");
	report("vbusd-connect-logged", ok);

	/* A second client while one is active: refused and closed. */
	fd = connect_sock(sock_path);
	ok = fd >= 0 || why("connect: %s", strerror(errno));
	if (ok) {
		ok = refused(fd);
		close(fd);
	}
	ok = ok && wait_log(&p, "refusing client");
	report("vbusd-second-client-refused", ok);

	/* Still serving the first one. */
	ok = g1.sock >= 0 && !file_has(p.log, "disconnected");
	report("vbusd-first-client-kept", ok || why("first client dropped"));

	/* Guest doorbell on vector 2, seen by vbusd -v --no-attach. */
	ok = g1.nvec == 3 && write(g1.doorbell[2], &one, sizeof(one)) == sizeof(one) &&
	     wait_log(&p, "doorbell: vector 2");
	report("vbusd-doorbell-logged", ok || why("%s", reason[0] ? reason : "write failed"));

	/* Another server on the same socket is refused. */
	spawn(&p2, ARGS("--no-attach", "bus0"), NULL);
	ok = exits_with(&p2, 1) && (file_has(p2.log, "in use") ||
				     why("unclear message: %.200s", read_file(p2.log)));
	report("vbusd-socket-in-use", ok);

	/* Disconnect, then a new guest gets a fresh region. */
	guest_close(&g1);
	ok = wait_log(&p, "disconnected");
	report("vbusd-disconnect-handled", ok);
	ok = guest_connect(&g2, 3, 1048576);
	if (ok && memcmp(g2.shm, "\0\0\0\0\0\0\0\0\0", 9))
		ok = why("new client sees the old client's data");
	if (ok && fstat(g2.shm_fd, &st) == 0 && st.st_ino == ino1)
		ok = why("new client got the same memfd");
	report("vbusd-reconnect-fresh-region", ok);

	/* SIGTERM with a client connected: clean exit, socket removed. */
	ok = stop(&p);
	if (ok && access(sock_path, F_OK) == 0)
		ok = why("socket %s left behind", sock_path);
	ok = ok && (file_has(p.log, "shutting down") || why("no shutdown message"));
	report("vbusd-sigterm-clean-exit", ok);
	guest_close(&g2);
}

static bool t_stale_socket(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct guest g;
	struct proc p;
	bool ok;
	int fd;

	/* A socket file nobody listens on, as a killed vbusd leaves it. */
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock_path);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return why("cannot make a stale socket: %s", strerror(errno));
	close(fd);

	memset(&g, 0, sizeof(g));
	guest_close(&g);
	spawn(&p, ARGS("--no-attach", "bus0"), NULL);
	ok = wait_log(&p, "serving instance") &&
	     (file_has(p.log, "removing stale socket") || why("stale socket not reported")) &&
	     guest_connect(&g, 3, 1048576);
	guest_close(&g);
	if (!ok) {
		kill_proc(&p);
		return false;
	}
	return stop(&p);
}

/* Attach mode with the fake control device. */
static void t_attach(void)
{
	struct guest g;
	struct proc p;
	bool ok;
	int fd;

	memset(&g, 0, sizeof(g));
	guest_close(&g);
	unlink(fake_log);
	write_file(fake_log, "");
	spawn(&p, ARGS("--control", ctl_path, "bus0"),
	      ENV(env_preload, env_log, "FAKE_VBUS_FAIL_ATTACHES=1"));
	if (!wait_log(&p, "serving instance 'bus0'")) {
		report("vbusd-attach-start", false);
		kill_proc(&p);
		return;
	}
	report("vbusd-attach-start", true);

	/* First attach fails (injected EBUSY): the client is refused before
	 * it gets any memory, with a clear log line. */
	fd = connect_sock(sock_path);
	ok = fd >= 0 || why("connect: %s", strerror(errno));
	if (ok) {
		ok = refused(fd);
		close(fd);
	}
	ok = ok && wait_log(&p, "attach of instance 'bus0' failed: Device or resource busy (EBUSY)");
	report("vbusd-attach-failure-refuses-client", ok);

	ok = guest_connect(&g, 3, 1048576) &&
	     (file_has(fake_log, "attach instance=bus0 shm_size=1048576 nvectors=3 ok") ||
	      why("kernel attach not seen: %.300s", read_file(fake_log)));
	report("vbusd-attach-on-connect", ok);

	guest_close(&g);
	ok = wait_log(&p, "disconnected") &&
	     (wait_file_has(fake_log, "detach ok") || why("no detach: %.300s", read_file(fake_log)));
	report("vbusd-detach-on-disconnect", ok);

	ok = guest_connect(&g, 3, 1048576) &&
	     (count_in_file(fake_log, "nvectors=3 ok") == 2 || why("no second attach: %.300s",
							        read_file(fake_log)));
	report("vbusd-reattach-on-reconnect", ok);

	ok = stop(&p) && (count_in_file(fake_log, "detach ok") == 2 ||
			  why("no detach at shutdown: %.300s", read_file(fake_log)));
	ok = ok && (!file_has(fake_log, "error=EINVAL") ||
		    why("attach rejected: %.300s", read_file(fake_log)));
	report("vbusd-detach-on-sigterm", ok);
	guest_close(&g);
}

/*
 * A slow attach (the kernel pinning and zeroing a large region; here the
 * fake device sleeping) runs beside vbusd's poll loop: meanwhile another
 * client is refused, a client that hangs up is let go and the next one
 * served, and SIGTERM exits cleanly, each within PROMPT_MS, not after the
 * attach's SLOW_MS.
 */
#define SLOW_MS		"10000"
#define PROMPT_MS	(valgrind ? 3000 : 1000)

static bool prompt(const char *what, long t0)
{
	long dt = now_ms() - t0;

	if (dt <= PROMPT_MS)
		return true;
	return why("%s took %ld ms, more than %d ms", what, dt, PROMPT_MS);
}

static void t_slow_attach(void)
{
	struct guest g;
	struct proc p;
	bool ok;
	long t0;
	int fd, fd2;

	memset(&g, 0, sizeof(g));
	guest_close(&g);
	unlink(fake_log);
	write_file(fake_log, "");
	spawn(&p, ARGS("--control", ctl_path, "bus0"),
	      ENV(env_preload, env_log, "FAKE_VBUS_ATTACH_DELAY_MS=" SLOW_MS,
		  "FAKE_VBUS_SLOW_ATTACHES=1"));
	if (!wait_log(&p, "serving instance 'bus0'")) {
		report("vbusd-slow-attach-start", false);
		kill_proc(&p);
		return;
	}

	/* A client that connects and reads nothing, its attach slow. */
	fd = connect_sock(sock_path);
	ok = (fd >= 0 || why("connect: %s", strerror(errno))) &&
	     (wait_file_has(fake_log, "attach instance=bus0 waiting") ||
	      why("no slow attach: %.300s", read_file(fake_log)));
	fd2 = ok ? connect_sock(sock_path) : -1;
	t0 = now_ms();
	ok = ok && (fd2 >= 0 || why("connect: %s", strerror(errno))) &&
	     refused(fd2) && prompt("the refusal", t0) &&
	     wait_log(&p, "refusing client");
	if (fd2 >= 0)
		close(fd2);
	report("vbusd-slow-attach-other-client-refused-at-once", ok);

	/* It hangs up: its attach is interrupted, the next client served. */
	if (fd >= 0)
		close(fd);
	t0 = now_ms();
	ok = (wait_file_has(fake_log, "attach instance=bus0 error=EINTR") ||
	      why("attach not interrupted: %.300s", read_file(fake_log))) &&
	     prompt("interrupting the attach", t0) &&
	     wait_log(&p, "disconnected before the handshake");
	report("vbusd-slow-attach-hangup-interrupts-it", ok);
	t0 = now_ms();
	ok = guest_connect(&g, 3, 1048576) &&
	     (now_ms() - t0 <= PROMPT_MS + (valgrind ? 1000 : 200) ||
	      why("the next client waited %ld ms", now_ms() - t0)) &&
	     (file_has(fake_log, "nvectors=3 ok") ||
	      why("no attach: %.300s", read_file(fake_log)));
	report("vbusd-slow-attach-next-client-served", ok);
	guest_close(&g);
	ok = wait_log(&p, "disconnected") && stop(&p) &&
	     (count_in_file(fake_log, "detach ok") == 1 ||
	      why("want one detach: %.300s", read_file(fake_log)));
	report("vbusd-slow-attach-clean-exit", ok);

	/* SIGTERM during the slow attach: exits at once, the client refused. */
	unlink(fake_log);
	write_file(fake_log, "");
	spawn(&p, ARGS("--control", ctl_path, "bus0"),
	      ENV(env_preload, env_log, "FAKE_VBUS_ATTACH_DELAY_MS=" SLOW_MS));
	ok = wait_log(&p, "serving instance 'bus0'");
	fd = ok ? connect_sock(sock_path) : -1;
	ok = ok && (fd >= 0 || why("connect: %s", strerror(errno))) &&
	     (wait_file_has(fake_log, "attach instance=bus0 waiting") ||
	      why("no slow attach: %.300s", read_file(fake_log)));
	t0 = now_ms();
	if (ok)
		kill(p.pid, SIGTERM);
	ok = ok && exits_with(&p, 0) && prompt("exiting", t0) &&
	     refused(fd) &&
	     (file_has(fake_log, "error=EINTR interrupted") ||
	      why("attach not interrupted: %.300s", read_file(fake_log))) &&
	     (access(sock_path, F_OK) < 0 || why("socket left behind"));
	if (!ok)
		kill_proc(&p);
	if (fd >= 0)
		close(fd);
	report("vbusd-sigterm-during-slow-attach", ok);
}

/* Stock QEMU's ivshmem-doorbell as the client (no guest runs: -S). */
static void t_qemu(void)
{
	char cmd[PATH_MAX * 3], qlog[PATH_MAX];
	struct guest g;
	struct proc p;
	bool ok;
	int rc;

	if (system("command -v qemu-system-x86_64 >/dev/null 2>&1") != 0) {
		skip("vbusd-qemu-ivshmem-doorbell", "qemu-system-x86_64 not installed");
		skip("vbusd-qemu-refused-cleanly", "qemu-system-x86_64 not installed");
		return;
	}
	spawn(&p, ARGS("--no-attach", "bus0"), NULL);
	if (!wait_log(&p, "serving instance")) {
		report("vbusd-qemu-ivshmem-doorbell", false);
		kill_proc(&p);
		return;
	}
	snprintf(qlog, sizeof(qlog), "%s/qemu.log", tmp);
	snprintf(cmd, sizeof(cmd),
		 "printf 'info pci\\nquit\\n' | timeout 60 qemu-system-x86_64 -accel tcg "
		 "-nodefaults -display none -S -nic none -monitor stdio "
		 "-chardev socket,path=%s,id=vbusbus0 "
		 "-device ivshmem-doorbell,chardev=vbusbus0,vectors=3 >%s 2>&1",
		 sock_path, qlog);
	rc = system(cmd);
	ok = (rc == 0 || why("qemu failed (%d): %.300s", rc, read_file(qlog))) &&
	     (file_has(qlog, "PCI device 1af4:1110") || why("no ivshmem device: %.300s", read_file(qlog))) &&
	     /* BAR2 is the 1 MiB region */
	     (file_has(qlog, "[0x000ffffe]") || why("BAR2 is not 1 MiB: %.500s", read_file(qlog))) &&
	     wait_log(&p, "connected as peer 1") && wait_log(&p, "disconnected");
	report("vbusd-qemu-ivshmem-doorbell", ok);

	/* A QEMU refused (another guest is served) fails with a clear error
	 * rather than hanging. */
	memset(&g, 0, sizeof(g));
	guest_close(&g);
	ok = guest_connect(&g, 3, 1048576);
	if (ok) {
		rc = system(cmd);
		ok = (WIFEXITED(rc) && WEXITSTATUS(rc) != 0 && WEXITSTATUS(rc) != 124) ||
		     why("qemu did not fail cleanly (status %d)", rc);
		ok = ok && (file_has(qlog, "server sent version -1") ||
			    why("no refusal in qemu's output: %.300s", read_file(qlog)));
	}
	guest_close(&g);
	ok = stop(&p) && ok;
	report("vbusd-qemu-refused-cleanly", ok);
}

int main(int argc, char **argv)
{
	char abs_shim[PATH_MAX];

	if (argc < 3) {
		fprintf(stderr, "usage: test_vbusd VBUSD FAKE_VBUSDEV_SO [--valgrind]\n");
		return 2;
	}
	vbusd_bin = argv[1];
	shim_so = argv[2];
	valgrind = argc > 3 && !strcmp(argv[3], "--valgrind");
	if (!realpath(shim_so, abs_shim)) {
		perror(shim_so);
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);

	snprintf(tmp, sizeof(tmp), "/tmp/vbusd-test.XXXXXX");
	if (!mkdtemp(tmp)) {
		perror("mkdtemp");
		return 2;
	}
	snprintf(configfs, sizeof(configfs), "%s/configfs", tmp);
	mkdir(configfs, 0755);
	make_instance("", NULL, NULL);	/* configfs/instances/ */
	snprintf(sock_path, sizeof(sock_path), "%s/bus0.sock", tmp);
	snprintf(ctl_path, sizeof(ctl_path), "%s/fake-vbus-control", tmp);
	write_file(ctl_path, "");
	snprintf(fake_log, sizeof(fake_log), "%s/fake-vbus.log", tmp);
	snprintf(env_preload, sizeof(env_preload), "LD_PRELOAD=%s", abs_shim);
	snprintf(env_log, sizeof(env_log), "FAKE_VBUS_LOG=%s", fake_log);

	report("vbusd-help-version", t_help());
	report("vbusd-usage-errors", t_usage());
	report("vbusd-missing-control-device", t_missing_control());
	report("vbusd-not-a-control-device", t_not_control());
	report("vbusd-control-version-mismatch", t_version_mismatch());
	report("vbusd-missing-instance", t_missing_instance());
	report("vbusd-bad-shm-size", t_bad_shm_size());
	report("vbusd-socket-path-not-socket", t_socket_not_socket());
	t_no_attach();
	report("vbusd-stale-socket-replaced", t_stale_socket());
	t_attach();
	t_slow_attach();
	t_qemu();

	if (!getenv("KEEP_TMP"))
		nftw(tmp, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return failures ? 1 : 0;
}
