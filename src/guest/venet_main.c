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
				 VBUS_NET_F_GUEST_TSO6 | VBUS_NET_F_MTU)

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
 * A vector of ours fired: both of our queues' host-to-guest signals may
 * have been raised (a vector can carry both). Acknowledge them so the host
 * may ring again, and let NAPI do the work with the signals disabled.
 */
static irqreturn_t venet_interrupt(int irq, void *data)
{
	struct venet_priv *p = data;

	atomic64_inc(&p->irqs);
	vbus_signal_ack(&p->rxq.ring->to_guest);
	vbus_signal_ack(&p->txq.ring->to_guest);
	napi_schedule(&p->napi);
	return IRQ_HANDLED;
}

static int venet_poll(struct napi_struct *napi, int budget)
{
	struct venet_priv *p = container_of(napi, struct venet_priv, napi);
	struct vbus_shm_signal *rx_sig = &p->rxq.ring->to_guest;
	bool again;
	int done;

	venet_tx_clean(p);
	vbus_signal_disable(rx_sig);
	done = venet_rx_poll(p, budget);
	venet_rx_refill(p, false);
	venet_link_check(p);
	if (done < budget && napi_complete_done(napi, done)) {
		/* re-enable, and re-check what arrived meanwhile */
		again = venet_tx_arm(p);
		if (vbus_signal_enable(rx_sig) || again)
			napi_schedule(napi);
	}
	return done;
}

static int venet_open(struct net_device *ndev)
{
	struct venet_priv *p = netdev_priv(ndev);
	int err;

	err = venet_xdp_open(p);
	if (err)
		return err;
	venet_rx_refill(p, true);
	napi_enable(&p->napi);
	venet_nl_queues(p, true);
	p->link = !(vbus_ld32(&p->cfg->link) & VBUS_NET_LINK_UP);
	venet_link_check(p);
	netif_start_queue(ndev);
	/* frames may have arrived while we were down */
	napi_schedule(&p->napi);
	return 0;
}

static int venet_stop(struct net_device *ndev)
{
	struct venet_priv *p = netdev_priv(ndev);

	netif_tx_disable(ndev);
	venet_nl_queues(p, false);
	napi_disable(&p->napi);
	venet_xdp_stop(p);
	return 0;
}

static void venet_get_stats64(struct net_device *ndev,
			      struct rtnl_link_stats64 *s)
{
	struct venet_priv *p = netdev_priv(ndev);
	const struct venet_tx_stats *tx = &p->tx_stats;
	const struct venet_rx_stats *rx = &p->rx_stats;
	unsigned int start;

