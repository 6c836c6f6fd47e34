/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Venet.ko, the guest driver of virtual-ethernet devices on a
 * vbus. API grouped by the file that implements it.
 *
 * One device has 1 .. VENET_MAX_PAIRS queue pairs (struct venet_queue):
 * pair k is a TX queue (queue 2k, guest to host frames) and an RX queue
 * (queue 2k + 1, the guest posts empty buffers, the host fills them), one
 * NAPI context for both, and a vector (two if the host planned the queues
 * apart). Pair k is the netdev's TX and RX queue k; the guest uses the
 * first @active pairs (ethtool -L combined, venet_mq.c). TX copies every
 * frame into ring buffers and frees the skb at once, so a TX slot only
 * waits for the host to hand the buffer back.
 */
#ifndef _VENET_H
#define _VENET_H

#include <linux/ethtool.h>
#include <linux/netdevice.h>
#include <linux/u64_stats_sync.h>
#include <net/xdp.h>

#include "vbus_bridge.h"
#include "vbus_frame.h"
#include "vbus_ioq.h"
#include "vbus_signal.h"

#define VENET_NAME		"venet"
#define VENET_TXQ(k)		(2 * (k))
#define VENET_RXQ(k)		(2 * (k) + 1)
#define VENET_MAX_PAIRS		(VBUS_DEV_MAX_QUEUES / 2)
#define VENET_HDR_LEN		VBUS_FRAME_HDR_LEN
#define VENET_NAPI_WEIGHT_MAX	NAPI_POLL_WEIGHT
#define VENET_RX_LINEAR		1536	/* frames up to this stay linear */
#define VENET_RX_HEAD		256	/* head of a paged frame */
/*
 * With an XDP program a frame is copied into one buffer of its own:
 * headroom for the program, the frame, room for the skb_shared_info of
 * XDP_PASS's build_skb. The largest frame it takes (a 4 KiB page: 3520).
 */
#define VENET_XDP_BUF		PAGE_SIZE
#define VENET_XDP_HEADROOM	XDP_PACKET_HEADROOM
#define VENET_XDP_MAX_LEN	(VENET_XDP_BUF - VENET_XDP_HEADROOM - \
				 SKB_DATA_ALIGN(sizeof(struct skb_shared_info)))

struct venet_tx_stats {
	struct u64_stats_sync syncp;
	u64 packets;
	u64 bytes;
	u64 kicks;
	u64 kicks_skipped;
	u64 completions;	/* slots handed back by the host */
	u64 queue_stops;
	u64 drop_oversize;	/* frame needs more than max_chain slots */
	u64 drop_ring_full;
	u64 drop_hdr;		/* offload the header cannot express */
	u64 ring_errors;	/* the host handed back a bad slot */
	u64 xdp_tx;		/* of packets: XDP_TX and ndo_xdp_xmit */
	u64 xdp_tx_drops;	/* XDP frames that found no room */
};

struct venet_rx_stats {
	struct u64_stats_sync syncp;
	u64 packets;
	u64 bytes;
	u64 kicks;
	u64 kicks_skipped;
	u64 polls;
	u64 drop_short;		/* shorter than header + Ethernet header */
	u64 drop_hdr;		/* bad offload metadata */
	u64 drop_nomem;
	u64 ring_errors;
	u64 xdp_packets;	/* frames the XDP program ran on */
	u64 xdp_tx;		/* its verdicts: XDP_TX, sent */
	u64 xdp_redirects;	/* XDP_REDIRECT, redirected */
	u64 xdp_drops;		/* XDP_DROP, ABORTED, or TX/redirect failed */
	u64 drop_xdp_unfit;	/* GSO, partial csum or too long for XDP */
};

struct venet_tunables {
	u32 napi_weight;	/* frames per NAPI pass */
	u32 tx_kick_frames;	/* publish + kick at least every N frames */
	u32 tx_irq_thresh;	/* completion irq only above N slots in flight */
	u32 rx_refill_batch;	/* refill (and maybe kick) N free slots at once */
};

struct venet_priv;

/* Queue pair @index: netdev queue @index of each type, NAPI @index. */
struct venet_queue {
	struct venet_priv *p;
	u32 index;
	struct napi_struct napi;
	char irq_name[32];

