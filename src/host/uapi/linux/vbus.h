/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * vbus control device ABI (/dev/vbus): attach a configured bus instance to
 * a transport (an ivshmem-doorbell peer served by vbusd) and detach it.
 *
 * The attachment belongs to the open file it was made on: closing that file
 * detaches the instance. One attachment per file, one file per instance.
 */
#ifndef _UAPI_LINUX_VBUS_H
#define _UAPI_LINUX_VBUS_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define VBUS_UAPI_VERSION	1
#define VBUS_NAME_MAX		32	/* instance names, NUL included */
#define VBUS_MAX_VECTORS	16

/*
 * Vector i is one ivshmem-doorbell interrupt vector, used both ways:
 * doorbell_fds[i] is signalled by KVM when the guest writes vector i to its
 * Doorbell register (ioeventfd); writing irq_fds[i] raises MSI-X vector i in
 * the guest (irqfd). Vector 0 carries bus control events.
 */
struct vbus_attach {
	__u32 version;			/* VBUS_UAPI_VERSION */
	__u32 flags;			/* must be 0 */
	char instance[VBUS_NAME_MAX];	/* configfs instance name */
	__u64 shm_size;			/* power of two, == size of shm_fd */
	__s32 shm_fd;			/* memfd (shmem) backing the region */
	__u32 nvectors;			/* 1..VBUS_MAX_VECTORS */
	__s32 doorbell_fds[VBUS_MAX_VECTORS];
	__s32 irq_fds[VBUS_MAX_VECTORS];
};

#define VBUS_IOC_MAGIC		0xB7

/* Returns VBUS_UAPI_VERSION. */
#define VBUS_GET_VERSION	_IO(VBUS_IOC_MAGIC, 0x00)
/*
 * Attach. Errors:
 *   EPROTO  version != VBUS_UAPI_VERSION
 *   EINVAL  flags != 0; instance empty or not NUL-terminated; nvectors
 *           outside 1..VBUS_MAX_VECTORS or below the instance's "vectors";
 *           shm_size not a power of two in range, != the instance's
 *           shm_size or != the memfd's size; shm_fd not shmem (memfd);
 *           a doorbell or irq fd not an eventfd
 *   EBADF   shm_fd or an eventfd of vectors 0..nvectors-1 not open, or
 *           shm_fd not open for reading and writing
 *   ENOENT  no such instance
 *   EBUSY   instance already attached, or this file already attached
 *   ENOSPC  the instance's devices do not fit in shm_size
 *   EINTR   a signal arrived while the region was pinned and zeroed (up to
 *           4 GiB: seconds); nothing was kept, the call may be repeated
 * Fds of vectors >= nvectors are ignored (-1 by convention).
 */
#define VBUS_ATTACH		_IOW(VBUS_IOC_MAGIC, 0x01, struct vbus_attach)
/* Detach the attachment held by this file; ENOENT if none. */
#define VBUS_DETACH		_IO(VBUS_IOC_MAGIC, 0x02)

#endif /* _UAPI_LINUX_VBUS_H */
