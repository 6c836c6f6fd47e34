// SPDX-License-Identifier: GPL-2.0
/*
 * Venet.ko: what the netdev netlink family reports of a venet. Its one
 * RX and one TX queue (netdev queue 0 of each type) name the NAPI context
 * that serves both, while the netdev is up; the NAPI names the interrupt
 * of the RX queue's vector; per-queue statistics (qstats) come from the
 * counters the data path keeps. Which of it a kernel has is decided in
 * vbus_guest_compat.h: 6.8 the queues and the irq, 6.9 the statistics.
 */
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>

#include "venet.h"
#include "vbus_guest_compat.h"

#ifdef VBUS_HAVE_QSTATS
#include <net/netdev_queues.h>

/*
 * The counters live as long as the netdev and are not reset, so the one
 * queue of each type carries the device's whole history: base stats are
 * zero, and queue + base equals ndo_get_stats64 (packets, bytes;
 * tx-hw-drops is its tx_dropped).
 */
static void venet_qstats_rx(struct net_device *ndev, int idx,
			    struct netdev_queue_stats_rx *rx)
{
	struct venet_priv *p = netdev_priv(ndev);
	const struct venet_rx_stats *s = &p->rx_stats;
	unsigned int start;

	do {
		start = u64_stats_fetch_begin(&s->syncp);
		rx->packets = s->packets;
		rx->bytes = s->bytes;
		rx->alloc_fail = s->drop_nomem;
	} while (u64_stats_fetch_retry(&s->syncp, start));
}

static void venet_qstats_tx(struct net_device *ndev, int idx,
			    struct netdev_queue_stats_tx *tx)
{
	struct venet_priv *p = netdev_priv(ndev);
	const struct venet_tx_stats *s = &p->tx_stats;
	unsigned int start;

	do {
		start = u64_stats_fetch_begin(&s->syncp);
		tx->packets = s->packets;
		tx->bytes = s->bytes;
		tx->hw_drops = s->drop_oversize + s->drop_ring_full +
			       s->drop_hdr;
		/* frames the ring cannot carry: too long, unexpressible */
		tx->hw_drop_errors = s->drop_oversize + s->drop_hdr;
		tx->stop = s->queue_stops;
	} while (u64_stats_fetch_retry(&s->syncp, start));
}

static void venet_qstats_base(struct net_device *ndev,
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

static const struct netdev_stat_ops venet_stat_ops = {
	.get_queue_stats_rx	= venet_qstats_rx,
	.get_queue_stats_tx	= venet_qstats_tx,
	.get_base_stats		= venet_qstats_base,
};
#endif

/* At probe, before register_netdev(). */
void venet_nl_init(struct venet_priv *p)
{
	int irq = vbus_bridge_vector_irq(p->vdev, p->rx_vector);

	/*
	 * A NAPI names one irq: the RX queue's vector, which the host's
	 * frames arrive on (TX's is the same one unless the planner gave
	 * the queues two).
	 */
	if (irq >= 0)
		vbus_napi_set_irq(&p->napi, irq);
#ifdef VBUS_HAVE_QSTATS
	p->ndev->stat_ops = &venet_stat_ops;
#endif
}

/*
 * Open and stop (RTNL): the queues name the NAPI context while it is
 * enabled, and are unlinked before it is disabled.
 */
void venet_nl_queues(struct venet_priv *p, bool on)
{
	struct napi_struct *napi = on ? &p->napi : NULL;

	ASSERT_RTNL();
	vbus_queue_set_napi(p->ndev, 0, true, napi);
	vbus_queue_set_napi(p->ndev, 0, false, napi);
}
