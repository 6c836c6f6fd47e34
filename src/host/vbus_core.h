/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internals of vbus.ko, grouped by the file implementing them.
 *
 * Locking: one mutex, vbus_lock, guards the configuration: the class list,
 * every instance and device and their membership, and whether an instance
 * is attached. It is taken by configfs callbacks, the control device,
 * class (un)registration, and the show functions of the bus's own sysfs
 * and configfs attributes that read a list or a pointer that membership
 * changes (type, interface, instance, id, vectors, attached, devices);
 * those of a single word (shm_size, generation) read it with READ_ONCE.
 * A device class's own attributes never take it. It is never taken in
 * atomic context and never held while a file of the bus's attributes is
 * removed (kobject_del(), rmdir), since removal waits for the show
 * functions that are running, and those may be waiting for vbus_lock.
 * Lock order: vbus_lock, then configfs' own locks (configfs_depend_item());
 * allow_link() takes its configfs dependency before vbus_lock.
 *
 * The data path takes no lock: the doorbell wake-up callbacks and the
 * per-vector dispatch tables are set up before the callbacks are hooked in
 * and torn down after they are unhooked.
 */
#ifndef _VBUS_CORE_H
#define _VBUS_CORE_H

#include <linux/configfs.h>
#include <linux/kobject.h>
#include <linux/mutex.h>
#include <linux/poll.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include "uapi/linux/vbus.h"

#include "vbus_class.h"
#include "vbus_compat.h"
#include "vbus_layout.h"

#define VBUS_SHM_DEFAULT	(4ULL << 20)
#define VBUS_SHM_MIN		VBUS_REGION_MIN
#define VBUS_SHM_MAX		VBUS_REGION_MAX

static_assert(VBUS_MAX_VECTORS == VBUS_NVECTORS_MAX);

struct vbus_transport;

struct vbus_device {
	struct config_group group;	/* devices/<name> */
	struct kobject kobj;		/* /sys/vbus/devices/<name>, owns us */
	struct vbus_device_class *cls;	/* NULL until "type" is written */
	struct vbus_device_needs needs;
	void *drvdata;
	bool groups_added;		/* class sysfs groups are up */
	/* membership, under vbus_lock */
	struct vbus_instance *inst;
	struct list_head inst_node;
	u32 id;				/* unique on inst */
	bool unlinked;			/* unlinked while attached */
	bool depended;			/* configfs_depend_item() held */
	/* between ops->attach() and ops->detach() */
	struct vbus_transport *xport;
	const struct vbus_dev_layout *layout;
};

struct vbus_instance {
	struct config_group group;	/* instances/<name> */
	struct kobject kobj;		/* /sys/vbus/instances/<name>, owns us */
	struct list_head node;		/* vbus_instances */
	struct list_head devices;	/* members, in link order */
	unsigned long ids;		/* device ids in use */
	u64 shm_size;
	u32 gen;			/* host_gen of the last attach */
	bool dead;			/* rmdir'ed */
	struct vbus_transport *xport;	/* non-NULL while attached */
	atomic64_t guest_resets;	/* guest state changes acted on */
	atomic64_t guest_resets_held;	/* ... put off: too many (transport.c) */
};

/* One ivshmem vector: a doorbell from the guest and an irq to it. */
struct vbus_vector_queue {
	struct vbus_device *dev;
	u16 queue;
};

struct vbus_vector {
	struct vbus_transport *xport;
	u32 index;
	struct file *doorbell_file;	/* held for vfs_poll() */
	struct eventfd_ctx *doorbell;
	struct eventfd_ctx *irq;
	wait_queue_entry_t wait;
	poll_table pt;
	bool hooked;
	struct work_struct irq_work;	/* deferred irq signal */
	u32 nqueues;
	struct vbus_vector_queue queues[VBUS_MAX_DEVICES * VBUS_DEV_MAX_QUEUES];
};

struct vbus_shm {
	struct vbus_pin pin;		/* its pages, pinned */
	void *base;			/* vmap() of pin.pages */
	u64 size;
	struct file *file;		/* the memfd, counted writable */
	struct mm_struct *mm;		/* charged for the pins */
};

