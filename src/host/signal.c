// SPDX-License-Identifier: GPL-2.0
/*
 * The eventfds of one ivshmem vector.
 *
 * Doorbell (guest -> host): KVM signals the eventfd when the guest writes
 * the vector to its Doorbell register. We hang an entry on the eventfd's
 * wait queue, as KVM's irqfd and vhost do; the wake-up callback runs with
 * the eventfd's wait-queue lock held and interrupts off, consumes the count
 * and dispatches to the queues on the vector (ops->kick) or, for vector 0,
 * to the bus control work.
 *
 * Irq (host -> guest): signalling the eventfd raises the MSI-X vector in
 * the guest (KVM irqfd). eventfd_signal() called from inside another
 * eventfd's wake-up is dropped, so a signal from such a context, or from
 * our own doorbell dispatch, goes through a work item instead.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/eventfd.h>
#include <linux/file.h>
#include <linux/percpu.h>
#include <linux/poll.h>
#include <linux/sched.h>

#include "vbus_compat.h"
#include "vbus_core.h"

/* Set while this CPU runs a doorbell dispatch (interrupts are off then). */
static DEFINE_PER_CPU(bool, vbus_in_doorbell);

static void vbus_vector_dispatch(struct vbus_vector *v)
{
	struct vbus_transport *xport = v->xport;
	u32 i;

	if (!v->index) {
		u32 gen;

		/* a hint only: the work reads the state again */
		if (vbus_layout_guest_state(xport->shm.base, &gen) !=
		    VBUS_STATE_READY) {
			WRITE_ONCE(xport->ctrl_seen_gen, gen);
			set_bit(VBUS_CTRL_RESET_SEEN, &xport->ctrl_flags);
		}
		queue_delayed_work(system_wq, &xport->ctrl_work, 0);
		return;
	}
	for (i = 0; i < v->nqueues; i++) {
		struct vbus_device *dev = v->queues[i].dev;

		dev->cls->ops->kick(dev, v->queues[i].queue);
	}
}

static int vbus_doorbell_wakeup(wait_queue_entry_t *wait, unsigned int mode,
				int sync, void *key)
{
	struct vbus_vector *v = container_of(wait, struct vbus_vector, wait);
	__poll_t flags = key_to_poll(key);
	u64 cnt;

	if (flags & EPOLLIN) {
		/* wait-queue lock held: consume the count as a read would */
		eventfd_ctx_do_read(v->doorbell, &cnt);
		this_cpu_write(vbus_in_doorbell, true);
		vbus_vector_dispatch(v);
		this_cpu_write(vbus_in_doorbell, false);
	}
	/* no EPOLLHUP: we hold the doorbell file until detach */
	return 0;
}

static void vbus_doorbell_queue_proc(struct file *file,
				     wait_queue_head_t *wqh, poll_table *pt)
{
	struct vbus_vector *v = container_of(pt, struct vbus_vector, pt);

	add_wait_queue(wqh, &v->wait);
}

static void vbus_irq_work(struct work_struct *work)
{
	struct vbus_vector *v = container_of(work, struct vbus_vector,
					     irq_work);

	vbus_eventfd_signal(v->irq);
}

/* Take the eventfd contexts of vector @index; nothing is hooked yet. */
int vbus_vector_init(struct vbus_vector *v, struct vbus_transport *xport,
		     u32 index, int doorbell_fd, int irq_fd)
{
	struct eventfd_ctx *ctx;
	struct file *file;

	v->xport = xport;
	v->index = index;
	INIT_WORK(&v->irq_work, vbus_irq_work);
	init_waitqueue_func_entry(&v->wait, vbus_doorbell_wakeup);
	init_poll_funcptr(&v->pt, vbus_doorbell_queue_proc);

	file = fget(doorbell_fd);
	if (!file)
		return -EBADF;
	ctx = eventfd_ctx_fileget(file);
	if (IS_ERR(ctx)) {
		fput(file);
		return PTR_ERR(ctx);
	}
	v->doorbell_file = file;
	v->doorbell = ctx;
	ctx = eventfd_ctx_fdget(irq_fd);
	if (IS_ERR(ctx)) {
		vbus_vector_release(v);
		return PTR_ERR(ctx);
	}
	v->irq = ctx;
	return 0;
}

/* After vbus_vector_unhook() and the devices' detach. */
void vbus_vector_release(struct vbus_vector *v)
{
	if (v->irq) {
		cancel_work_sync(&v->irq_work);
		eventfd_ctx_put(v->irq);
		v->irq = NULL;
	}
	if (v->doorbell) {
		eventfd_ctx_put(v->doorbell);
		fput(v->doorbell_file);
		v->doorbell = NULL;
		v->doorbell_file = NULL;
	}
}

/* Start receiving doorbells; call after the devices are attached. */
void vbus_vector_hook(struct vbus_vector *v)
{
	unsigned long flags;
	__poll_t mask;

	mask = vfs_poll(v->doorbell_file, &v->pt);
	v->hooked = true;
	if (mask & EPOLLIN) {
		/* rung before we listened: kick now, as the wake-up would */
		local_irq_save(flags);
		this_cpu_write(vbus_in_doorbell, true);
		vbus_vector_dispatch(v);
		this_cpu_write(vbus_in_doorbell, false);
		local_irq_restore(flags);
	}
}

/*
 * Stop receiving doorbells. The entry leaves the wait queue under the
 * queue's lock, which every wake-up callback runs under: when this returns
 * no callback is running on any CPU and none will start.
 */
void vbus_vector_unhook(struct vbus_vector *v)
{
	u64 cnt;

	if (!v->hooked)
		return;
	eventfd_ctx_remove_wait_queue(v->doorbell, &v->wait, &cnt);
	v->hooked = false;
}

/*
 * Interrupt the guest on vector @v. From a doorbell dispatch, or wherever
 * eventfd_signal() would be dropped, defer to a work item.
 */
void vbus_vector_signal(struct vbus_vector *v)
{
	bool defer;

	preempt_disable();
	defer = this_cpu_read(vbus_in_doorbell) || !eventfd_signal_allowed();
	preempt_enable();
	if (defer)
		queue_work(system_highpri_wq, &v->irq_work);
	else
		vbus_eventfd_signal(v->irq);
}

void vbus_device_notify(struct vbus_device *dev, unsigned int queue)
{
	struct vbus_transport *xport = READ_ONCE(dev->xport);
	u32 vector;

	if (WARN_ON_ONCE(!xport || !dev->layout ||
			 queue >= dev->layout->nqueues))
		return;
	vector = dev->layout->queue[queue].vector;
	vbus_vector_signal(&xport->vec[vector]);
}
EXPORT_SYMBOL_GPL(vbus_device_notify);
