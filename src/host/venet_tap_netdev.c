// SPDX-License-Identifier: GPL-2.0
/*
 * The host netdev of a venet-tap device: created by enabled=1, removed by
 * enabled=0 or rmdir; open/stop, statistics, MTU, the NAPI poll, and the
 * state machine that switches the data path and the link on and off.
 */
#include <linux/if_vlan.h>
#include <linux/rtnetlink.h>

#include "vbus_compat.h"
#include "venet_tap.h"

/*
 * Under RTNL: carrier on when the data path runs and the guest is bound
 * and has posted receive buffers (its driver is up).
 */
void venet_tap_carrier(struct venet_tap *t)
{
	struct net_device *ndev = t->ndev;
	bool on;

	if (!ndev)
		return;
	on = READ_ONCE(t->up) && READ_ONCE(t->guest_ready) &&
	     READ_ONCE(t->guest_opened);
	if (on && !netif_carrier_ok(ndev))
		netif_carrier_on(ndev);
	else if (!on && netif_carrier_ok(ndev))
		netif_carrier_off(ndev);
}

/* Under RTNL, attached: publish our link state, wake the guest to see it. */
void venet_tap_write_link(struct venet_tap *t)
{
	u32 link = t->up ? VBUS_NET_LINK_UP : 0;

	if (!t->attached || link == t->link)
		return;
	t->link = link;
	vbus_st32(&t->cfg->link, link);
	if (t->guest_ready)
		venet_tap_notify(t, VENET_TAP_RXQ(0));
}

/*
 * Under RTNL, after any change of enabled, open, attached, broken or the
 * guest's state: run the data path iff all say so. Taking it down leaves
 * no poll running and no transmit in progress, so that from then on the
 * region is not touched.
 */
void venet_tap_sync(struct venet_tap *t)
{
	struct net_device *ndev = t->ndev;
	struct venet_tap_pair *qp;
	bool want;
	u32 k;

	ASSERT_RTNL();
	want = t->attached && ndev && t->open && !t->broken;
	if (want && !t->up) {
		WRITE_ONCE(t->up, true);
		for (k = 0; k < t->npairs; k++) {
			qp = &t->pairs[k];
			qp->lingering = false;
			qp->linger_miss = 0;
			clear_bit(VENET_TAP_SENT, &qp->sent);
			qp->rx_pool = vbus_frame_pool_create(ndev);
			napi_enable(&qp->napi);
		}
		venet_tap_nl_queues(t, ndev, true);
		netif_tx_start_all_queues(ndev);
		/* whatever the guest posted while we were down */
		for (k = 0; k < t->npairs; k++)
			napi_schedule(&t->pairs[k].napi);
	} else if (!want && t->up) {
		WRITE_ONCE(t->up, false);
		venet_tap_nl_queues(t, ndev, false);
		for (k = 0; k < t->npairs; k++)
			napi_disable(&t->pairs[k].napi);
		/*
		 * napi_disable() waits for the pass to give NAPI back, not for
		 * its end: the tail after napi_complete_done() (re-enabling the
		 * doorbell in the region, arming the linger) may still run.
		 * Passes run with bottom halves off (in softirq, or in the
		 * NAPI thread under local_bh_disable()), so an RCU grace
		 * period sees it done; the linger armed by it is cancelled
		 * after.
		 */
		synchronize_net();
		for (k = 0; k < t->npairs; k++) {
			hrtimer_cancel(&t->pairs[k].linger);
			vbus_frame_pool_destroy(&t->pairs[k].rx_pool);
		}
		netif_tx_disable(ndev);
		for (k = 0; k < t->npairs; k++)
			t->pairs[k].poll_cpu = -1;
	}
	venet_tap_write_link(t);
	venet_tap_carrier(t);
}

/* Notify the guest once for everything the pass injected. */
static void venet_tap_flush(struct venet_tap_pair *qp)
{
	u32 defer = qp->defer;

	WRITE_ONCE(qp->poll_cpu, -1);
	qp->defer = 0;
	if (!defer)
		return;
	/* both queues of the pair share one vector */
	venet_tap_notify(qp->t, defer & BIT(1) ? VENET_TAP_RXQ(qp->index) :
			 VENET_TAP_TXQ(qp->index));
}

