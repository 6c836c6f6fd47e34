/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The differences between the kernel series the
 * guest modules build for (6.1 and 6.12), decided by LINUX_VERSION_CODE.
 */
#ifndef _VBUS_GUEST_COMPAT_H
#define _VBUS_GUEST_COMPAT_H

#include <linux/netdevice.h>
#include <linux/version.h>
#include <net/xdp.h>

/*
 * 6.6 split net/page_pool.h into net/page_pool/{types,helpers}.h; the
 * frame code (src/common/vbus_frame.c) allocates from a page pool.
 */
#if KERNEL_VERSION(6, 6, 0) <= LINUX_VERSION_CODE
#include <net/page_pool/helpers.h>
#else
#include <net/page_pool.h>
#endif

/* 6.3: bus_type.uevent takes a const device. */
#if KERNEL_VERSION(6, 3, 0) <= LINUX_VERSION_CODE
#define VBUS_UEVENT_CONST const
#else
#define VBUS_UEVENT_CONST
#endif

/* 6.11: bus_type.match takes a const driver. */
#if KERNEL_VERSION(6, 11, 0) <= LINUX_VERSION_CODE
#define VBUS_MATCH_CONST const
#else
#define VBUS_MATCH_CONST
#endif

/* 6.4: bus_register() and device.bus take a const bus_type. */
#if KERNEL_VERSION(6, 4, 0) <= LINUX_VERSION_CODE
#define VBUS_BUS_CONST const
#else
#define VBUS_BUS_CONST
#endif

/*
 * The netdev netlink family's queue objects. 6.8: a queue names its NAPI
 * (netif_queue_set_napi(), under RTNL once the netdev is registered) and a
 * NAPI its interrupt (netif_napi_set_irq()); 6.9: per-queue statistics
 * (struct netdev_stat_ops, VBUS_HAVE_QSTATS). Before, the helpers do
 * nothing and venet_nl.c compiles to empty functions.
 */
#if KERNEL_VERSION(6, 8, 0) <= LINUX_VERSION_CODE
static inline void vbus_queue_set_napi(struct net_device *dev,
				       unsigned int index, bool rx,
				       struct napi_struct *napi)
{
	netif_queue_set_napi(dev, index, rx ? NETDEV_QUEUE_TYPE_RX :
			     NETDEV_QUEUE_TYPE_TX, napi);
}

static inline void vbus_napi_set_irq(struct napi_struct *napi, int irq)
{
	netif_napi_set_irq(napi, irq);
}
#else
static inline void vbus_queue_set_napi(struct net_device *dev,
				       unsigned int index, bool rx,
				       struct napi_struct *napi)
{
}

static inline void vbus_napi_set_irq(struct napi_struct *napi, int irq)
{
}
#endif

#if KERNEL_VERSION(6, 9, 0) <= LINUX_VERSION_CODE
#define VBUS_HAVE_QSTATS
#endif

/*
 * 6.3: a netdev says which XDP it supports (xdp_features, NETDEV_XDP_ACT_*);
 * devmap redirects only to devices with NETDEV_XDP_ACT_NDO_XMIT. Before,
 * having ndo_bpf / ndo_xdp_xmit was all there was to say.
 */
#if KERNEL_VERSION(6, 3, 0) <= LINUX_VERSION_CODE
static inline void vbus_xdp_features_init(struct net_device *dev)
{
	xdp_set_features_flag(dev, NETDEV_XDP_ACT_BASIC |
			      NETDEV_XDP_ACT_REDIRECT |
			      NETDEV_XDP_ACT_NDO_XMIT);
}
#else
static inline void vbus_xdp_features_init(struct net_device *dev)
{
}
#endif

#endif /* _VBUS_GUEST_COMPAT_H */
