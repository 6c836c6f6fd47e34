// SPDX-License-Identifier: GPL-2.0
/*
 * Vbus devices: created by mkdir in configfs devices/, given a
 * class by writing "type", removed by rmdir. The memory belongs to the
 * device's kobject (/sys/vbus/devices/<name>); the configfs item holds one
 * reference on it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/log2.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "vbus_core.h"

struct vbus_device *vbus_device_create(const char *name)
{
	struct vbus_device *dev;
	int ret;

	dev = kzalloc(sizeof(*dev), GFP_KERNEL);
	if (!dev)
		return ERR_PTR(-ENOMEM);
	INIT_LIST_HEAD(&dev->inst_node);
	ret = kobject_init_and_add(&dev->kobj, &vbus_device_ktype,
				   vbus_sysfs_devices, "%s", name);
	if (ret) {
		kobject_put(&dev->kobj);
		return ERR_PTR(ret);
	}
	return dev;
}

/*
 * rmdir: configfs only gets here when no instance links to the device and
 * no attachment depends on it, so the device is on no bus. The sysfs
 * directory goes first (no show/store runs after kobject_del() returns),
 * then the class instance, then the reference on the class module.
 */
void vbus_device_remove(struct vbus_device *dev)
{
	struct vbus_device_class *cls;

	mutex_lock(&vbus_lock);
	WARN_ON(dev->inst || dev->xport);
	cls = dev->cls;
	mutex_unlock(&vbus_lock);

	kobject_del(&dev->kobj);
	if (!cls)
		return;
	cls->ops->destroy(dev);
	mutex_lock(&vbus_lock);
	dev->cls = NULL;
	vbus_class_put(cls);
	mutex_unlock(&vbus_lock);
}

static int vbus_needs_check(const struct vbus_device_needs *n)
{
	if (n->nqueues > VBUS_DEV_MAX_QUEUES ||
	    n->config_size > VBUS_PAGE ||
	    n->nvectors > n->nqueues)
		return -EINVAL;
	if (!n->nqueues)
		return 0;
	if (!n->nvectors ||
	    n->ring_count < VBUS_RING_MIN || n->ring_count > VBUS_RING_MAX ||
	    !is_power_of_2(n->ring_count) ||
	    n->buf_size < VBUS_BUF_MIN || n->buf_size > VBUS_BUF_MAX ||
	    !is_power_of_2(n->buf_size) ||
	    !n->max_chain || n->max_chain > n->ring_count ||
	    n->max_chain > VBUS_CHAIN_MAX)
		return -EINVAL;
	if (n->ring_max && (n->ring_max < n->ring_count ||
			    n->ring_max > VBUS_RING_MAX ||
			    !is_power_of_2(n->ring_max)))
		return -EINVAL;
	return 0;
}

/*
 * Writing "type": once. The same name again is accepted and does nothing;
 * another name is refused with -EBUSY (rmdir and mkdir to change it). An
 * unknown class is -ENOENT.
 */
int vbus_device_set_type(struct vbus_device *dev, const char *type)
{
	const char *name = vbus_device_name(dev);
	struct vbus_device_needs needs = {};
	struct vbus_device_class *cls;
	int ret;

	mutex_lock(&vbus_lock);
	if (dev->cls) {
		ret = strcmp(dev->cls->name, type) ? -EBUSY : 0;
		if (ret)
			pr_info("device %s: already of type %s, cannot become %s\n",
				name, dev->cls->name, type);
		goto out;
	}
	cls = vbus_class_get(type);
	if (!cls) {
		pr_info("device %s: unknown device class '%s' (is its module loaded?)\n",
			name, type);
		ret = -ENOENT;
		goto out;
	}
	ret = cls->ops->create(dev, &needs);
	if (ret) {
		pr_warn("device %s: class %s refused to create it: %d\n",
			name, type, ret);
		goto err_put;
	}
	ret = vbus_needs_check(&needs);
	if (ret) {
		pr_warn("device %s: class %s asks for an impossible layout\n",
			name, type);
		goto err_destroy;
	}
	if (cls->groups) {
		ret = sysfs_create_groups(&dev->kobj, cls->groups);
		if (ret)
			goto err_destroy;
	}
	dev->needs = needs;
	dev->cls = cls;
	mutex_unlock(&vbus_lock);
	kobject_uevent(&dev->kobj, KOBJ_CHANGE);
	return 0;

err_destroy:
	cls->ops->destroy(dev);
err_put:
	vbus_class_put(cls);
out:
	mutex_unlock(&vbus_lock);
	return ret;
}

/**
 * vbus_device_set_needs() - change what a device needs from its bus
 * @dev: the device, of a class (its type written)
 * @needs: the new needs, as ops->create() would fill them in
 *
 * Only while the device is on no instance (its needs count in the
 * instance's vectors and are laid out at attach): -EBUSY otherwise,
 * -EINVAL for needs the bus cannot lay out. For tunables of a class that
 * decide how many queues or vectors it has (venet-tap's max_queue_pairs).
 */
int vbus_device_set_needs(struct vbus_device *dev,
			  const struct vbus_device_needs *needs)
{
	int ret;

	mutex_lock(&vbus_lock);
	if (dev->inst)
		ret = -EBUSY;
	else
		ret = vbus_needs_check(needs);
	if (!ret)
		dev->needs = *needs;
	mutex_unlock(&vbus_lock);
	return ret;
}
EXPORT_SYMBOL_GPL(vbus_device_set_needs);

/**
 * vbus_device_name() - the configfs (and sysfs) name of a device
 * @dev: the device
 */
const char *vbus_device_name(const struct vbus_device *dev)
{
	return config_item_name((struct config_item *)&dev->group.cg_item);
}
EXPORT_SYMBOL_GPL(vbus_device_name);

/**
 * vbus_device_id() - the id of a device on its bus (the guest sees it)
 * @dev: the device, between ops->attach() and ops->detach()
 */
u32 vbus_device_id(const struct vbus_device *dev)
{
	return READ_ONCE(dev->id);
}
EXPORT_SYMBOL_GPL(vbus_device_id);

/**
 * vbus_device_set_drvdata() - attach class data to a device
 * @dev: the device
 * @data: anything; the bus never looks at it
 */
void vbus_device_set_drvdata(struct vbus_device *dev, void *data)
{
	dev->drvdata = data;
}
EXPORT_SYMBOL_GPL(vbus_device_set_drvdata);

/**
 * vbus_device_get_drvdata() - class data of a device
 * @dev: the device
 */
void *vbus_device_get_drvdata(const struct vbus_device *dev)
{
	return dev->drvdata;
}
EXPORT_SYMBOL_GPL(vbus_device_get_drvdata);

/**
 * vbus_device_attached() - whether the device's bus is attached to a guest
 * @dev: the device
 *
 * A hint for tunables that cannot change while attached; exact only under
 * the class's own serialisation of ops->attach() and ops->detach().
 */
bool vbus_device_attached(const struct vbus_device *dev)
{
	return READ_ONCE(dev->xport);
}
EXPORT_SYMBOL_GPL(vbus_device_attached);
