// SPDX-License-Identifier: GPL-2.0
/*
 * Attaching a bus instance to a guest and detaching it.
 *
 * Attach (vbus_lock held; region mapped and eventfds taken by the caller):
 *   plan the layout, write header and device table, reset the queues,
 *   pin the configfs directories, attach every device, hook the doorbells,
 *   publish host_state READY and ring the guest's control vector.
 * Detach, the same backwards: unhook the doorbells (no dispatch after
 *   that), stop the control work, detach every device (no device touches
 *   the region or signals after that), flush deferred signals, publish
 *   GONE, unpin. The caller then releases the eventfds and unmaps.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>
#include <linux/workqueue.h>

#include "vbus_compat.h"
#include "vbus_core.h"
#include "vbus_ioq.h"
#include "vbus_signal.h"

struct vbus_transport *vbus_transport_alloc(u32 nvectors)
{
	struct vbus_transport *xport;

	xport = kvzalloc(sizeof(*xport), GFP_KERNEL);
	if (xport)
		xport->nvectors = nvectors;
	return xport;
}

void vbus_transport_free(struct vbus_transport *xport)
{
	kvfree(xport);
}

static struct vbus_shm_header *vbus_transport_hdr(struct vbus_transport *x)
{
	return x->shm.base;
}

/*
 * Vector 0: the guest changed its liveness word or asks for attention.
 * Process context; the devices hear about state changes through ops->ctrl.
 *
 * A guest that is not READY has let go of the region (or says so): the
 * host says host_state RESET (from the moment it sees the let-go, held
 * down by the rate below or not), rewrites its part of the header, the
 * device table and the control signals from its private plan, the
 * devices reset their rings and config blocks (ops->ctrl), and then it
 * acknowledges: host_ack_gen = the guest_gen the guest let go under,
 * host_state READY, and an interrupt on the guest's vector 0. A guest
 * binds again only after that acknowledgement (docs/abi.md, section 2),
 * so the reset never lands on a driver that is bound, and a reset held
 * down makes the guest wait, not race. So whatever a guest wrote over the
 * host's part, a driver that rebinds finds the layout it was given at
 * attach. Done on every such doorbell, changed or not: it is idempotent,
 * and a guest cannot make the host skip it by writing its next liveness
 * value early. A doorbell that found the guest not READY
 * (VBUS_CTRL_RESET_SEEN) makes the next run reset even if the guest is
 * READY again by then, unless that let-go was acknowledged already.
 */
/*
 * How often a guest may make the host act on a new state: each change
 * resets every device of the instance (venet-tap: under RTNL, the lock of
 * every netdev of the host, with an RCU grace period and carrier events).
 * A burst of VBUS_CTRL_BURST, then VBUS_CTRL_RATE per second: a driver
 * that binds, unbinds and binds again (rmmod, insmod, a reboot) never
 * waits; a guest that flips its liveness words in a loop is held down to
 * the rate. A change held down is not lost: the work runs again when a
 * token is due and acts on the state the guest has then (changes in
 * between coalesce, as doorbells do).
 */
#define VBUS_CTRL_BURST		8
#define VBUS_CTRL_RATE		4	/* per second */
#define VBUS_CTRL_PERIOD	(HZ / VBUS_CTRL_RATE)

/* 0 if a change may be acted on now, else the jiffies until it may. */
static unsigned long vbus_transport_ctrl_wait(struct vbus_transport *xport)
{
	unsigned long n = (jiffies - xport->ctrl_refill) / VBUS_CTRL_PERIOD;

	if (n) {
		xport->ctrl_refill += n * VBUS_CTRL_PERIOD;
		xport->ctrl_tokens = min_t(unsigned long,
					   xport->ctrl_tokens + n,
					   VBUS_CTRL_BURST);
	}
	if (xport->ctrl_tokens) {
		xport->ctrl_tokens--;
		return 0;
	}
	atomic64_inc(&xport->inst->guest_resets_held);
	if (!xport->ctrl_warned) {
		xport->ctrl_warned = true;
		pr_warn("instance %s: the guest changes its state more than %u times a second: held to that rate (guest_resets_held counts)\n",
			vbus_instance_name(xport->inst), VBUS_CTRL_RATE);
	}
	return xport->ctrl_refill + VBUS_CTRL_PERIOD - jiffies;
}

