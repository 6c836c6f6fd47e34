// SPDX-License-Identifier: GPL-2.0
/*
 * Venet.ko: what the netdev netlink family reports of a venet. RX and TX
 * queue k (netdev queue k of each type) name the NAPI context of pair k
 * that serves both, while the pair runs; each NAPI names the interrupt
 * of its RX queue's vector; per-queue statistics (qstats) come from the
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
 * The counters live as long as the netdev and are not reset: queue k
 * reports pair k's; the pairs that are not real queues now (fewer in use)
 * are the base, so that queues + base equals ndo_get_stats64 (packets,
 * bytes; tx-hw-drops is its tx_dropped).
 */
static void venet_qstats_rx_add(const struct venet_queue *qp,
				struct netdev_queue_stats_rx *rx)
{
	const struct venet_rx_stats *s = &qp->rx_stats;
	u64 packets, bytes, alloc_fail;
	unsigned int start;

	do {
		start = u64_stats_fetch_begin(&s->syncp);
		packets = s->packets;
		bytes = s->bytes;
		alloc_fail = s->drop_nomem;
	} while (u64_stats_fetch_retry(&s->syncp, start));
	rx->packets += packets;
	rx->bytes += bytes;
	rx->alloc_fail += alloc_fail;
}

static void venet_qstats_tx_add(const struct venet_queue *qp,
				struct netdev_queue_stats_tx *tx)
{
	const struct venet_tx_stats *s = &qp->tx_stats;
	u64 packets, bytes, drops, errors, stop;
	unsigned int start;

	do {
		start = u64_stats_fetch_begin(&s->syncp);
		packets = s->packets;
		bytes = s->bytes;
		drops = s->drop_oversize + s->drop_ring_full + s->drop_hdr;
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

static void venet_qstats_rx(struct net_device *ndev, int idx,
			    struct netdev_queue_stats_rx *rx)
{
	struct venet_priv *p = netdev_priv(ndev);

	memset(rx, 0, sizeof(*rx));
	venet_qstats_rx_add(&p->q[idx], rx);
}

static void venet_qstats_tx(struct net_device *ndev, int idx,
			    struct netdev_queue_stats_tx *tx)
{
	struct venet_priv *p = netdev_priv(ndev);

	memset(tx, 0, sizeof(*tx));
	venet_qstats_tx_add(&p->q[idx], tx);
}

static void venet_qstats_base(struct net_device *ndev,
			      struct netdev_queue_stats_rx *rx,
			      struct netdev_queue_stats_tx *tx)
{
	struct venet_priv *p = netdev_priv(ndev);
	u32 k;

	memset(rx, 0, sizeof(*rx));
	memset(tx, 0, sizeof(*tx));
	for (k = ndev->real_num_rx_queues; k < p->npairs; k++)
		venet_qstats_rx_add(&p->q[k], rx);
	for (k = ndev->real_num_tx_queues; k < p->npairs; k++)
		venet_qstats_tx_add(&p->q[k], tx);
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
	int irq;
	u32 k;

	/*
	 * A NAPI names one irq: its RX queue's vector, which the host's
	 * frames arrive on (TX's is the same one unless the planner gave
	 * the queues two).
	 */
	for (k = 0; k < p->npairs; k++) {
		irq = vbus_bridge_vector_irq(p->vdev, p->q[k].rx_vector);
		if (irq >= 0)
			vbus_napi_set_irq(&p->q[k].napi, irq);
	}
#ifdef VBUS_HAVE_QSTATS
	p->ndev->stat_ops = &venet_stat_ops;
#endif
}

/*
 * A pair starts and stops (RTNL): its queues name its NAPI context while
 * it is enabled, and are unlinked before it is disabled.
 */
void venet_nl_queues(struct venet_queue *qp, bool on)
{
	struct napi_struct *napi = on ? &qp->napi : NULL;

	ASSERT_RTNL();
	vbus_queue_set_napi(qp->p->ndev, qp->index, true, napi);
	vbus_queue_set_napi(qp->p->ndev, qp->index, false, napi);
}
