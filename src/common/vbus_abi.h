/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vbus_abi.h - layout of one bus instance's shared region (ivshmem BAR2).
 *
 * Everything here is little-endian and fixed-width; every offset and size
 * is pinned by a static assertion at the end of this file. docs/abi.md is
 * the prose version of this header.
 *
 * Region map (offsets are from the start of the region; the host chooses
 * them with vbus_layout_plan() and publishes them in the header and the
 * device table, the guest finds everything from there):
 *
 *   0x0000  struct vbus_shm_header              (256 bytes)
 *   0x0100  struct vbus_dev_entry[ndevices]     (dev_entry_size bytes each:
 *                                               128 with up to 2 queues a
 *                                               device, else 320)
 *   page    per-device config blocks            (64-byte aligned)
 *   page    per-queue struct vbus_ioq_ring + struct vbus_desc[ring_count]
 *   page    per-queue buffer pools: ring_count buffers of buf_size bytes
 */
#ifndef _VBUS_ABI_H
#define _VBUS_ABI_H

#include "vbus_port.h"

#define VBUS_SHM_MAGIC		0x53554256	/* "VBUS" as LE bytes */
#define VBUS_ABI_MAJOR		1
#define VBUS_ABI_MINOR		2

#define VBUS_REGION_MIN		(64 * 1024ULL)
#define VBUS_REGION_MAX		(1ULL << 32)
#define VBUS_MAX_DEVICES	16
#define VBUS_DEV_MAX_QUEUES	8	/* ABI 1.2; 1.0 and 1.1: 2 */
#define VBUS_DEV_ENTRY_V1	128	/* a dev entry of 2 queues (ABI 1.0) */
#define VBUS_TYPE_LEN		32
#define VBUS_NVECTORS_MAX	16	/* == VBUS_MAX_VECTORS of the uapi */
#define VBUS_CTRL_VECTOR	0	/* bus control events, never a queue */
#define VBUS_RING_MIN		2
#define VBUS_RING_MAX		32768
#define VBUS_BUF_MIN		64
#define VBUS_BUF_MAX		(64 * 1024)
#define VBUS_CHAIN_MAX		64	/* descriptors per packet, hard cap */
#define VBUS_PAGE		4096
#define VBUS_CACHELINE		64

/* Liveness: values of host_state and guest_state. */
enum vbus_state {
	VBUS_STATE_ABSENT	= 0,	/* never attached / zeroed region */
	VBUS_STATE_INIT		= 1,	/* writing its part, do not look yet */
	VBUS_STATE_READY	= 2,	/* up; queues are live */
	VBUS_STATE_RESET	= 3,	/* asks the peer to quiesce and re-read */
	VBUS_STATE_GONE		= 4,	/* detached cleanly */
};

/*
 * One direction of notification. The receiver owns @enabled; the sender
 * sets @dirty on every inject and @pending when it decides to ring the
 * doorbell; the receiver clears @pending when the doorbell arrives and
 * @dirty when it starts a poll pass. See vbus_signal.h.
 */
struct vbus_shm_signal {
	__le32 enabled;
	__le32 pending;
	__le32 dirty;
	__le32 reserved;
};

/* Region header at offset 0. Written by the host, except guest_*. */
struct vbus_shm_header {
	__le32 magic;			/* VBUS_SHM_MAGIC */
	__le16 abi_major;		/* incompatible changes */
	__le16 abi_minor;		/* compatible additions */
	__le64 region_size;		/* power of two, == BAR2 size */
	__le32 header_size;		/* sizeof(struct vbus_shm_header) */
	__le32 dev_entry_size;		/* sizeof(struct vbus_dev_entry) */
	__le32 dev_table_off;		/* offset of the device table */
	__le32 ndevices;		/* entries in the device table */
	__le32 nvectors;		/* vectors in use, incl. vector 0 */
	__le32 flags;			/* none defined, 0 */
	__le64 layout_end;		/* first byte not used by the layout */
	/* liveness, 0x30: each side writes only its own pair */
	__le32 host_state;		/* enum vbus_state */
	__le32 host_gen;		/* +1 on every host (re)attach or reset */
	__le32 guest_state;		/* enum vbus_state */
	__le32 guest_gen;		/* +1 on every guest (re)bind */
	/* bus control on vector 0, 0x40 */
	struct vbus_shm_signal ctrl_to_guest;
	struct vbus_shm_signal ctrl_to_host;
	/* 0x60, ABI 1.1: guest_gen of the last let-go the host reset for */
	__le32 host_ack_gen;
	__u8 reserved[0x100 - 0x64];
};

