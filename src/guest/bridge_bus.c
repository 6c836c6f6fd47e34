// SPDX-License-Identifier: GPL-2.0
/*
 * The "vbus" bus type in the guest: one device per entry of
 * the host's device table, matched to drivers by the entry's type string,
 * with a modalias ("vbus:virtual-ethernet") so udev loads the driver.
 */
#include <linux/slab.h>

#include "bridge_internal.h"

static const struct vbus_bridge_device_id *
vbus_bridge_match_id(const struct vbus_bridge_device_id *ids,
		     const struct vbus_bridge_device *vdev)
{
	for (; ids && ids->type[0]; ids++)
		if (!strncmp(ids->type, vdev->layout.type, VBUS_TYPE_LEN))
			return ids;
	return NULL;
}

static int vbus_bridge_bus_match(struct device *dev,
				 VBUS_MATCH_CONST struct device_driver *drv)
{
	const struct vbus_bridge_driver *vdrv = to_vbus_bridge_driver(drv);

	return !!vbus_bridge_match_id(vdrv->id_table,
				      to_vbus_bridge_device(dev));
}

static int vbus_bridge_bus_uevent(VBUS_UEVENT_CONST struct device *dev,
				  struct kobj_uevent_env *env)
{
	const struct vbus_bridge_device *vdev = to_vbus_bridge_device(dev);

	if (add_uevent_var(env, "VBUS_TYPE=%s", vdev->layout.type) ||
	    add_uevent_var(env, "VBUS_ID=%u", vdev->layout.id))
		return -ENOMEM;
	return add_uevent_var(env, "MODALIAS=vbus:%s", vdev->layout.type);
}

static int vbus_bridge_bus_probe(struct device *dev)
{
	struct vbus_bridge_driver *vdrv = to_vbus_bridge_driver(dev->driver);

	return vdrv->probe(to_vbus_bridge_device(dev));
}

static void vbus_bridge_bus_remove(struct device *dev)
{
	struct vbus_bridge_driver *vdrv = to_vbus_bridge_driver(dev->driver);

	if (vdrv->remove)
		vdrv->remove(to_vbus_bridge_device(dev));
}

static ssize_t type_show(struct device *dev, struct device_attribute *attr,
			 char *buf)
{
	return sysfs_emit(buf, "%s\n", to_vbus_bridge_device(dev)->layout.type);
}
static DEVICE_ATTR_RO(type);

static ssize_t id_show(struct device *dev, struct device_attribute *attr,
		       char *buf)
{
	return sysfs_emit(buf, "%u\n", to_vbus_bridge_device(dev)->layout.id);
}
static DEVICE_ATTR_RO(id);

static ssize_t modalias_show(struct device *dev, struct device_attribute *attr,
			     char *buf)
{
	return sysfs_emit(buf, "vbus:%s\n",
			  to_vbus_bridge_device(dev)->layout.type);
}
static DEVICE_ATTR_RO(modalias);

static struct attribute *vbus_bridge_dev_attrs[] = {
	&dev_attr_type.attr,
	&dev_attr_id.attr,
	&dev_attr_modalias.attr,
	NULL,
};
ATTRIBUTE_GROUPS(vbus_bridge_dev);

static VBUS_BUS_CONST struct bus_type vbus_bridge_bus = {
	.name		= "vbus",
	.match		= vbus_bridge_bus_match,
	.uevent		= vbus_bridge_bus_uevent,
	.probe		= vbus_bridge_bus_probe,
	.remove		= vbus_bridge_bus_remove,
	.dev_groups	= vbus_bridge_dev_groups,
};

int __vbus_bridge_driver_register(struct vbus_bridge_driver *drv,
				  struct module *owner)
{
	drv->driver.bus = &vbus_bridge_bus;
	drv->driver.owner = owner;
	return driver_register(&drv->driver);
}
EXPORT_SYMBOL_GPL(__vbus_bridge_driver_register);

void vbus_bridge_driver_unregister(struct vbus_bridge_driver *drv)
{
	driver_unregister(&drv->driver);
}
EXPORT_SYMBOL_GPL(vbus_bridge_driver_unregister);

static void vbus_bridge_dev_release(struct device *dev)
{
	kfree(to_vbus_bridge_device(dev));
}

/* Register one device per table entry; a failing entry is skipped. */
int vbus_bridge_add_devices(struct vbus_bridge *b)
{
	struct vbus_bridge_device *vdev;
	u32 i;
	int err;

	for (i = 0; i < b->layout.ndevices; i++) {
		vdev = kzalloc(sizeof(*vdev), GFP_KERNEL);
		if (!vdev)
			return -ENOMEM;
		vdev->bridge = b;
		vdev->layout = b->layout.dev[i];
		vdev->nvectors = b->layout.nvectors;
		vdev->dev.bus = &vbus_bridge_bus;
		vdev->dev.parent = &b->pdev->dev;
		vdev->dev.release = vbus_bridge_dev_release;
		dev_set_name(&vdev->dev, "vbus%d-%u", b->index, vdev->layout.id);
		err = device_register(&vdev->dev);
		if (err) {
			dev_err(&b->pdev->dev, "cannot add device %u: %d\n",
				vdev->layout.id, err);
			put_device(&vdev->dev);
			continue;
		}
		b->devs[i] = vdev;
	}
	return 0;
}

void vbus_bridge_del_devices(struct vbus_bridge *b)
{
	int i;

	for (i = VBUS_MAX_DEVICES - 1; i >= 0; i--) {
		if (!b->devs[i])
			continue;
		device_unregister(&b->devs[i]->dev);
		b->devs[i] = NULL;
	}
}

int vbus_bridge_bus_init(void)
{
	return bus_register(&vbus_bridge_bus);
}

void vbus_bridge_bus_exit(void)
{
	bus_unregister(&vbus_bridge_bus);
}
