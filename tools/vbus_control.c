// SPDX-License-Identifier: GPL-2.0
/*
 * The vbus control device ioctls.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/vbus.h>

#include "vbus_control.h"

int vbus_control_open(const char *path, int *fdp, int *kver)
{
	int fd, v;

	*kver = -1;
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	v = ioctl(fd, VBUS_GET_VERSION);
	if (v < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	*kver = v;
	if (v != VBUS_UAPI_VERSION) {
		close(fd);
		return -EPROTO;
	}
	*fdp = fd;
	return 0;
}

int vbus_control_attach(int fd, const char *instance,
			const struct ivshmem_region *r)
{
	struct vbus_attach a;
	unsigned int i;

	if (strlen(instance) >= sizeof(a.instance) ||
	    r->nvectors < 1 || r->nvectors > VBUS_MAX_VECTORS)
		return -EINVAL;
	memset(&a, 0, sizeof(a));
	a.version = VBUS_UAPI_VERSION;
	a.flags = 0;
	memcpy(a.instance, instance, strlen(instance));
	a.shm_size = r->shm_size;
	a.shm_fd = r->shm_fd;
	a.nvectors = r->nvectors;
	for (i = 0; i < VBUS_MAX_VECTORS; i++) {
		a.doorbell_fds[i] = i < r->nvectors ? r->doorbell_fds[i] : -1;
		a.irq_fds[i] = i < r->nvectors ? r->irq_fds[i] : -1;
	}
	if (ioctl(fd, VBUS_ATTACH, &a) < 0)
		return -errno;
	return 0;
}

int vbus_control_detach(int fd)
{
	if (ioctl(fd, VBUS_DETACH) < 0)
		return -errno;
	return 0;
}
