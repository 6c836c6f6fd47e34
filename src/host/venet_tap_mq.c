// SPDX-License-Identifier: GPL-2.0
/*
 * Queue pairs of a venet-tap device.
 *
 * The host lays out max_queue_pairs pairs (a tunable that decides how many
 * queues and vectors the bus plans, so it changes only while the device is
 * on no instance) and publishes their number in the config block
 * (mq_max_pairs). The guest chooses how many it uses, 1 .. that number:
 * it writes mq_request (seq << 16 | n) and rings pair 0's doorbell. Pair
 * 0's NAPI pass notices a new request (venet_tap_mq_poll()) and hands it
 * to a work item, which under RTNL copies it once, checks it, sets the
 * netdev's real TX and RX queues to n and answers in mq_ack. Shrinking,
 * netif_set_real_num_tx_queues() waits until no transmit runs on the
 * queues that go, so once the guest reads the answer nothing more lands
 * on the pairs it gives up. A request out of range, or from a guest that
 * did not accept VBUS_NET_F_MQ, is refused (mq_ack with n = 0), counted
 * and changes nothing.
 *
 * Every pair laid out is polled, whatever the guest uses: frames it
 * posted on a pair just before it gave the pair up still arrive.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpu.h>
#include <linux/rtnetlink.h>

#include "venet_tap.h"

/* What a device of @pairs queue pairs needs from the bus. */
static void venet_tap_mq_needs(u32 pairs, struct vbus_device_needs *needs)
{
	/* a pair's two queues on one vector: one interrupt per pass */
	needs->nvectors = pairs;
	needs->nqueues = 2 * pairs;
	needs->ring_count = VENET_TAP_RING;
	needs->ring_max = VENET_TAP_RING_MAX;
	needs->buf_size = VENET_TAP_BUF;
	needs->max_chain = VENET_TAP_CHAIN;
	needs->config_size = sizeof(struct vbus_net_config);
}

/*
 * RTNL: a reply leaves on the pair its request came in on (XPS by
 * receive queue: a socket answers on the TX queue of the RX queue it
 * last heard from), so a flow the guest keeps on one vCPU comes back to
 * that vCPU's vector.
 */
void venet_tap_mq_xps(struct venet_tap *t)
{
	unsigned long rxq;
	u32 k;

	ASSERT_RTNL();
	if (!t->ndev || t->active < 2)
		return;
	cpus_read_lock();
	for (k = 0; k < t->active; k++) {
		rxq = BIT(k);
		__netif_set_xps_queue(t->ndev, &rxq, k, XPS_RXQS);
	}
	cpus_read_unlock();
}

/*
 * RTNL: the host sends on pairs 0 .. @n - 1. Shrinking cannot fail;
 * growing can (the queues' sysfs objects), and then nothing changes.
 */
static int venet_tap_set_active(struct venet_tap *t, u32 n)
{
	int err = 0;

	ASSERT_RTNL();
	if (t->ndev)
		err = netif_set_real_num_queues(t->ndev, n, n);
	if (!err) {
		WRITE_ONCE(t->active, n);
		venet_tap_mq_xps(t);
	}
	return err;
}

static void venet_tap_mq_work(struct work_struct *work)
{
	struct venet_tap *t = container_of(work, struct venet_tap, mq_work);

	rtnl_lock();
	if (t->attached)
		venet_tap_mq_apply(t);
	rtnl_unlock();
}

void venet_tap_mq_init(struct venet_tap *t)
{
	INIT_WORK(&t->mq_work, venet_tap_mq_work);
	t->max_pairs = VENET_TAP_PAIRS_DEF;
	t->active = 1;
	mutex_init(&t->mq_lock);
}

/* Class create(): the needs of max_queue_pairs pairs. */
void venet_tap_mq_create(struct venet_tap *t, struct vbus_device_needs *needs)
{
	venet_tap_mq_needs(t->max_pairs, needs);
}

/* RTNL, data path down: one pair until the guest asks (attach, reset). */
void venet_tap_mq_reset(struct venet_tap *t)
{
	ASSERT_RTNL();
	t->mq_seen = 0;
	if (t->active != 1 && venet_tap_set_active(t, 1))
		netdev_warn(t->ndev, "cannot go back to one queue pair\n");
}

/* NAPI of pair 0: a new request goes to the work item. */
void venet_tap_mq_poll(struct venet_tap *t)
{
	u32 req = vbus_ld32(&t->cfg->mq_request);

	if (req == t->mq_seen)
		return;
	t->mq_seen = req;
	schedule_work(&t->mq_work);
}

/* RTNL, attached: answer the guest's request (one copy of it). */
void venet_tap_mq_apply(struct venet_tap *t)
{
	u32 req = vbus_ld32(&t->cfg->mq_request);
	u32 seq = VBUS_NET_MQ_SEQ(req), n = VBUS_NET_MQ_PAIRS(req);

	ASSERT_RTNL();
	if (!req)
		return;
	if (!(READ_ONCE(t->guest_features) & VBUS_NET_F_MQ) || !n ||
	    n > t->npairs || (n != t->active && venet_tap_set_active(t, n))) {
		atomic64_inc(&t->mq_refused);
		net_info_ratelimited("%s: guest asked for %u queue pairs: refused (1..%u)\n",
				     vbus_device_name(t->vdev), n, t->npairs);
		vbus_st32(&t->cfg->mq_ack, VBUS_NET_MQ(seq, 0));
		return;
	}
	atomic64_inc(&t->mq_changes);
	/* after the queues changed: the guest may give up the others */
	smp_wmb();
	vbus_st32(&t->cfg->mq_ack, VBUS_NET_MQ(seq, n));
}

/*
 * max_queue_pairs: 1 .. VENET_TAP_MAX_PAIRS, while the device is on no
 * instance (-EBUSY); the instance then needs a vector per pair, and
 * refuses the link beyond its 16.
 */
int venet_tap_set_max_pairs(struct venet_tap *t, u32 n)
{
	struct vbus_device_needs needs;
	int err;

	if (!n || n > VENET_TAP_MAX_PAIRS)
		return -EINVAL;
	venet_tap_mq_needs(n, &needs);
	mutex_lock(&t->mq_lock);
	/* not under RTNL: the bus takes RTNL (attach) under its own lock */
	err = vbus_device_set_needs(t->vdev, &needs);
	if (!err) {
		rtnl_lock();
		venet_tap_netdev_pairs(t, n);
		t->max_pairs = n;
		rtnl_unlock();
	}
	mutex_unlock(&t->mq_lock);
	return err;
}
