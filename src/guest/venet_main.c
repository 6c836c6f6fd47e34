// SPDX-License-Identifier: GPL-2.0
/*
 * Venet.ko: the virtual-ethernet driver on a vbus. Device
 * probe and removal, the netdev, NAPI and the interrupt handler.
 */
#include <linux/etherdevice.h>
#include <linux/if_vlan.h>
#include <linux/module.h>

#include "venet.h"
#include "vbus_guest_compat.h"

#define VENET_ACCEPTED_FEATURES	(VBUS_NET_F_CSUM | VBUS_NET_F_GUEST_CSUM | \
				 VBUS_NET_F_HOST_TSO4 | VBUS_NET_F_HOST_TSO6 | \
				 VBUS_NET_F_GUEST_TSO4 | \
				 VBUS_NET_F_GUEST_TSO6 | VBUS_NET_F_MTU | \
				 VBUS_NET_F_MQ)

/*
 * A fresh ring (host attach or reset) is empty at 0/0. A ring left by a
 * previous load of this driver is adopted as it is: slots between the
 * host's tail and our head are still the host's, with the buffers we
 * would have posted anyway, and are reclaimed as usual.
 */
static void venet_adopt_ring(struct vbus_ioq *q)
{
	u32 head = vbus_ld32(&q->ring->head);
	u32 tail = vbus_ld32_acquire(&q->ring->tail);

	if (head - tail > q->mask + 1)
		tail = head;
	q->head = head;
	q->tail = tail;
}

static void venet_link_check(struct venet_priv *p)
{
	u32 link = vbus_ld32(&p->cfg->link) & VBUS_NET_LINK_UP;

	if (link == p->link)
		return;
	p->link = link;
	if (link)
		netif_carrier_on(p->ndev);
	else
		netif_carrier_off(p->ndev);
}

/*
 * A vector of a pair fired: both of its queues' host-to-guest signals
 * may have been raised (a vector can carry both). Acknowledge them so the
 * host may ring again, and let NAPI do the work with the signals disabled.
 */
static irqreturn_t venet_interrupt(int irq, void *data)
{
	struct venet_queue *qp = data;

	atomic64_inc(&qp->irqs);
	vbus_signal_ack(&qp->rxq.ring->to_guest);
	vbus_signal_ack(&qp->txq.ring->to_guest);
	napi_schedule(&qp->napi);
	return IRQ_HANDLED;
}

static int venet_poll(struct napi_struct *napi, int budget)
{
	struct venet_queue *qp = container_of(napi, struct venet_queue, napi);
	struct vbus_shm_signal *rx_sig = &qp->rxq.ring->to_guest;
	bool again;
	int done;

	venet_tx_clean(qp);
	vbus_signal_disable(rx_sig);
	done = venet_rx_poll(qp, budget);
	venet_rx_refill(qp, false);
	if (!qp->index)
		venet_link_check(qp->p);
	if (done < budget && napi_complete_done(napi, done)) {
		/* re-enable, and re-check what arrived meanwhile */
		again = venet_tx_arm(qp);
		if (vbus_signal_enable(rx_sig) || again)
			napi_schedule(napi);
	}
	return done;
}

/* RTNL: pair @qp receives (its buffers posted, its NAPI on). */
int venet_pair_start(struct venet_queue *qp)
{
	int err;

	if (qp->running)
		return 0;
	err = venet_xdp_open(qp);
	if (err)
		return err;
	qp->rx_pool = vbus_frame_pool_create(qp->p->ndev);
	venet_rx_refill(qp, true);
	napi_enable(&qp->napi);
	venet_nl_queues(qp, true);
	qp->running = true;
	/* frames may have arrived while it was stopped */
	napi_schedule(&qp->napi);
	return 0;
}

/* RTNL, its TX queue stopped: pair @qp no longer runs. */
void venet_pair_stop(struct venet_queue *qp)
{
	if (!qp->running)
		return;
	qp->running = false;
	venet_nl_queues(qp, false);
	napi_disable(&qp->napi);
	venet_xdp_stop(qp);
	vbus_frame_pool_destroy(&qp->rx_pool);
}

static int venet_open(struct net_device *ndev)
{
	struct venet_priv *p = netdev_priv(ndev);
	int err = 0;
	u32 k;

	for (k = 0; k < p->active && !err; k++)
		err = venet_pair_start(&p->q[k]);
	if (err) {
		while (k--)
			venet_pair_stop(&p->q[k]);
		return err;
	}
	venet_mq_spread(p);
	/* the host learns our pairs from pair 0's next pass: no wait */
	venet_mq_request(p, p->active, false);
	p->link = !(vbus_ld32(&p->cfg->link) & VBUS_NET_LINK_UP);
	venet_link_check(p);
	netif_tx_start_all_queues(ndev);
	return 0;
}

