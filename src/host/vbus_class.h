/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The device class API of the vbus host core (vbus.ko).
 *
 * A device class (venet-tap, the vbus-test class, ...) is a module that
 * registers a struct vbus_device_class. Writing the class name to the
 * configfs "type" attribute of a device creates a device of that class:
 * the bus calls ops->create() and holds a reference on the class module
 * until the device is removed (rmdir), so a class module cannot be unloaded
 * while devices of its type exist.
 *
 * Life of a device, every callback in process context unless noted:
 *
 *   create()   type written; the class fills in what it needs from the bus
 *   attach()   its bus instance was attached to a guest; the region is
 *              mapped and the device's queues are laid out and reset
 *   kick()     the guest rang the doorbell of one of its queues;
 *              ATOMIC context (eventfd wake-up, interrupts off): schedule
 *              NAPI or a work item, do nothing else
 *   ctrl()     the guest changed its liveness word (vector 0), optional
 *   detach()   quiesce: on return the device no longer touches the region,
 *              calls no vbus_device_notify() and has no kick() running
 *   destroy()  rmdir of the device (never while attached)
 *
 * Class-specific attributes live in sysfs, /sys/vbus/devices/<dev>/, from
 * the class's attribute groups (struct vbus_device_attribute entries); they
 * appear when the type is written and go away at rmdir. The configfs
 * directory of a device holds only the bus's own attributes (see
 * docs/host.md for why).
 */
#ifndef _VBUS_CLASS_H
#define _VBUS_CLASS_H

#include <linux/list.h>
#include <linux/sysfs.h>
#include <linux/types.h>

#include "vbus_layout.h"

struct module;
struct vbus_device;

/*
 * What one device needs from its bus, filled in by ops->create(); changed
 * only with vbus_device_set_needs() while the device is on no instance.
 * The bus plans the region from it: a config block of config_size bytes,
 * nqueues queues (even queues guest->host, odd ones host->guest; queue
 * k on the device's vector k * nvectors / nqueues) of ring_count
 * descriptors and as many buf_size buffers, and
 * nvectors interrupt vectors on top of the control vector (the instance's
 * "vectors" attribute is 1 + the sum over its devices).
 */
struct vbus_device_needs {
	u32 nvectors;		/* 0 .. VBUS_NVECTORS_MAX - 1 */
	u32 nqueues;		/* 0 .. VBUS_DEV_MAX_QUEUES */
	u32 ring_count;		/* power of two, VBUS_RING_MIN .. MAX */
	/*
	 * 0, or a power of two above ring_count: the queues get the largest
	 * ring up to this that the region has room for (see vbus_layout.h)
	 */
	u32 ring_max;
	u32 buf_size;		/* power of two, VBUS_BUF_MIN .. MAX */
	u32 max_chain;		/* descriptors per packet, 1 .. ring_count */
	u32 config_size;	/* bytes of config block, <= VBUS_PAGE */
};

/*
 * The shared region as a device sees it, valid from ops->attach() until
 * ops->detach() returns. @layout is the device's entry of the bus's own
 * plan (never read back from shared memory).
 */
struct vbus_device_shm {
	void *base;
	u64 size;
	u32 nvectors;
	const struct vbus_dev_layout *layout;
};

struct vbus_device_ops {
	int (*create)(struct vbus_device *dev, struct vbus_device_needs *needs);
	void (*destroy)(struct vbus_device *dev);
	int (*attach)(struct vbus_device *dev,
		      const struct vbus_device_shm *shm);
	void (*detach)(struct vbus_device *dev);
	void (*kick)(struct vbus_device *dev, unsigned int queue);
	void (*ctrl)(struct vbus_device *dev, u32 guest_state, u32 guest_gen);
};

struct vbus_device_class {
	const char *name;		/* configfs "type", e.g. "venet-tap" */
	const char *interface;		/* guest-visible, "virtual-ethernet" */
	struct module *owner;		/* THIS_MODULE */
	const struct vbus_device_ops *ops;
	/* sysfs, in /sys/vbus/devices/<dev>/, NULL-terminated, may be NULL */
	const struct attribute_group **groups;
	/* private to vbus.ko */
	struct list_head vbus_node;
	struct kobject *vbus_kobj;
	unsigned int vbus_ndevices;
};

/* A sysfs attribute of a device; used in the class's attribute groups. */
struct vbus_device_attribute {
	struct attribute attr;
	ssize_t (*show)(struct vbus_device *dev,
			struct vbus_device_attribute *attr, char *buf);
	ssize_t (*store)(struct vbus_device *dev,
			 struct vbus_device_attribute *attr,
			 const char *buf, size_t count);
};

#define VBUS_DEVICE_ATTR_RW(_name) \
	struct vbus_device_attribute vbus_dev_attr_##_name = __ATTR_RW(_name)
#define VBUS_DEVICE_ATTR_RO(_name) \
	struct vbus_device_attribute vbus_dev_attr_##_name = __ATTR_RO(_name)
#define VBUS_DEVICE_ATTR_WO(_name) \
	struct vbus_device_attribute vbus_dev_attr_##_name = __ATTR_WO(_name)

/* class.c APIs: */
int vbus_device_class_register(struct vbus_device_class *cls);
void vbus_device_class_unregister(struct vbus_device_class *cls);

/* device.c APIs: */
const char *vbus_device_name(const struct vbus_device *dev);
u32 vbus_device_id(const struct vbus_device *dev);
void vbus_device_set_drvdata(struct vbus_device *dev, void *data);
void *vbus_device_get_drvdata(const struct vbus_device *dev);
bool vbus_device_attached(const struct vbus_device *dev);
int vbus_device_set_needs(struct vbus_device *dev,
			  const struct vbus_device_needs *needs);

/* signal.c APIs: */
/*
 * Interrupt the guest for @queue of @dev (its queue's vector). Any
 * context, including inside ops->kick(): a signal that cannot be sent
 * from the current context (eventfd wake-up) is deferred to a work item.
 * Only between ops->attach() and the return of ops->detach().
 */
void vbus_device_notify(struct vbus_device *dev, unsigned int queue);

#endif /* _VBUS_CLASS_H */
