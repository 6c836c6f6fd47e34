/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vbus_frame.h - virtual-ethernet frames on an IOQ, kernel only: the one
 * copy of the frame logic shared by the host device class (venet-tap.ko)
 * and the guest driver (venet.ko).
 *
 * A frame is a struct vbus_net_hdr followed by the Ethernet frame, held in
 * a chain of ring buffers (struct vbus_seg, offsets into the shared
 * region). Receive copies a chain out into a new skb and applies its
 * header; transmit writes the header and copies an skb into buffers.
 *
 * Trust: the segments must already be checked against the region
 * (vbus_ioq_fetch() on the host); vbus_frame_rx() checks the frame
 * lengths and copies the header out of the region before using it.
 *
 * Outside the kernel only vbus_frame_rx_flags() is built (the unit
 * tests); the rest of vbus_frame.c compiles to nothing there.
 */
#ifndef _VBUS_FRAME_H
#define _VBUS_FRAME_H

#include "vbus_ioq.h"

/* vbus_frame.c APIs, kernel and userspace: */
u8 vbus_frame_rx_flags(u8 flags, bool from_guest, bool rxcsum);

#ifdef __KERNEL__

#include <linux/netdevice.h>
#include <linux/skbuff.h>
#include <linux/virtio_net.h>

struct page_pool;

#define VBUS_FRAME_HDR_LEN	sizeof(struct vbus_net_hdr)

/* What a receiver differs in. */
struct vbus_frame_rx {
	const void *base;		/* region the segment offsets point into */
	struct napi_struct *napi;	/* allocates the skb */
	struct page_pool *pool;		/* frame pages, or NULL */
	struct net_device *ndev;	/* receives it: RXCSUM, eth_type_trans() */
	u32 max_len;			/* largest frame without its header */
	u32 linear;			/* frames up to this stay linear */
	u32 head;			/* linear head of a paged frame */
	bool from_guest;		/* the host's side: vbus_frame_rx_flags() */
};

/* Why vbus_frame_rx() returned no skb. */
enum vbus_frame_drop {
	VBUS_FRAME_OK,
	VBUS_FRAME_BAD_LEN,	/* too short, or longer than max_len */
	VBUS_FRAME_NOMEM,
	VBUS_FRAME_BAD_HDR,	/* offload metadata virtio_net rejects */
};

/* vbus_frame.c APIs, kernel only: */
enum vbus_frame_drop vbus_frame_rx(const struct vbus_frame_rx *rx,
				   const struct vbus_seg *segs, u32 nsegs,
				   struct sk_buff **skbp, u32 *lenp);
void vbus_frame_hdr_put(void *dst, const struct virtio_net_hdr *vh,
			u32 nbufs);
/* Where the next byte of an skb being put into buffers comes from. */
struct vbus_frame_src {
	const struct sk_buff *skb;
	u32 pos;			/* bytes of it put so far */
	u32 frag;			/* past the head: the fragment at pos */
	u32 frag_off;			/* and the bytes of it put */
};

void vbus_frame_src_init(struct vbus_frame_src *src, const struct sk_buff *skb);
u32 vbus_frame_put(struct vbus_frame_src *src, void *dst, u32 room);
struct page_pool *vbus_frame_pool_create(struct net_device *ndev);
void vbus_frame_pool_destroy(struct page_pool **pool);

#endif /* __KERNEL__ */

#endif /* _VBUS_FRAME_H */
