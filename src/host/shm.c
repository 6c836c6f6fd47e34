// SPDX-License-Identifier: GPL-2.0
/*
 * The shared region: every page of the memfd, pinned, zeroed and mapped
 * once (vmap) at attach, released at detach.
 *
 * For as long as it is attached the region is:
 *  - writable: a memfd sealed against writing (F_SEAL_WRITE,
 *    F_SEAL_FUTURE_WRITE) is refused, and the attachment counts as a
 *    writable mapping of the memfd (mapping_map_writable(), as mmap() does),
 *    so F_SEAL_WRITE cannot be added meanwhile (EBUSY);
 *  - pinned (vbus_compat.h: vbus_pin()) and charged to the attaching
 *    process's pinned memory (mm->pinned_vm, VmPin in /proc/PID/status),
 *    which RLIMIT_MEMLOCK bounds unless the process has CAP_IPC_LOCK, as
 *    RDMA and io_uring charge long-lived pins.
 *
 * The pins keep the pages alive even if userspace truncates the memfd
 * meanwhile (the guest would then be on other pages; nothing here ever
 * touches freed memory).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fcntl.h>
#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/shmem_fs.h>
#include <linux/vmalloc.h>

#include "vbus_compat.h"
#include "vbus_core.h"

/*
 * Count the attachment as a writable mapping of the memfd, unless it is
 * sealed against writing. Under the inode lock, as memfd_add_seals() is.
 */
static int vbus_shm_hold_writable(struct file *file)
{
	struct inode *inode = file_inode(file);
	int ret;

	inode_lock(inode);
	if (SHMEM_I(inode)->seals & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE))
		ret = -EPERM;
	else
		ret = mapping_map_writable(file->f_mapping);
	inode_unlock(inode);
	return ret;
}

/* Charge @npages to the caller's pinned memory, within RLIMIT_MEMLOCK. */
static int vbus_shm_charge(struct vbus_shm *shm, unsigned long npages)
{
	unsigned long limit = rlimit(RLIMIT_MEMLOCK) >> PAGE_SHIFT;
	struct mm_struct *mm = current->mm;
	s64 pinned;

	if (!mm)
		return -ESRCH;
	pinned = atomic64_add_return(npages, &mm->pinned_vm);
	if (pinned > limit && !capable(CAP_IPC_LOCK)) {
		atomic64_sub(npages, &mm->pinned_vm);
		return vbus_refuse(-ENOMEM, "region of %lu KiB would pin %lld KiB, over RLIMIT_MEMLOCK (%lu KiB): raise the limit (LimitMEMLOCK= in a systemd unit) or grant CAP_IPC_LOCK",
				   npages << (PAGE_SHIFT - 10),
				   pinned << (PAGE_SHIFT - 10),
				   limit << (PAGE_SHIFT - 10));
	}
	mmgrab(mm);
	shm->mm = mm;
	return 0;
}

static void vbus_shm_uncharge(struct vbus_shm *shm, unsigned long npages)
{
	atomic64_sub(npages, &shm->mm->pinned_vm);
	mmdrop(shm->mm);
	shm->mm = NULL;
}

/* @file is a shmem file of exactly @size bytes (checked by the caller). */
int vbus_shm_map(struct vbus_shm *shm, struct file *file, u64 size)
{
	unsigned long i, n = size >> PAGE_SHIFT;
	int ret;

	ret = vbus_shm_hold_writable(file);
	if (ret)
		return vbus_refuse(ret, "memfd is sealed against writing (F_SEAL_WRITE or F_SEAL_FUTURE_WRITE): the host and the guest write the region");
	ret = vbus_shm_charge(shm, n);
	if (ret)
		goto err_writable;
	ret = vbus_pin(&shm->pin, file, n);
	if (ret)
		goto err_uncharge;
	/* a known state for the guest: nothing of an earlier user's region */
	for (i = 0; i < n; i++) {
		clear_highpage(shm->pin.pages[i]);
		if (i & 255)
			continue;
		if (signal_pending(current)) {	/* as vbus_pin() */
			ret = -EINTR;
			goto err_unpin;
		}
		cond_resched();
	}
	shm->base = vmap(shm->pin.pages, n, VM_MAP, PAGE_KERNEL);
	if (!shm->base) {
		ret = -ENOMEM;
		goto err_unpin;
	}
	shm->file = get_file(file);
	shm->size = size;
	return 0;

err_unpin:
	vbus_unpin(&shm->pin);
err_uncharge:
	vbus_shm_uncharge(shm, n);
err_writable:
	mapping_unmap_writable(file->f_mapping);
	return ret;
}

/* Only once nothing can touch the region any more. */
void vbus_shm_unmap(struct vbus_shm *shm)
{
	unsigned long n = shm->size >> PAGE_SHIFT;

	if (!shm->base)
		return;
	vunmap(shm->base);
	vbus_unpin(&shm->pin);
	vbus_shm_uncharge(shm, n);
	mapping_unmap_writable(shm->file->f_mapping);
	fput(shm->file);
	shm->base = NULL;
	shm->file = NULL;
	shm->size = 0;
}
