// SPDX-License-Identifier: GPL-2.0
/*
 * The shared region: every page of the memfd, referenced and
 * mapped once (vmap) at attach, written back and released at detach.
 *
 * The references keep the pages alive even if userspace truncates the
 * memfd meanwhile (the guest would then be on other pages; nothing here
 * ever touches freed memory).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/sched/signal.h>
#include <linux/shmem_fs.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "vbus_core.h"

static void vbus_shm_put_pages(struct page **pages, unsigned long n)
{
	while (n--) {
		set_page_dirty_lock(pages[n]);
		put_page(pages[n]);
	}
}

/* @file is a shmem file of exactly @size bytes (checked by the caller). */
int vbus_shm_map(struct vbus_shm *shm, struct file *file, u64 size)
{
	struct address_space *mapping = file->f_mapping;
	unsigned long i, n = size >> PAGE_SHIFT;
	struct page **pages;
	int ret;

	pages = kvmalloc_array(n, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		struct page *page = shmem_read_mapping_page(mapping, i);

		if (IS_ERR(page)) {
			ret = PTR_ERR(page);
			goto err;
		}
		pages[i] = page;
		if (fatal_signal_pending(current)) {
			i++;
			ret = -EINTR;
			goto err;
		}
		cond_resched();
	}
	shm->base = vmap(pages, n, VM_MAP, PAGE_KERNEL);
	if (!shm->base) {
		ret = -ENOMEM;
		goto err;
	}
	shm->pages = pages;
	shm->npages = n;
	shm->size = size;
	return 0;

err:
	vbus_shm_put_pages(pages, i);
	kvfree(pages);
	return ret;
}

/* Only once nothing can touch the region any more. */
void vbus_shm_unmap(struct vbus_shm *shm)
{
	if (!shm->base)
		return;
	vunmap(shm->base);
	vbus_shm_put_pages(shm->pages, shm->npages);
	kvfree(shm->pages);
	shm->base = NULL;
	shm->pages = NULL;
	shm->npages = 0;
}