	/* TX: under the lock of netdev TX queue @index */
	struct vbus_ioq txq;
	u16 tx_vector;
	u32 tx_unkicked;	/* frames posted since the last publish */
	struct venet_tx_stats tx_stats;

	/* RX: NAPI context */
	struct vbus_ioq rxq;
	u16 rx_vector;
	struct vbus_seg rx_segs[VBUS_CHAIN_MAX];
	u32 rx_nsegs;		/* partial chain carried between passes */
	struct page_pool *rx_pool;	/* frame pages, while the pair runs */
	struct venet_rx_stats rx_stats;
	struct xdp_rxq_info xdp_rxq;	/* registered while the pair runs */
	bool xdp_tx_pending;	/* NAPI: XDP_TX posted, not kicked */
	bool xdp_redirect_pending;	/* NAPI: xdp_do_flush() due */
	bool running;		/* RTNL: NAPI enabled, rxq info registered */

	atomic64_t irqs;
};

struct venet_priv {
	struct net_device *ndev;
	struct vbus_bridge_device *vdev;
	struct vbus_net_config *cfg;
	void *base;

	u32 npairs;		/* laid out and usable */
	u32 active;		/* in use (RTNL): ethtool -L combined */
	u16 mq_seq;		/* of the last request to the host */
	struct bpf_prog __rcu *xdp_prog;	/* set under RTNL */

	u32 link;
	u32 features;		/* accepted VBUS_NET_F_* */
	struct venet_tunables tun;
	struct venet_queue q[VENET_MAX_PAIRS];
};

static inline void *venet_buf(struct venet_priv *p, u64 off)
{
	return (u8 *)p->base + off;
}

/* venet_main.c APIs: */
int venet_pair_start(struct venet_queue *qp);
void venet_pair_stop(struct venet_queue *qp);

/* venet_mq.c APIs: */
int venet_mq_request(struct venet_priv *p, u32 n, bool wait);
void venet_mq_spread(struct venet_priv *p);
void venet_mq_unspread(struct venet_priv *p);
void venet_mq_drain(struct venet_queue *qp);
void venet_get_channels(struct net_device *ndev, struct ethtool_channels *ch);
int venet_set_channels(struct net_device *ndev, struct ethtool_channels *ch);

/* venet_tx.c APIs: */
netdev_tx_t venet_start_xmit(struct sk_buff *skb, struct net_device *ndev);
void venet_tx_clean(struct venet_queue *qp);
bool venet_tx_arm(struct venet_queue *qp);
void venet_tx_settle(struct venet_queue *qp, struct netdev_queue *txq,
		     bool kick);
bool venet_tx_post_plain(struct venet_queue *qp, const void *data, u32 len);

/* venet_rx.c APIs: */
int venet_rx_poll(struct venet_queue *qp, int budget);
void venet_rx_refill(struct venet_queue *qp, bool force);

/* venet_xdp.c APIs: */
int venet_bpf(struct net_device *ndev, struct netdev_bpf *bpf);
int venet_xdp_xmit(struct net_device *ndev, int n, struct xdp_frame **frames,
		   u32 flags);
void venet_xdp_rx(struct venet_queue *qp, struct bpf_prog *prog,
		  const struct vbus_seg *segs, u32 nsegs, u32 len);
void venet_xdp_flush(struct venet_queue *qp);
int venet_xdp_open(struct venet_queue *qp);
void venet_xdp_stop(struct venet_queue *qp);
int venet_change_mtu(struct net_device *ndev, int mtu);
void venet_xdp_init(struct venet_priv *p);

/* venet_ethtool.c APIs: */
void venet_set_ethtool_ops(struct net_device *ndev);

/* venet_nl.c APIs: */
void venet_nl_init(struct venet_priv *p);
void venet_nl_queues(struct venet_queue *qp, bool on);

/* venet_sysfs.c APIs: */
extern const struct attribute_group venet_sysfs_group;
int venet_tunable_set(struct venet_priv *p, u32 *field, u32 val);
u32 venet_tunable_max(struct venet_priv *p, const u32 *field);

#endif /* _VENET_H */
