// SPDX-License-Identifier: GPL-2.0
/*
 * The registry of device classes.
 *
 * A device holds a reference on its class module from the moment its type
 * is written until it is removed, so a class stays registered, and its ops
 * callable, for as long as one of its devices exists.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/string.h>

#include "vbus_core.h"

static LIST_HEAD(vbus_classes);

static struct vbus_device_class *vbus_class_find(const char *name)
{
	struct vbus_device_class *cls;

	lockdep_assert_held(&vbus_lock);
	list_for_each_entry(cls, &vbus_classes, vbus_node)
		if (!strcmp(cls->name, name))
			return cls;
	return NULL;
}

static bool vbus_class_valid(const struct vbus_device_class *cls)
{
	const struct vbus_device_ops *ops = cls->ops;

	if (!cls->name || !cls->name[0] || strlen(cls->name) >= VBUS_TYPE_LEN ||
	    strchr(cls->name, '/'))
		return false;
	if (!cls->interface || !cls->interface[0] ||
	    strlen(cls->interface) >= VBUS_TYPE_LEN)
		return false;
	return ops && ops->create && ops->destroy && ops->attach &&
	       ops->detach && ops->kick;
}

/**
 * vbus_device_class_register() - make a device class available
 * @cls: the class, which must stay valid until unregistered
 *
 * Return: 0, -EINVAL for an incomplete class, -EEXIST for a name in use,
 * or -ENOMEM.
 */
int vbus_device_class_register(struct vbus_device_class *cls)
{
	struct kobject *kobj;
	int ret = 0;

	if (!vbus_class_valid(cls)) {
		pr_warn("refusing device class %s: name, interface or ops missing\n",
			cls->name ? cls->name : "(null)");
		return -EINVAL;
	}
	mutex_lock(&vbus_lock);
	if (vbus_class_find(cls->name)) {
		pr_warn("device class %s already registered\n", cls->name);
		ret = -EEXIST;
		goto out;
	}
	kobj = vbus_sysfs_add_class(cls);
	if (IS_ERR(kobj)) {
		ret = PTR_ERR(kobj);
		goto out;
	}
	cls->vbus_kobj = kobj;
	cls->vbus_ndevices = 0;
	list_add_tail(&cls->vbus_node, &vbus_classes);
	pr_info("device class %s (%s) registered\n", cls->name, cls->interface);
out:
	mutex_unlock(&vbus_lock);
	return ret;
}
EXPORT_SYMBOL_GPL(vbus_device_class_register);

/**
 * vbus_device_class_unregister() - withdraw a device class
 * @cls: a registered class
 *
 * Called from the class module's exit; no device of the class exists then,
 * since each holds a reference on the module.
 */
void vbus_device_class_unregister(struct vbus_device_class *cls)
{
	struct kobject *kobj;

	mutex_lock(&vbus_lock);
	WARN_ON(cls->vbus_ndevices);
	list_del(&cls->vbus_node);
	kobj = cls->vbus_kobj;
	cls->vbus_kobj = NULL;
	mutex_unlock(&vbus_lock);
	vbus_sysfs_del_class(kobj);
	pr_info("device class %s unregistered\n", cls->name);
}
EXPORT_SYMBOL_GPL(vbus_device_class_unregister);

/* A class by name, with a reference on its module; NULL if none. */
struct vbus_device_class *vbus_class_get(const char *name)
{
	struct vbus_device_class *cls;

	lockdep_assert_held(&vbus_lock);
	cls = vbus_class_find(name);
	if (!cls || !try_module_get(cls->owner))
		return NULL;
	cls->vbus_ndevices++;
	return cls;
}

void vbus_class_put(struct vbus_device_class *cls)
{
	lockdep_assert_held(&vbus_lock);
	cls->vbus_ndevices--;
	module_put(cls->owner);
}
