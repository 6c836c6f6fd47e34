// SPDX-License-Identifier: GPL-2.0
/*
 * Bus instances: created by mkdir in configfs instances/,
 * populated by symlinking devices into them, attached to a guest through
 * the control device. The memory belongs to the instance's kobject
 * (/sys/vbus/instances/<name>); the configfs item holds one reference.
 *
 * Membership changes are refused while the instance is attached, except
 * unlink, which configfs cannot refuse (drop_link returns void): a device
 * unlinked from an attached instance stays on the bus, invisible in
 * configfs, until the instance is detached (vbus_instance_reap()).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitops.h>
#include <linux/slab.h>

#include "vbus_core.h"

static LIST_HEAD(vbus_instances);

struct vbus_instance *vbus_instance_create(const char *name)
{
	struct vbus_instance *inst;
	int ret;

	if (strlen(name) >= VBUS_NAME_MAX) {
		pr_info("instance name '%s' too long (max %d characters)\n",
			name, VBUS_NAME_MAX - 1);
		return ERR_PTR(-ENAMETOOLONG);
	}
	inst = kzalloc(sizeof(*inst), GFP_KERNEL);
	if (!inst)
		return ERR_PTR(-ENOMEM);
	INIT_LIST_HEAD(&inst->devices);
	INIT_LIST_HEAD(&inst->node);
	inst->shm_size = VBUS_SHM_DEFAULT;
	ret = kobject_init_and_add(&inst->kobj, &vbus_instance_ktype,
				   vbus_sysfs_instances, "%s", name);
	if (ret) {
		kobject_put(&inst->kobj);
		return ERR_PTR(ret);
	}
	return inst;
}

/*
 * Make a new instance visible to vbus_instance_find() (the control
 * device): only once it is whole, its configfs item named included (a
 * name configfs could not allocate is -ENOMEM).
 */
int vbus_instance_publish(struct vbus_instance *inst)
{
	if (!config_item_name(&inst->group.cg_item))
		return -ENOMEM;
	mutex_lock(&vbus_lock);
	list_add_tail(&inst->node, &vbus_instances);
	mutex_unlock(&vbus_lock);
	return 0;
}

/*
 * rmdir, or a mkdir that configfs failed after vbus_instances_make()
 * (published or not): configfs refuses rmdir while devices are linked or
 * it is attached.
 */
void vbus_instance_remove(struct vbus_instance *inst)
{
	mutex_lock(&vbus_lock);
	WARN_ON(inst->xport || !list_empty(&inst->devices));
	inst->dead = true;
	list_del_init(&inst->node);
	mutex_unlock(&vbus_lock);
	kobject_del(&inst->kobj);
}

const char *vbus_instance_name(const struct vbus_instance *inst)
{
	return config_item_name((struct config_item *)&inst->group.cg_item);
}

struct vbus_instance *vbus_instance_find(const char *name)
{
	struct vbus_instance *inst;

	lockdep_assert_held(&vbus_lock);
	list_for_each_entry(inst, &vbus_instances, node)
		if (!strcmp(vbus_instance_name(inst), name))
			return inst;
	return NULL;
}

/* ivshmem vectors the instance needs: the control vector + its devices'. */
u32 vbus_instance_vectors(const struct vbus_instance *inst)
{
	const struct vbus_device *dev;
	u32 n = 1;

	lockdep_assert_held(&vbus_lock);
	list_for_each_entry(dev, &inst->devices, inst_node)
		n += dev->needs.nvectors;
	return n;
}

int vbus_instance_link(struct vbus_instance *inst, struct vbus_device *dev)
{
	const char *iname = vbus_instance_name(inst);
	const char *dname = vbus_device_name(dev);
	unsigned long id;

	lockdep_assert_held(&vbus_lock);
	if (dev->inst == inst && dev->unlinked) {
		/* unlinked and linked back while attached: nothing changed */
		dev->unlinked = false;
		return 0;
	}
	if (dev->inst) {
		pr_info("device %s is already on instance %s\n", dname,
			vbus_instance_name(dev->inst));
		return -EBUSY;
	}
	if (inst->xport) {
		pr_info("instance %s is attached to a guest: cannot add device %s\n",
			iname, dname);
		return -EBUSY;
	}
	if (!dev->cls) {
		pr_info("device %s has no type: write its 'type' first\n", dname);
		return -EINVAL;
	}
	id = find_first_zero_bit(&inst->ids, VBUS_MAX_DEVICES);
	if (id >= VBUS_MAX_DEVICES) {
		pr_info("instance %s is full (%d devices)\n", iname,
			VBUS_MAX_DEVICES);
		return -ENOSPC;
	}
	if (vbus_instance_vectors(inst) + dev->needs.nvectors >
	    VBUS_MAX_VECTORS) {
		pr_info("instance %s: device %s would need more than %d vectors\n",
			iname, dname, VBUS_MAX_VECTORS);
		return -ENOSPC;
	}
	set_bit(id, &inst->ids);
	dev->id = id;
	dev->inst = inst;
	dev->unlinked = false;
	list_add_tail(&dev->inst_node, &inst->devices);
	return 0;
}

static void vbus_instance_drop(struct vbus_instance *inst,
			       struct vbus_device *dev)
{
	clear_bit(dev->id, &inst->ids);
	list_del_init(&dev->inst_node);
	dev->inst = NULL;
	dev->unlinked = false;
}

void vbus_instance_unlink(struct vbus_instance *inst, struct vbus_device *dev)
{
	lockdep_assert_held(&vbus_lock);
	if (WARN_ON(dev->inst != inst))
		return;
	if (inst->xport) {
		pr_warn("device %s unlinked from attached instance %s: it stays on the bus until the instance is detached\n",
			vbus_device_name(dev), vbus_instance_name(inst));
		dev->unlinked = true;
		return;
	}
	vbus_instance_drop(inst, dev);
}

/* After detach: finish the unlinks that happened while attached. */
void vbus_instance_reap(struct vbus_instance *inst)
{
	struct vbus_device *dev, *tmp;

	lockdep_assert_held(&vbus_lock);
	list_for_each_entry_safe(dev, tmp, &inst->devices, inst_node)
		if (dev->unlinked)
			vbus_instance_drop(inst, dev);
}

int vbus_instance_set_shm_size(struct vbus_instance *inst, u64 size)
{
	const char *name = vbus_instance_name(inst);
	int ret = 0;

	if (!vbus_is_pow2(size) || size < VBUS_SHM_MIN ||
	    size > VBUS_SHM_MAX) {
		pr_info("instance %s: shm_size %llu refused: must be a power of two from %llu to %llu\n",
			name, size, VBUS_SHM_MIN, VBUS_SHM_MAX);
		return -EINVAL;
	}
	mutex_lock(&vbus_lock);
	if (inst->xport) {
		pr_info("instance %s: shm_size cannot change while attached\n",
			name);
		ret = -EBUSY;
	} else {
		inst->shm_size = size;
	}
	mutex_unlock(&vbus_lock);
	return ret;
}
