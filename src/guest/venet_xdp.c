// SPDX-License-Identifier: GPL-2.0
/*
 * XDP in venet: a program attached with ndo_bpf runs in NAPI on every
 * received frame, in a buffer of its own (VENET_XDP_BUF: the frame is
 * copied out of the shared region anyway, so it is copied into the
 * buffer the program sees instead of into an skb). XDP_PASS builds the
 * skb around that buffer, XDP_TX copies the frame into the TX ring of
 * the pair of the RX queue it came from (one
 * kick per NAPI pass), XDP_REDIRECT hands it on (one xdp_do_flush() per
 * pass). ndo_xdp_xmit copies frames redirected from elsewhere into the TX
 * ring, with or without a program here. The program is swapped with RCU:
 * NAPI reads it once per pass, so attach and detach never stop the device.
 */
#include <linux/bpf.h>
#include <linux/bpf_trace.h>
#include <linux/filter.h>
#include <linux/if_vlan.h>
#include <linux/netdevice.h>

#include "venet.h"
#include "vbus_guest_compat.h"

/* Offloads the host must not use while a program runs (it sees frames). */
#define VENET_XDP_OFFLOADS	(VBUS_NET_F_GUEST_CSUM | \
				 VBUS_NET_F_GUEST_TSO4 | VBUS_NET_F_GUEST_TSO6)

static u32 venet_xdp_max_mtu(void)
{
	return VENET_XDP_MAX_LEN - ETH_HLEN - VLAN_HLEN;
}

static void venet_xdp_count(struct venet_queue *qp, u64 *ctr)
{
	u64_stats_update_begin(&qp->rx_stats.syncp);
	(*ctr)++;
	u64_stats_update_end(&qp->rx_stats.syncp);
}

/* The @len frame bytes of a chain (behind its header) into @dst. */
static void venet_xdp_copy(struct venet_queue *qp, const struct vbus_seg *segs,
			   u32 nsegs, u8 *dst)
{
	u32 i, skip = VENET_HDR_LEN;

	for (i = 0; i < nsegs; i++) {
		u32 n = segs[i].len - skip;

		memcpy(dst, venet_buf(qp->p, segs[i].offset + skip), n);
		dst += n;
		skip = 0;
	}
}

static struct sk_buff *venet_xdp_skb(struct venet_queue *qp,
				     struct xdp_buff *xdp)
{
	u32 meta = xdp->data - xdp->data_meta;
	struct sk_buff *skb;

	skb = napi_build_skb(xdp->data_hard_start, VENET_XDP_BUF);
	if (!skb)
		return NULL;
	skb_reserve(skb, xdp->data - xdp->data_hard_start);
	skb_put(skb, xdp->data_end - xdp->data);
	if (meta)
		skb_metadata_set(skb, meta);
	skb->protocol = eth_type_trans(skb, qp->p->ndev);
	return skb;
}

static bool venet_xdp_tx(struct venet_queue *qp, const void *data, u32 len)
{
	/* the pair of the RX queue: its TX lock, its ring */
	struct netdev_queue *txq = netdev_get_tx_queue(qp->p->ndev, qp->index);
	bool ok;

	__netif_tx_lock(txq, smp_processor_id());
	ok = venet_tx_post_plain(qp, data, len);
	if (!ok) {
		u64_stats_update_begin(&qp->tx_stats.syncp);
		qp->tx_stats.xdp_tx_drops++;
		u64_stats_update_end(&qp->tx_stats.syncp);
	}
	__netif_tx_unlock(txq);
	return ok;
}

/*
 * NAPI: one received frame of @len bytes (behind its header, already
 * counted as received) through @prog. The frame is always consumed.
 * GSO frames and frames with a partial checksum (in flight when the
 * program was attached: the host is told to stop sending them) and
 * frames longer than one XDP buffer are dropped (drop_xdp_unfit).
 * Checksum state is not taken over: the program may rewrite the frame.
 */
