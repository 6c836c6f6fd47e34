/* SPDX-License-Identifier: GPL-2.0 */
/*
 * venet-tap.ko: the host end of a vbus virtual-ethernet device, an
 * ordinary netdev (venet-tapN) that can be bridged or routed. API grouped
 * by the file that implements it.
 *
 * A device has 1 .. max_queue_pairs queue pairs (struct venet_tap_pair).
 * In pair k, queue 2k (VENET_TAP_TXQ(k)) carries the guest's transmitted
 * frames to the host; queue 2k + 1 (VENET_TAP_RXQ(k)) holds the empty
 * buffers the guest posts for the frames the host sends. Both queues of
 * a pair share one vector, so that a poll pass that both completes guest
 * frames and sends a reply costs the guest a single interrupt. Pair k is
 * the netdev's TX and RX queue k, with a NAPI of its own. Every pair laid
 * out is polled; the host sends on the first @active only, the number the
 * guest asked for (venet_tap_mq.c).
 *
 * Locking: RTNL serialises the configuration (enabled, attach, detach,
 * guest liveness, MTU, client_mac, queue pairs); @up is the data-path
 * switch, written under RTNL and read without a lock. A pair's guest TX
 * ring belongs to its NAPI poll, its guest RX ring to ndo_start_xmit
 * (the TX lock of netdev queue k).
 */
#ifndef _VENET_TAP_H
#define _VENET_TAP_H

#include <linux/atomic.h>
#include <linux/etherdevice.h>
#include <linux/ethtool.h>
#include <linux/hrtimer.h>
#include <linux/mutex.h>
#include <linux/netdevice.h>
#include <linux/u64_stats_sync.h>
#include <linux/workqueue.h>

#include "vbus_class.h"
#include "vbus_frame.h"
#include "vbus_ioq.h"
#include "vbus_signal.h"
#include "vbus_txc.h"

#define VENET_TAP_NAME		"venet-tap"
#define VENET_TAP_VERSION	"1.0"
#define VENET_TAP_TXQ(k)	(2 * (k))	/* guest -> host frames */
#define VENET_TAP_RXQ(k)	(2 * (k) + 1)	/* host -> guest frames */
#define VENET_TAP_MAX_PAIRS	(VBUS_DEV_MAX_QUEUES / 2)
#define VENET_TAP_PAIRS_DEF	1	/* max_queue_pairs: docs/venet-tap.md */
#define VENET_TAP_HDR_LEN	VBUS_FRAME_HDR_LEN
#define VENET_TAP_RING		256
/* as the region allows: 512 in the default 4 MiB, 1024 from 8 MiB */
#define VENET_TAP_RING_MAX	1024
#define VENET_TAP_BUF		2048
#define VENET_TAP_CHAIN		VBUS_NET_CHAIN(VENET_TAP_BUF)
#define VENET_TAP_MAX_MTU	65535
#define VENET_TAP_TXMIT_DEF	10
#define VENET_TAP_LINGER_MAX	1000	/* us */
#define VENET_TAP_LINGER_DEF	1000	/* us: the longest; adaptive below */
#define VENET_TAP_SENT		0	/* bit of venet_tap.sent */
#define VENET_TAP_RX_LINEAR	1536	/* frames up to this stay linear */
#define VENET_TAP_RX_HEAD	256	/* linear head of a paged frame */
#define VENET_TAP_FEATURES	(VBUS_NET_F_CSUM | VBUS_NET_F_GUEST_CSUM | \
				 VBUS_NET_F_HOST_TSO4 | \
				 VBUS_NET_F_HOST_TSO6 | \
				 VBUS_NET_F_GUEST_TSO4 | \
				 VBUS_NET_F_GUEST_TSO6 | VBUS_NET_F_MTU | \
				 VBUS_NET_F_MQ)

/* Guest frames received by the host; written by the NAPI poll only. */
struct venet_tap_rx_stats {
	struct u64_stats_sync syncp;
	u64 packets;
	u64 bytes;
	u64 polls;
	u64 kicks_skipped;	/* passes that found frames without a kick */
	u64 lingers;		/* lingers begun (linger_us) */
	u64 completions;	/* tx-complete signals due (txmitigation) */
	u64 drop_bad_desc;
	u64 drop_bad_hdr;
	u64 drop_no_buffer;	/* no host memory for the skb */
};

