/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vbus_layout.h - planning (host) and validating (guest) the layout of a
 * shared region, in CPU byte order. The host keeps its own struct
 * vbus_layout and never reads the layout back from shared memory; the
 * guest builds one from the region with vbus_layout_read().
 */
#ifndef _VBUS_LAYOUT_H
#define _VBUS_LAYOUT_H

#include "vbus_abi.h"
#include "vbus_err.h"

struct vbus_queue_layout {
	u64 ring_off;
	u64 pool_off;
	u32 ring_count;
	u32 buf_size;
	u16 vector;
	u16 kind;
	u16 max_chain;
};

struct vbus_dev_layout {
	u32 id;
	char type[VBUS_TYPE_LEN];
	u64 config_off;
	u32 config_size;
	u32 nqueues;
	struct vbus_queue_layout queue[VBUS_DEV_MAX_QUEUES];
};

struct vbus_layout {
	u64 region_size;
	u64 layout_end;
	u32 nvectors;
	u32 ndevices;
	u32 entry_size;		/* of a device table entry, see vbus_abi.h */
	struct vbus_dev_layout dev[VBUS_MAX_DEVICES];
};

/*
 * Planner input for one device: nqueues queues (even queues TX, odd ones
 * RX: queue 2k and 2k + 1 are pair k), each with ring_count descriptors
 * and as many buffers of buf_size bytes (a power of two), packets of at
 * most max_chain descriptors. With ring_max above ring_count, the
 * device's queues get the largest powers of two from ring_count up to
 * ring_max that leave room for every device: the planner starts every
 * queue at its device's ring_max and halves the largest ring until the
 * layout fits, the TX queues of a device and the RX ones together (on a
 * tie the last device's, its TX queues before its RX ones: a guest's
 * receive ring is the one that fills faster than it empties).
 */
struct vbus_dev_spec {
	u32 id;
	const char *type;
	u32 config_size;
	u32 nqueues;
	u32 ring_count;
	u32 ring_max;		/* 0: ring_count */
	u32 buf_size;
	u32 max_chain;
	/*
	 * Vectors of the device's own: its queues are spread over that many
	 * vectors that no other device with nvectors set uses, in order,
	 * queue k on the device's vector k * nvectors / nqueues (a device
	 * that needs TX and RX on one vector says 1; N pairs on N vectors,
	 * pair k on vector k). 0: its queues take vectors round-robin from
	 * all of them.
	 */
	u32 nvectors;
};

/* Largest frame a virtual-ethernet queue carries: vbus_net_hdr + 64 KiB GSO. */
#define VBUS_NET_MAX_FRAME	(16 + 14 + 4 + 65535)
#define VBUS_NET_CHAIN(buf_size) \
	((VBUS_NET_MAX_FRAME + (buf_size) - 1) / (buf_size))

/* vbus_layout.c APIs: */
enum vbus_err vbus_layout_plan(struct vbus_layout *out, u64 region_size,
			       u32 nvectors, const struct vbus_dev_spec *devs,
			       u32 ndevs);
enum vbus_err vbus_layout_check(const struct vbus_layout *l);
enum vbus_err vbus_queue_layout_check(const struct vbus_queue_layout *q,
				      u64 region_size, u32 nvectors);
u64 vbus_ring_bytes(u32 ring_count);
u32 vbus_layout_queues_max(u32 entry_size);
void vbus_layout_publish(void *base, const struct vbus_layout *l);
void vbus_layout_write(void *base, const struct vbus_layout *l);
enum vbus_err vbus_layout_read(const void *base, u64 region_size,
			       struct vbus_layout *out);
void vbus_layout_set_host_state(void *base, enum vbus_state state, u32 gen);
void vbus_layout_set_guest_state(void *base, enum vbus_state state, u32 gen);
u32 vbus_layout_host_state(const void *base, u32 *gen);
u32 vbus_layout_guest_state(const void *base, u32 *gen);
void vbus_layout_set_host_ack(void *base, u32 guest_gen);
bool vbus_layout_host_acked(const void *base, u32 guest_gen);

#endif /* _VBUS_LAYOUT_H */