void venet_xdp_rx(struct venet_queue *qp, struct bpf_prog *prog,
		  const struct vbus_seg *segs, u32 nsegs, u32 len)
{
	struct vbus_net_hdr h;
	struct xdp_buff xdp;
	struct sk_buff *skb;
	u8 *buf;
	u32 act;

	memcpy(&h, venet_buf(qp->p, segs[0].offset), sizeof(h));
	if (len > VENET_XDP_MAX_LEN || h.gso_type != VBUS_NET_GSO_NONE ||
	    (h.flags & VBUS_NET_HDR_F_NEEDS_CSUM)) {
		venet_xdp_count(qp, &qp->rx_stats.drop_xdp_unfit);
		return;
	}
	buf = napi_alloc_frag(VENET_XDP_BUF);
	if (!buf) {
		venet_xdp_count(qp, &qp->rx_stats.drop_nomem);
		return;
	}
	venet_xdp_copy(qp, segs, nsegs, buf + VENET_XDP_HEADROOM);
	xdp_init_buff(&xdp, VENET_XDP_BUF, &qp->xdp_rxq);
	xdp_prepare_buff(&xdp, buf, VENET_XDP_HEADROOM, len, true);
	act = bpf_prog_run_xdp(prog, &xdp);
	venet_xdp_count(qp, &qp->rx_stats.xdp_packets);

	switch (act) {
	case XDP_PASS:
		skb = venet_xdp_skb(qp, &xdp);
		if (!skb)
			break;
		napi_gro_receive(&qp->napi, skb);
		return;
	case XDP_TX:
		if (!venet_xdp_tx(qp, xdp.data, xdp.data_end - xdp.data))
			goto drop;
		venet_xdp_count(qp, &qp->rx_stats.xdp_tx);
		qp->xdp_tx_pending = true;
		skb_free_frag(buf);
		return;
	case XDP_REDIRECT:
		if (xdp_do_redirect(qp->p->ndev, &xdp, prog))
			goto exception;
		venet_xdp_count(qp, &qp->rx_stats.xdp_redirects);
		qp->xdp_redirect_pending = true;
		return;
	default:
		bpf_warn_invalid_xdp_action(qp->p->ndev, prog, act);
		fallthrough;
	case XDP_ABORTED:
exception:
		trace_xdp_exception(qp->p->ndev, prog, act);
		fallthrough;
	case XDP_DROP:
		goto drop;
	}
	/* XDP_PASS without an skb */
	venet_xdp_count(qp, &qp->rx_stats.drop_nomem);
	skb_free_frag(buf);
	return;
drop:
	venet_xdp_count(qp, &qp->rx_stats.xdp_drops);
	skb_free_frag(buf);
}

/* NAPI, at the end of a pass: one kick for XDP_TX, one redirect flush. */
void venet_xdp_flush(struct venet_queue *qp)
{
	struct netdev_queue *txq;

	if (qp->xdp_redirect_pending) {
		qp->xdp_redirect_pending = false;
		xdp_do_flush();
	}
	if (!qp->xdp_tx_pending)
		return;
	qp->xdp_tx_pending = false;
	txq = netdev_get_tx_queue(qp->p->ndev, qp->index);
	__netif_tx_lock(txq, smp_processor_id());
	if (qp->tx_unkicked)
		venet_tx_settle(qp, txq, true);
	__netif_tx_unlock(txq);
}

/*
 * ndo_xdp_xmit: frames redirected to this device. Each is copied into
 * the TX ring of the pair of this CPU (as XPS maps it, among the pairs in
 * use) and returned at once; the first that finds no room ends the batch
 * (the caller frees the rest). XDP_XMIT_FLUSH publishes. Any pair laid
 * out is safe under its TX lock: the host polls them all.
 */