/* Host frames sent to the guest; written under the netdev TX lock. */
struct venet_tap_tx_stats {
	struct u64_stats_sync syncp;
	u64 packets;
	u64 bytes;
	u64 drop_ring_full;	/* the guest posted too few RX buffers */
	u64 drop_bad_desc;
	u64 drop_oversize;
	u64 drop_hdr;		/* offload the header cannot express */
	u64 drop_down;
	u64 queue_stops;
};

struct venet_tap;

/* One queue pair: netdev queue k, NAPI k, rings 2k and 2k + 1. */
struct venet_tap_pair {
	struct venet_tap *t;
	u32 index;
	struct napi_struct napi;

	/* guest TX ring: NAPI */
	struct vbus_ioq txq;
	struct vbus_txc txc;
	struct vbus_seg rx_segs[VBUS_CHAIN_MAX];
	int poll_cpu;			/* CPU running the poll, or -1 */
	u32 defer;			/* BIT(0) TX, BIT(1) RX ring: notify
					 * at the pass end
					 */
	bool kicked;			/* a doorbell since the last pass */
	bool lingering;			/* the last pass chose to linger */
	u64 linger_ns;			/* the linger's length, adaptive */
	u64 linger_miss;		/* ns: a linger found nothing, then */
	struct hrtimer linger;
	struct page_pool *rx_pool;	/* frame pages, while up */
	struct venet_tap_rx_stats rx_stats;

	/* guest RX ring: TX lock of netdev queue @index */
	struct vbus_ioq rxq;
	struct vbus_seg tx_segs[VBUS_CHAIN_MAX];
	bool tx_unsignalled;		/* completed, not yet injected */
	unsigned long sent;		/* VENET_TAP_SENT: a frame went to the
					 * guest since the last pass (atomic)
					 */
	struct venet_tap_tx_stats tx_stats;
};

struct venet_tap {
	struct vbus_device *vdev;
	struct net_device *ndev;	/* while enabled */
	u8 client_mac[ETH_ALEN];
	u8 host_mac[ETH_ALEN];
	u32 mtu;
	bool open;			/* host netdev administratively up */

	/* while attached (RTNL) */
	bool attached;
	bool up;			/* data path live: NAPI enabled */
	bool broken;			/* a guest ring error stopped us */
	bool guest_ready;		/* guest_state READY */
	bool guest_opened;		/* the guest has posted RX buffers */
	void *base;
	struct vbus_net_config *cfg;
	u32 guest_features;		/* accepted VBUS_NET_F_*, cached */
	u32 link;			/* what we wrote to cfg->link */
	struct work_struct reset_work;

	/* queue pairs (RTNL) */
	u32 max_pairs;			/* max_queue_pairs: laid out at attach */
	u32 npairs;			/* laid out, while attached */
	u32 active;			/* the host sends on pairs 0 .. active-1 */
	u32 mq_seen;			/* NAPI 0: the last mq_request seen */
	struct work_struct mq_work;
	struct mutex mq_lock;		/* max_pairs writers */
	struct venet_tap_pair pairs[VENET_TAP_MAX_PAIRS];

	u32 txmitigation;		/* txc.every of every pair */
	u32 burstthresh;		/* frames per poll pass */
	u32 linger_us;			/* longest linger (venet_tap_linger.c) */
	u32 linger_adaptive;		/* 1: it follows the stream; 0: linger_us */
	atomic64_t kicks;		/* guest doorbells */
	atomic64_t irqs_sent;
	atomic64_t irqs_suppressed;
	atomic64_t resets;
	atomic64_t mq_changes;		/* queue pair requests applied */
	atomic64_t mq_refused;		/* and refused */
};

static inline struct venet_tap *venet_tap_from_ndev(struct net_device *ndev)
{
	return *(struct venet_tap **)netdev_priv(ndev);
}

/* one of a pair's rx_stats, from its NAPI pass */
static inline void venet_tap_rx_count(struct venet_tap_pair *qp, u64 *ctr)
{
	u64_stats_update_begin(&qp->rx_stats.syncp);
	(*ctr)++;
	u64_stats_update_end(&qp->rx_stats.syncp);
}

static inline void *venet_tap_buf(struct venet_tap *t, u64 off)
{
	return (u8 *)t->base + off;
}

/* venet_tap_main.c APIs: */
void venet_tap_ring_error(struct venet_tap *t, unsigned int queue,
			  enum vbus_err err);
