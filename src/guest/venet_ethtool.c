// SPDX-License-Identifier: GPL-2.0
/*
 * Ethtool -i, -g (the rings' sizes, read-only), -l and -L (queue pairs,
 * venet_mq.c), -S (notification counters, drops by reason, XDP verdicts
 * under virtio-net's names: the sums over all pairs, then per pair
 * txK_packets, txK_bytes, rxK_packets, rxK_bytes, rxK_interrupts) and -C
 * (the guest tunables under their coalescing names:
 * rx-frames = napi_weight, tx-frames = tx_kick_frames,
 * tx-frames-irq = tx_irq_thresh, rx-frames-irq = rx_refill_batch).
 */
#include <linux/ethtool.h>
#include <linux/netdevice.h>

#include "venet.h"

struct venet_stat {
	char name[ETH_GSTRING_LEN];
	size_t off;
};

#define VENET_TX_STAT(n, f) { n, offsetof(struct venet_tx_stats, f) }
#define VENET_RX_STAT(n, f) { n, offsetof(struct venet_rx_stats, f) }

static const struct venet_stat venet_tx_stat_names[] = {
	VENET_TX_STAT("tx_packets", packets),
	VENET_TX_STAT("tx_bytes", bytes),
	VENET_TX_STAT("tx_kicks", kicks),
	VENET_TX_STAT("tx_kicks_skipped", kicks_skipped),
	VENET_TX_STAT("tx_completions", completions),
	VENET_TX_STAT("tx_queue_stops", queue_stops),
	VENET_TX_STAT("tx_drop_oversize", drop_oversize),
	VENET_TX_STAT("tx_drop_ring_full", drop_ring_full),
	VENET_TX_STAT("tx_drop_hdr", drop_hdr),
	VENET_TX_STAT("tx_ring_errors", ring_errors),
	VENET_TX_STAT("tx_xdp_tx", xdp_tx),
	VENET_TX_STAT("tx_xdp_tx_drops", xdp_tx_drops),
};

static const struct venet_stat venet_rx_stat_names[] = {
	VENET_RX_STAT("rx_packets", packets),
	VENET_RX_STAT("rx_bytes", bytes),
	VENET_RX_STAT("rx_kicks", kicks),
	VENET_RX_STAT("rx_kicks_skipped", kicks_skipped),
	VENET_RX_STAT("napi_polls", polls),
	VENET_RX_STAT("rx_drop_short", drop_short),
	VENET_RX_STAT("rx_drop_hdr", drop_hdr),
	VENET_RX_STAT("rx_drop_nomem", drop_nomem),
	VENET_RX_STAT("rx_ring_errors", ring_errors),
	VENET_RX_STAT("rx_xdp_packets", xdp_packets),
	VENET_RX_STAT("rx_xdp_tx", xdp_tx),
	VENET_RX_STAT("rx_xdp_redirects", xdp_redirects),
	VENET_RX_STAT("rx_xdp_drops", xdp_drops),
	VENET_RX_STAT("rx_drop_xdp_unfit", drop_xdp_unfit),
};

#define VENET_NTX	ARRAY_SIZE(venet_tx_stat_names)
#define VENET_NRX	ARRAY_SIZE(venet_rx_stat_names)
#define VENET_NSTATS	(VENET_NTX + VENET_NRX + 1)	/* + interrupts */
#define VENET_NQSTATS	5				/* per pair */

static const char venet_qstat_fmt[VENET_NQSTATS][16] = {
	"tx%u_packets", "tx%u_bytes", "rx%u_packets", "rx%u_bytes",
	"rx%u_interrupts",
};

static void venet_get_drvinfo(struct net_device *ndev,
			      struct ethtool_drvinfo *info)
{
	struct venet_priv *p = netdev_priv(ndev);

	strscpy(info->driver, VENET_NAME, sizeof(info->driver));
	snprintf(info->fw_version, sizeof(info->fw_version), "abi %u.%u",
		 VBUS_ABI_MAJOR, VBUS_ABI_MINOR);
	strscpy(info->bus_info, dev_name(&p->vdev->dev),
		sizeof(info->bus_info));
}

/* The pairs laid out: fixed for the netdev's life. */
static int venet_get_sset_count(struct net_device *ndev, int sset)
{
	struct venet_priv *p = netdev_priv(ndev);

	if (sset != ETH_SS_STATS)
		return -EOPNOTSUPP;
	return VENET_NSTATS + p->npairs * VENET_NQSTATS;
}

static void venet_get_strings(struct net_device *ndev, u32 sset, u8 *data)
{
	struct venet_priv *p = netdev_priv(ndev);
	size_t i;
	u32 k;

	if (sset != ETH_SS_STATS)
		return;
	for (i = 0; i < VENET_NTX; i++, data += ETH_GSTRING_LEN)
		memcpy(data, venet_tx_stat_names[i].name, ETH_GSTRING_LEN);
	for (i = 0; i < VENET_NRX; i++, data += ETH_GSTRING_LEN)
		memcpy(data, venet_rx_stat_names[i].name, ETH_GSTRING_LEN);
	memcpy(data, "interrupts", sizeof("interrupts"));
	data += ETH_GSTRING_LEN;
	for (k = 0; k < p->npairs; k++)
		for (i = 0; i < VENET_NQSTATS; i++, data += ETH_GSTRING_LEN)
			snprintf(data, ETH_GSTRING_LEN, venet_qstat_fmt[i], k);
}

