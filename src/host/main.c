// SPDX-License-Identifier: GPL-2.0
/*
 * The virtual bus core, vbus.ko. Brings up sysfs, configfs and
 * the control device, in that order, and takes them down in reverse.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>

#include "vbus_core.h"

/* the configuration lock, see vbus_core.h */
DEFINE_MUTEX(vbus_lock);

static int __init vbus_init(void)
{
	int ret;

	ret = vbus_sysfs_init();
	if (ret)
		return ret;
	ret = vbus_configfs_init();
	if (ret)
		goto err_sysfs;
	ret = vbus_control_init();
	if (ret)
		goto err_configfs;
	pr_info("virtual bus core loaded, uapi version %d, shm abi %d.%d\n",
		VBUS_UAPI_VERSION, VBUS_ABI_MAJOR, VBUS_ABI_MINOR);
	return 0;

err_configfs:
	vbus_configfs_exit();
err_sysfs:
	vbus_sysfs_exit();
	return ret;
}

/*
 * Nothing can be attached here: an attachment belongs to an open control
 * file, which holds a reference on this module. configfs holds one for
 * every instance and device directory, so they are all gone too.
 */
static void __exit vbus_exit(void)
{
	vbus_control_exit();
	vbus_configfs_exit();
	vbus_sysfs_exit();
	pr_info("virtual bus core unloaded\n");
}

module_init(vbus_init);
module_exit(vbus_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("vbus: in-kernel paravirtual bus for KVM guests over ivshmem-doorbell");
MODULE_VERSION("0.1");
