// SPDX-License-Identifier: GPL-2.0
/*
 * Following the host through the liveness words of the
 * region header (docs/abi.md, section 2). QEMU never tells a guest that
 * its peer went away or reset, so the bridge looks at host_state/host_gen
 * on every vector-0 interrupt and once a second, and:
 *
 *   - binds when the host is READY: validates the layout, allocates the
 *     MSI-X vectors, publishes guest_state READY with a new guest_gen,
 *     rings vector 0 and registers the devices;
 *   - unbinds when the host leaves READY or its generation changes:
 *     removes the devices, frees the vectors, acknowledges with
 *     guest_state RESET, and binds again once the host is back.
 */
#include <linux/interrupt.h>

#include "bridge_internal.h"
#include "vbus_signal.h"

#define VBUS_BRIDGE_POLL	HZ

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

static void vbus_bridge_unbind(struct vbus_bridge *b, enum vbus_state ack)
{
	vbus_bridge_del_devices(b);
	free_irq(pci_irq_vector(b->pdev, VBUS_CTRL_VECTOR), b);
	vbus_bridge_vectors_free(b);
	vbus_layout_set_guest_state(b->base, ack, b->guest_gen);
	vbus_bridge_notify_host(b);
	b->bound = false;
}

static void vbus_bridge_bind(struct vbus_bridge *b)
{
	struct device *dev = &b->pdev->dev;
	u32 gen, gen2;
	enum vbus_err verr;
	int err;

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
	if (vbus_bridge_vectors_alloc(b, b->layout.nvectors))
		return;
	err = request_irq(pci_irq_vector(b->pdev, VBUS_CTRL_VECTOR),
			  vbus_bridge_ctrl_irq, 0, "vbus-bridge-ctrl", b);
	if (err) {
		dev_err(dev, "cannot take vector 0: %d\n", err);
		vbus_bridge_vectors_free(b);
		return;
	}
	b->host_gen = gen;
	b->bound = true;
	vbus_signal_enable(&vbus_bridge_hdr(b)->ctrl_to_guest);
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
	if (!b->bound)
		vbus_bridge_bind(b);
	queue_delayed_work(system_wq, &b->work, VBUS_BRIDGE_POLL);
out:
	mutex_unlock(&b->lock);
}

void vbus_bridge_state_init(struct vbus_bridge *b)
{
	u32 gen;

	mutex_init(&b->lock);
	INIT_DELAYED_WORK(&b->work, vbus_bridge_state_work);
	/* continue the generation a previous bind (or kernel) left */
	b->stale = vbus_layout_guest_state(b->base, &gen) == VBUS_STATE_READY;
	b->guest_gen = gen;
}

void vbus_bridge_state_start(struct vbus_bridge *b)
{
	unsigned long delay = 0;

	/*
	 * A kernel before us left the region bound (it died, or rebooted
	 * without a shutdown): let go for it, so the host resets the rings,
	 * and bind a poll period later, once it has.
	 */
	if (b->stale) {
		dev_info(&b->pdev->dev,
			 "region still bound by a previous kernel: resetting\n");
		vbus_layout_set_guest_state(b->base, VBUS_STATE_RESET,
					    b->guest_gen);
		vbus_bridge_notify_host(b);
		delay = VBUS_BRIDGE_POLL;
	}
	mod_delayed_work(system_wq, &b->work, delay);
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
	mutex_unlock(&b->lock);
	cancel_delayed_work_sync(&b->work);
	mutex_destroy(&b->lock);
}