static void vbus_transport_ctrl_work(struct work_struct *work)
{
	struct vbus_transport *xport = container_of(to_delayed_work(work),
						    struct vbus_transport,
						    ctrl_work);
	struct vbus_shm_header *hdr = vbus_transport_hdr(xport);
	unsigned long wait;
	u32 state, gen, seen_gen, i;
	bool ready, seen;

	vbus_signal_ack(&hdr->ctrl_to_host);
	seen = test_and_clear_bit(VBUS_CTRL_RESET_SEEN, &xport->ctrl_flags);
	seen_gen = READ_ONCE(xport->ctrl_seen_gen);
	state = vbus_layout_guest_state(hdr, &gen);
	ready = state == VBUS_STATE_READY;
	/* the let-go that doorbell saw is reset for: the guest bound after */
	if (seen && ready && xport->acked && seen_gen == xport->ack_gen)
		seen = false;
	if (ready && !seen && state == xport->guest_state &&
	    gen == xport->guest_gen)
		return;
	/* a let-go to reset for: the guest waits until we say we did */
	if (!ready || seen)
		vbus_layout_set_host_state(hdr, VBUS_STATE_RESET, xport->gen);
	wait = vbus_transport_ctrl_wait(xport);
	if (wait) {
		if (seen)
			set_bit(VBUS_CTRL_RESET_SEEN, &xport->ctrl_flags);
		queue_delayed_work(system_wq, &xport->ctrl_work, wait);
		return;
	}
	atomic64_inc(&xport->inst->guest_resets);
	/* let go since the last run, and READY again: reset all the same */
	if (seen)
		ready = false;
	pr_debug("instance %s: guest state %u gen %u\n",
		 vbus_instance_name(xport->inst), state, gen);
	xport->guest_state = state;
	xport->guest_gen = gen;
	if (!ready) {
		vbus_layout_publish(hdr, &xport->layout);
		vbus_signal_init(&hdr->ctrl_to_guest);
		vbus_signal_init(&hdr->ctrl_to_host);
	}
	for (i = 0; i < xport->ndevs; i++) {
		struct vbus_device *dev = xport->devs[i];

		if (dev->cls->ops->ctrl)
			dev->cls->ops->ctrl(dev, state, gen);
	}
	if (ready)
		return;
	xport->ack_gen = gen;
	xport->acked = true;
	vbus_layout_set_host_ack(hdr, gen);
	vbus_layout_set_host_state(hdr, VBUS_STATE_READY, xport->gen);
	/* whatever the signal words say: the guest waits for this */
	vbus_signal_inject(&hdr->ctrl_to_guest);
	vbus_vector_signal(&xport->vec[VBUS_CTRL_VECTOR]);
}

/*
 * The region layout, from src/common: the bus's private plan (kept in
 * xport->layout, never read back), written to the region with the queues
 * reset and host_state left at INIT.
 */
static int vbus_transport_layout(struct vbus_transport *xport)
{
	struct vbus_dev_spec specs[VBUS_MAX_DEVICES];
	struct vbus_layout *l = &xport->layout;
	struct vbus_shm_header *hdr;
	enum vbus_err err;
	u32 d, q;

	for (d = 0; d < xport->ndevs; d++) {
		const struct vbus_device *dev = xport->devs[d];

		specs[d] = (struct vbus_dev_spec) {
			.id = dev->id,
			.type = dev->cls->interface,
			.config_size = dev->needs.config_size,
			.nqueues = dev->needs.nqueues,
			.ring_count = dev->needs.ring_count,
			.ring_max = dev->needs.ring_max,
			.buf_size = dev->needs.buf_size,
			.max_chain = dev->needs.max_chain,
			.nvectors = dev->needs.nvectors,
		};
	}
	err = vbus_layout_plan(l, xport->shm.size, xport->nvectors, specs,
			       xport->ndevs);
	if (err) {
		pr_warn("instance %s: devices do not fit in %llu bytes with %u vectors: %s\n",
			vbus_instance_name(xport->inst), xport->shm.size,
			xport->nvectors, vbus_err_name(err));
		return err == VBUS_E_NOSPACE ? -ENOSPC : -EINVAL;
	}

	hdr = vbus_transport_hdr(xport);
	vbus_layout_write(hdr, l);
	vbus_signal_init(&hdr->ctrl_to_guest);
	vbus_signal_init(&hdr->ctrl_to_host);
	for (d = 0; d < l->ndevices; d++) {
		for (q = 0; q < l->dev[d].nqueues; q++) {
			struct vbus_ioq ioq;

			if (vbus_ioq_init(&ioq, hdr, l->region_size,
					  l->nvectors, &l->dev[d].queue[q]))
				return -EINVAL;
			vbus_ioq_reset(&ioq);
		}
	}
	return 0;
}

/* Which queues ring which vector: the dispatch tables. */
static void vbus_transport_route(struct vbus_transport *xport)
{
	const struct vbus_layout *l = &xport->layout;
	u32 d, q;

	for (d = 0; d < l->ndevices; d++) {
		for (q = 0; q < l->dev[d].nqueues; q++) {
			struct vbus_vector *v =
				&xport->vec[l->dev[d].queue[q].vector];

			v->queues[v->nqueues].dev = xport->devs[d];
			v->queues[v->nqueues].queue = q;
			v->nqueues++;
		}
	}
}

