// SPDX-License-Identifier: GPL-2.0
/*
 * What the netdev netlink family reports of a venet-tap netdev. RX queue k
 * (guest to host frames of pair k) and TX queue k (host to guest) name
 * the NAPI context of pair k, which serves both while the data path runs; the NAPI
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
 * are not reset: queue k reports pair k's; the pairs that are not real
 * queues now (fewer active) are the base, so that queues + base equals
 * ndo_get_stats64 (packets, bytes; tx-hw-drops is its tx_dropped).
 */
static void venet_tap_qstats_rx_add(const struct venet_tap_pair *qp,
				    struct netdev_queue_stats_rx *rx)
{
	const struct venet_tap_rx_stats *s = &qp->rx_stats;
	u64 packets, bytes, alloc_fail;
	unsigned int start;

	do {
		start = u64_stats_fetch_begin(&s->syncp);
		packets = s->packets;
		bytes = s->bytes;
		alloc_fail = s->drop_no_buffer;
	} while (u64_stats_fetch_retry(&s->syncp, start));
	rx->packets += packets;
	rx->bytes += bytes;
	rx->alloc_fail += alloc_fail;
}

static void venet_tap_qstats_tx_add(const struct venet_tap_pair *qp,
				    struct netdev_queue_stats_tx *tx)
{
	const struct venet_tap_tx_stats *s = &qp->tx_stats;
	u64 packets, bytes, drops, errors, stop;
	unsigned int start;

	do {
		start = u64_stats_fetch_begin(&s->syncp);
		packets = s->packets;
		bytes = s->bytes;
		drops = s->drop_ring_full + s->drop_oversize + s->drop_hdr +
			s->drop_down;
		/* frames the ring cannot carry: too long, unexpressible */
		errors = s->drop_oversize + s->drop_hdr;
		stop = s->queue_stops;
	} while (u64_stats_fetch_retry(&s->syncp, start));
	tx->packets += packets;
	tx->bytes += bytes;
	tx->hw_drops += drops;
	tx->hw_drop_errors += errors;
	tx->stop += stop;
}

static void venet_tap_qstats_rx(struct net_device *ndev, int idx,
				struct netdev_queue_stats_rx *rx)
{
	struct venet_tap *t = venet_tap_from_ndev(ndev);

	memset(rx, 0, sizeof(*rx));
	venet_tap_qstats_rx_add(&t->pairs[idx], rx);
}

static void venet_tap_qstats_tx(struct net_device *ndev, int idx,
				struct netdev_queue_stats_tx *tx)
{
	struct venet_tap *t = venet_tap_from_ndev(ndev);

	memset(tx, 0, sizeof(*tx));
	venet_tap_qstats_tx_add(&t->pairs[idx], tx);
}

static void venet_tap_qstats_base(struct net_device *ndev,
				  struct netdev_queue_stats_rx *rx,
				  struct netdev_queue_stats_tx *tx)
{
	struct venet_tap *t = venet_tap_from_ndev(ndev);
	u32 k;

	memset(rx, 0, sizeof(*rx));
	memset(tx, 0, sizeof(*tx));
	for (k = ndev->real_num_rx_queues; k < VENET_TAP_MAX_PAIRS; k++)
		venet_tap_qstats_rx_add(&t->pairs[k], rx);
	for (k = ndev->real_num_tx_queues; k < VENET_TAP_MAX_PAIRS; k++)
		venet_tap_qstats_tx_add(&t->pairs[k], tx);
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
 * venet_tap_sync() (RTNL): queue k names pair k's NAPI context while it is
 * enabled, and is unlinked before it is disabled.
 */
void venet_tap_nl_queues(struct venet_tap *t, struct net_device *ndev,
			 bool on)
{
	struct napi_struct *napi;
	u32 k;

	ASSERT_RTNL();
	for (k = 0; k < t->npairs; k++) {
		napi = on ? &t->pairs[k].napi : NULL;
		vbus_queue_set_napi(ndev, k, true, napi);
		vbus_queue_set_napi(ndev, k, false, napi);
	}
}