enum vbus_queue_kind {
	VBUS_QUEUE_TX = 0,	/* guest -> host frames */
	VBUS_QUEUE_RX = 1,	/* host -> guest frames, guest posts buffers */
};

/* One queue: a ring, its buffer pool (ring_count buffers) and its vector. */
struct vbus_queue_desc {
	__le64 ring_off;		/* struct vbus_ioq_ring, 64-aligned */
	__le64 pool_off;		/* first buffer, 64-aligned */
	__le32 ring_count;		/* descriptors == buffers, power of two */
	__le32 buf_size;		/* bytes per buffer, multiple of 64 */
	__le16 vector;			/* 1 .. nvectors - 1 */
	__le16 kind;			/* enum vbus_queue_kind */
	__le16 max_chain;		/* max descriptors per packet */
	__le16 reserved;
};

struct vbus_dev_entry {
	__le32 id;			/* unique on this bus */
	__le32 flags;			/* none defined, 0 */
	char type[VBUS_TYPE_LEN];	/* NUL-terminated, e.g. "virtual-ethernet" */
	__le64 config_off;		/* device config block, 64-aligned */
	__le32 config_size;		/* bytes */
	__le16 nqueues;			/* 0 .. queues the entry holds */
	__le16 reserved0;
	__le64 reserved1;
	/*
	 * ABI 1.2: as many as the entry holds, (dev_entry_size - 0x40) / 32:
	 * 2 in an entry of VBUS_DEV_ENTRY_V1 bytes (what a host publishes
	 * when no device has more, so that a guest of ABI 1.0 binds), else
	 * VBUS_DEV_MAX_QUEUES.
	 */
	struct vbus_queue_desc queue[VBUS_DEV_MAX_QUEUES];
};

#define VBUS_TYPE_VENET		"virtual-ethernet"

/* virtual-ethernet feature bits (features / guest_features). */
#define VBUS_NET_F_CSUM		(1U << 0)	/* guest may send partial csum */
#define VBUS_NET_F_GUEST_CSUM	(1U << 1)	/* host may send partial csum */
#define VBUS_NET_F_HOST_TSO4	(1U << 2)	/* guest may send TSOv4 */
#define VBUS_NET_F_HOST_TSO6	(1U << 3)	/* guest may send TSOv6 */
#define VBUS_NET_F_GUEST_TSO4	(1U << 4)	/* host may send TSOv4 */
#define VBUS_NET_F_GUEST_TSO6	(1U << 5)	/* host may send TSOv6 */
#define VBUS_NET_F_MTU		(1U << 6)	/* mtu field is valid */
#define VBUS_NET_F_MQ		(1U << 7)	/* queue pairs: mq_* fields */
#define VBUS_NET_F_ALL		0xffU

#define VBUS_NET_LINK_UP	(1U << 0)

/* virtual-ethernet config block (config_off). Host-written, except noted. */
struct vbus_net_config {
	__u8 mac[6];			/* the guest's MAC */
	__le16 mtu;
	__le32 features;		/* offered by the host */
	__le32 guest_features;		/* written by the guest: accepted */
	__le32 link;			/* VBUS_NET_LINK_* */
	__le32 max_frame;		/* largest frame incl. vbus_net_hdr */
	/*
	 * VBUS_NET_F_MQ. Queue pair k is queues 2k (guest -> host) and 2k + 1
	 * (host -> guest), on one vector. Pair 0 is always live; the guest
	 * asks for pairs 0 .. n - 1 with mq_request = seq << 16 | n (any new
	 * seq), then rings pair 0's doorbell; the host answers in mq_ack with
	 * the same seq and n once it sends on those pairs only, or with
	 * n = 0 if it refuses (n outside 1 .. mq_max_pairs).
	 */
	__le16 mq_max_pairs;		/* host: pairs laid out, >= 1 */
	__le16 mq_reserved;
	__le32 mq_request;		/* guest-written */
	__le32 mq_ack;			/* host-written */
	__u8 reserved[64 - 0x24];
};

