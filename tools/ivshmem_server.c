// SPDX-License-Identifier: GPL-2.0
/*
 * ivshmem-doorbell server protocol: region setup and the client handshake.
 */
#define _GNU_SOURCE
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ivshmem_server.h"

void ivshmem_region_init(struct ivshmem_region *r)
{
	unsigned int i;

	r->shm_fd = -1;
	r->shm_size = 0;
	r->nvectors = 0;
	for (i = 0; i < IVSHMEM_MAX_VECTORS; i++) {
		r->doorbell_fds[i] = -1;
		r->irq_fds[i] = -1;
	}
}

void ivshmem_region_destroy(struct ivshmem_region *r)
{
	unsigned int i;

	if (r->shm_fd >= 0)
		close(r->shm_fd);
	for (i = 0; i < IVSHMEM_MAX_VECTORS; i++) {
		if (r->doorbell_fds[i] >= 0)
			close(r->doorbell_fds[i]);
		if (r->irq_fds[i] >= 0)
			close(r->irq_fds[i]);
	}
	ivshmem_region_init(r);
}

int ivshmem_region_create(struct ivshmem_region *r, const char *name,
			  uint64_t size, unsigned int nvectors)
{
	unsigned int i;
	int err;

	ivshmem_region_init(r);
	if (!size || (size & (size - 1)) || (off_t)size < 0 ||
	    nvectors < 1 || nvectors > IVSHMEM_MAX_VECTORS)
		return -EINVAL;

	r->shm_fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (r->shm_fd < 0)
		goto fail_errno;
	if (ftruncate(r->shm_fd, (off_t)size) < 0)
		goto fail_errno;
	/*
	 * The size is fixed for the life of the region: QEMU sizes BAR2 from
	 * it and the kernel maps it whole. Nobody may add seals later either.
	 */
	if (fcntl(r->shm_fd, F_ADD_SEALS,
		  F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) < 0)
		goto fail_errno;
	r->shm_size = size;
	r->nvectors = nvectors;

	for (i = 0; i < nvectors; i++) {
		r->doorbell_fds[i] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (r->doorbell_fds[i] < 0)
			goto fail_errno;
		r->irq_fds[i] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (r->irq_fds[i] < 0)
			goto fail_errno;
	}
	return 0;

fail_errno:
	err = -errno;
	ivshmem_region_destroy(r);
	return err;
}

int ivshmem_send_msg(int sock, int64_t val, int fd)
{
	uint64_t le = htole64((uint64_t)val);
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { .iov_base = &le, .iov_len = sizeof(le) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n;

	if (fd >= 0) {
		struct cmsghdr *c;

		memset(&ctl, 0, sizeof(ctl));
		msg.msg_control = ctl.buf;
		msg.msg_controllen = sizeof(ctl.buf);
		c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	do {
		n = sendmsg(sock, &msg, MSG_NOSIGNAL);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	/* 8 bytes on a stream socket with room for them: all or nothing. */
	if ((size_t)n != sizeof(le))
		return -EIO;
	return 0;
}

int ivshmem_serve(int sock, const struct ivshmem_region *r)
{
	unsigned int i;
	int err;

	err = ivshmem_send_msg(sock, IVSHMEM_PROTOCOL_VERSION, -1);
	if (!err)
		err = ivshmem_send_msg(sock, IVSHMEM_GUEST_PEER, -1);
	if (!err)
		err = ivshmem_send_msg(sock, -1, r->shm_fd);
	for (i = 0; !err && i < r->nvectors; i++)
		err = ivshmem_send_msg(sock, IVSHMEM_HOST_PEER, r->doorbell_fds[i]);
	for (i = 0; !err && i < r->nvectors; i++)
		err = ivshmem_send_msg(sock, IVSHMEM_GUEST_PEER, r->irq_fds[i]);
	return err;
}

int ivshmem_refuse(int sock)
{
	return ivshmem_send_msg(sock, IVSHMEM_REFUSED, -1);
}
