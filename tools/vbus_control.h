/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The vbus control device (/dev/vbus): hand an instance's shared memory and
 * eventfds to the kernel, and take them back. See <linux/vbus.h>.
 */
#ifndef VBUS_CONTROL_H
#define VBUS_CONTROL_H

#include "ivshmem_server.h"

/* vbus_control.c APIs: */
/* Open and check VBUS_GET_VERSION; -EPROTO on a version mismatch, with
 * the kernel's version in *kver. */
int vbus_control_open(const char *path, int *fd, int *kver);
int vbus_control_attach(int fd, const char *instance,
			const struct ivshmem_region *r);
int vbus_control_detach(int fd);

#endif /* VBUS_CONTROL_H */