#define VBUS_NET_MQ(seq, n)	((u32)(seq) << 16 | ((n) & 0xffff))
#define VBUS_NET_MQ_SEQ(v)	((v) >> 16)
#define VBUS_NET_MQ_PAIRS(v)	((v) & 0xffff)

/* gso_type values */
#define VBUS_NET_GSO_NONE	0
#define VBUS_NET_GSO_TCPV4	1
#define VBUS_NET_GSO_TCPV6	4
#define VBUS_NET_GSO_ECN	0x80
/* flags */
#define VBUS_NET_HDR_F_NEEDS_CSUM	1
#define VBUS_NET_HDR_F_DATA_VALID	2

/*
 * Every frame starts with this header in its first buffer, the frame
 * follows at byte 16. A frame larger than one buffer continues in the next
 * descriptors of the same chain (VBUS_DESC_F_NEXT), so a 64 KiB GSO frame
 * with 2 KiB buffers is a chain of 33 descriptors. Same meaning as
 * virtio_net_hdr_v1.
 */
struct vbus_net_hdr {
	__u8 flags;
	__u8 gso_type;
	__le16 hdr_len;
	__le16 gso_size;
	__le16 csum_start;
	__le16 csum_offset;
	__le16 nbufs;			/* RX: descriptors in this frame */
	__le32 reserved;
};

/* Descriptor flags */
#define VBUS_DESC_F_HOST	(1U << 0)	/* owned by the host */
#define VBUS_DESC_F_NEXT	(1U << 1)	/* frame continues in next slot */
#define VBUS_DESC_F_ALL		(VBUS_DESC_F_HOST | VBUS_DESC_F_NEXT)

/* A ring slot. Buffers are named by their offset inside the region. */
struct vbus_desc {
	__le64 offset;
	__le32 len;
	__le16 flags;
	__le16 reserved;
};

/*
 * Ring header, followed directly by struct vbus_desc[ring_count].
 * head: guest-written free-running post index; tail: host-written
 * free-running completion index; each on its own cache line.
 */
struct vbus_ioq_ring {
	__le32 head;
	__u8 pad0[VBUS_CACHELINE - 4];
	__le32 tail;
	__u8 pad1[VBUS_CACHELINE - 4];
	struct vbus_shm_signal to_host;		/* "descriptors posted" */
	struct vbus_shm_signal to_guest;	/* "descriptors completed" */
	__u8 pad2[VBUS_CACHELINE - 2 * sizeof(struct vbus_shm_signal)];
	struct vbus_desc desc[];
};

VBUS_ASSERT_SIZE(struct vbus_shm_signal, 16);
VBUS_ASSERT_OFF(struct vbus_shm_signal, enabled, 0x0);
VBUS_ASSERT_OFF(struct vbus_shm_signal, pending, 0x4);
VBUS_ASSERT_OFF(struct vbus_shm_signal, dirty, 0x8);

VBUS_ASSERT_SIZE(struct vbus_shm_header, 0x100);
VBUS_ASSERT_OFF(struct vbus_shm_header, magic, 0x00);
VBUS_ASSERT_OFF(struct vbus_shm_header, abi_major, 0x04);
VBUS_ASSERT_OFF(struct vbus_shm_header, abi_minor, 0x06);
VBUS_ASSERT_OFF(struct vbus_shm_header, region_size, 0x08);
VBUS_ASSERT_OFF(struct vbus_shm_header, header_size, 0x10);
VBUS_ASSERT_OFF(struct vbus_shm_header, dev_entry_size, 0x14);
VBUS_ASSERT_OFF(struct vbus_shm_header, dev_table_off, 0x18);
VBUS_ASSERT_OFF(struct vbus_shm_header, ndevices, 0x1c);
VBUS_ASSERT_OFF(struct vbus_shm_header, nvectors, 0x20);
VBUS_ASSERT_OFF(struct vbus_shm_header, flags, 0x24);
VBUS_ASSERT_OFF(struct vbus_shm_header, layout_end, 0x28);
VBUS_ASSERT_OFF(struct vbus_shm_header, host_state, 0x30);
VBUS_ASSERT_OFF(struct vbus_shm_header, host_gen, 0x34);
VBUS_ASSERT_OFF(struct vbus_shm_header, guest_state, 0x38);
VBUS_ASSERT_OFF(struct vbus_shm_header, guest_gen, 0x3c);
VBUS_ASSERT_OFF(struct vbus_shm_header, ctrl_to_guest, 0x40);
VBUS_ASSERT_OFF(struct vbus_shm_header, ctrl_to_host, 0x50);
VBUS_ASSERT_OFF(struct vbus_shm_header, host_ack_gen, 0x60);
VBUS_ASSERT_OFF(struct vbus_shm_header, reserved, 0x64);

