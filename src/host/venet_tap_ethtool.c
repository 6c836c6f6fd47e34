// SPDX-License-Identifier: GPL-2.0
/*
 * ethtool for venet-tap: -i (driver, version, bus-info = the vbus device
 * name), -g (the rings, read-only), -S (the counters, the same as in
 * sysfs), -C tx-frames = txmitigation, rx-frames = burstthresh and
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
};

/* Every counter, in venet_tap_counter order. */
void venet_tap_counters(struct venet_tap *t, u64 *out)
{
	const struct venet_tap_rx_stats *rx = &t->rx_stats;
	const struct venet_tap_tx_stats *tx = &t->tx_stats;
	unsigned int start;

	out[VENET_TAP_C_KICKS] = atomic64_read(&t->kicks);
	out[VENET_TAP_C_IRQS_SENT] = atomic64_read(&t->irqs_sent);
	out[VENET_TAP_C_IRQS_SUPPRESSED] = atomic64_read(&t->irqs_suppressed);
	out[VENET_TAP_C_RESETS] = atomic64_read(&t->resets);
	do {
		start = u64_stats_fetch_begin(&rx->syncp);
		out[VENET_TAP_C_KICKS_SKIPPED] = rx->kicks_skipped;
		out[VENET_TAP_C_POLLS] = rx->polls;
		out[VENET_TAP_C_LINGERS] = rx->lingers;
		out[VENET_TAP_C_COMPLETIONS] = rx->completions;
		out[VENET_TAP_C_RX_PACKETS] = rx->packets;
		out[VENET_TAP_C_RX_BYTES] = rx->bytes;
		out[VENET_TAP_C_RX_BAD_DESC] = rx->drop_bad_desc;
		out[VENET_TAP_C_RX_BAD_HDR] = rx->drop_bad_hdr;
		out[VENET_TAP_C_RX_NO_BUFFER] = rx->drop_no_buffer;
	} while (u64_stats_fetch_retry(&rx->syncp, start));
	do {
		start = u64_stats_fetch_begin(&tx->syncp);
		out[VENET_TAP_C_TX_PACKETS] = tx->packets;
		out[VENET_TAP_C_TX_BYTES] = tx->bytes;
		out[VENET_TAP_C_TX_RING_FULL] = tx->drop_ring_full;
		out[VENET_TAP_C_TX_BAD_DESC] = tx->drop_bad_desc;
		out[VENET_TAP_C_TX_OVERSIZE] = tx->drop_oversize;
		out[VENET_TAP_C_TX_HDR] = tx->drop_hdr;
		out[VENET_TAP_C_TX_DOWN] = tx->drop_down;
		out[VENET_TAP_C_TX_QUEUE_STOPS] = tx->queue_stops;
	} while (u64_stats_fetch_retry(&tx->syncp, start));
}

/* 0 (a signal per frame) .. ring size */
int venet_tap_set_txmitigation(struct venet_tap *t, u32 val)
{
	if (val > VENET_TAP_RING)
		return -EINVAL;
	WRITE_ONCE(t->txc.every, val);
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

static int venet_tap_get_sset_count(struct net_device *ndev, int sset)
{
	return sset == ETH_SS_STATS ? VENET_TAP_NCOUNTERS : -EOPNOTSUPP;
}

static void venet_tap_get_strings(struct net_device *ndev, u32 sset, u8 *data)
{
	if (sset == ETH_SS_STATS)
		memcpy(data, venet_tap_counter_names,
		       sizeof(venet_tap_counter_names));
}

static void venet_tap_get_ethtool_stats(struct net_device *ndev,
					struct ethtool_stats *stats, u64 *data)
{
	venet_tap_counters(venet_tap_from_ndev(ndev), data);
}

static int venet_tap_get_coalesce(struct net_device *ndev,
				  struct ethtool_coalesce *ec,
				  struct kernel_ethtool_coalesce *kec,
				  struct netlink_ext_ack *extack)
{
	struct venet_tap *t = venet_tap_from_ndev(ndev);

	ec->tx_max_coalesced_frames = READ_ONCE(t->txc.every);
	ec->rx_max_coalesced_frames = READ_ONCE(t->burstthresh);
	ec->rx_coalesce_usecs = READ_ONCE(t->linger_us);
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
	return 0;
}

/*
 * The rings this device asks of the bus (fixed): RX is the guest's
 * transmit ring, TX its receive ring.
 */
static void venet_tap_get_ringparam(struct net_device *ndev,
				    struct ethtool_ringparam *rp,
				    struct kernel_ethtool_ringparam *krp,
				    struct netlink_ext_ack *extack)
{
	rp->rx_max_pending = VENET_TAP_RING;
	rp->rx_pending = VENET_TAP_RING;
	rp->tx_max_pending = VENET_TAP_RING;
	rp->tx_pending = VENET_TAP_RING;
}

static const struct ethtool_ops venet_tap_ethtool_ops = {
	.supported_coalesce_params = ETHTOOL_COALESCE_MAX_FRAMES |
				     ETHTOOL_COALESCE_RX_USECS,
	.get_drvinfo		= venet_tap_get_drvinfo,
	.get_link		= ethtool_op_get_link,
	.get_sset_count		= venet_tap_get_sset_count,
	.get_strings		= venet_tap_get_strings,
	.get_ethtool_stats	= venet_tap_get_ethtool_stats,
	.get_ringparam		= venet_tap_get_ringparam,
	.get_coalesce		= venet_tap_get_coalesce,
	.set_coalesce		= venet_tap_set_coalesce,
};

void venet_tap_set_ethtool_ops(struct net_device *ndev)
{
	ndev->ethtool_ops = &venet_tap_ethtool_ops;
}