static int venet_stop(struct net_device *ndev)
{
	struct venet_priv *p = netdev_priv(ndev);
	u32 k;

	netif_tx_disable(ndev);
	for (k = 0; k < p->npairs; k++)
		venet_pair_stop(&p->q[k]);
	return 0;
}

static void venet_get_stats64(struct net_device *ndev,
			      struct rtnl_link_stats64 *s)
{
	struct venet_priv *p = netdev_priv(ndev);
	unsigned int start;
	u32 k;

	for (k = 0; k < p->npairs; k++) {
		const struct venet_tx_stats *tx = &p->q[k].tx_stats;
		const struct venet_rx_stats *rx = &p->q[k].rx_stats;
		u64 pk, by, dr, er;

		do {
			start = u64_stats_fetch_begin(&tx->syncp);
			pk = tx->packets;
			by = tx->bytes;
			dr = tx->drop_oversize + tx->drop_ring_full +
			     tx->drop_hdr + tx->xdp_tx_drops;
			er = tx->ring_errors;
		} while (u64_stats_fetch_retry(&tx->syncp, start));
		s->tx_packets += pk;
		s->tx_bytes += by;
		s->tx_dropped += dr;
		s->tx_errors += er;
		do {
			start = u64_stats_fetch_begin(&rx->syncp);
			pk = rx->packets;
			by = rx->bytes;
			dr = rx->drop_nomem + rx->xdp_drops +
			     rx->drop_xdp_unfit;
			er = rx->ring_errors;
		} while (u64_stats_fetch_retry(&rx->syncp, start));
		s->rx_packets += pk;
		s->rx_bytes += by;
		s->rx_dropped += dr;
		s->rx_errors += er;
		do {
			start = u64_stats_fetch_begin(&rx->syncp);
			pk = rx->drop_short;
			by = rx->drop_hdr;
		} while (u64_stats_fetch_retry(&rx->syncp, start));
		s->rx_length_errors += pk;
		s->rx_frame_errors += by;
		s->rx_errors += pk + by;
	}
}

static const struct net_device_ops venet_netdev_ops = {
	.ndo_open		= venet_open,
	.ndo_stop		= venet_stop,
	.ndo_start_xmit		= venet_start_xmit,
	.ndo_get_stats64	= venet_get_stats64,
	.ndo_set_mac_address	= eth_mac_addr,
	.ndo_validate_addr	= eth_validate_addr,
	.ndo_change_mtu		= venet_change_mtu,
	.ndo_bpf		= venet_bpf,
	.ndo_xdp_xmit		= venet_xdp_xmit,
};

/* Offer what the host offers and we can do; tell the host what we took. */
static void venet_setup_features(struct venet_priv *p)
{
	struct net_device *ndev = p->ndev;
	u32 f = vbus_ld32(&p->cfg->features) & VENET_ACCEPTED_FEATURES;
	u32 tx_cap = p->q[0].txq.max_chain * p->q[0].txq.buf_size -
		     VENET_HDR_LEN;

	if (!(f & VBUS_NET_F_CSUM))
		f &= ~(VBUS_NET_F_HOST_TSO4 | VBUS_NET_F_HOST_TSO6);
	p->features = f;
	vbus_st32(&p->cfg->guest_features, f);

	ndev->hw_features = NETIF_F_SG;
	if (f & VBUS_NET_F_CSUM)
		ndev->hw_features |= NETIF_F_HW_CSUM;
	if (f & VBUS_NET_F_HOST_TSO4)
		ndev->hw_features |= NETIF_F_TSO;
	if (f & VBUS_NET_F_HOST_TSO6)
		ndev->hw_features |= NETIF_F_TSO6;
	ndev->features = ndev->hw_features;
	if (f & VBUS_NET_F_GUEST_CSUM)
		ndev->features |= NETIF_F_RXCSUM;
	ndev->vlan_features = ndev->features;
	netif_set_tso_max_size(ndev, tx_cap);
}

static void venet_setup_mtu(struct venet_priv *p)
{
	struct net_device *ndev = p->ndev;
	u32 cap = min(p->q[0].txq.max_chain * p->q[0].txq.buf_size,
		      p->q[0].rxq.max_chain * p->q[0].rxq.buf_size) -
		  VENET_HDR_LEN;
	u32 max_frame = vbus_ld32(&p->cfg->max_frame);
	u32 mtu = ETH_DATA_LEN;

	if (max_frame > VENET_HDR_LEN && max_frame - VENET_HDR_LEN < cap)
		cap = max_frame - VENET_HDR_LEN;
	ndev->min_mtu = ETH_MIN_MTU;
	ndev->max_mtu = max_t(u32, cap - ETH_HLEN - VLAN_HLEN, ETH_MIN_MTU);
	if (p->features & VBUS_NET_F_MTU)
		mtu = vbus_ld16(&p->cfg->mtu);
	ndev->mtu = clamp_t(u32, mtu, ndev->min_mtu, ndev->max_mtu);
}