/*
 * NAPI: guest doorbells masked while we poll; re-enabled and re-checked
 * when drained. While the guest streams (venet_tap_linger_ns()), a
 * pass that found frames leaves the doorbell masked and polls again a
 * little later (adaptive, at most linger_us) instead: the guest's frames
 * are then picked up by the timer, not by a doorbell (a VM exit) each;
 * the first pass that finds nothing re-enables it.
 * The doorbell that scheduled us is acknowledged only now
 * (venet_tap_kick()), after the mask: until then the guest rings no more.
 * Replies sent from inside netif_receive_skb() on this CPU leave their
 * interrupt to the end of the pass (venet_tap_signal()), which sends it
 * before napi_complete_done(): after that a new pass may already run on
 * another CPU, and must find poll_cpu and defer its own.
 */
int venet_tap_poll(struct napi_struct *napi, int budget)
{
	struct venet_tap_pair *qp = container_of(napi, struct venet_tap_pair,
						 napi);
	struct vbus_shm_signal *sig = &qp->txq.ring->to_host;
	u64 linger;
	int done;

	WRITE_ONCE(qp->poll_cpu, smp_processor_id());
	vbus_signal_disable(sig);
	vbus_signal_ack(sig);
	done = venet_tap_rx_poll(qp, budget);
	venet_tap_tx_poll(qp);
	venet_tap_flush(qp);
	if (done >= budget)
		return done;
	linger = venet_tap_linger_ns(qp, done);
	if (napi_complete_done(napi, done) && !READ_ONCE(qp->t->broken)) {
		if (linger)
			hrtimer_start(&qp->linger, ns_to_ktime(linger),
				      HRTIMER_MODE_REL);
		else if (vbus_signal_enable(sig))
			napi_schedule(napi);
	}
	return done;
}

static int venet_tap_open(struct net_device *ndev)
{
	struct venet_tap *t = venet_tap_from_ndev(ndev);

	t->open = true;
	venet_tap_sync(t);
	return 0;
}

static int venet_tap_stop(struct net_device *ndev)
{
	struct venet_tap *t = venet_tap_from_ndev(ndev);

	t->open = false;
	venet_tap_sync(t);
	return 0;
}

static void venet_tap_get_stats64(struct net_device *ndev,
				  struct rtnl_link_stats64 *s)
{
	struct venet_tap *t = venet_tap_from_ndev(ndev);
	u64 c[VENET_TAP_NCOUNTERS];

	/* the sums over every pair; counters live as long as the device */
	venet_tap_counters(t, c);
	s->rx_packets = c[VENET_TAP_C_RX_PACKETS];
	s->rx_bytes = c[VENET_TAP_C_RX_BYTES];
	s->rx_dropped = c[VENET_TAP_C_RX_NO_BUFFER];
	s->rx_frame_errors = c[VENET_TAP_C_RX_BAD_HDR];
	s->rx_fifo_errors = c[VENET_TAP_C_RX_BAD_DESC];
	s->rx_errors = c[VENET_TAP_C_RX_BAD_HDR] + c[VENET_TAP_C_RX_BAD_DESC];
	s->tx_packets = c[VENET_TAP_C_TX_PACKETS];
	s->tx_bytes = c[VENET_TAP_C_TX_BYTES];
	s->tx_dropped = c[VENET_TAP_C_TX_RING_FULL] +
			c[VENET_TAP_C_TX_OVERSIZE] + c[VENET_TAP_C_TX_HDR] +
			c[VENET_TAP_C_TX_DOWN];
	s->tx_fifo_errors = c[VENET_TAP_C_TX_BAD_DESC];
	s->tx_errors = c[VENET_TAP_C_TX_BAD_DESC];
}

static int venet_tap_change_mtu(struct net_device *ndev, int mtu)
{
	struct venet_tap *t = venet_tap_from_ndev(ndev);

	WRITE_ONCE(ndev->mtu, mtu);
	t->mtu = mtu;
	/* the guest reads it when its driver binds */
	if (t->attached)
		vbus_st16(&t->cfg->mtu, min_t(u32, mtu, U16_MAX));
	return 0;
}

static int venet_tap_set_mac(struct net_device *ndev, void *addr)
{
	struct venet_tap *t = venet_tap_from_ndev(ndev);
	int err = eth_mac_addr(ndev, addr);

	if (!err)
		ether_addr_copy(t->host_mac, ndev->dev_addr);
	return err;
}

