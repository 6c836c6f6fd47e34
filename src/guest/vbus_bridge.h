/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest side of a vbus: the API vbus-bridge.ko offers
 * to the drivers of the devices it finds on the bus (venet.ko, ...).
 *
 * vbus-bridge binds the ivshmem-doorbell PCI device that carries a bus
 * instance, validates the shared region and registers one
 * struct vbus_bridge_device per device-table entry on the "vbus" bus.
 * A driver matches on the entry's type string ("virtual-ethernet") and
 * gets the region, its config block and queue layouts, can ring a vector
 * (doorbell to the host) and can take a vector's interrupt.
 *
 * A host reset or detach removes every device (the driver's remove() runs)
 * and adds them again once the host is back, so a driver never sees the
 * layout change under it.
 */
#ifndef _VBUS_BRIDGE_H
#define _VBUS_BRIDGE_H

#include <linux/device.h>
#include <linux/interrupt.h>
#include <linux/module.h>

#include "vbus_layout.h"

struct vbus_bridge;

struct vbus_bridge_device_id {
	char type[VBUS_TYPE_LEN];
};

struct vbus_bridge_device {
	struct device dev;
	struct vbus_bridge *bridge;
	struct vbus_dev_layout layout;	/* validated private copy */
	u32 nvectors;			/* vectors of the bus, incl. 0 */
};

struct vbus_bridge_driver {
	const struct vbus_bridge_device_id *id_table;
	int (*probe)(struct vbus_bridge_device *vdev);
	void (*remove)(struct vbus_bridge_device *vdev);
	struct device_driver driver;
};

#define to_vbus_bridge_device(d) \
	container_of(d, struct vbus_bridge_device, dev)
#define to_vbus_bridge_driver(d) \
	container_of(d, struct vbus_bridge_driver, driver)

/* bus.c APIs: */
int __vbus_bridge_driver_register(struct vbus_bridge_driver *drv,
				  struct module *owner);
#define vbus_bridge_driver_register(drv) \
	__vbus_bridge_driver_register(drv, THIS_MODULE)
void vbus_bridge_driver_unregister(struct vbus_bridge_driver *drv);
#define module_vbus_bridge_driver(drv) \
	module_driver(drv, vbus_bridge_driver_register, \
		      vbus_bridge_driver_unregister)

/* pci.c APIs: */
void *vbus_bridge_region(struct vbus_bridge_device *vdev, u64 *size);
void *vbus_bridge_config(struct vbus_bridge_device *vdev, u32 *size);
const struct vbus_queue_layout *
vbus_bridge_queue(struct vbus_bridge_device *vdev, unsigned int index);
void vbus_bridge_kick(struct vbus_bridge_device *vdev, u16 vector);
int vbus_bridge_request_vector(struct vbus_bridge_device *vdev, u16 vector,
			       irq_handler_t handler, const char *name,
			       void *data);
void vbus_bridge_free_vector(struct vbus_bridge_device *vdev, u16 vector,
			     void *data);
int vbus_bridge_vector_irq(struct vbus_bridge_device *vdev, u16 vector);

#endif /* _VBUS_BRIDGE_H */