struct vbus_transport {
	struct vbus_instance *inst;
	struct vbus_shm shm;
	u32 nvectors;
	u32 ndevs;
	u32 gen;
	u32 guest_state;		/* last seen, ctrl_work only */
	u32 guest_gen;
	struct vbus_device *devs[VBUS_MAX_DEVICES];	/* table order */
	struct delayed_work ctrl_work;
	unsigned long ctrl_refill;	/* jiffies: tokens counted up to here */
	u32 ctrl_tokens;		/* state changes allowed now */
	bool ctrl_warned;		/* held down once: logged */
	unsigned long ctrl_flags;	/* VBUS_CTRL_RESET_SEEN */
	u32 ctrl_seen_gen;		/* guest_gen the doorbell found */
	u32 ack_gen;			/* last let-go reset and acknowledged */
	bool acked;			/* ack_gen is valid */
	struct vbus_layout layout;
	struct vbus_vector vec[VBUS_MAX_VECTORS];
};

/*
 * A vector-0 doorbell found the guest not READY (under ctrl_seen_gen):
 * the next control work resets the instance even if the guest is READY
 * again by then (a driver that does not wait for host_ack_gen, behind a
 * reset held down or a slow work item, must not lose a rebind), unless
 * that let-go was already reset for and acknowledged.
 */
#define VBUS_CTRL_RESET_SEEN	0

/*
 * Refuse an attach: the errno, and a rate-limited line saying who asked
 * and why.
 */
#define vbus_refuse(err, fmt, ...)					\
	({								\
		pr_warn_ratelimited("attach refused (%s, pid %d): " fmt \
				    "\n", current->comm,		\
				    task_pid_nr(current), ##__VA_ARGS__); \
		(err);							\
	})

/* main.c APIs: */
extern struct mutex vbus_lock;

/* class.c APIs: */
struct vbus_device_class *vbus_class_get(const char *name);
void vbus_class_put(struct vbus_device_class *cls);

/* device.c APIs: */
struct vbus_device *vbus_device_create(const char *name);
void vbus_device_remove(struct vbus_device *dev);
int vbus_device_set_type(struct vbus_device *dev, const char *type);
static inline struct vbus_device *vbus_device_from_item(struct config_item *i)
{
	return container_of(to_config_group(i), struct vbus_device, group);
}

/* instance.c APIs: */
struct vbus_instance *vbus_instance_create(const char *name);
int vbus_instance_publish(struct vbus_instance *inst);
void vbus_instance_remove(struct vbus_instance *inst);
struct vbus_instance *vbus_instance_find(const char *name);
const char *vbus_instance_name(const struct vbus_instance *inst);
int vbus_instance_link(struct vbus_instance *inst, struct vbus_device *dev);
void vbus_instance_unlink(struct vbus_instance *inst, struct vbus_device *dev);
void vbus_instance_reap(struct vbus_instance *inst);
u32 vbus_instance_vectors(const struct vbus_instance *inst);
int vbus_instance_set_shm_size(struct vbus_instance *inst, u64 size);
static inline struct vbus_instance *
vbus_instance_from_item(struct config_item *i)
{
	return container_of(to_config_group(i), struct vbus_instance, group);
}

/* configfs.c APIs: */
int vbus_configfs_init(void);
void vbus_configfs_exit(void);
int vbus_configfs_depend(struct config_item *item);
void vbus_configfs_undepend(struct config_item *item);

/* sysfs.c APIs: */
extern struct kobject *vbus_sysfs_devices;
extern struct kobject *vbus_sysfs_instances;
extern const struct kobj_type vbus_device_ktype;
extern const struct kobj_type vbus_instance_ktype;
int vbus_sysfs_init(void);
void vbus_sysfs_exit(void);
struct kobject *vbus_sysfs_add_class(struct vbus_device_class *cls);
void vbus_sysfs_del_class(struct kobject *kobj);

/* control.c APIs: */
int vbus_control_init(void);
void vbus_control_exit(void);

/* transport.c APIs: */
int vbus_transport_attach(struct vbus_instance *inst,
			  struct vbus_transport *xport);
void vbus_transport_detach(struct vbus_transport *xport);
struct vbus_transport *vbus_transport_alloc(u32 nvectors);
void vbus_transport_free(struct vbus_transport *xport);

/* shm.c APIs: */
int vbus_shm_map(struct vbus_shm *shm, struct file *file, u64 size);
void vbus_shm_unmap(struct vbus_shm *shm);

/* signal.c APIs: */
int vbus_vector_init(struct vbus_vector *v, struct vbus_transport *xport,
		     u32 index, int doorbell_fd, int irq_fd);
void vbus_vector_release(struct vbus_vector *v);
void vbus_vector_hook(struct vbus_vector *v);
void vbus_vector_unhook(struct vbus_vector *v);
void vbus_vector_signal(struct vbus_vector *v);

#endif /* _VBUS_CORE_H */
