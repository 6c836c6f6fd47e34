// SPDX-License-Identifier: GPL-2.0
/*
 * venet-tap.ko: the device class "venet-tap" (guest interface
 * "virtual-ethernet"). Device life (create, attach, detach, destroy),
 * guest doorbells and liveness, ring errors and guest interrupts.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>

#include "venet_tap.h"

/*
 * Interrupt the guest for @queue of pair @qp (0: its TX ring, 1: its RX
 * ring), or, from inside the pair's own poll pass on this CPU, remember
 * it for the end of the pass, so that completing the guest's frames and
 * sending it the replies they caused costs one interrupt. The caller
 * already injected the queue's shm-signal.
 */
void venet_tap_signal(struct venet_tap_pair *qp, unsigned int queue)
{
	if (READ_ONCE(qp->poll_cpu) == smp_processor_id())
		qp->defer |= BIT(queue);
	else
		venet_tap_notify(qp->t, 2 * qp->index + queue);
}

/* Interrupt the guest for @queue now. */
void venet_tap_notify(struct venet_tap *t, unsigned int queue)
{
	atomic64_inc(&t->irqs_sent);
	vbus_device_notify(t->vdev, queue);
}

/*
 * The guest handed us a descriptor that fails the checker, or an index
 * out of range. Nothing was consumed; the data path stops until the guest
 * rebinds (it leaves READY) or the instance is re-attached.
 */
void venet_tap_ring_error(struct venet_tap *t, unsigned int queue,
			  enum vbus_err err)
{
	if (!READ_ONCE(t->broken))
		net_warn_ratelimited("%s: guest %s ring error: %s; device stopped\n",
				     vbus_device_name(t->vdev),
				     queue & 1 ? "RX" : "TX",
				     vbus_err_name(err));
	WRITE_ONCE(t->broken, true);
	schedule_work(&t->reset_work);
}

/* Process context: take the data path down after a ring error. */
static void venet_tap_reset_work(struct work_struct *work)
{
	struct venet_tap *t = container_of(work, struct venet_tap, reset_work);

	rtnl_lock();
	if (t->attached && t->broken) {
		atomic64_inc(&t->resets);
		venet_tap_sync(t);
	}
	rtnl_unlock();
}

/* A fresh config block: everything the guest may have written is gone. */
void venet_tap_write_config(struct venet_tap *t)
{
	struct vbus_net_config *cfg = t->cfg;

	memcpy(cfg->mac, t->client_mac, ETH_ALEN);
	vbus_st16(&cfg->mtu, min_t(u32, t->mtu, U16_MAX));
	vbus_st32(&cfg->features, VENET_TAP_FEATURES);
	vbus_st32(&cfg->guest_features, 0);
	vbus_st32(&cfg->link, 0);
	vbus_st32(&cfg->max_frame, VBUS_NET_MAX_FRAME);
	vbus_st16(&cfg->mq_max_pairs, t->npairs);
	vbus_st16(&cfg->mq_reserved, 0);
	vbus_st32(&cfg->mq_request, 0);
	vbus_st32(&cfg->mq_ack, 0);
}

/* Nothing owed to the guest on any pair (a fresh or a gone guest). */
static void venet_tap_forget(struct venet_tap *t)
{
	u32 k;

	for (k = 0; k < VENET_TAP_MAX_PAIRS; k++) {
		t->pairs[k].txc.unsignalled = 0;
		t->pairs[k].tx_unsignalled = false;
	}
}

/*
 * Empty rings and a fresh config block, as after an attach; under RTNL
 * with the data path down.
 */
static void venet_tap_reset_rings(struct venet_tap *t)
{
	u32 k;

	for (k = 0; k < t->npairs; k++) {
		vbus_ioq_reset(&t->pairs[k].txq);
		vbus_ioq_reset(&t->pairs[k].rxq);
	}
	venet_tap_forget(t);
	venet_tap_mq_reset(t);
	t->guest_opened = false;
	t->broken = false;
	t->guest_features = 0;
	venet_tap_write_config(t);
	t->link = 0;	/* venet_tap_sync() writes it again */
}