/* @out[i] += the u64 at venet_*_stat_names[i].off of @stats, under @syncp. */
static void venet_stats_add(const struct u64_stats_sync *syncp,
			    const void *stats, const struct venet_stat *names,
			    size_t n, u64 *out)
{
	u64 v[VENET_NRX];
	unsigned int start;
	size_t i;

	do {
		start = u64_stats_fetch_begin(syncp);
		for (i = 0; i < n; i++)
			v[i] = *(const u64 *)((const u8 *)stats + names[i].off);
	} while (u64_stats_fetch_retry(syncp, start));
	for (i = 0; i < n; i++)
		out[i] += v[i];
}

static void venet_get_ethtool_stats(struct net_device *ndev,
				    struct ethtool_stats *stats, u64 *data)
{
	struct venet_priv *p = netdev_priv(ndev);
	u64 *q = data + VENET_NSTATS;
	u64 c[VENET_NRX];
	u32 k;

	BUILD_BUG_ON(VENET_NTX > VENET_NRX);
	memset(data, 0, VENET_NSTATS * sizeof(*data));
	for (k = 0; k < p->npairs; k++, q += VENET_NQSTATS) {
		const struct venet_queue *qp = &p->q[k];

		venet_stats_add(&qp->tx_stats.syncp, &qp->tx_stats,
				venet_tx_stat_names, VENET_NTX, data);
		venet_stats_add(&qp->rx_stats.syncp, &qp->rx_stats,
				venet_rx_stat_names, VENET_NRX,
				data + VENET_NTX);
		data[VENET_NTX + VENET_NRX] += atomic64_read(&qp->irqs);
		/* packets and bytes come first in both tables */
		memset(c, 0, sizeof(c));
		venet_stats_add(&qp->tx_stats.syncp, &qp->tx_stats,
				venet_tx_stat_names, 2, c);
		q[0] = c[0];
		q[1] = c[1];
		memset(c, 0, sizeof(c));
		venet_stats_add(&qp->rx_stats.syncp, &qp->rx_stats,
				venet_rx_stat_names, 2, c);
		q[2] = c[0];
		q[3] = c[1];
		q[4] = atomic64_read(&qp->irqs);
	}
}

static int venet_get_coalesce(struct net_device *ndev,
			      struct ethtool_coalesce *ec,
			      struct kernel_ethtool_coalesce *kec,
			      struct netlink_ext_ack *extack)
{
	struct venet_priv *p = netdev_priv(ndev);

	ec->rx_max_coalesced_frames = READ_ONCE(p->tun.napi_weight);
	ec->tx_max_coalesced_frames = READ_ONCE(p->tun.tx_kick_frames);
	ec->tx_max_coalesced_frames_irq = READ_ONCE(p->tun.tx_irq_thresh);
	ec->rx_max_coalesced_frames_irq = READ_ONCE(p->tun.rx_refill_batch);
	return 0;
}

static int venet_set_coalesce(struct net_device *ndev,
			      struct ethtool_coalesce *ec,
			      struct kernel_ethtool_coalesce *kec,
			      struct netlink_ext_ack *extack)
{
	struct venet_priv *p = netdev_priv(ndev);
	struct {
		u32 *field;
		u32 val;
		const char *what;
	} set[] = {
		{ &p->tun.napi_weight, ec->rx_max_coalesced_frames,
		  "rx-frames (napi_weight)" },
		{ &p->tun.tx_kick_frames, ec->tx_max_coalesced_frames,
		  "tx-frames (tx_kick_frames)" },
		{ &p->tun.tx_irq_thresh, ec->tx_max_coalesced_frames_irq,
		  "tx-frames-irq (tx_irq_thresh)" },
		{ &p->tun.rx_refill_batch, ec->rx_max_coalesced_frames_irq,
		  "rx-frames-irq (rx_refill_batch)" },
	};
	size_t i;

	/* all or nothing */
	for (i = 0; i < ARRAY_SIZE(set); i++) {
		u32 min = set[i].field == &p->tun.tx_irq_thresh ? 0 : 1;

		if (set[i].val < min ||
		    set[i].val > venet_tunable_max(p, set[i].field)) {
			NL_SET_ERR_MSG(extack, "coalescing value out of range");
			netdev_dbg(ndev, "%s out of range\n", set[i].what);
			return -EINVAL;
		}
	}
	for (i = 0; i < ARRAY_SIZE(set); i++)
		venet_tunable_set(p, set[i].field, set[i].val);
	return 0;
}

/* The rings' sizes are the host's layout: read-only here. */
static void venet_get_ringparam(struct net_device *ndev,
				struct ethtool_ringparam *rp,
				struct kernel_ethtool_ringparam *krp,
				struct netlink_ext_ack *extack)
{
	struct venet_priv *p = netdev_priv(ndev);

	rp->rx_max_pending = p->q[0].rxq.mask + 1;
	rp->rx_pending = rp->rx_max_pending;
	rp->tx_max_pending = p->q[0].txq.mask + 1;
	rp->tx_pending = rp->tx_max_pending;
}

static const struct ethtool_ops venet_ethtool_ops = {
	.supported_coalesce_params = ETHTOOL_COALESCE_MAX_FRAMES |
				     ETHTOOL_COALESCE_MAX_FRAMES_IRQ,
	.get_drvinfo		= venet_get_drvinfo,
	.get_link		= ethtool_op_get_link,
	.get_sset_count		= venet_get_sset_count,
	.get_strings		= venet_get_strings,
	.get_ethtool_stats	= venet_get_ethtool_stats,
	.get_ringparam		= venet_get_ringparam,
	.get_channels		= venet_get_channels,
	.set_channels		= venet_set_channels,
	.get_coalesce		= venet_get_coalesce,
	.set_coalesce		= venet_set_coalesce,
};

void venet_set_ethtool_ops(struct net_device *ndev)
{
	ndev->ethtool_ops = &venet_ethtool_ops;
}
