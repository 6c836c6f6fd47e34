// SPDX-License-Identifier: GPL-2.0
/*
 * vbus-agent: the command agent of a guest VM, serving tests/vm/vsock-run on
 * vsock port 5000. Built static and put in the guest's initramfs, it starts
 * as PID 1 of the switched root (init-guest.sh), so a guest answers as soon
 * as its kernel and /init are done: nothing is read over 9p to start it.
 *
 * Request: "TIMEOUT BG\n" then the command (run with bash -c), then EOF.
 * Answer:  "STATUS LENGTH\n" then LENGTH bytes of combined stdout/stderr.
 * A command that outlives TIMEOUT seconds has its process group killed and
 * answers status 124. With BG=1 the command is started in the background
 * (output to /tmp/bg-*.log) and the answer is its PID. A command killed by
 * signal N answers 128+N, as a shell would.
 *
 * As PID 1 it reaps every orphan; each connection is served by a child.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/vm_sockets.h>

#define AGENT_PORT 5000
#define MAX_REQUEST (1 << 20)

struct buf {
	char *p;
	size_t len, cap;
};

static int buf_add(struct buf *b, const char *p, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		char *q;

		while (cap < b->len + n + 1)
			cap *= 2;
		q = realloc(b->p, cap);
		if (!q)
			return -1;
		b->p = q;
		b->cap = cap;
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = 0;
	return 0;
}

static int send_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static void answer(int fd, int status, const char *out, size_t len)
{
	char head[64];

	snprintf(head, sizeof(head), "%d %zu\n", status, len);
	if (send_all(fd, head, strlen(head)) == 0)
		send_all(fd, out, len);
}

static pid_t spawn(const char *cmd, int out_fd)
{
	pid_t pid = fork();

	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);

		setsid();
		signal(SIGPIPE, SIG_DFL);
		if (null >= 0)
			dup2(null, 0);
		dup2(out_fd, 1);
		dup2(out_fd, 2);
		execl("/bin/bash", "bash", "-c", cmd, (char *)NULL);
		dprintf(2, "agent: cannot run bash: %s\n", strerror(errno));
		_exit(127);
	}
	return pid;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int run_foreground(const char *cmd, long limit, struct buf *out)
{
	double end = now() + (double)limit;
	int pipefd[2], status, timed_out = 0;
	char chunk[65536];
	pid_t pid;

	if (pipe2(pipefd, O_CLOEXEC))
		return -1;
	pid = spawn(cmd, pipefd[1]);
	close(pipefd[1]);
	if (pid < 0) {
		close(pipefd[0]);
		return -1;
	}
	for (;;) {
		struct pollfd p = { .fd = pipefd[0], .events = POLLIN };
		int wait_ms = timed_out ? -1 : (int)((end - now()) * 1000);
		ssize_t r;

		if (!timed_out && wait_ms <= 0) {
			kill(-pid, SIGKILL);
			timed_out = 1;
			continue;
		}
		if (poll(&p, 1, wait_ms) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (!p.revents)
			continue;
		r = read(pipefd[0], chunk, sizeof(chunk));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		if (buf_add(out, chunk, (size_t)r))
			break;
	}
	close(pipefd[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (timed_out) {
		snprintf(chunk, sizeof(chunk), "\nagent: command timed out after %ld s\n", limit);
		buf_add(out, chunk, strlen(chunk));
		return 124;
	}
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

static int run_background(const char *cmd, struct buf *out)
{
	char path[64], line[32];
	struct timespec ts;
	pid_t pid;
	int fd;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	snprintf(path, sizeof(path), "/tmp/bg-%lld%09ld.log", (long long)ts.tv_sec, ts.tv_nsec);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	pid = spawn(cmd, fd);
	close(fd);
	if (pid < 0)
		return -1;
	snprintf(line, sizeof(line), "%d\n", (int)pid);
	buf_add(out, line, strlen(line));
	return 0;
}

static void serve(int fd)
{
	struct buf req = { 0 }, out = { 0 };
	char chunk[65536], *nl;
	long limit;
	int bg, rc;

	for (;;) {
		ssize_t r = read(fd, chunk, sizeof(chunk));

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		if (req.len + (size_t)r > MAX_REQUEST || buf_add(&req, chunk, (size_t)r)) {
			answer(fd, 2, "agent: request too long\n", 24);
			return;
		}
	}
	nl = req.p ? strchr(req.p, '\n') : NULL;
	if (!nl || sscanf(req.p, "%ld %d", &limit, &bg) != 2 || limit <= 0) {
		answer(fd, 2, "agent: bad request header\n", 26);
		return;
	}
	rc = bg ? run_background(nl + 1, &out) : run_foreground(nl + 1, limit, &out);
	if (rc < 0) {
		snprintf(chunk, sizeof(chunk), "agent: cannot run the command: %s\n", strerror(errno));
		answer(fd, 126, chunk, strlen(chunk));
		return;
	}
	answer(fd, rc, out.p ? out.p : "", out.len);
}

int main(void)
{
	struct sockaddr_vm addr = { .svm_family = AF_VSOCK, .svm_cid = VMADDR_CID_ANY,
				    .svm_port = AGENT_PORT };
	int srv;

	signal(SIGPIPE, SIG_IGN);
	srv = socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (srv < 0 || bind(srv, (struct sockaddr *)&addr, sizeof(addr)) || listen(srv, 16)) {
		fprintf(stderr, "agent: vsock port %d: %s\n", AGENT_PORT, strerror(errno));
		return 1;
	}
	for (;;) {
		struct pollfd p = { .fd = srv, .events = POLLIN };
		int conn;

		/* PID 1 inherits every orphan: reap them, and our own children */
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
		if (poll(&p, 1, 500) <= 0)
			continue;
		conn = accept4(srv, NULL, NULL, SOCK_CLOEXEC);
		if (conn < 0)
			continue;
		if (fork() == 0) {
			close(srv);
			serve(conn);
			_exit(0);
		}
		close(conn);
	}
}
