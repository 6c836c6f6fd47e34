// SPDX-License-Identifier: GPL-2.0
/*
 * ethtool for venet-tap: -i (driver, version, bus-info = the vbus device
 * name), -g (the rings, read-only), -l (the queue pairs: the guest
 * chooses them, ethtool -L in the guest), -S (the counters, the same as
 * in sysfs, then per pair rxK_packets, rxK_bytes, txK_packets,
 * txK_bytes; rx is from the guest), -C tx-frames = txmitigation, rx-frames = burstthresh and
 * rx-usecs = linger_us.
 */
#include <linux/ethtool.h>

#include "venet_tap.h"

const char venet_tap_counter_names[VENET_TAP_NCOUNTERS][ETH_GSTRING_LEN] = {
	[VENET_TAP_C_KICKS]		= "guest_kicks",
	[VENET_TAP_C_KICKS_SKIPPED]	= "guest_kicks_skipped",
	[VENET_TAP_C_POLLS]		= "polls",
	[VENET_TAP_C_LINGERS]		= "lingers",
	[VENET_TAP_C_IRQS_SENT]		= "irqs_sent",
	[VENET_TAP_C_IRQS_SUPPRESSED]	= "irqs_suppressed",
	[VENET_TAP_C_COMPLETIONS]	= "tx_completions",
	[VENET_TAP_C_RX_PACKETS]	= "rx_packets",
	[VENET_TAP_C_RX_BYTES]		= "rx_bytes",
	[VENET_TAP_C_TX_PACKETS]	= "tx_packets",
	[VENET_TAP_C_TX_BYTES]		= "tx_bytes",
	[VENET_TAP_C_RX_BAD_DESC]	= "rx_drop_bad_desc",
	[VENET_TAP_C_RX_BAD_HDR]	= "rx_drop_bad_hdr",
	[VENET_TAP_C_RX_NO_BUFFER]	= "rx_drop_no_buffer",
	[VENET_TAP_C_TX_RING_FULL]	= "tx_drop_ring_full",
	[VENET_TAP_C_TX_BAD_DESC]	= "tx_drop_bad_desc",
	[VENET_TAP_C_TX_OVERSIZE]	= "tx_drop_oversize",
	[VENET_TAP_C_TX_HDR]		= "tx_drop_hdr",
	[VENET_TAP_C_TX_DOWN]		= "tx_drop_down",
	[VENET_TAP_C_TX_QUEUE_STOPS]	= "tx_queue_stops",
	[VENET_TAP_C_RESETS]		= "resets",
	[VENET_TAP_C_MQ_CHANGES]	= "queue_pair_changes",
	[VENET_TAP_C_MQ_REFUSED]	= "queue_pair_refused",
};

static const char venet_tap_qcounter_fmt[VENET_TAP_NQCOUNTERS][16] = {
	"rx%u_packets", "rx%u_bytes", "tx%u_packets", "tx%u_bytes",
};

/* Pair @qp's counters, added to @out (in venet_tap_counter order). */
static void venet_tap_pair_add(const struct venet_tap_pair *qp, u64 *out)
{
	const struct venet_tap_rx_stats *rx = &qp->rx_stats;
	const struct venet_tap_tx_stats *tx = &qp->tx_stats;
	u64 c[VENET_TAP_NCOUNTERS] = {};
	unsigned int start;
	int i;

	do {
		start = u64_stats_fetch_begin(&rx->syncp);
		c[VENET_TAP_C_KICKS_SKIPPED] = rx->kicks_skipped;
		c[VENET_TAP_C_POLLS] = rx->polls;
		c[VENET_TAP_C_LINGERS] = rx->lingers;
		c[VENET_TAP_C_COMPLETIONS] = rx->completions;
		c[VENET_TAP_C_RX_PACKETS] = rx->packets;
		c[VENET_TAP_C_RX_BYTES] = rx->bytes;
		c[VENET_TAP_C_RX_BAD_DESC] = rx->drop_bad_desc;
		c[VENET_TAP_C_RX_BAD_HDR] = rx->drop_bad_hdr;
		c[VENET_TAP_C_RX_NO_BUFFER] = rx->drop_no_buffer;
	} while (u64_stats_fetch_retry(&rx->syncp, start));
	do {
		start = u64_stats_fetch_begin(&tx->syncp);
		c[VENET_TAP_C_TX_PACKETS] = tx->packets;
		c[VENET_TAP_C_TX_BYTES] = tx->bytes;
		c[VENET_TAP_C_TX_RING_FULL] = tx->drop_ring_full;
		c[VENET_TAP_C_TX_BAD_DESC] = tx->drop_bad_desc;
		c[VENET_TAP_C_TX_OVERSIZE] = tx->drop_oversize;
		c[VENET_TAP_C_TX_HDR] = tx->drop_hdr;
		c[VENET_TAP_C_TX_DOWN] = tx->drop_down;
		c[VENET_TAP_C_TX_QUEUE_STOPS] = tx->queue_stops;
	} while (u64_stats_fetch_retry(&tx->syncp, start));
	for (i = 0; i < VENET_TAP_NCOUNTERS; i++)
		out[i] += c[i];
}

