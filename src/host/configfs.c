// SPDX-License-Identifier: GPL-2.0
/*
 * The configfs tree, /sys/kernel/config/vbus/{instances,devices}:
 *
 *   mkdir instances/<bus>          a bus instance
 *     shm_size (rw)                region size, power of two
 *     vectors (ro)                 ivshmem vectors it needs
 *     <dev> -> ../../devices/<dev> member devices (symlinks)
 *   mkdir devices/<dev>            a device
 *     type (rw once)               its device class, e.g. venet-tap
 *     instance (ro)                the instance it is on, or empty
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kstrtox.h>
#include <linux/module.h>
#include <linux/string.h>

#include "vbus_core.h"

static struct configfs_subsystem vbus_subsys;

/* ---- devices/<dev> ---------------------------------------------------- */

static ssize_t vbus_device_type_show(struct config_item *item, char *page)
{
	struct vbus_device *dev = vbus_device_from_item(item);
	ssize_t ret;

	mutex_lock(&vbus_lock);
	ret = sysfs_emit(page, "%s\n", dev->cls ? dev->cls->name : "");
	mutex_unlock(&vbus_lock);
	return ret;
}

static ssize_t vbus_device_type_store(struct config_item *item,
				      const char *page, size_t count)
{
	char name[VBUS_TYPE_LEN];
	char *type;
	int ret;

	if (count >= sizeof(name)) {
		pr_info("device %s: unknown device class (name too long)\n",
			config_item_name(item));
		return -ENOENT;
	}
	memcpy(name, page, count);
	name[count] = '\0';
	type = strim(name);
	if (!type[0])
		return -EINVAL;
	ret = vbus_device_set_type(vbus_device_from_item(item), type);
	return ret ? ret : count;
}

static ssize_t vbus_device_instance_show(struct config_item *item,
					 char *page)
{
	struct vbus_device *dev = vbus_device_from_item(item);
	ssize_t ret;

	mutex_lock(&vbus_lock);
	ret = sysfs_emit(page, "%s\n",
			 dev->inst ? vbus_instance_name(dev->inst) : "");
	mutex_unlock(&vbus_lock);
	return ret;
}

CONFIGFS_ATTR(vbus_device_, type);
CONFIGFS_ATTR_RO(vbus_device_, instance);

static struct configfs_attribute *vbus_device_attrs[] = {
	&vbus_device_attr_type,
	&vbus_device_attr_instance,
	NULL,
};

static void vbus_device_item_release(struct config_item *item)
{
	kobject_put(&vbus_device_from_item(item)->kobj);
}

static struct configfs_item_operations vbus_device_item_ops = {
	.release = vbus_device_item_release,
};

static const struct config_item_type vbus_device_type = {
	.ct_item_ops = &vbus_device_item_ops,
	.ct_attrs = vbus_device_attrs,
	.ct_owner = THIS_MODULE,
};

static struct config_group *vbus_devices_make(struct config_group *group,
					      const char *name)
{
	struct vbus_device *dev = vbus_device_create(name);

	if (IS_ERR(dev))
		return ERR_CAST(dev);
	config_group_init_type_name(&dev->group, name, &vbus_device_type);
	return &dev->group;
}

static void vbus_devices_drop(struct config_group *group,
			      struct config_item *item)
{
	vbus_device_remove(vbus_device_from_item(item));
	config_item_put(item);
}

static struct configfs_group_operations vbus_devices_ops = {
	.make_group = vbus_devices_make,
	.drop_item = vbus_devices_drop,
};

static const struct config_item_type vbus_devices_type = {
	.ct_group_ops = &vbus_devices_ops,
	.ct_owner = THIS_MODULE,
};

/* ---- instances/<bus> -------------------------------------------------- */

static ssize_t vbus_instance_shm_size_show(struct config_item *item,
					   char *page)
{
	struct vbus_instance *inst = vbus_instance_from_item(item);

	return sysfs_emit(page, "%llu\n", READ_ONCE(inst->shm_size));
}

static ssize_t vbus_instance_shm_size_store(struct config_item *item,
					    const char *page, size_t count)
{
	u64 size;
	int ret;

	ret = kstrtou64(page, 0, &size);
	if (ret) {
		pr_info("instance %s: shm_size is not a number\n",
			config_item_name(item));
		return -EINVAL;
	}
	ret = vbus_instance_set_shm_size(vbus_instance_from_item(item), size);
	return ret ? ret : count;
}

static ssize_t vbus_instance_vectors_show(struct config_item *item,
					  char *page)
{
	struct vbus_instance *inst = vbus_instance_from_item(item);
	ssize_t ret;

	mutex_lock(&vbus_lock);
	ret = sysfs_emit(page, "%u\n", vbus_instance_vectors(inst));
	mutex_unlock(&vbus_lock);
	return ret;
}

CONFIGFS_ATTR(vbus_instance_, shm_size);
CONFIGFS_ATTR_RO(vbus_instance_, vectors);