static void vbus_transport_undepend(struct vbus_transport *xport, u32 ndevs)
{
	while (ndevs--)
		vbus_configfs_undepend(&xport->devs[ndevs]->group.cg_item);
	vbus_configfs_undepend(&xport->inst->group.cg_item);
}

static int vbus_transport_depend(struct vbus_transport *xport)
{
	int ret;
	u32 d;

	ret = vbus_configfs_depend(&xport->inst->group.cg_item);
	if (ret)
		return ret;
	for (d = 0; d < xport->ndevs; d++) {
		ret = vbus_configfs_depend(&xport->devs[d]->group.cg_item);
		if (ret) {
			vbus_transport_undepend(xport, d);
			return ret;
		}
	}
	return 0;
}

static void vbus_transport_detach_devices(struct vbus_transport *xport,
					  u32 ndevs)
{
	while (ndevs--) {
		struct vbus_device *dev = xport->devs[ndevs];

		dev->cls->ops->detach(dev);
		WRITE_ONCE(dev->xport, NULL);
		dev->layout = NULL;
	}
}

int vbus_transport_attach(struct vbus_instance *inst,
			  struct vbus_transport *xport)
{
	struct vbus_shm_header *hdr = vbus_transport_hdr(xport);
	struct vbus_device_shm dshm;
	struct vbus_device *dev;
	u32 d, v;
	int ret;

	lockdep_assert_held(&vbus_lock);
	xport->inst = inst;
	xport->ndevs = 0;
	list_for_each_entry(dev, &inst->devices, inst_node)
		xport->devs[xport->ndevs++] = dev;
	INIT_DELAYED_WORK(&xport->ctrl_work, vbus_transport_ctrl_work);
	xport->ctrl_refill = jiffies;
	xport->ctrl_tokens = VBUS_CTRL_BURST;

	ret = vbus_transport_layout(xport);
	if (ret)
		return ret;
	vbus_transport_route(xport);
	ret = vbus_transport_depend(xport);
	if (ret) {
		pr_warn("instance %s is being removed\n",
			vbus_instance_name(inst));
		return -ENOENT;
	}

	dshm.base = xport->shm.base;
	dshm.size = xport->shm.size;
	dshm.nvectors = xport->nvectors;
	for (d = 0; d < xport->ndevs; d++) {
		dev = xport->devs[d];
		dev->layout = &xport->layout.dev[d];
		WRITE_ONCE(dev->xport, xport);
		dshm.layout = dev->layout;
		ret = dev->cls->ops->attach(dev, &dshm);
		if (ret) {
			pr_warn("instance %s: device %s failed to attach: %d\n",
				vbus_instance_name(inst), vbus_device_name(dev),
				ret);
			WRITE_ONCE(dev->xport, NULL);
			dev->layout = NULL;
			vbus_transport_detach_devices(xport, d);
			vbus_transport_undepend(xport, xport->ndevs);
			return ret;
		}
	}

	xport->gen = ++inst->gen;
	xport->guest_state = vbus_layout_guest_state(hdr, &xport->guest_gen);
	inst->xport = xport;
	for (v = 0; v < xport->nvectors; v++)
		vbus_vector_hook(&xport->vec[v]);
	vbus_layout_set_host_state(hdr, VBUS_STATE_READY, xport->gen);
	if (vbus_signal_inject(&hdr->ctrl_to_guest))
		vbus_vector_signal(&xport->vec[VBUS_CTRL_VECTOR]);
	pr_info("instance %s attached: %llu bytes, %u vectors, %u devices, generation %u\n",
		vbus_instance_name(inst), xport->shm.size, xport->nvectors,
		xport->ndevs, xport->gen);
	return 0;
}

void vbus_transport_detach(struct vbus_transport *xport)
{
	struct vbus_instance *inst = xport->inst;
	struct vbus_shm_header *hdr = vbus_transport_hdr(xport);
	u32 v;

	lockdep_assert_held(&vbus_lock);
	for (v = 0; v < xport->nvectors; v++)
		vbus_vector_unhook(&xport->vec[v]);
	cancel_delayed_work_sync(&xport->ctrl_work);
	vbus_transport_detach_devices(xport, xport->ndevs);
	for (v = 0; v < xport->nvectors; v++)
		cancel_work_sync(&xport->vec[v].irq_work);

	vbus_layout_set_host_state(hdr, VBUS_STATE_GONE, xport->gen);
	if (vbus_signal_inject(&hdr->ctrl_to_guest))
		vbus_eventfd_signal(xport->vec[VBUS_CTRL_VECTOR].irq);

	inst->xport = NULL;
	vbus_transport_undepend(xport, xport->ndevs);
	vbus_instance_reap(inst);
	pr_info("instance %s detached, generation %u\n",
		vbus_instance_name(inst), xport->gen);
}
