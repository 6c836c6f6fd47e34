// SPDX-License-Identifier: GPL-2.0
/*
 * Queue pairs in venet: ethtool -l / -L combined, the request to the host,
 * XPS and interrupt affinity.
 *
 * The host lays out npairs pairs; the guest uses the first @active, by
 * default one per online vCPU. The host sends on as many pairs as the
 * guest asked for in the config block (mq_request, answered in mq_ack,
 * see vbus_abi.h); every pair laid out is polled by the host whatever
 * the guest uses.
 *
 * Changing the number under traffic loses nothing:
 *  - more: the new pairs start (buffers posted, NAPI on), the stack may
 *    transmit on them, then the host is asked to send on them too;
 *  - fewer: the stack stops transmitting on the pairs that go (what they
 *    posted still reaches the host, which polls them), the host is asked
 *    to stop sending on them and answers only once it has, then what it
 *    sent before is received (the pairs are drained) and they stop.
 *
 * XPS: online CPU number i (in order) transmits on pair i % active, and
 * pair k's vector is steered to the same CPUs, so that a flow stays on
 * one vCPU both ways.
 */
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/ethtool.h>
#include <linux/interrupt.h>
#include <linux/jiffies.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>

#include "venet.h"

#define VENET_MQ_WAIT_MS	5000	/* the host answers from a work item */
#define VENET_MQ_DRAIN_TRIES	200

/*
 * RTNL: ask the host to send on pairs 0 .. @n - 1 and ring pair 0's
 * doorbell (its next pass reads the request). With @wait, until it
 * answers: 0, -EINVAL if it refused, -ETIMEDOUT if it did not answer
 * (its netdev is down: it answers when it comes up).
 */
int venet_mq_request(struct venet_priv *p, u32 n, bool wait)
{
	unsigned long end;
	u32 ack;

	/* one pair laid out: nothing to choose, no doorbell */
	if (!(p->features & VBUS_NET_F_MQ) || p->npairs == 1)
		return n == 1 ? 0 : -EOPNOTSUPP;
	p->mq_seq++;
	vbus_st32(&p->cfg->mq_request, VBUS_NET_MQ(p->mq_seq, n));
	vbus_bridge_kick(p->vdev, p->q[0].tx_vector);
	if (!wait)
		return 0;
	end = jiffies + msecs_to_jiffies(VENET_MQ_WAIT_MS);
	do {
		ack = vbus_ld32_acquire(&p->cfg->mq_ack);
		if (VBUS_NET_MQ_SEQ(ack) == p->mq_seq)
			return VBUS_NET_MQ_PAIRS(ack) == n ? 0 : -EINVAL;
		usleep_range(500, 1000);
	} while (time_before(jiffies, end));
	return -ETIMEDOUT;
}

static void venet_mq_affinity(struct venet_queue *qp,
			      const struct cpumask *mask)
{
	int irq = vbus_bridge_vector_irq(qp->p->vdev, qp->rx_vector);

	if (irq >= 0)
		irq_set_affinity_and_hint(irq, mask);
	if (qp->tx_vector == qp->rx_vector)
		return;
	irq = vbus_bridge_vector_irq(qp->p->vdev, qp->tx_vector);
	if (irq >= 0)
		irq_set_affinity_and_hint(irq, mask);
}

/* RTNL: XPS and vector affinity of the pairs in use. */
void venet_mq_spread(struct venet_priv *p)
{
	cpumask_var_t mask;
	unsigned int cpu, i;
	u32 k;

	if (!zalloc_cpumask_var(&mask, GFP_KERNEL))
		return;
	for (k = 0; k < p->active; k++) {
		cpumask_clear(mask);
		i = 0;
		for_each_online_cpu(cpu)
			if (i++ % p->active == k)
				cpumask_set_cpu(cpu, mask);
		if (cpumask_empty(mask))
			cpumask_copy(mask, cpu_online_mask);
		venet_mq_affinity(&p->q[k], mask);
		netif_set_xps_queue(p->ndev, mask, k);
	}
	free_cpumask_var(mask);
}

/* Before the vectors are freed: no affinity hint may stay. */
void venet_mq_unspread(struct venet_priv *p)
{
	u32 k;

	for (k = 0; k < p->npairs; k++)
		venet_mq_affinity(&p->q[k], NULL);
}

/*
 * RTNL, the host no longer sends on @qp: let its NAPI receive what the
 * host completed before (a bounded wait; what is left stays in the ring
 * until the pair runs again).
 */
void venet_mq_drain(struct venet_queue *qp)
{
	int i;

	for (i = 0; i < VENET_MQ_DRAIN_TRIES; i++) {
		if (vbus_ld32_acquire(&qp->rxq.ring->tail) ==
		    READ_ONCE(qp->rxq.tail))
			return;
		napi_schedule(&qp->napi);
		usleep_range(500, 1000);
	}
	netdev_warn(qp->p->ndev, "queue pair %u not drained\n", qp->index);
}

void venet_get_channels(struct net_device *ndev, struct ethtool_channels *ch)
{
	struct venet_priv *p = netdev_priv(ndev);

	ch->max_combined = p->npairs;
	ch->combined_count = p->active;
}

static int venet_mq_grow(struct venet_priv *p, u32 n)
{
	u32 old = p->active, k;
	int err = 0;

	for (k = old; k < n && !err; k++)
		err = venet_pair_start(&p->q[k]);
	if (!err)
		err = netif_set_real_num_queues(p->ndev, n, n);
	if (!err) {
		p->active = n;
		venet_mq_spread(p);
		err = venet_mq_request(p, n, true);
		if (err == -ETIMEDOUT) {
			/* we receive on them all: the host may follow later */
			netdev_warn(p->ndev, "host did not answer for %u queue pairs yet\n",
				    n);
			return 0;
		}
		if (!err)
			return 0;
		netif_set_real_num_queues(p->ndev, old, old);
		p->active = old;
		venet_mq_spread(p);
	}
	for (k = old; k < n; k++)
		venet_pair_stop(&p->q[k]);
	return err;
}

static int venet_mq_shrink(struct venet_priv *p, u32 n)
{
	u32 old = p->active, k;
	int err;

	/* waits until nothing transmits on the pairs that go */
	err = netif_set_real_num_tx_queues(p->ndev, n);
	if (err)
		return err;
	err = venet_mq_request(p, n, true);
	if (err == -EINVAL || err == -EOPNOTSUPP) {
		netif_set_real_num_tx_queues(p->ndev, old);
		return err;
	}
	if (err)
		netdev_warn(p->ndev, "host did not answer for %u queue pairs: the others stop anyway\n",
			    n);
	for (k = n; k < old; k++) {
		venet_mq_drain(&p->q[k]);
		venet_pair_stop(&p->q[k]);
	}
	netif_set_real_num_rx_queues(p->ndev, n);
	p->active = n;
	venet_mq_spread(p);
	return 0;
}

/* ethtool -L combined N (RTNL): 1 .. the pairs the host laid out. */
int venet_set_channels(struct net_device *ndev, struct ethtool_channels *ch)
{
	struct venet_priv *p = netdev_priv(ndev);
	u32 n = ch->combined_count;
	int err;

	if (ch->rx_count || ch->tx_count || ch->other_count || !n ||
	    n > p->npairs)
		return -EINVAL;
	if (n == p->active)
		return 0;
	if (!netif_running(ndev)) {
		/* the host hears of it at the next open */
		err = netif_set_real_num_queues(ndev, n, n);
		if (!err)
			p->active = n;
		return err;
	}
	return n > p->active ? venet_mq_grow(p, n) : venet_mq_shrink(p, n);
}
