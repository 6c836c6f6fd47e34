// SPDX-License-Identifier: GPL-2.0
/*
 * What the netdev netlink family reports of a venet-tap netdev. Its one
 * RX queue (guest to host frames) and one TX queue (host to guest) name
 * the NAPI context that serves both while the data path runs; the NAPI
 * has no irq (a guest doorbell is an eventfd, not an interrupt: the NAPI
 * keeps the kernel's "none", and reports its thread's pid when threaded);
 * per-queue statistics (qstats) come from the counters the data path
 * keeps. Which of it a kernel has is decided in vbus_compat.h and Kbuild:
 * 6.8 the queues, 6.9 the statistics.
 */
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>

#include "vbus_compat.h"
#include "venet_tap.h"

#ifdef VBUS_HAVE_QSTATS
#include <net/netdev_queues.h>

/*
 * The counters live as long as the device (they survive enabled=0/1) and
 * are not reset, so the one queue of each type carries the netdev's whole
 * history: base stats are zero, and queue + base equals ndo_get_stats64
 * (packets, bytes; tx-hw-drops is its tx_dropped).
 */
static void venet_tap_qstats_rx(struct net_device *ndev, int idx,
				struct netdev_queue_stats_rx *rx)
{
	struct venet_tap *t = venet_tap_from_ndev(ndev);
	const struct venet_tap_rx_stats *s = &t->rx_stats;
	unsigned int start;

	do {
		start = u64_stats_fetch_begin(&s->syncp);
		rx->packets = s->packets;
		rx->bytes = s->bytes;
		rx->alloc_fail = s->drop_no_buffer;
	} while (u64_stats_fetch_retry(&s->syncp, start));
}

static void venet_tap_qstats_tx(struct net_device *ndev, int idx,
				struct netdev_queue_stats_tx *tx)
{
	struct venet_tap *t = venet_tap_from_ndev(ndev);
	const struct venet_tap_tx_stats *s = &t->tx_stats;
	unsigned int start;

	do {
		start = u64_stats_fetch_begin(&s->syncp);
		tx->packets = s->packets;
		tx->bytes = s->bytes;
		tx->hw_drops = s->drop_ring_full + s->drop_oversize +
			       s->drop_hdr + s->drop_down;
		/* frames the ring cannot carry: too long, unexpressible */
		tx->hw_drop_errors = s->drop_oversize + s->drop_hdr;
		tx->stop = s->queue_stops;
	} while (u64_stats_fetch_retry(&s->syncp, start));
}

static void venet_tap_qstats_base(struct net_device *ndev,
				  struct netdev_queue_stats_rx *rx,
				  struct netdev_queue_stats_tx *tx)
{
	rx->packets = 0;
	rx->bytes = 0;
	rx->alloc_fail = 0;
	tx->packets = 0;
	tx->bytes = 0;
	tx->hw_drops = 0;
	tx->hw_drop_errors = 0;
	tx->stop = 0;
}

static const struct netdev_stat_ops venet_tap_stat_ops = {
	.get_queue_stats_rx	= venet_tap_qstats_rx,
	.get_queue_stats_tx	= venet_tap_qstats_tx,
	.get_base_stats		= venet_tap_qstats_base,
};
#endif

/* A new netdev, before it is registered. */
void venet_tap_nl_init(struct net_device *ndev)
{
#ifdef VBUS_HAVE_QSTATS
	ndev->stat_ops = &venet_tap_stat_ops;
#endif
}

/*
 * venet_tap_sync() (RTNL): the queues name the NAPI context while it is
 * enabled, and are unlinked before it is disabled.
 */
void venet_tap_nl_queues(struct venet_tap *t, struct net_device *ndev,
			 bool on)
{
	struct napi_struct *napi = on ? &t->napi : NULL;

	ASSERT_RTNL();
	vbus_queue_set_napi(ndev, 0, true, napi);
	vbus_queue_set_napi(ndev, 0, false, napi);
}
