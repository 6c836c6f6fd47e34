// SPDX-License-Identifier: GPL-2.0
/*
 * The sysfs tree under /sys/vbus, kobjects as in the original vbus:
 *
 *   /sys/vbus/version                     uapi version (VBUS_UAPI_VERSION)
 *   /sys/vbus/deviceclass/<class>/        registered device classes
 *       interface                         guest-visible type
 *   /sys/vbus/devices/<dev>/              one per configfs device
 *       type, interface, instance, id     bus attributes
 *       ...                               the class's attribute groups
 *   /sys/vbus/instances/<bus>/            one per configfs instance
 *       shm_size, vectors, devices, attached, generation
 *
 * Bus attributes take vbus_lock; sysfs files are never removed while it
 * is held (kobject_del() waits for running show/store calls).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>
#include <linux/string.h>

#include "vbus_core.h"

static struct kobject *vbus_sysfs_root;
static struct kobject *vbus_sysfs_classes;
struct kobject *vbus_sysfs_devices;
struct kobject *vbus_sysfs_instances;

/* ---- /sys/vbus/version ------------------------------------------------ */

static ssize_t vbus_version_show(struct kobject *kobj,
				 struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n", VBUS_UAPI_VERSION);
}

static struct kobj_attribute vbus_version_attr =
	__ATTR(version, 0444, vbus_version_show, NULL);

/* ---- /sys/vbus/deviceclass/<class> ------------------------------------ */

struct vbus_class_kobj {
	struct kobject kobj;
	char interface[VBUS_TYPE_LEN];
};

static ssize_t vbus_interface_show(struct kobject *kobj,
				   struct kobj_attribute *attr, char *buf)
{
	struct vbus_class_kobj *ck = container_of(kobj, struct vbus_class_kobj,
						  kobj);

	return sysfs_emit(buf, "%s\n", ck->interface);
}

static struct kobj_attribute vbus_class_interface_attr =
	__ATTR(interface, 0444, vbus_interface_show, NULL);

static struct attribute *vbus_class_attrs[] = {
	&vbus_class_interface_attr.attr,
	NULL,
};
ATTRIBUTE_GROUPS(vbus_class);

static void vbus_class_kobj_release(struct kobject *kobj)
{
	kfree(container_of(kobj, struct vbus_class_kobj, kobj));
}

static const struct kobj_type vbus_class_ktype = {
	.release = vbus_class_kobj_release,
	.sysfs_ops = &kobj_sysfs_ops,
	.default_groups = vbus_class_groups,
};

struct kobject *vbus_sysfs_add_class(struct vbus_device_class *cls)
{
	struct vbus_class_kobj *ck;
	int ret;

	ck = kzalloc(sizeof(*ck), GFP_KERNEL);
	if (!ck)
		return ERR_PTR(-ENOMEM);
	strscpy(ck->interface, cls->interface, sizeof(ck->interface));
	ret = kobject_init_and_add(&ck->kobj, &vbus_class_ktype,
				   vbus_sysfs_classes, "%s", cls->name);
	if (ret) {
		kobject_put(&ck->kobj);
		return ERR_PTR(ret);
	}
	return &ck->kobj;
}

void vbus_sysfs_del_class(struct kobject *kobj)
{
	kobject_del(kobj);
	kobject_put(kobj);
}

/* ---- /sys/vbus/devices/<dev> ------------------------------------------ */

static struct vbus_device *vbus_kobj_to_device(struct kobject *kobj)
{
	return container_of(kobj, struct vbus_device, kobj);
}

static ssize_t vbus_device_attr_show(struct kobject *kobj,
				     struct attribute *attr, char *buf)
{
	struct vbus_device_attribute *a =
		container_of(attr, struct vbus_device_attribute, attr);

	if (!a->show)
		return -EIO;
	return a->show(vbus_kobj_to_device(kobj), a, buf);
}

static ssize_t vbus_device_attr_store(struct kobject *kobj,
				      struct attribute *attr,
				      const char *buf, size_t count)
{
	struct vbus_device_attribute *a =
		container_of(attr, struct vbus_device_attribute, attr);

	if (!a->store)
		return -EIO;
	return a->store(vbus_kobj_to_device(kobj), a, buf, count);
}

static const struct sysfs_ops vbus_device_sysfs_ops = {
	.show = vbus_device_attr_show,
	.store = vbus_device_attr_store,
};

