// SPDX-License-Identifier: GPL-2.0
/*
 * The control device /dev/vbus, implementing uapi/linux/vbus.h.
 *
 * An attachment belongs to the open file it was made on; closing the file
 * detaches. The misc device's fops owner makes every open file hold a
 * reference on this module, so vbus.ko cannot be unloaded while attached.
 *
 * Every refusal is logged (rate-limited) with the errno it returns:
 *   EPROTO  version != VBUS_UAPI_VERSION
 *   EINVAL  flags != 0; instance name empty or not NUL-terminated;
 *           nvectors outside 1..VBUS_MAX_VECTORS or below the instance's
 *           "vectors"; shm_size not a power of two, out of range, not the
 *           instance's shm_size or not the memfd's size; shm_fd not a
 *           shmem file (memfd); a doorbell or irq fd not an eventfd
 *   EBADF   shm_fd, doorbell or irq fd not an open file; memfd not open
 *           for reading and writing
 *   EPERM   memfd sealed against writing (F_SEAL_WRITE, F_SEAL_FUTURE_WRITE)
 *   ENOMEM  the region would take the caller's pinned memory over its
 *           RLIMIT_MEMLOCK (and it lacks CAP_IPC_LOCK); see shm.c
 *   ENOENT  no such instance (or it is being removed); VBUS_DETACH
 *           without an attachment
 *   EBUSY   instance already attached, or this file already attached
 *   ENOSPC  the instance's devices do not fit in the region
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/file.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/shmem_fs.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "vbus_core.h"

struct vbus_control {
	struct mutex lock;		/* serialises this file's ioctls */
	struct vbus_transport *xport;	/* this file's attachment */
};

static int vbus_control_open(struct inode *inode, struct file *file)
{
	struct vbus_control *ctl;

	ctl = kzalloc(sizeof(*ctl), GFP_KERNEL);
	if (!ctl)
		return -ENOMEM;
	mutex_init(&ctl->lock);
	file->private_data = ctl;
	return nonseekable_open(inode, file);
}

/* The fields that need no instance and no file. */
static int vbus_attach_check_args(const struct vbus_attach *a)
{
	if (a->version != VBUS_UAPI_VERSION)
		return vbus_refuse(-EPROTO, "uapi version %u, this kernel speaks %d",
				   a->version, VBUS_UAPI_VERSION);
	if (a->flags)
		return vbus_refuse(-EINVAL, "flags %#x, must be 0", a->flags);
	if (!a->instance[0] ||
	    strnlen(a->instance, VBUS_NAME_MAX) == VBUS_NAME_MAX)
		return vbus_refuse(-EINVAL, "instance name empty or not terminated");
	if (a->nvectors < 1 || a->nvectors > VBUS_MAX_VECTORS)
		return vbus_refuse(-EINVAL, "instance %s: nvectors %u outside 1..%d",
				   a->instance, a->nvectors, VBUS_MAX_VECTORS);
	if (!vbus_is_pow2(a->shm_size) || a->shm_size < VBUS_SHM_MIN ||
	    a->shm_size > VBUS_SHM_MAX)
		return vbus_refuse(-EINVAL, "%s: shm_size %llu: not a power of 2 in %llu..%llu",
				   a->instance, a->shm_size, VBUS_SHM_MIN,
				   VBUS_SHM_MAX);
	return 0;
}

/* Against the instance's configuration; vbus_lock held. */
static int vbus_attach_check_instance(const struct vbus_attach *a)
{
	struct vbus_instance *inst;
	u32 need;

	lockdep_assert_held(&vbus_lock);
	inst = vbus_instance_find(a->instance);
	if (!inst)
		return vbus_refuse(-ENOENT, "no instance %s", a->instance);
	if (inst->xport)
		return vbus_refuse(-EBUSY, "instance %s is already attached",
				   a->instance);
	if (a->shm_size != inst->shm_size)
		return vbus_refuse(-EINVAL, "instance %s: shm_size %llu, instance has %llu",
				   a->instance, a->shm_size, inst->shm_size);
	need = vbus_instance_vectors(inst);
	if (a->nvectors < need)
		return vbus_refuse(-EINVAL, "instance %s: %u vectors, its devices need %u",
				   a->instance, a->nvectors, need);
	return 0;
}

static int vbus_attach_map(struct vbus_transport *xport,
			   const struct vbus_attach *a)
{
	struct file *file;
	int ret;

	file = fget(a->shm_fd);
	if (!file)
		return vbus_refuse(-EBADF, "instance %s: shm_fd %d is not open",
				   a->instance, a->shm_fd);
	if (!shmem_file(file)) {
		ret = vbus_refuse(-EINVAL, "instance %s: shm_fd %d is not a memfd (shmem)",
				  a->instance, a->shm_fd);
		goto out;
	}
	if ((file->f_mode & (FMODE_READ | FMODE_WRITE)) !=
	    (FMODE_READ | FMODE_WRITE)) {
		ret = vbus_refuse(-EBADF, "instance %s: shm_fd %d not open read-write",
				  a->instance, a->shm_fd);
		goto out;
	}
	if (i_size_read(file_inode(file)) != a->shm_size) {
		ret = vbus_refuse(-EINVAL, "instance %s: memfd is %lld bytes, shm_size %llu",
				  a->instance, i_size_read(file_inode(file)),
				  a->shm_size);
		goto out;
	}
	ret = vbus_shm_map(&xport->shm, file, a->shm_size);
	if (ret && ret != -EINTR)	/* EINTR: a signal, the caller's call */
		pr_warn_ratelimited("instance %s: cannot map the memfd: %d\n",
				    a->instance, ret);
out:
	fput(file);
	return ret;
}

