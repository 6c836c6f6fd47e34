// SPDX-License-Identifier: GPL-2.0
/*
 * vsock-run: run a command in a guest VM through its agent (agent.c).
 *
 *   vsock-run CID TIMEOUT CMD...    run CMD (sh -c), print its output,
 *                                   exit with its status
 *   vsock-run --bg CID CMD...       start CMD in the background
 *   vsock-run --wait CID SECS       wait until the agent answers
 *
 * Request: "TIMEOUT BG\n" then the command, then end of stream.
 * Answer:  "STATUS LENGTH\n" then LENGTH bytes of output.
 * Exit status 125: the guest did not answer.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include <linux/vm_sockets.h>

#define AGENT_PORT 5000
#define NO_ANSWER 125

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

static int request(unsigned int cid, long timeout, int bg, char **argv,
		   int argc, int quiet)
{
	struct sockaddr_vm addr = { .svm_family = AF_VSOCK, .svm_cid = cid,
				    .svm_port = AGENT_PORT };
	struct timeval tv = { .tv_sec = timeout + 15 };
	char head[64], line[64];
	size_t used = 0;
	long long len;
	int fd, rc, i;

	fd = socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof(addr))) {
		if (!quiet)
			fprintf(stderr, "vsock-run: guest %u: %s\n", cid, strerror(errno));
		if (fd >= 0)
			close(fd);
		return NO_ANSWER;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	snprintf(head, sizeof(head), "%ld %d\n", timeout, bg);
	if (send_all(fd, head, strlen(head)))
		goto lost;
	for (i = 0; i < argc; i++)
		if ((i && send_all(fd, " ", 1)) || send_all(fd, argv[i], strlen(argv[i])))
			goto lost;
	shutdown(fd, SHUT_WR);
	while (used < sizeof(line) - 1) {
		if (read(fd, line + used, 1) != 1)
			goto lost;
		if (line[used++] == '\n')
			break;
	}
	line[used] = 0;
	if (sscanf(line, "%d %lld", &rc, &len) != 2 || len < 0)
		goto lost;
	while (len > 0) {
		char buf[65536];
		ssize_t r = read(fd, buf, len < (long long)sizeof(buf) ? (size_t)len : sizeof(buf));

		if (r <= 0 || fwrite(buf, 1, (size_t)r, stdout) != (size_t)r)
			goto lost;
		len -= r;
	}
	close(fd);
	return rc;
lost:
	if (!quiet)
		fprintf(stderr, "vsock-run: guest %u: no answer (%s)\n", cid,
			errno ? strerror(errno) : "short reply");
	close(fd);
	return NO_ANSWER;
}

static void usage(void)
{
	fputs("usage: vsock-run CID TIMEOUT CMD...\n"
	      "       vsock-run --bg CID CMD...\n"
	      "       vsock-run --wait CID SECS\n", stderr);
	exit(2);
}

int main(int argc, char **argv)
{
	char *true_cmd[] = { "true" };
	unsigned int cid;
	time_t end;

	if (argc < 4)
		usage();
	if (!strcmp(argv[1], "--wait")) {
		cid = (unsigned int)strtoul(argv[2], NULL, 10);
		end = time(NULL) + atol(argv[3]);
		while (time(NULL) < end) {
			if (request(cid, 10, 0, true_cmd, 1, 1) == 0)
				return 0;
			usleep(500000);
		}
		fprintf(stderr, "vsock-run: guest %u did not answer within %s s\n", cid, argv[3]);
		return NO_ANSWER;
	}
	if (!strcmp(argv[1], "--bg"))
		return request((unsigned int)strtoul(argv[2], NULL, 10), 10, 1,
			       argv + 3, argc - 3, 0);
	return request((unsigned int)strtoul(argv[1], NULL, 10), atol(argv[2]), 0,
		       argv + 3, argc - 3, 0);
}