static ssize_t vbus_type_show(struct vbus_device *dev,
			      struct vbus_device_attribute *attr, char *buf)
{
	ssize_t ret;

	mutex_lock(&vbus_lock);
	ret = sysfs_emit(buf, "%s\n", dev->cls ? dev->cls->name : "");
	mutex_unlock(&vbus_lock);
	return ret;
}

static ssize_t vbus_dev_interface_show(struct vbus_device *dev,
				       struct vbus_device_attribute *attr,
				       char *buf)
{
	ssize_t ret;

	mutex_lock(&vbus_lock);
	ret = sysfs_emit(buf, "%s\n", dev->cls ? dev->cls->interface : "");
	mutex_unlock(&vbus_lock);
	return ret;
}

static ssize_t vbus_instance_show(struct vbus_device *dev,
				  struct vbus_device_attribute *attr,
				  char *buf)
{
	ssize_t ret;

	mutex_lock(&vbus_lock);
	ret = sysfs_emit(buf, "%s\n",
			 dev->inst ? vbus_instance_name(dev->inst) : "");
	mutex_unlock(&vbus_lock);
	return ret;
}

static ssize_t vbus_id_show(struct vbus_device *dev,
			    struct vbus_device_attribute *attr, char *buf)
{
	ssize_t ret;

	mutex_lock(&vbus_lock);
	ret = dev->inst ? sysfs_emit(buf, "%u\n", dev->id) :
			  sysfs_emit(buf, "\n");
	mutex_unlock(&vbus_lock);
	return ret;
}

static struct vbus_device_attribute vbus_dev_attr_type =
	__ATTR(type, 0444, vbus_type_show, NULL);
static struct vbus_device_attribute vbus_dev_attr_interface =
	__ATTR(interface, 0444, vbus_dev_interface_show, NULL);
static struct vbus_device_attribute vbus_dev_attr_instance =
	__ATTR(instance, 0444, vbus_instance_show, NULL);
static struct vbus_device_attribute vbus_dev_attr_id =
	__ATTR(id, 0444, vbus_id_show, NULL);

static struct attribute *vbus_device_attrs[] = {
	&vbus_dev_attr_type.attr,
	&vbus_dev_attr_interface.attr,
	&vbus_dev_attr_instance.attr,
	&vbus_dev_attr_id.attr,
	NULL,
};
ATTRIBUTE_GROUPS(vbus_device);

static void vbus_device_kobj_release(struct kobject *kobj)
{
	kfree(vbus_kobj_to_device(kobj));
}

const struct kobj_type vbus_device_ktype = {
	.release = vbus_device_kobj_release,
	.sysfs_ops = &vbus_device_sysfs_ops,
	.default_groups = vbus_device_groups,
};

/* ---- /sys/vbus/instances/<bus> ---------------------------------------- */

static struct vbus_instance *vbus_kobj_to_instance(struct kobject *kobj)
{
	return container_of(kobj, struct vbus_instance, kobj);
}

static ssize_t vbus_shm_size_show(struct kobject *kobj,
				  struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%llu\n",
			  READ_ONCE(vbus_kobj_to_instance(kobj)->shm_size));
}

static ssize_t vbus_vectors_show(struct kobject *kobj,
				 struct kobj_attribute *attr, char *buf)
{
	ssize_t ret;

	mutex_lock(&vbus_lock);
	ret = sysfs_emit(buf, "%u\n",
			 vbus_instance_vectors(vbus_kobj_to_instance(kobj)));
	mutex_unlock(&vbus_lock);
	return ret;
}

static ssize_t vbus_attached_show(struct kobject *kobj,
				  struct kobj_attribute *attr, char *buf)
{
	struct vbus_instance *inst = vbus_kobj_to_instance(kobj);
	ssize_t ret;

	mutex_lock(&vbus_lock);
	ret = sysfs_emit(buf, "%d\n", inst->xport ? 1 : 0);
	mutex_unlock(&vbus_lock);
	return ret;
}

static ssize_t vbus_generation_show(struct kobject *kobj,
				    struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n",
			  READ_ONCE(vbus_kobj_to_instance(kobj)->gen));
}

static ssize_t vbus_devices_show(struct kobject *kobj,
				 struct kobj_attribute *attr, char *buf)
{
	struct vbus_instance *inst = vbus_kobj_to_instance(kobj);
	struct vbus_device *dev;
	ssize_t len = 0;