static int venet_request_vectors(struct venet_queue *qp)
{
	struct vbus_bridge_device *vdev = qp->p->vdev;
	int err;

	if (qp->index)
		snprintf(qp->irq_name, sizeof(qp->irq_name), "%s-q%u",
			 dev_name(&vdev->dev), qp->index);
	else
		strscpy(qp->irq_name, dev_name(&vdev->dev),
			sizeof(qp->irq_name));
	err = vbus_bridge_request_vector(vdev, qp->rx_vector, venet_interrupt,
					 qp->irq_name, qp);
	if (err || qp->tx_vector == qp->rx_vector)
		return err;
	err = vbus_bridge_request_vector(vdev, qp->tx_vector, venet_interrupt,
					 qp->irq_name, qp);
	if (err)
		vbus_bridge_free_vector(vdev, qp->rx_vector, qp);
	return err;
}

static void venet_free_vectors(struct venet_queue *qp)
{
	struct vbus_bridge_device *vdev = qp->p->vdev;

	if (qp->tx_vector != qp->rx_vector)
		vbus_bridge_free_vector(vdev, qp->tx_vector, qp);
	vbus_bridge_free_vector(vdev, qp->rx_vector, qp);
}

/*
 * The pairs the host laid out that we use: pair k is queues 2k (TX) and
 * 2k + 1 (RX); more than one only if the host offers VBUS_NET_F_MQ, and
 * never more than it says in mq_max_pairs.
 */
static u32 venet_count_pairs(struct vbus_bridge_device *vdev,
			     struct vbus_net_config *cfg)
{
	u32 n = vdev->layout.nqueues / 2, k;

	if (!(vbus_ld32(&cfg->features) & VBUS_NET_F_MQ))
		n = min_t(u32, n, 1);
	else
		n = min_t(u32, n, max_t(u32, 1, vbus_ld16(&cfg->mq_max_pairs)));
	n = min_t(u32, n, VENET_MAX_PAIRS);
	for (k = 0; k < n; k++) {
		const struct vbus_queue_layout *tq =
			vbus_bridge_queue(vdev, VENET_TXQ(k));
		const struct vbus_queue_layout *rq =
			vbus_bridge_queue(vdev, VENET_RXQ(k));

		if (!tq || !rq || tq->kind != VBUS_QUEUE_TX ||
		    rq->kind != VBUS_QUEUE_RX)
			break;
	}
	return k;
}

static int venet_init_pair(struct venet_priv *p, u32 k, u64 size)
{
	struct vbus_bridge_device *vdev = p->vdev;
	const struct vbus_queue_layout *tq = vbus_bridge_queue(vdev, VENET_TXQ(k));
	const struct vbus_queue_layout *rq = vbus_bridge_queue(vdev, VENET_RXQ(k));
	struct venet_queue *qp = &p->q[k];

	qp->p = p;
	qp->index = k;
	if (vbus_ioq_init(&qp->txq, p->base, size, vdev->nvectors, tq) ||
	    vbus_ioq_init(&qp->rxq, p->base, size, vdev->nvectors, rq) ||
	    qp->txq.buf_size < VENET_HDR_LEN + ETH_HLEN ||
	    qp->rxq.buf_size < VENET_HDR_LEN + ETH_HLEN ||
	    (k && (qp->txq.max_chain * qp->txq.buf_size !=
		   p->q[0].txq.max_chain * p->q[0].txq.buf_size ||
		   qp->rxq.max_chain * qp->rxq.buf_size !=
		   p->q[0].rxq.max_chain * p->q[0].rxq.buf_size)))
		return -ENODEV;
	venet_adopt_ring(&qp->txq);
	venet_adopt_ring(&qp->rxq);
	qp->tx_vector = tq->vector;
	qp->rx_vector = rq->vector;
	u64_stats_init(&qp->tx_stats.syncp);
	u64_stats_init(&qp->rx_stats.syncp);
	return 0;
}