static int venet_tap_create(struct vbus_device *dev,
			    struct vbus_device_needs *needs)
{
	struct venet_tap *t = kvzalloc(sizeof(*t), GFP_KERNEL);
	struct venet_tap_pair *qp;
	u32 k;

	if (!t)
		return -ENOMEM;
	t->vdev = dev;
	eth_random_addr(t->client_mac);
	eth_random_addr(t->host_mac);
	t->mtu = ETH_DATA_LEN;
	t->txmitigation = VENET_TAP_TXMIT_DEF;
	t->burstthresh = NAPI_POLL_WEIGHT;
	t->linger_us = VENET_TAP_LINGER_DEF;
	t->linger_adaptive = 1;
	for (k = 0; k < VENET_TAP_MAX_PAIRS; k++) {
		qp = &t->pairs[k];
		qp->t = t;
		qp->index = k;
		qp->poll_cpu = -1;
		qp->txc.every = VENET_TAP_TXMIT_DEF;
		venet_tap_linger_init(qp);
		u64_stats_init(&qp->rx_stats.syncp);
		u64_stats_init(&qp->tx_stats.syncp);
	}
	INIT_WORK(&t->reset_work, venet_tap_reset_work);
	venet_tap_mq_init(t);
	vbus_device_set_drvdata(dev, t);

	venet_tap_mq_create(t, needs);
	return 0;
}

static void venet_tap_destroy(struct vbus_device *dev)
{
	struct venet_tap *t = vbus_device_get_drvdata(dev);

	u32 k;

	rtnl_lock();
	venet_tap_netdev_destroy(t);
	rtnl_unlock();
	for (k = 0; k < VENET_TAP_MAX_PAIRS; k++)
		hrtimer_cancel(&t->pairs[k].linger);
	cancel_work_sync(&t->reset_work);
	cancel_work_sync(&t->mq_work);
	kvfree(t);
}

static int venet_tap_attach(struct vbus_device *dev,
			    const struct vbus_device_shm *shm)
{
	struct venet_tap *t = vbus_device_get_drvdata(dev);
	const struct vbus_dev_layout *l = shm->layout;
	u32 state, gen, k, npairs = l->nqueues / 2;

	/* the bus laid out what max_queue_pairs asked for (its NAPIs) */
	if (l->nqueues & 1 || !npairs || npairs > t->max_pairs ||
	    l->config_size < sizeof(*t->cfg))
		return -EINVAL;
	for (k = 0; k < npairs; k++) {
		const struct vbus_queue_layout *tq = &l->queue[VENET_TAP_TXQ(k)];
		const struct vbus_queue_layout *rq = &l->queue[VENET_TAP_RXQ(k)];

		if (tq->vector != rq->vector ||
		    vbus_ioq_init(&t->pairs[k].txq, shm->base, shm->size,
				  shm->nvectors, tq) ||
		    vbus_ioq_init(&t->pairs[k].rxq, shm->base, shm->size,
				  shm->nvectors, rq))
			return -EINVAL;
	}

	rtnl_lock();
	t->npairs = npairs;
	t->base = shm->base;
	t->cfg = (struct vbus_net_config *)((u8 *)shm->base + l->config_off);
	venet_tap_mq_reset(t);
	venet_tap_write_config(t);
	t->link = 0;
	/* fresh rings from the bus; the guest's RX doorbells stay on until
	 * it has posted buffers (that is how we learn its driver is up)
	 */
	venet_tap_forget(t);
	t->guest_opened = false;
	t->broken = false;
	t->guest_features = 0;
	state = vbus_layout_guest_state(shm->base, &gen);
	t->guest_ready = state == VBUS_STATE_READY;
	t->attached = true;
	venet_tap_sync(t);
	rtnl_unlock();
	return 0;
}