static struct configfs_attribute *vbus_instance_attrs[] = {
	&vbus_instance_attr_shm_size,
	&vbus_instance_attr_vectors,
	NULL,
};

static int vbus_instance_allow_link(struct config_item *src,
				    struct config_item *target)
{
	int ret;

	if (target->ci_type != &vbus_device_type) {
		pr_info("instance %s: only devices/<dev> can be linked in\n",
			config_item_name(src));
		return -EINVAL;
	}
	/*
	 * configfs pins the target (rmdir fails while a link points to it)
	 * only after we return: until then, a racing rmdir devices/<dev>
	 * would remove a device we just put on the instance. A dependency
	 * from here until drop_link() closes that window: such an rmdir
	 * fails with EBUSY, and a device already being removed is -ENOENT.
	 */
	ret = configfs_depend_item_unlocked(&vbus_subsys, target);
	if (ret) {
		pr_info("instance %s: device %s is being removed\n",
			config_item_name(src), config_item_name(target));
		return ret;
	}
	mutex_lock(&vbus_lock);
	ret = vbus_instance_link(vbus_instance_from_item(src),
				 vbus_device_from_item(target));
	mutex_unlock(&vbus_lock);
	if (ret)
		configfs_undepend_item(target);
	return ret;
}

/* Every link allow_link() accepted, made or not, ends here. */
static void vbus_instance_drop_link(struct config_item *src,
				    struct config_item *target)
{
	mutex_lock(&vbus_lock);
	vbus_instance_unlink(vbus_instance_from_item(src),
			     vbus_device_from_item(target));
	mutex_unlock(&vbus_lock);
	configfs_undepend_item(target);
}

static void vbus_instance_item_release(struct config_item *item)
{
	kobject_put(&vbus_instance_from_item(item)->kobj);
}

static struct configfs_item_operations vbus_instance_item_ops = {
	.release = vbus_instance_item_release,
	.allow_link = vbus_instance_allow_link,
	.drop_link = vbus_instance_drop_link,
};

static const struct config_item_type vbus_instance_type = {
	.ct_item_ops = &vbus_instance_item_ops,
	.ct_attrs = vbus_instance_attrs,
	.ct_owner = THIS_MODULE,
};

static struct config_group *vbus_instances_make(struct config_group *group,
						const char *name)
{
	struct vbus_instance *inst = vbus_instance_create(name);
	int ret;

	if (IS_ERR(inst))
		return ERR_CAST(inst);
	config_group_init_type_name(&inst->group, name, &vbus_instance_type);
	/* named now: vbus_instance_find() may see it */
	ret = vbus_instance_publish(inst);
	if (ret) {
		vbus_instance_remove(inst);
		kobject_put(&inst->kobj);
		return ERR_PTR(ret);
	}
	return &inst->group;
}

static void vbus_instances_drop(struct config_group *group,
				struct config_item *item)
{
	vbus_instance_remove(vbus_instance_from_item(item));
	config_item_put(item);
}

static struct configfs_group_operations vbus_instances_ops = {
	.make_group = vbus_instances_make,
	.drop_item = vbus_instances_drop,
};

static const struct config_item_type vbus_instances_type = {
	.ct_group_ops = &vbus_instances_ops,
	.ct_owner = THIS_MODULE,
};

/* ---- the subsystem ---------------------------------------------------- */

static const struct config_item_type vbus_root_type = {
	.ct_owner = THIS_MODULE,
};

static struct configfs_subsystem vbus_subsys = {
	.su_group = {
		.cg_item = {
			.ci_namebuf = "vbus",
			.ci_type = &vbus_root_type,
		},
	},
};

static struct config_group vbus_instances_group;
static struct config_group vbus_devices_group;

int vbus_configfs_init(void)
{
	int ret;

	config_group_init(&vbus_subsys.su_group);
	mutex_init(&vbus_subsys.su_mutex);
	config_group_init_type_name(&vbus_instances_group, "instances",
				    &vbus_instances_type);
	configfs_add_default_group(&vbus_instances_group,
				   &vbus_subsys.su_group);
	config_group_init_type_name(&vbus_devices_group, "devices",
				    &vbus_devices_type);
	configfs_add_default_group(&vbus_devices_group, &vbus_subsys.su_group);
	ret = configfs_register_subsystem(&vbus_subsys);
	if (ret)
		pr_err("cannot register configfs subsystem: %d\n", ret);
	return ret;
}

void vbus_configfs_exit(void)
{
	configfs_unregister_subsystem(&vbus_subsys);
}

/*
 * Pin an instance or device directory for an attachment: rmdir then fails
 * with -EBUSY. Never called from a configfs callback.
 */
int vbus_configfs_depend(struct config_item *item)
{
	return configfs_depend_item(&vbus_subsys, item);
}

void vbus_configfs_undepend(struct config_item *item)
{
	configfs_undepend_item(item);
}