/* Every counter, in venet_tap_counter order: the sums over all pairs. */
void venet_tap_counters(struct venet_tap *t, u64 *out)
{
	u32 k;

	memset(out, 0, VENET_TAP_NCOUNTERS * sizeof(*out));
	for (k = 0; k < VENET_TAP_MAX_PAIRS; k++)
		venet_tap_pair_add(&t->pairs[k], out);
	out[VENET_TAP_C_KICKS] = atomic64_read(&t->kicks);
	out[VENET_TAP_C_IRQS_SENT] = atomic64_read(&t->irqs_sent);
	out[VENET_TAP_C_IRQS_SUPPRESSED] = atomic64_read(&t->irqs_suppressed);
	out[VENET_TAP_C_RESETS] = atomic64_read(&t->resets);
	out[VENET_TAP_C_MQ_CHANGES] = atomic64_read(&t->mq_changes);
	out[VENET_TAP_C_MQ_REFUSED] = atomic64_read(&t->mq_refused);
}

/* One pair's VENET_TAP_NQCOUNTERS, in venet_tap_qcounter_fmt order. */
void venet_tap_pair_counters(struct venet_tap_pair *qp, u64 *out)
{
	u64 c[VENET_TAP_NCOUNTERS] = {};

	venet_tap_pair_add(qp, c);
	out[0] = c[VENET_TAP_C_RX_PACKETS];
	out[1] = c[VENET_TAP_C_RX_BYTES];
	out[2] = c[VENET_TAP_C_TX_PACKETS];
	out[3] = c[VENET_TAP_C_TX_BYTES];
}

/* 0 (a signal per frame) .. ring size */
int venet_tap_set_txmitigation(struct venet_tap *t, u32 val)
{
	if (val > VENET_TAP_RING)
		return -EINVAL;
	WRITE_ONCE(t->txmitigation, val);
	return 0;
}

/* 1 .. NAPI_POLL_WEIGHT frames per poll pass */
int venet_tap_set_burstthresh(struct venet_tap *t, u32 val)
{
	if (!val || val > NAPI_POLL_WEIGHT)
		return -EINVAL;
	WRITE_ONCE(t->burstthresh, val);
	return 0;
}

/* 0 (doorbell re-enabled at once) .. VENET_TAP_LINGER_MAX microseconds */
int venet_tap_set_linger(struct venet_tap *t, u32 usecs)
{
	if (usecs > VENET_TAP_LINGER_MAX)
		return -EINVAL;
	WRITE_ONCE(t->linger_us, usecs);
	return 0;
}

/* 1: the linger follows the stream's pace (at most linger_us); 0: fixed */
int venet_tap_set_linger_adaptive(struct venet_tap *t, u32 on)
{
	if (on > 1)
		return -EINVAL;
	WRITE_ONCE(t->linger_adaptive, on);
	return 0;
}

static void venet_tap_get_drvinfo(struct net_device *ndev,
				  struct ethtool_drvinfo *info)
{
	struct venet_tap *t = venet_tap_from_ndev(ndev);

	strscpy(info->driver, VENET_TAP_NAME, sizeof(info->driver));
	strscpy(info->version, VENET_TAP_VERSION, sizeof(info->version));
	snprintf(info->fw_version, sizeof(info->fw_version), "abi %u.%u",
		 VBUS_ABI_MAJOR, VBUS_ABI_MINOR);
	strscpy(info->bus_info, vbus_device_name(t->vdev),
		sizeof(info->bus_info));
}

/*
 * Per-pair counters for max_queue_pairs pairs: it changes under RTNL,
 * which ethtool holds from counting the strings to filling them in.
 */
static int venet_tap_get_sset_count(struct net_device *ndev, int sset)
{
	struct venet_tap *t = venet_tap_from_ndev(ndev);

	if (sset != ETH_SS_STATS)
		return -EOPNOTSUPP;
	return VENET_TAP_NCOUNTERS + t->max_pairs * VENET_TAP_NQCOUNTERS;
}

static void venet_tap_get_strings(struct net_device *ndev, u32 sset, u8 *data)
{
	struct venet_tap *t = venet_tap_from_ndev(ndev);
	u32 k, i;

	if (sset != ETH_SS_STATS)
		return;
	memcpy(data, venet_tap_counter_names, sizeof(venet_tap_counter_names));
	data += sizeof(venet_tap_counter_names);
	for (k = 0; k < t->max_pairs; k++)
		for (i = 0; i < VENET_TAP_NQCOUNTERS; i++) {
			snprintf(data, ETH_GSTRING_LEN,
				 venet_tap_qcounter_fmt[i], k);
			data += ETH_GSTRING_LEN;
		}
}

