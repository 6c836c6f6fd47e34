// SPDX-License-Identifier: GPL-2.0
/*
 * The linger: while the guest streams to the host, a NAPI pass that took
 * frames leaves the guest's doorbell masked and polls again from an
 * hrtimer, so that the guest's next frames are picked up by the timer
 * rather than by a doorbell (a VM exit) each. The first pass that finds
 * nothing re-enables the doorbell.
 *
 * Whether: only while the guest streams, that is while nothing but pure
 * TCP ACKs went to the guest since the last pass (VENET_TAP_SENT). Any
 * other frame sent to the guest is likely a reply, or a request that the
 * guest answers: its next frame must ring, not wait for the timer. So
 * request/response traffic does not linger, and such a frame cuts a
 * linger in progress short. A pure ACK asks nothing of the guest at once:
 * a TCP stream from the guest lingers across the ACKs that keep it going.
 *
 * How long: adaptive, never more than linger_us. A linger that found
 * nothing ends with the doorbell on, and the guest's next frame rings
 * some time later. If the gap between the stream's frames (that time and
 * the linger's own) was under linger_us, the stream was slower than the
 * linger: the next one lasts that gap and a quarter, long enough to catch
 * the next frame. A lingering pass that takes half a burst (burstthresh)
 * or more halves it: the guest is faster than the linger and should not
 * queue up behind it. So the linger follows the stream's own pace: some
 * microseconds where a doorbell costs microseconds, hundreds in an
 * emulated nest. With linger_adaptive 0 (ethtool -C adaptive-rx off)
 * every linger lasts linger_us.
 */
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include "vbus_compat.h"
#include "venet_tap.h"

#define VENET_TAP_LINGER_START_NS	(50 * NSEC_PER_USEC)
#define VENET_TAP_LINGER_MIN_NS		(5 * NSEC_PER_USEC)

/* HARDIRQ: the linger is over, poll once more (doorbell still masked). */
static enum hrtimer_restart venet_tap_linger_fire(struct hrtimer *timer)
{
	struct venet_tap_pair *qp = container_of(timer, struct venet_tap_pair,
						 linger);

	if (READ_ONCE(qp->t->up))
		napi_schedule(&qp->napi);
	return HRTIMER_NORESTART;
}

/* Each pair lingers on its own: its stream, its pace. */
void venet_tap_linger_init(struct venet_tap_pair *qp)
{
	vbus_hrtimer_setup(&qp->linger, venet_tap_linger_fire,
			   CLOCK_MONOTONIC, HRTIMER_MODE_REL);
	qp->linger_ns = VENET_TAP_LINGER_START_NS;
}

/*
 * A frame other than a pure ACK went to the guest: a linger in progress
 * ends now, the guest's answer must not wait for the timer. The pass
 * scheduled instead of the timer's sees VENET_TAP_SENT and re-enables the
 * doorbell. A timer whose callback runs already (-1) schedules that pass
 * itself.
 */
void venet_tap_linger_cut(struct venet_tap_pair *qp)
{
	if (hrtimer_try_to_cancel(&qp->linger) == 1)
		napi_schedule(&qp->napi);
}

/*
 * A TCP segment without payload, SYN, FIN or RST, as the host's stack
 * builds it (headers in the linear part). Anything else, or anything not
 * parsed here, counts as a frame the guest may have to answer.
 */
bool venet_tap_pure_ack(const struct sk_buff *skb)
{
	const struct tcphdr *th;
	u32 thoff;

	if (skb_is_gso(skb) || !skb_transport_header_was_set(skb))
		return false;
	switch (skb->protocol) {
	case htons(ETH_P_IP):
		if (skb_network_header_len(skb) < sizeof(struct iphdr) ||
		    ip_hdr(skb)->protocol != IPPROTO_TCP)
			return false;
		break;
	case htons(ETH_P_IPV6):
		if (skb_network_header_len(skb) != sizeof(struct ipv6hdr) ||
		    ipv6_hdr(skb)->nexthdr != IPPROTO_TCP)
			return false;
		break;
	default:
		return false;
	}
	thoff = skb_transport_offset(skb);
	if (thoff + sizeof(*th) > skb_headlen(skb))
		return false;
	th = tcp_hdr(skb);
	return !th->syn && !th->fin && !th->rst &&
	       skb->len == thoff + th->doff * 4;
}

/*
 * NAPI, before napi_complete_done() (the state is the pass's own): how
 * long a pass that took @done frames leaves the doorbell masked before
 * polling again, in ns; 0: re-enable it now.
 */
u64 venet_tap_linger_ns(struct venet_tap_pair *qp, int done)
{
	struct venet_tap *t = qp->t;
	bool sent = test_bit(VENET_TAP_SENT, &qp->sent) &&
		    test_and_clear_bit(VENET_TAP_SENT, &qp->sent);
	u64 cap = (u64)READ_ONCE(t->linger_us) * NSEC_PER_USEC;
	u64 now, gap;

	if (!cap || sent) {
		qp->lingering = false;
		qp->linger_miss = 0;
		return 0;
	}
	if (!done) {
		/* this linger caught nothing: when does the next frame come? */
		qp->linger_miss = qp->lingering ? ktime_get_ns() : 0;
		qp->lingering = false;
		return 0;
	}
	if (!READ_ONCE(t->linger_adaptive)) {
		/* fixed: every linger lasts linger_us */
		qp->linger_ns = cap;
		qp->linger_miss = 0;
	} else if (qp->linger_miss) {
		now = ktime_get_ns();
		gap = now - qp->linger_miss + qp->linger_ns;
		if (gap <= cap)
			qp->linger_ns = min(gap + gap / 4, cap);
		qp->linger_miss = 0;
	} else if (qp->lingering && done >= READ_ONCE(t->burstthresh) / 2) {
		qp->linger_ns = max_t(u64, qp->linger_ns / 2,
				      VENET_TAP_LINGER_MIN_NS);
	}
	qp->linger_ns = clamp_t(u64, qp->linger_ns, VENET_TAP_LINGER_MIN_NS, cap);
	if (!qp->lingering)
		venet_tap_rx_count(qp, &qp->rx_stats.lingers);
	qp->lingering = true;
	return qp->linger_ns;
}
