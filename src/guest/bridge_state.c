// SPDX-License-Identifier: GPL-2.0
/*
 * Following the host through the liveness words of the
 * region header (docs/abi.md, section 2). QEMU never tells a guest that
 * its peer went away or reset, so the bridge looks at host_state/host_gen
 * on every vector-0 interrupt and once a second, and:
 *
 *   - binds when the host is READY: validates the layout, publishes
 *     guest_state READY with a new guest_gen, rings vector 0 and
 *     registers the devices;
 *   - unbinds when the host leaves READY or its generation changes:
 *     removes the devices, lets go with guest_state RESET, and binds
 *     again only once the host has acknowledged that it reset what we let
 *     go of (host_ack_gen = our guest_gen, host_state READY): never onto
 *     rings the host has yet to reset. So does a bridge that finds the
 *     region let go of (or still bound) by a driver before it.
 *
 * The MSI-X vectors and vector 0's interrupt are taken once, for the
 * bridge's life: the host signals its acknowledgement on vector 0.
 */
#include <linux/interrupt.h>

#include "bridge_internal.h"
#include "vbus_signal.h"

#define VBUS_BRIDGE_POLL	HZ
/* a host that has not acknowledged a let-go by then never will */
#define VBUS_BRIDGE_ACK_WAIT	(5 * HZ)

static struct vbus_shm_header *vbus_bridge_hdr(struct vbus_bridge *b)
{
	return b->base;
}

/*
 * Tell the host that our state changed. Always rung, whatever the signal
 * words say: they are in shared memory, and a bind or unbind must reach
 * the host even after something overwrote them (the host then restores
 * its part of the region, docs/security.md). It happens rarely.
 */
static void vbus_bridge_notify_host(struct vbus_bridge *b)
{
	vbus_signal_inject(&vbus_bridge_hdr(b)->ctrl_to_host);
	vbus_bridge_doorbell(b, VBUS_CTRL_VECTOR);
}

static irqreturn_t vbus_bridge_ctrl_irq(int irq, void *data)
{
	struct vbus_bridge *b = data;

	b->ctrl_irqs++;
	vbus_signal_ack(&vbus_bridge_hdr(b)->ctrl_to_guest);
	mod_delayed_work(system_wq, &b->work, 0);
	return IRQ_HANDLED;
}

/*
 * Let go of the region under our guest_gen: @state (RESET, or GONE for
 * good) and a doorbell; the host resets what we let go of and
 * acknowledges it with host_ack_gen before we bind again.
 */
static void vbus_bridge_let_go(struct vbus_bridge *b, enum vbus_state state)
{
	/*
	 * The host generation that hears the let-go: read before the host
	 * is told, or a host that answers at once by attaching anew (a
	 * zeroed region, no acknowledgement) would pass for that one, and
	 * the let-go would never be said to it again.
	 */
	vbus_layout_host_state(b->base, &b->letgo_host_gen);
	b->letgo = true;
	b->ack_warned = false;
	b->letgo_at = jiffies;
	vbus_layout_set_guest_state(b->base, state, b->guest_gen);
	vbus_bridge_notify_host(b);
}

static void vbus_bridge_unbind(struct vbus_bridge *b, enum vbus_state ack)
{
	vbus_bridge_del_devices(b);
	b->bound = false;
	vbus_bridge_let_go(b, ack);
}

/*
 * The vectors and vector 0's handler, once. A failure is logged the first
 * time, counted, and retried quietly at every poll.
 */
static bool vbus_bridge_irqs(struct vbus_bridge *b)
{
	struct device *dev = &b->pdev->dev;
	int err;

	if (b->irqs)
		return true;
	err = vbus_bridge_vectors_alloc(b);
	if (!err) {
		err = request_irq(pci_irq_vector(b->pdev, VBUS_CTRL_VECTOR),
				  vbus_bridge_ctrl_irq, 0, "vbus-bridge-ctrl",
				  b);
		if (err)
			vbus_bridge_vectors_free(b);
	}
	if (err) {
		if (!b->irq_failures++)
			dev_err(dev, "cannot set up MSI-X vectors: %d (retried every second; logged once)\n",
				err);
		return false;
	}
	if (b->irq_failures)
		dev_info(dev, "MSI-X vectors set up after %lu failed attempt(s)\n",
			 b->irq_failures);
	b->irqs = true;
	vbus_signal_enable(&vbus_bridge_hdr(b)->ctrl_to_guest);
	return true;
}

static void vbus_bridge_irqs_free(struct vbus_bridge *b)
{
	if (!b->irqs)
		return;
	free_irq(pci_irq_vector(b->pdev, VBUS_CTRL_VECTOR), b);
	vbus_bridge_vectors_free(b);
	b->irqs = false;
}

/*
 * After a let-go: may we bind? Once the host acknowledged it. A host that
 * attached anew since (a new host_gen, READY) did not hear the let-go,
 * which it zeroed with the region: say it again. A host that is READY
 * and does not answer in VBUS_BRIDGE_ACK_WAIT is not waited for any
 * longer; one that is not READY (resetting, detached) is.
 */