void venet_tap_signal(struct venet_tap_pair *qp, unsigned int queue);
void venet_tap_notify(struct venet_tap *t, unsigned int queue);
void venet_tap_write_config(struct venet_tap *t);

/* venet_tap_netdev.c APIs: */
int venet_tap_netdev_create(struct venet_tap *t);
void venet_tap_netdev_destroy(struct venet_tap *t);
void venet_tap_netdev_pairs(struct venet_tap *t, u32 n);
int venet_tap_poll(struct napi_struct *napi, int budget);
void venet_tap_sync(struct venet_tap *t);
void venet_tap_carrier(struct venet_tap *t);
void venet_tap_write_link(struct venet_tap *t);

/* venet_tap_linger.c APIs: */
void venet_tap_linger_init(struct venet_tap_pair *qp);
void venet_tap_linger_cut(struct venet_tap_pair *qp);
bool venet_tap_pure_ack(const struct sk_buff *skb);
u64 venet_tap_linger_ns(struct venet_tap_pair *qp, int done);

/* venet_tap_rx.c APIs: */
int venet_tap_rx_poll(struct venet_tap_pair *qp, int budget);

/* venet_tap_tx.c APIs: */
netdev_tx_t venet_tap_start_xmit(struct sk_buff *skb, struct net_device *ndev);
void venet_tap_tx_poll(struct venet_tap_pair *qp);
netdev_features_t venet_tap_features_check(struct sk_buff *skb,
					   struct net_device *ndev,
					   netdev_features_t features);

/* venet_tap_ethtool.c APIs: */
enum venet_tap_counter {
	VENET_TAP_C_KICKS,
	VENET_TAP_C_KICKS_SKIPPED,
	VENET_TAP_C_POLLS,
	VENET_TAP_C_LINGERS,
	VENET_TAP_C_IRQS_SENT,
	VENET_TAP_C_IRQS_SUPPRESSED,
	VENET_TAP_C_COMPLETIONS,
	VENET_TAP_C_RX_PACKETS,
	VENET_TAP_C_RX_BYTES,
	VENET_TAP_C_TX_PACKETS,
	VENET_TAP_C_TX_BYTES,
	VENET_TAP_C_RX_BAD_DESC,
	VENET_TAP_C_RX_BAD_HDR,
	VENET_TAP_C_RX_NO_BUFFER,
	VENET_TAP_C_TX_RING_FULL,
	VENET_TAP_C_TX_BAD_DESC,
	VENET_TAP_C_TX_OVERSIZE,
	VENET_TAP_C_TX_HDR,
	VENET_TAP_C_TX_DOWN,
	VENET_TAP_C_TX_QUEUE_STOPS,
	VENET_TAP_C_RESETS,
	VENET_TAP_C_MQ_CHANGES,
	VENET_TAP_C_MQ_REFUSED,
	VENET_TAP_NCOUNTERS
};

/* per pair in ethtool -S, after the device's: rxK_packets, ... */
#define VENET_TAP_NQCOUNTERS	4

extern const char venet_tap_counter_names[VENET_TAP_NCOUNTERS][ETH_GSTRING_LEN];
void venet_tap_counters(struct venet_tap *t, u64 *out);
void venet_tap_pair_counters(struct venet_tap_pair *qp, u64 *out);
void venet_tap_set_ethtool_ops(struct net_device *ndev);
int venet_tap_set_txmitigation(struct venet_tap *t, u32 val);
int venet_tap_set_burstthresh(struct venet_tap *t, u32 val);
int venet_tap_set_linger(struct venet_tap *t, u32 usecs);
int venet_tap_set_linger_adaptive(struct venet_tap *t, u32 on);

/* venet_tap_nl.c APIs: */
void venet_tap_nl_init(struct net_device *ndev);
void venet_tap_nl_queues(struct venet_tap *t, struct net_device *ndev,
			 bool on);

/* venet_tap_mq.c APIs: */
void venet_tap_mq_init(struct venet_tap *t);
void venet_tap_mq_create(struct venet_tap *t, struct vbus_device_needs *needs);
void venet_tap_mq_reset(struct venet_tap *t);
void venet_tap_mq_poll(struct venet_tap *t);
void venet_tap_mq_apply(struct venet_tap *t);
void venet_tap_mq_xps(struct venet_tap *t);
int venet_tap_set_max_pairs(struct venet_tap *t, u32 n);

/* venet_tap_sysfs.c APIs: */
extern const struct attribute_group *venet_tap_groups[];

#endif /* _VENET_TAP_H */