VBUS_ASSERT_SIZE(struct vbus_queue_desc, 32);
VBUS_ASSERT_OFF(struct vbus_queue_desc, ring_off, 0x00);
VBUS_ASSERT_OFF(struct vbus_queue_desc, pool_off, 0x08);
VBUS_ASSERT_OFF(struct vbus_queue_desc, ring_count, 0x10);
VBUS_ASSERT_OFF(struct vbus_queue_desc, buf_size, 0x14);
VBUS_ASSERT_OFF(struct vbus_queue_desc, vector, 0x18);
VBUS_ASSERT_OFF(struct vbus_queue_desc, kind, 0x1a);
VBUS_ASSERT_OFF(struct vbus_queue_desc, max_chain, 0x1c);

VBUS_ASSERT_SIZE(struct vbus_dev_entry, 0x40 + 32 * VBUS_DEV_MAX_QUEUES);
VBUS_ASSERT_OFF(struct vbus_dev_entry, id, 0x00);
VBUS_ASSERT_OFF(struct vbus_dev_entry, flags, 0x04);
VBUS_ASSERT_OFF(struct vbus_dev_entry, type, 0x08);
VBUS_ASSERT_OFF(struct vbus_dev_entry, config_off, 0x28);
VBUS_ASSERT_OFF(struct vbus_dev_entry, config_size, 0x30);
VBUS_ASSERT_OFF(struct vbus_dev_entry, nqueues, 0x34);
VBUS_ASSERT_OFF(struct vbus_dev_entry, queue, 0x40);

VBUS_ASSERT_SIZE(struct vbus_net_config, 64);
VBUS_ASSERT_OFF(struct vbus_net_config, mac, 0x00);
VBUS_ASSERT_OFF(struct vbus_net_config, mtu, 0x06);
VBUS_ASSERT_OFF(struct vbus_net_config, features, 0x08);
VBUS_ASSERT_OFF(struct vbus_net_config, guest_features, 0x0c);
VBUS_ASSERT_OFF(struct vbus_net_config, link, 0x10);
VBUS_ASSERT_OFF(struct vbus_net_config, max_frame, 0x14);
VBUS_ASSERT_OFF(struct vbus_net_config, mq_max_pairs, 0x18);
VBUS_ASSERT_OFF(struct vbus_net_config, mq_request, 0x1c);
VBUS_ASSERT_OFF(struct vbus_net_config, mq_ack, 0x20);

VBUS_ASSERT_SIZE(struct vbus_net_hdr, 16);
VBUS_ASSERT_OFF(struct vbus_net_hdr, flags, 0x0);
VBUS_ASSERT_OFF(struct vbus_net_hdr, gso_type, 0x1);
VBUS_ASSERT_OFF(struct vbus_net_hdr, hdr_len, 0x2);
VBUS_ASSERT_OFF(struct vbus_net_hdr, gso_size, 0x4);
VBUS_ASSERT_OFF(struct vbus_net_hdr, csum_start, 0x6);
VBUS_ASSERT_OFF(struct vbus_net_hdr, csum_offset, 0x8);
VBUS_ASSERT_OFF(struct vbus_net_hdr, nbufs, 0xa);

VBUS_ASSERT_SIZE(struct vbus_desc, 16);
VBUS_ASSERT_OFF(struct vbus_desc, offset, 0x0);
VBUS_ASSERT_OFF(struct vbus_desc, len, 0x8);
VBUS_ASSERT_OFF(struct vbus_desc, flags, 0xc);

VBUS_ASSERT_SIZE(struct vbus_ioq_ring, 192);
VBUS_ASSERT_OFF(struct vbus_ioq_ring, head, 0x00);
VBUS_ASSERT_OFF(struct vbus_ioq_ring, tail, 0x40);
VBUS_ASSERT_OFF(struct vbus_ioq_ring, to_host, 0x80);
VBUS_ASSERT_OFF(struct vbus_ioq_ring, to_guest, 0x90);
VBUS_ASSERT_OFF(struct vbus_ioq_ring, desc, 0xc0);

#endif /* _VBUS_ABI_H */