static bool vbus_bridge_ack_done(struct vbus_bridge *b)
{
	u32 state, gen;

	if (!b->letgo)
		return true;
	if (vbus_layout_host_acked(b->base, b->guest_gen)) {
		b->letgo = false;
		return true;
	}
	state = vbus_layout_host_state(b->base, &gen);
	if (state == VBUS_STATE_READY && gen != b->letgo_host_gen) {
		vbus_layout_set_guest_state(b->base, VBUS_STATE_RESET,
					    b->guest_gen);
		vbus_bridge_notify_host(b);
		b->letgo_host_gen = gen;
		b->letgo_at = jiffies;
		return false;
	}
	if (state != VBUS_STATE_READY)
		b->letgo_at = jiffies;
	if (time_before(jiffies, b->letgo_at + VBUS_BRIDGE_ACK_WAIT))
		return false;
	if (!b->ack_warned)
		dev_warn(&b->pdev->dev,
			 "host has not acknowledged the reset of generation %u in %u s: binding all the same\n",
			 b->guest_gen, VBUS_BRIDGE_ACK_WAIT / HZ);
	b->ack_warned = true;
	b->letgo = false;
	return true;
}

static void vbus_bridge_bind(struct vbus_bridge *b)
{
	struct device *dev = &b->pdev->dev;
	u32 gen, gen2;
	enum vbus_err verr;

	if (vbus_layout_host_state(b->base, &gen) != VBUS_STATE_READY)
		return;
	verr = vbus_layout_read(b->base, b->size, &b->layout);
	if (!verr && (vbus_layout_host_state(b->base, &gen2) !=
		      VBUS_STATE_READY || gen2 != gen))
		verr = VBUS_E_NOT_READY;	/* reset under us: next time */
	if (verr) {
		if (verr != b->last_err)
			dev_err(dev, "host layout rejected: %s\n",
				vbus_err_name(verr));
		b->last_err = verr;
		return;
	}
	b->last_err = VBUS_OK;
	if (b->layout.nvectors > b->nvectors) {
		if (!b->nvec_warned)
			dev_err(dev, "host layout needs %u MSI-X vectors, the device has %u (retried every second; logged once)\n",
				b->layout.nvectors, b->nvectors);
		b->nvec_warned = true;
		b->irq_failures++;
		return;
	}
	b->nvec_warned = false;
	b->host_gen = gen;
	b->bound = true;
	vbus_layout_set_guest_state(b->base, VBUS_STATE_READY, ++b->guest_gen);
	vbus_bridge_notify_host(b);
	dev_info(dev, "bound to host generation %u: %u device(s), %u vector(s)\n",
		 gen, b->layout.ndevices, b->layout.nvectors);
	vbus_bridge_add_devices(b);
}

static void vbus_bridge_state_work(struct work_struct *work)
{
	struct vbus_bridge *b = container_of(to_delayed_work(work),
					     struct vbus_bridge, work);
	u32 state, gen;

	mutex_lock(&b->lock);
	if (b->dying)
		goto out;
	state = vbus_layout_host_state(b->base, &gen);
	if (b->bound && (state != VBUS_STATE_READY || gen != b->host_gen)) {
		dev_info(&b->pdev->dev,
			 "host reset (state %u, generation %u -> %u)\n",
			 state, b->host_gen, gen);
		b->resets++;
		vbus_bridge_unbind(b, VBUS_STATE_RESET);
	}
	if (!b->bound && vbus_bridge_irqs(b) && vbus_bridge_ack_done(b))
		vbus_bridge_bind(b);
	queue_delayed_work(system_wq, &b->work, VBUS_BRIDGE_POLL);
out:
	mutex_unlock(&b->lock);
}

void vbus_bridge_state_init(struct vbus_bridge *b)
{
	u32 state, gen;

	mutex_init(&b->lock);
	INIT_DELAYED_WORK(&b->work, vbus_bridge_state_work);
	/* continue the generation a previous bind (or kernel) left */
	state = vbus_layout_guest_state(b->base, &gen);
	b->stale = state == VBUS_STATE_READY;
	b->guest_gen = gen;
	/* a driver before us let go: bind once the host has reset for it */
	if (state == VBUS_STATE_RESET || state == VBUS_STATE_GONE) {
		b->letgo = true;
		b->letgo_at = jiffies;
		vbus_layout_host_state(b->base, &b->letgo_host_gen);
	}
}

void vbus_bridge_state_start(struct vbus_bridge *b)
{
	/*
	 * A kernel before us left the region bound (it died, or rebooted
	 * without a shutdown): let go for it, and bind once the host has
	 * reset the rings and said so.
	 */
	if (b->stale) {
		dev_info(&b->pdev->dev,
			 "region still bound by a previous kernel: resetting\n");
		mutex_lock(&b->lock);
		vbus_bridge_let_go(b, VBUS_STATE_RESET);
		mutex_unlock(&b->lock);
	}
	mod_delayed_work(system_wq, &b->work, 0);
}

void vbus_bridge_state_stop(struct vbus_bridge *b)
{
	mutex_lock(&b->lock);
	b->dying = true;
	if (b->bound)
		vbus_bridge_unbind(b, VBUS_STATE_GONE);
	else
		vbus_layout_set_guest_state(b->base, VBUS_STATE_GONE,
					    b->guest_gen);
	vbus_bridge_irqs_free(b);
	mutex_unlock(&b->lock);
	cancel_delayed_work_sync(&b->work);
	mutex_destroy(&b->lock);
}