static const struct net_device_ops venet_tap_netdev_ops = {
	.ndo_open		= venet_tap_open,
	.ndo_stop		= venet_tap_stop,
	.ndo_start_xmit		= venet_tap_start_xmit,
	.ndo_features_check	= venet_tap_features_check,
	.ndo_get_stats64	= venet_tap_get_stats64,
	.ndo_change_mtu		= venet_tap_change_mtu,
	.ndo_set_mac_address	= venet_tap_set_mac,
	.ndo_validate_addr	= eth_validate_addr,
};

/*
 * RTNL, the data path down (the device is on no instance): a NAPI for
 * each of @n pairs (max_queue_pairs changed), none for the others, so
 * that netlink lists the pairs there can be.
 */
void venet_tap_netdev_pairs(struct venet_tap *t, u32 n)
{
	u32 k;

	ASSERT_RTNL();
	if (!t->ndev)
		return;
	for (k = n; k < t->max_pairs; k++)
		netif_napi_del(&t->pairs[k].napi);
	for (k = t->max_pairs; k < n; k++)
		netif_napi_add(t->ndev, &t->pairs[k].napi, venet_tap_poll);
}

/* enabled=1, under RTNL: a new venet-tapN. */
int venet_tap_netdev_create(struct venet_tap *t)
{
	struct net_device *ndev;
	int err;
	u32 k;

	ASSERT_RTNL();
	if (t->ndev)
		return 0;
	/* a queue per pair there may ever be; real: the guest's active */
	ndev = alloc_netdev_mqs(sizeof(t), "venet-tap%d", NET_NAME_ENUM,
				ether_setup, VENET_TAP_MAX_PAIRS,
				VENET_TAP_MAX_PAIRS);
	if (!ndev)
		return -ENOMEM;
	*(struct venet_tap **)netdev_priv(ndev) = t;
	ndev->netdev_ops = &venet_tap_netdev_ops;
	venet_tap_set_ethtool_ops(ndev);
	venet_tap_nl_init(ndev);
	ndev->priv_flags |= IFF_LIVE_ADDR_CHANGE;
	ndev->hw_features = NETIF_F_SG | NETIF_F_HW_CSUM | NETIF_F_TSO |
			    NETIF_F_TSO6 | NETIF_F_TSO_ECN | NETIF_F_RXCSUM;
	ndev->features = ndev->hw_features | NETIF_F_HIGHDMA;
	ndev->vlan_features = ndev->features;
	netif_set_tso_max_size(ndev, VBUS_NET_MAX_FRAME - VENET_TAP_HDR_LEN -
			       ETH_HLEN - VLAN_HLEN);
	ndev->min_mtu = ETH_MIN_MTU;
	ndev->max_mtu = VENET_TAP_MAX_MTU;
	ndev->mtu = t->mtu;
	eth_hw_addr_set(ndev, t->host_mac);
	for (k = 0; k < t->max_pairs; k++)
		netif_napi_add(ndev, &t->pairs[k].napi, venet_tap_poll);
	netif_carrier_off(ndev);
	err = netif_set_real_num_queues(ndev, t->active, t->active) ?:
	      register_netdevice(ndev);
	if (err) {
		for (k = 0; k < t->max_pairs; k++)
			netif_napi_del(&t->pairs[k].napi);
		free_netdev(ndev);
		return err;
	}
	/*
	 * NAPI in a kthread of its own: a doorbell is an eventfd signalled
	 * from the guest's vCPU thread, and in softirq the whole pass (the
	 * copy out of the region, the host's stack) would run on that
	 * thread before it could re-enter the guest. As a thread the
	 * scheduler can run it beside the vCPU, as vhost's worker runs.
	 * /sys/class/net/<dev>/threaded switches it back.
	 */
	err = dev_set_threaded(ndev, true);
	if (err)
		netdev_warn(ndev, "NAPI stays in softirq: no thread (%d)\n",
			    err);
	t->ndev = ndev;
	venet_tap_mq_xps(t);
	venet_tap_sync(t);
	return 0;
}

/* enabled=0 or rmdir, under RTNL; the netdev is freed at rtnl_unlock(). */
void venet_tap_netdev_destroy(struct venet_tap *t)
{
	struct net_device *ndev = t->ndev;
	u32 k;

	ASSERT_RTNL();
	if (!ndev)
		return;
	dev_close(ndev);		/* venet_tap_stop(): data path down */
	t->ndev = NULL;
	venet_tap_sync(t);
	for (k = 0; k < t->max_pairs; k++)
		netif_napi_del(&t->pairs[k].napi);
	ndev->needs_free_netdev = true;
	unregister_netdevice(ndev);
}
