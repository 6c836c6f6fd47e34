/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The server side of QEMU's ivshmem-doorbell protocol, for exactly one
 * guest. Every message is one little-endian int64, optionally carrying one
 * file descriptor (SCM_RIGHTS). The server sends, in order:
 *
 *   1. the protocol version, 0                       (no fd)
 *   2. the client's own peer id, 1                   (no fd)
 *   3. -1                                            (the shared memory fd)
 *   4. peer 0's id (0), once per vector              (one eventfd each)
 *      QEMU wires a guest doorbell write of (0 << 16 | vector) to it: with
 *      KVM an ioeventfd, so the guest's write signals it without an exit.
 *   5. the client's own id (1), once per vector      (one eventfd each)
 *      Signalling it raises MSI-X vector i in the guest (irqfd with KVM).
 *
 * The server plays peer 0 itself; nothing else is ever sent, and the client
 * never sends anything. QEMU reads steps 1-3 synchronously while it creates
 * the device, the rest as it arrives.
 *
 * A client that cannot be served is sent the version IVSHMEM_REFUSED and
 * closed: QEMU (7.2) then fails to create the device with "server sent
 * version -1, expecting 0". Closing without a word is worse: QEMU 7.2 spins
 * at 100% CPU in its synchronous read of the version, forever.
 */
#ifndef IVSHMEM_SERVER_H
#define IVSHMEM_SERVER_H

#include <stdint.h>

#include <linux/vbus.h>

#define IVSHMEM_PROTOCOL_VERSION	0
#define IVSHMEM_HOST_PEER		0
#define IVSHMEM_GUEST_PEER		1
#define IVSHMEM_MAX_VECTORS		VBUS_MAX_VECTORS
#define IVSHMEM_REFUSED			(-1)	/* sent instead of the version */

/* The shared memory and eventfds handed to one client. */
struct ivshmem_region {
	int shm_fd;			/* sealed memfd, shm_size bytes */
	uint64_t shm_size;
	unsigned int nvectors;
	int doorbell_fds[IVSHMEM_MAX_VECTORS];	/* peer 0: guest -> host */
	int irq_fds[IVSHMEM_MAX_VECTORS];	/* peer 1: host -> guest */
};

/* ivshmem_server.c APIs: */
void ivshmem_region_init(struct ivshmem_region *r);
/* memfd of size bytes (a power of two) sealed against resizing, and
 * 2 * nvectors eventfds. On failure nothing stays open. */
int ivshmem_region_create(struct ivshmem_region *r, const char *name,
			  uint64_t size, unsigned int nvectors);
void ivshmem_region_destroy(struct ivshmem_region *r);
/* One message; fd < 0 sends none. */
int ivshmem_send_msg(int sock, int64_t val, int fd);
/* The whole sequence above. */
int ivshmem_serve(int sock, const struct ivshmem_region *r);
/* Tell a client it will not be served (the caller then closes it). */
int ivshmem_refuse(int sock);

#endif /* IVSHMEM_SERVER_H */
