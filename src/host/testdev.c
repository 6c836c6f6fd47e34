// SPDX-License-Identifier: GPL-2.0
/*
 * The vbus-test device class (vbus-test.ko): it exercises the bus with no
 * networking: one queue on one vector, each guest doorbell on it counted
 * and, if "echo" is set, answered with an interrupt on the same vector.
 *
 * sysfs, /sys/vbus/devices/<dev>/: kicks (ro), attaches (ro), echo (rw).
 *
 * create_delay_ms (module parameter, 0 by default): create() sleeps that
 * long. The bus calls create() with vbus_lock held, so a test can hold
 * the bus's lock for a known time by setting a device's type, and line
 * configfs operations up behind it in an order of its choosing.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/delay.h>
#include <linux/kstrtox.h>
#include <linux/module.h>
#include <linux/slab.h>

#include "vbus_class.h"

struct vbus_testdev {
	atomic64_t kicks;
	atomic_t attaches;
	bool echo;
};

static unsigned int create_delay_ms;
module_param(create_delay_ms, uint, 0644);
MODULE_PARM_DESC(create_delay_ms,
		 "create() sleeps this long, with the bus's lock held (tests; at most 10000)");

static struct vbus_testdev *vbus_testdev(struct vbus_device *dev)
{
	return vbus_device_get_drvdata(dev);
}

static int vbus_testdev_create(struct vbus_device *dev,
			       struct vbus_device_needs *needs)
{
	unsigned int delay = min(READ_ONCE(create_delay_ms), 10000U);
	struct vbus_testdev *t;

	if (delay)
		msleep(delay);
	t = kzalloc(sizeof(*t), GFP_KERNEL);
	if (!t)
		return -ENOMEM;
	t->echo = true;
	vbus_device_set_drvdata(dev, t);
	needs->nvectors = 1;
	needs->nqueues = 1;
	needs->ring_count = 16;
	needs->buf_size = 256;
	needs->max_chain = 1;
	needs->config_size = 64;
	return 0;
}

static void vbus_testdev_destroy(struct vbus_device *dev)
{
	kfree(vbus_testdev(dev));
}

static int vbus_testdev_attach(struct vbus_device *dev,
			       const struct vbus_device_shm *shm)
{
	atomic_inc(&vbus_testdev(dev)->attaches);
	pr_info("%s: attached as device %u, queue 0 on vector %u\n",
		vbus_device_name(dev), vbus_device_id(dev),
		shm->layout->queue[0].vector);
	return 0;
}

static void vbus_testdev_detach(struct vbus_device *dev)
{
	pr_info("%s: detached\n", vbus_device_name(dev));
}

/* atomic context: count, and answer through the bus's deferral */
static void vbus_testdev_kick(struct vbus_device *dev, unsigned int queue)
{
	struct vbus_testdev *t = vbus_testdev(dev);

	atomic64_inc(&t->kicks);
	if (READ_ONCE(t->echo))
		vbus_device_notify(dev, queue);
}

static ssize_t kicks_show(struct vbus_device *dev,
			  struct vbus_device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%lld\n",
			  (long long)atomic64_read(&vbus_testdev(dev)->kicks));
}

static ssize_t attaches_show(struct vbus_device *dev,
			     struct vbus_device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n",
			  atomic_read(&vbus_testdev(dev)->attaches));
}

static ssize_t echo_show(struct vbus_device *dev,
			 struct vbus_device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n", READ_ONCE(vbus_testdev(dev)->echo));
}

static ssize_t echo_store(struct vbus_device *dev,
			  struct vbus_device_attribute *attr,
			  const char *buf, size_t count)
{
	bool val;
	int ret = kstrtobool(buf, &val);

	if (ret)
		return ret;
	WRITE_ONCE(vbus_testdev(dev)->echo, val);
	return count;
}

static VBUS_DEVICE_ATTR_RO(kicks);
static VBUS_DEVICE_ATTR_RO(attaches);
static VBUS_DEVICE_ATTR_RW(echo);

static struct attribute *vbus_testdev_attrs[] = {
	&vbus_dev_attr_kicks.attr,
	&vbus_dev_attr_attaches.attr,
	&vbus_dev_attr_echo.attr,
	NULL,
};
ATTRIBUTE_GROUPS(vbus_testdev);

static const struct vbus_device_ops vbus_testdev_ops = {
	.create = vbus_testdev_create,
	.destroy = vbus_testdev_destroy,
	.attach = vbus_testdev_attach,
	.detach = vbus_testdev_detach,
	.kick = vbus_testdev_kick,
};

static struct vbus_device_class vbus_testdev_class = {
	.name = "vbus-test",
	.interface = "vbus-test",
	.owner = THIS_MODULE,
	.ops = &vbus_testdev_ops,
	.groups = vbus_testdev_groups,
};

static int __init vbus_testdev_init(void)
{
	return vbus_device_class_register(&vbus_testdev_class);
}

static void __exit vbus_testdev_exit(void)
{
	vbus_device_class_unregister(&vbus_testdev_class);
}

module_init(vbus_testdev_init);
module_exit(vbus_testdev_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("vbus test device class (no networking)");