static int vbus_attach_vectors(struct vbus_transport *xport,
			       const struct vbus_attach *a)
{
	u32 i;
	int ret;

	for (i = 0; i < a->nvectors; i++) {
		ret = vbus_vector_init(&xport->vec[i], xport, i,
				       a->doorbell_fds[i], a->irq_fds[i]);
		if (ret)
			return vbus_refuse(ret, "instance %s: vector %u: fds %d/%d: %s",
					   a->instance, i, a->doorbell_fds[i],
					   a->irq_fds[i],
					   ret == -EBADF ? "not open" :
					   "not an eventfd");
	}
	return 0;
}

static void vbus_attach_release(struct vbus_transport *xport)
{
	u32 i;

	for (i = 0; i < xport->nvectors; i++)
		vbus_vector_release(&xport->vec[i]);
	vbus_shm_unmap(&xport->shm);
	vbus_transport_free(xport);
}

static long vbus_control_attach(struct vbus_control *ctl,
				struct vbus_attach __user *uarg)
{
	struct vbus_transport *xport;
	struct vbus_instance *inst;
	struct vbus_attach a;
	int ret;

	if (copy_from_user(&a, uarg, sizeof(a)))
		return -EFAULT;
	ret = vbus_attach_check_args(&a);
	if (ret)
		return ret;
	if (ctl->xport)
		return vbus_refuse(-EBUSY, "this file already holds an attachment (instance %s)",
				   vbus_instance_name(ctl->xport->inst));

	/* cheap checks first, so a bad request costs no page */
	mutex_lock(&vbus_lock);
	ret = vbus_attach_check_instance(&a);
	mutex_unlock(&vbus_lock);
	if (ret)
		return ret;

	xport = vbus_transport_alloc(a.nvectors);
	if (!xport)
		return -ENOMEM;
	ret = vbus_attach_map(xport, &a);
	if (ret)
		goto err;
	ret = vbus_attach_vectors(xport, &a);
	if (ret)
		goto err;

	/* the configuration may have changed while we were not looking */
	mutex_lock(&vbus_lock);
	ret = vbus_attach_check_instance(&a);
	if (!ret) {
		inst = vbus_instance_find(a.instance);
		ret = vbus_transport_attach(inst, xport);
	}
	mutex_unlock(&vbus_lock);
	if (ret)
		goto err;
	ctl->xport = xport;
	return 0;

err:
	vbus_attach_release(xport);
	return ret;
}

static void vbus_control_detach_locked(struct vbus_control *ctl)
{
	struct vbus_transport *xport = ctl->xport;

	mutex_lock(&vbus_lock);
	vbus_transport_detach(xport);
	mutex_unlock(&vbus_lock);
	ctl->xport = NULL;
	vbus_attach_release(xport);
}

static long vbus_control_ioctl(struct file *file, unsigned int cmd,
			       unsigned long arg)
{
	struct vbus_control *ctl = file->private_data;
	long ret;

	switch (cmd) {
	case VBUS_GET_VERSION:
		return VBUS_UAPI_VERSION;
	case VBUS_ATTACH:
		mutex_lock(&ctl->lock);
		ret = vbus_control_attach(ctl, (void __user *)arg);
		mutex_unlock(&ctl->lock);
		return ret;
	case VBUS_DETACH:
		mutex_lock(&ctl->lock);
		if (ctl->xport) {
			vbus_control_detach_locked(ctl);
			ret = 0;
		} else {
			pr_info_ratelimited("detach refused (%s, pid %d): nothing attached on this file\n",
					    current->comm, task_pid_nr(current));
			ret = -ENOENT;
		}
		mutex_unlock(&ctl->lock);
		return ret;
	default:
		return -ENOTTY;
	}
}

static int vbus_control_release(struct inode *inode, struct file *file)
{
	struct vbus_control *ctl = file->private_data;

	if (ctl->xport)
		vbus_control_detach_locked(ctl);
	mutex_destroy(&ctl->lock);
	kfree(ctl);
	return 0;
}

static const struct file_operations vbus_control_fops = {
	.owner = THIS_MODULE,
	.open = vbus_control_open,
	.release = vbus_control_release,
	.unlocked_ioctl = vbus_control_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

static struct miscdevice vbus_control_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "vbus",
	.fops = &vbus_control_fops,
	.mode = 0600,
};

int vbus_control_init(void)
{
	int ret = misc_register(&vbus_control_dev);

	if (ret)
		pr_err("cannot register /dev/vbus: %d\n", ret);
	return ret;
}

void vbus_control_exit(void)
{
	misc_deregister(&vbus_control_dev);
}