static int venet_probe(struct vbus_bridge_device *vdev)
{
	struct net_device *ndev;
	struct venet_priv *p;
	struct vbus_net_config *cfg;
	u8 mac[ETH_ALEN];
	u32 cfg_size, npairs, k;
	u64 size;
	int err;

	cfg = vbus_bridge_config(vdev, &cfg_size);
	if (!cfg || cfg_size < sizeof(*cfg)) {
		dev_err(&vdev->dev, "unusable config layout\n");
		return -ENODEV;
	}
	npairs = venet_count_pairs(vdev, cfg);
	if (!npairs) {
		dev_err(&vdev->dev, "needs a TX and an RX queue\n");
		return -ENODEV;
	}
	ndev = alloc_etherdev_mqs(sizeof(*p), npairs, npairs);
	if (!ndev)
		return -ENOMEM;
	SET_NETDEV_DEV(ndev, &vdev->dev);
	p = netdev_priv(ndev);
	p->ndev = ndev;
	p->vdev = vdev;
	p->base = vbus_bridge_region(vdev, &size);
	p->cfg = cfg;
	p->npairs = npairs;
	/* a request of ours always differs from a loaded driver's last one */
	p->mq_seq = VBUS_NET_MQ_SEQ(vbus_ld32(&cfg->mq_request));
	for (k = 0; k < npairs; k++) {
		err = venet_init_pair(p, k, size);
		if (err) {
			dev_err(&vdev->dev, "unusable queue layout (pair %u)\n",
				k);
			goto err_free;
		}
	}
	/* a pair per vCPU, as many as the host offers */
	p->active = min_t(u32, npairs, num_online_cpus());
	err = netif_set_real_num_queues(ndev, p->active, p->active);
	if (err)
		goto err_free;

	memcpy(mac, p->cfg->mac, ETH_ALEN);
	if (is_valid_ether_addr(mac)) {
		eth_hw_addr_set(ndev, mac);
	} else {
		dev_warn(&vdev->dev, "host gave no valid MAC, using a random one\n");
		eth_hw_addr_random(ndev);
	}
	venet_setup_features(p);
	venet_setup_mtu(p);
	p->tun.napi_weight = VENET_NAPI_WEIGHT_MAX;
	p->tun.tx_kick_frames = min_t(u32, 32, p->q[0].txq.mask + 1);
	/*
	 * Slots only: every skb is copied and freed at transmit time, and
	 * each transmit reclaims what the host completed. The completion
	 * signal is asked for only when the queue stops.
	 */
	p->tun.tx_irq_thresh = p->q[0].txq.mask + 1;
	p->tun.rx_refill_batch = max_t(u32, 1, (p->q[0].rxq.mask + 1) / 8);

	ndev->netdev_ops = &venet_netdev_ops;
	venet_set_ethtool_ops(ndev);
	ndev->sysfs_groups[0] = &venet_sysfs_group;
	for (k = 0; k < npairs; k++)
		netif_napi_add_weight(ndev, &p->q[k].napi, venet_poll,
				      p->tun.napi_weight);
	venet_nl_init(p);
	venet_xdp_init(p);
	netif_carrier_off(ndev);

	for (k = 0; k < npairs; k++) {
		err = venet_request_vectors(&p->q[k]);
		if (err) {
			dev_err(&vdev->dev, "cannot take vectors %u/%u: %d\n",
				p->q[k].tx_vector, p->q[k].rx_vector, err);
			goto err_vectors;
		}
	}
	dev_set_drvdata(&vdev->dev, p);
	err = register_netdev(ndev);
	if (err)
		goto err_vectors;
	netdev_info(ndev, "%pM on %s, %u queue pairs (%u in use), vectors tx %u rx %u, features %#x\n",
		    ndev->dev_addr, dev_name(&vdev->dev), npairs, p->active,
		    p->q[0].tx_vector, p->q[0].rx_vector, p->features);
	return 0;

err_vectors:
	while (k--)
		venet_free_vectors(&p->q[k]);
err_free:
	free_netdev(ndev);
	return err;
}

static void venet_remove(struct vbus_bridge_device *vdev)
{
	struct venet_priv *p = dev_get_drvdata(&vdev->dev);
	u32 k;

	unregister_netdev(p->ndev);
	venet_mq_unspread(p);
	for (k = 0; k < p->npairs; k++)
		venet_free_vectors(&p->q[k]);
	free_netdev(p->ndev);
}

static const struct vbus_bridge_device_id venet_ids[] = {
	{ .type = VBUS_TYPE_VENET },
	{ }
};

static struct vbus_bridge_driver venet_driver = {
	.id_table	= venet_ids,
	.probe		= venet_probe,
	.remove		= venet_remove,
	.driver		= {
		.name	= VENET_NAME,
	},
};
module_vbus_bridge_driver(venet_driver);

MODULE_ALIAS("vbus:" VBUS_TYPE_VENET);
MODULE_DESCRIPTION("vbus virtual-ethernet guest driver");
MODULE_LICENSE("GPL");