static void venet_tap_detach(struct vbus_device *dev)
{
	struct venet_tap *t = vbus_device_get_drvdata(dev);

	rtnl_lock();
	t->attached = false;
	venet_tap_sync(t);		/* NAPI off, queue stopped, carrier off */
	vbus_st32(&t->cfg->link, 0);	/* the last region access */
	t->link = 0;
	t->base = NULL;
	t->cfg = NULL;
	/* nothing is owed to a guest that is gone */
	venet_tap_forget(t);
	rtnl_unlock();
	cancel_work_sync(&t->reset_work);
	cancel_work_sync(&t->mq_work);
}

/*
 * ATOMIC: eventfd wake-up. Both queues of a pair share its vector, so
 * every guest doorbell calls us once per queue of the pair; count it once and let NAPI do the
 * rest. The transmit doorbell is acknowledged by the poll pass, not here:
 * this runs in the guest's vCPU thread, before the guest resumes, and the
 * pass may run later; acknowledged here, every frame the guest sent in
 * between would ring again (a VM exit each). The refill doorbell is
 * acknowledged at once and schedules the pass only while we wait for
 * buffers (its signal enabled): a second napi_schedule() of a scheduled
 * NAPI marks it missed, and the pass then runs twice for one doorbell.
 */
static void venet_tap_kick(struct vbus_device *dev, unsigned int queue)
{
	struct venet_tap *t = vbus_device_get_drvdata(dev);
	struct venet_tap_pair *qp;
	struct vbus_shm_signal *refill;

	if (queue / 2 >= READ_ONCE(t->npairs))
		return;
	qp = &t->pairs[queue / 2];
	refill = &qp->rxq.ring->to_host;
	if (!(queue & 1)) {
		atomic64_inc(&t->kicks);
		WRITE_ONCE(qp->kicked, true);
	} else {
		vbus_signal_ack(refill);
		if (!vbus_signal_enabled(refill))
			return;
	}
	if (READ_ONCE(t->up))
		napi_schedule(&qp->napi);
}

/*
 * The guest's liveness word changed. READY: its bus driver is bound.
 * Anything else: it let go of the rings (its devices are removed before
 * it says so), so they and the config block are reset and the next bind
 * starts empty; on every such call (see vbus_transport_ctrl_work()).
 * READY reaches us only as a change, so READY while ready is a new
 * generation: a guest kernel that died bound, whose rings are as stale.
 */
static void venet_tap_ctrl(struct vbus_device *dev, u32 guest_state,
			   u32 guest_gen)
{
	struct venet_tap *t = vbus_device_get_drvdata(dev);
	bool was_ready;

	rtnl_lock();
	if (!t->attached)
		goto out;
	was_ready = t->guest_ready;
	t->guest_ready = guest_state == VBUS_STATE_READY;
	/* READY again under a new generation without letting go first: a
	 * guest kernel that died bound; its rings are as stale as after GONE
	 */
	if (!t->guest_ready || was_ready) {
		t->broken = true;	/* data path down for the reset */
		venet_tap_sync(t);
		venet_tap_reset_rings(t);
	}
	venet_tap_sync(t);
out:
	rtnl_unlock();
}

static const struct vbus_device_ops venet_tap_ops = {
	.create = venet_tap_create,
	.destroy = venet_tap_destroy,
	.attach = venet_tap_attach,
	.detach = venet_tap_detach,
	.kick = venet_tap_kick,
	.ctrl = venet_tap_ctrl,
};

static struct vbus_device_class venet_tap_class = {
	.name = VENET_TAP_NAME,
	.interface = VBUS_TYPE_VENET,
	.owner = THIS_MODULE,
	.ops = &venet_tap_ops,
	.groups = venet_tap_groups,
};

static int __init venet_tap_init(void)
{
	return vbus_device_class_register(&venet_tap_class);
}

static void __exit venet_tap_exit(void)
{
	vbus_device_class_unregister(&venet_tap_class);
}

module_init(venet_tap_init);
module_exit(venet_tap_exit);
MODULE_LICENSE("GPL");
MODULE_VERSION(VENET_TAP_VERSION);
MODULE_DESCRIPTION("vbus virtual-ethernet host device class (venet-tap)");