	do {
		start = u64_stats_fetch_begin(&tx->syncp);
		s->tx_packets = tx->packets;
		s->tx_bytes = tx->bytes;
		s->tx_dropped = tx->drop_oversize + tx->drop_ring_full +
				tx->drop_hdr + tx->xdp_tx_drops;
		s->tx_errors = tx->ring_errors;
	} while (u64_stats_fetch_retry(&tx->syncp, start));
	do {
		start = u64_stats_fetch_begin(&rx->syncp);
		s->rx_packets = rx->packets;
		s->rx_bytes = rx->bytes;
		s->rx_dropped = rx->drop_nomem + rx->xdp_drops +
				rx->drop_xdp_unfit;
		s->rx_length_errors = rx->drop_short;
		s->rx_frame_errors = rx->drop_hdr;
		s->rx_errors = rx->drop_short + rx->drop_hdr + rx->ring_errors;
	} while (u64_stats_fetch_retry(&rx->syncp, start));
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
	u32 tx_cap = p->txq.max_chain * p->txq.buf_size - VENET_HDR_LEN;

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
	u32 cap = min(p->txq.max_chain * p->txq.buf_size,
		      p->rxq.max_chain * p->rxq.buf_size) - VENET_HDR_LEN;
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

static int venet_request_vectors(struct venet_priv *p)
{
	const char *name = dev_name(&p->vdev->dev);
	int err;

	err = vbus_bridge_request_vector(p->vdev, p->rx_vector,
					 venet_interrupt, name, p);
	if (err || p->tx_vector == p->rx_vector)
		return err;
	err = vbus_bridge_request_vector(p->vdev, p->tx_vector,
					 venet_interrupt, name, p);
	if (err)
		vbus_bridge_free_vector(p->vdev, p->rx_vector, p);
	return err;
}

static void venet_free_vectors(struct venet_priv *p)
{
	if (p->tx_vector != p->rx_vector)
		vbus_bridge_free_vector(p->vdev, p->tx_vector, p);
	vbus_bridge_free_vector(p->vdev, p->rx_vector, p);
}

static int venet_probe(struct vbus_bridge_device *vdev)
{
	const struct vbus_queue_layout *tq = vbus_bridge_queue(vdev, VENET_TXQ);
	const struct vbus_queue_layout *rq = vbus_bridge_queue(vdev, VENET_RXQ);
	struct net_device *ndev;
	struct venet_priv *p;
	u8 mac[ETH_ALEN];
	u32 cfg_size;
	u64 size;
	int err;

	if (!tq || !rq || tq->kind != VBUS_QUEUE_TX ||
	    rq->kind != VBUS_QUEUE_RX) {
		dev_err(&vdev->dev, "needs a TX and an RX queue\n");
		return -ENODEV;
	}
	ndev = alloc_etherdev(sizeof(*p));
	if (!ndev)
		return -ENOMEM;
	SET_NETDEV_DEV(ndev, &vdev->dev);
	p = netdev_priv(ndev);
	p->ndev = ndev;
	p->vdev = vdev;
	p->base = vbus_bridge_region(vdev, &size);
	p->cfg = vbus_bridge_config(vdev, &cfg_size);
	err = -ENODEV;
	if (cfg_size < sizeof(*p->cfg) ||
	    vbus_ioq_init(&p->txq, p->base, size, vdev->nvectors, tq) ||
	    vbus_ioq_init(&p->rxq, p->base, size, vdev->nvectors, rq) ||
	    p->txq.buf_size < VENET_HDR_LEN + ETH_HLEN ||
	    p->rxq.buf_size < VENET_HDR_LEN + ETH_HLEN) {
		dev_err(&vdev->dev, "unusable queue or config layout\n");
		goto err_free;
	}
	venet_adopt_ring(&p->txq);
	venet_adopt_ring(&p->rxq);
	p->tx_vector = tq->vector;
	p->rx_vector = rq->vector;
	u64_stats_init(&p->tx_stats.syncp);
	u64_stats_init(&p->rx_stats.syncp);

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
	p->tun.tx_kick_frames = min_t(u32, 32, p->txq.mask + 1);
	/*
	 * Slots only: every skb is copied and freed at transmit time, and
	 * each transmit reclaims what the host completed. The completion
	 * signal is asked for only when the queue stops.
	 */
	p->tun.tx_irq_thresh = p->txq.mask + 1;
	p->tun.rx_refill_batch = max_t(u32, 1, (p->rxq.mask + 1) / 8);

	ndev->netdev_ops = &venet_netdev_ops;
	venet_set_ethtool_ops(ndev);
	ndev->sysfs_groups[0] = &venet_sysfs_group;
	netif_napi_add_weight(ndev, &p->napi, venet_poll, p->tun.napi_weight);
	venet_nl_init(p);
	venet_xdp_init(p);
	netif_carrier_off(ndev);

	err = venet_request_vectors(p);
	if (err) {
		dev_err(&vdev->dev, "cannot take vectors %u/%u: %d\n",
			p->tx_vector, p->rx_vector, err);
		goto err_free;
	}
	dev_set_drvdata(&vdev->dev, p);
	err = register_netdev(ndev);
	if (err)
		goto err_vectors;
	netdev_info(ndev, "%pM on %s, vectors tx %u rx %u, features %#x\n",
		    ndev->dev_addr, dev_name(&vdev->dev), p->tx_vector,
		    p->rx_vector, p->features);
	return 0;

err_vectors:
	venet_free_vectors(p);
err_free:
	free_netdev(ndev);
	return err;
}

static void venet_remove(struct vbus_bridge_device *vdev)
{
	struct venet_priv *p = dev_get_drvdata(&vdev->dev);

	unregister_netdev(p->ndev);
	venet_free_vectors(p);
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