	mutex_lock(&vbus_lock);
	list_for_each_entry(dev, &inst->devices, inst_node)
		len += sysfs_emit_at(buf, len, "%s%s", len ? " " : "",
				     vbus_device_name(dev));
	len += sysfs_emit_at(buf, len, "\n");
	mutex_unlock(&vbus_lock);
	return len;
}

static ssize_t vbus_guest_resets_show(struct kobject *kobj,
				      struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%lld\n",
			  atomic64_read(&vbus_kobj_to_instance(kobj)->guest_resets));
}

static ssize_t vbus_guest_resets_held_show(struct kobject *kobj,
					   struct kobj_attribute *attr,
					   char *buf)
{
	struct vbus_instance *inst = vbus_kobj_to_instance(kobj);

	return sysfs_emit(buf, "%lld\n",
			  atomic64_read(&inst->guest_resets_held));
}

static struct kobj_attribute vbus_inst_attr_shm_size =
	__ATTR(shm_size, 0444, vbus_shm_size_show, NULL);
static struct kobj_attribute vbus_inst_attr_vectors =
	__ATTR(vectors, 0444, vbus_vectors_show, NULL);
static struct kobj_attribute vbus_inst_attr_attached =
	__ATTR(attached, 0444, vbus_attached_show, NULL);
static struct kobj_attribute vbus_inst_attr_generation =
	__ATTR(generation, 0444, vbus_generation_show, NULL);
static struct kobj_attribute vbus_inst_attr_devices =
	__ATTR(devices, 0444, vbus_devices_show, NULL);
static struct kobj_attribute vbus_inst_attr_guest_resets =
	__ATTR(guest_resets, 0444, vbus_guest_resets_show, NULL);
static struct kobj_attribute vbus_inst_attr_guest_resets_held =
	__ATTR(guest_resets_held, 0444, vbus_guest_resets_held_show, NULL);

static struct attribute *vbus_instance_attrs[] = {
	&vbus_inst_attr_shm_size.attr,
	&vbus_inst_attr_vectors.attr,
	&vbus_inst_attr_attached.attr,
	&vbus_inst_attr_generation.attr,
	&vbus_inst_attr_devices.attr,
	&vbus_inst_attr_guest_resets.attr,
	&vbus_inst_attr_guest_resets_held.attr,
	NULL,
};
ATTRIBUTE_GROUPS(vbus_instance);

static void vbus_instance_kobj_release(struct kobject *kobj)
{
	kfree(vbus_kobj_to_instance(kobj));
}

const struct kobj_type vbus_instance_ktype = {
	.release = vbus_instance_kobj_release,
	.sysfs_ops = &kobj_sysfs_ops,
	.default_groups = vbus_instance_groups,
};

/* ---- the tree ---------------------------------------------------------- */

int vbus_sysfs_init(void)
{
	int ret = -ENOMEM;

	vbus_sysfs_root = kobject_create_and_add("vbus", NULL);
	if (!vbus_sysfs_root)
		return -ENOMEM;
	ret = sysfs_create_file(vbus_sysfs_root, &vbus_version_attr.attr);
	if (ret)
		goto err;
	ret = -ENOMEM;
	vbus_sysfs_classes = kobject_create_and_add("deviceclass",
						    vbus_sysfs_root);
	if (!vbus_sysfs_classes)
		goto err;
	vbus_sysfs_devices = kobject_create_and_add("devices", vbus_sysfs_root);
	if (!vbus_sysfs_devices)
		goto err;
	vbus_sysfs_instances = kobject_create_and_add("instances",
						      vbus_sysfs_root);
	if (!vbus_sysfs_instances)
		goto err;
	return 0;
err:
	pr_err("cannot create /sys/vbus: %d\n", ret);
	vbus_sysfs_exit();
	return ret;
}

void vbus_sysfs_exit(void)
{
	kobject_put(vbus_sysfs_instances);
	kobject_put(vbus_sysfs_devices);
	kobject_put(vbus_sysfs_classes);
	kobject_put(vbus_sysfs_root);
	vbus_sysfs_instances = NULL;
	vbus_sysfs_devices = NULL;
	vbus_sysfs_classes = NULL;
	vbus_sysfs_root = NULL;
}