static void venet_tap_get_ethtool_stats(struct net_device *ndev,
					struct ethtool_stats *stats, u64 *data)
{
	struct venet_tap *t = venet_tap_from_ndev(ndev);
	u32 k;

	venet_tap_counters(t, data);
	data += VENET_TAP_NCOUNTERS;
	for (k = 0; k < t->max_pairs; k++) {
		venet_tap_pair_counters(&t->pairs[k], data);
		data += VENET_TAP_NQCOUNTERS;
	}
}

static int venet_tap_get_coalesce(struct net_device *ndev,
				  struct ethtool_coalesce *ec,
				  struct kernel_ethtool_coalesce *kec,
				  struct netlink_ext_ack *extack)
{
	struct venet_tap *t = venet_tap_from_ndev(ndev);

	ec->tx_max_coalesced_frames = READ_ONCE(t->txmitigation);
	ec->rx_max_coalesced_frames = READ_ONCE(t->burstthresh);
	ec->rx_coalesce_usecs = READ_ONCE(t->linger_us);
	ec->use_adaptive_rx_coalesce = READ_ONCE(t->linger_adaptive);
	return 0;
}

static int venet_tap_set_coalesce(struct net_device *ndev,
				  struct ethtool_coalesce *ec,
				  struct kernel_ethtool_coalesce *kec,
				  struct netlink_ext_ack *extack)
{
	struct venet_tap *t = venet_tap_from_ndev(ndev);

	if (ec->tx_max_coalesced_frames > VENET_TAP_RING) {
		NL_SET_ERR_MSG(extack, "tx-frames (txmitigation) out of range");
		return -EINVAL;
	}
	if (!ec->rx_max_coalesced_frames ||
	    ec->rx_max_coalesced_frames > NAPI_POLL_WEIGHT) {
		NL_SET_ERR_MSG(extack, "rx-frames (burstthresh) out of range");
		return -EINVAL;
	}
	if (ec->rx_coalesce_usecs > VENET_TAP_LINGER_MAX) {
		NL_SET_ERR_MSG(extack, "rx-usecs (linger_us) out of range");
		return -EINVAL;
	}
	venet_tap_set_txmitigation(t, ec->tx_max_coalesced_frames);
	venet_tap_set_burstthresh(t, ec->rx_max_coalesced_frames);
	venet_tap_set_linger(t, ec->rx_coalesce_usecs);
	venet_tap_set_linger_adaptive(t, !!ec->use_adaptive_rx_coalesce);
	return 0;
}

/*
 * RTNL. The rings the bus laid out (0 while on no region): RX is the
 * guest's transmit ring, TX its receive ring. The device asks for
 * VENET_TAP_RING .. VENET_TAP_RING_MAX and gets what the region has room
 * for; set by the region's size and the other devices (read-only here).
 */
static void venet_tap_get_ringparam(struct net_device *ndev,
				    struct ethtool_ringparam *rp,
				    struct kernel_ethtool_ringparam *krp,
				    struct netlink_ext_ack *extack)
{
	struct venet_tap *t = venet_tap_from_ndev(ndev);

	rp->rx_max_pending = VENET_TAP_RING_MAX;
	rp->tx_max_pending = VENET_TAP_RING_MAX;
	if (t->attached) {
		rp->rx_pending = t->pairs[0].txq.mask + 1;
		rp->tx_pending = t->pairs[0].rxq.mask + 1;
	}
}

/* The pairs laid out (max) and those the guest uses (combined). */
static void venet_tap_get_channels(struct net_device *ndev,
				   struct ethtool_channels *ch)
{
	struct venet_tap *t = venet_tap_from_ndev(ndev);

	ch->max_combined = t->attached ? t->npairs : t->max_pairs;
	ch->combined_count = t->active;
}

static const struct ethtool_ops venet_tap_ethtool_ops = {
	.supported_coalesce_params = ETHTOOL_COALESCE_MAX_FRAMES |
				     ETHTOOL_COALESCE_RX_USECS |
				     ETHTOOL_COALESCE_USE_ADAPTIVE_RX,
	.get_drvinfo		= venet_tap_get_drvinfo,
	.get_link		= ethtool_op_get_link,
	.get_sset_count		= venet_tap_get_sset_count,
	.get_strings		= venet_tap_get_strings,
	.get_ethtool_stats	= venet_tap_get_ethtool_stats,
	.get_ringparam		= venet_tap_get_ringparam,
	.get_channels		= venet_tap_get_channels,
	.get_coalesce		= venet_tap_get_coalesce,
	.set_coalesce		= venet_tap_set_coalesce,
};

void venet_tap_set_ethtool_ops(struct net_device *ndev)
{
	ndev->ethtool_ops = &venet_tap_ethtool_ops;
}