int venet_xdp_xmit(struct net_device *ndev, int n, struct xdp_frame **frames,
		   u32 flags)
{
	struct venet_priv *p = netdev_priv(ndev);
	u32 qi = smp_processor_id() % READ_ONCE(ndev->real_num_tx_queues);
	struct netdev_queue *txq = netdev_get_tx_queue(ndev, qi);
	struct venet_queue *qp = &p->q[qi];
	int i, sent = 0;

	if (unlikely(flags & ~XDP_XMIT_FLAGS_MASK))
		return -EINVAL;
	if (unlikely(!netif_running(ndev)))
		return -ENETDOWN;
	__netif_tx_lock(txq, smp_processor_id());
	while (sent < n &&
	       venet_tx_post_plain(qp, frames[sent]->data, frames[sent]->len))
		sent++;
	if (sent < n) {
		u64_stats_update_begin(&qp->tx_stats.syncp);
		qp->tx_stats.xdp_tx_drops += n - sent;
		u64_stats_update_end(&qp->tx_stats.syncp);
	}
	if ((flags & XDP_XMIT_FLUSH) && qp->tx_unkicked)
		venet_tx_settle(qp, txq, true);
	__netif_tx_unlock(txq);
	for (i = 0; i < sent; i++)
		xdp_return_frame(frames[i]);
	return sent;
}

/* Tell the host which offloads it may use: fewer while a program runs. */
static void venet_xdp_offloads(struct venet_priv *p, bool xdp)
{
	u32 f = p->features;

	if (xdp)
		f &= ~VENET_XDP_OFFLOADS;
	vbus_st32(&p->cfg->guest_features, f);
}

static int venet_xdp_set(struct venet_priv *p, struct bpf_prog *prog,
			 struct netlink_ext_ack *extack)
{
	struct net_device *ndev = p->ndev;
	struct bpf_prog *old;

	if (prog && ndev->mtu > venet_xdp_max_mtu()) {
		NL_SET_ERR_MSG_MOD(extack,
				   "MTU too large for XDP: a frame must fit one buffer");
		netdev_warn(ndev, "XDP needs an MTU of at most %u\n",
			    venet_xdp_max_mtu());
		return -EOPNOTSUPP;
	}
	old = rtnl_dereference(p->xdp_prog);
	rcu_assign_pointer(p->xdp_prog, prog);
	/*
	 * Not while the netdev goes away (its program is detached on the
	 * way out): the device is being removed, maybe for a host reset,
	 * and the next probe writes what it accepts anyway.
	 */
	if (!old != !prog && ndev->reg_state == NETREG_REGISTERED)
		venet_xdp_offloads(p, prog);
	/* a pass still running the old program holds the RCU read lock */
	if (old)
		bpf_prog_put(old);
	return 0;
}

int venet_bpf(struct net_device *ndev, struct netdev_bpf *bpf)
{
	struct venet_priv *p = netdev_priv(ndev);

	switch (bpf->command) {
	case XDP_SETUP_PROG:
		return venet_xdp_set(p, bpf->prog, bpf->extack);
	default:
		return -EINVAL;
	}
}

int venet_change_mtu(struct net_device *ndev, int mtu)
{
	struct venet_priv *p = netdev_priv(ndev);

	if (rtnl_dereference(p->xdp_prog) && mtu > venet_xdp_max_mtu()) {
		netdev_warn(ndev, "XDP needs an MTU of at most %u\n",
			    venet_xdp_max_mtu());
		return -EINVAL;
	}
	WRITE_ONCE(ndev->mtu, mtu);
	return 0;
}

/* A pair starts, before napi_enable(): its RX queue's XDP info. */
int venet_xdp_open(struct venet_queue *qp)
{
	int err;

	err = xdp_rxq_info_reg(&qp->xdp_rxq, qp->p->ndev, qp->index,
			       qp->napi.napi_id);
	if (err)
		return err;
	err = xdp_rxq_info_reg_mem_model(&qp->xdp_rxq, MEM_TYPE_PAGE_SHARED,
					 NULL);
	if (err)
		xdp_rxq_info_unreg(&qp->xdp_rxq);
	return err;
}

/* A pair stops: after napi_disable(), it runs no program any more. */
void venet_xdp_stop(struct venet_queue *qp)
{
	xdp_rxq_info_unreg(&qp->xdp_rxq);
}

/* Probe, before register_netdev(). */
void venet_xdp_init(struct venet_priv *p)
{
	vbus_xdp_features_init(p->ndev);
}
