/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every difference between the kernels vbus builds against (6.1 and
 * later), in one place. The VBUS_HAVE_* macros come from feature tests on
 * the kernel headers in Kbuild, so distribution backports are handled;
 * nothing in src/host tests LINUX_VERSION_CODE.
 */
#ifndef _VBUS_COMPAT_H
#define _VBUS_COMPAT_H

#include <linux/eventfd.h>
#include <linux/hrtimer.h>
#include <linux/mm.h>
#include <linux/netdevice.h>
#include <linux/sched/signal.h>
#include <linux/shmem_fs.h>
#include <linux/slab.h>

/*
 * 6.6 split net/page_pool.h into net/page_pool/{types,helpers}.h; the
 * frame code (src/common/vbus_frame.c) allocates from a page pool.
 */
#ifdef VBUS_HAVE_PAGE_POOL_HELPERS
#include <net/page_pool/helpers.h>
#else
#include <net/page_pool.h>
#endif

/* 6.8 dropped the count argument of eventfd_signal() (always 1 now). */
static inline void vbus_eventfd_signal(struct eventfd_ctx *ctx)
{
#ifdef VBUS_HAVE_EVENTFD_SIGNAL_NOCOUNT
	eventfd_signal(ctx);
#else
	eventfd_signal(ctx, 1);
#endif
}

/*
 * 6.13 added hrtimer_setup() (the timer and its function at once) and 6.15
 * removed hrtimer_init().
 */
static inline void
vbus_hrtimer_setup(struct hrtimer *timer,
		   enum hrtimer_restart (*fn)(struct hrtimer *),
		   clockid_t clock, enum hrtimer_mode mode)
{
#ifdef VBUS_HAVE_HRTIMER_SETUP
	hrtimer_setup(timer, fn, clock, mode);
#else
	hrtimer_init(timer, clock, mode);
	timer->function = fn;
#endif
}

/*
 * The shared region's pages, held from attach to detach. 6.11 added
 * memfd_pin_folios(): FOLL_PIN pins of a memfd's folios with
 * FOLL_LONGTERM's rules (migrated out of ZONE_MOVABLE and CMA first;
 * known to the MM as pinned), as udmabuf holds them. 6.1 cannot pin a
 * file's pages without a user mapping: they are read in without
 * __GFP_MOVABLE (a page allocated here lands outside ZONE_MOVABLE and
 * CMA) and held with a page reference. Either way every page is marked
 * dirty when it is let go. Up to VBUS_PIN_CHUNK pages are pinned per call
 * (memfd_pin_folios() allocates an array of that many). A pending signal
 * stops it (-EINTR, nothing left pinned): vbusd interrupts an attach of up
 * to 4 GiB when it is told to exit or its client goes away.
 */
#define VBUS_PIN_CHUNK	256UL

struct vbus_pin {
	struct page **pages;		/* one per page, for vmap() */
	unsigned long npages;
#ifdef VBUS_HAVE_MEMFD_PIN_FOLIOS
	struct folio **folios;		/* one entry per pin taken */
	unsigned long nfolios;
#endif
};

#ifdef VBUS_HAVE_MEMFD_PIN_FOLIOS
static inline void vbus_unpin(struct vbus_pin *pin)
{
	unsigned long i;

	for (i = 0; i < pin->nfolios; i++)
		unpin_user_page_range_dirty_lock(folio_page(pin->folios[i], 0),
						 1, true);
	kvfree(pin->folios);
	kvfree(pin->pages);
	pin->folios = NULL;
	pin->pages = NULL;
	pin->nfolios = 0;
	pin->npages = 0;
}

/* Pin the first @n pages of @file; on error nothing is left pinned. */
static inline int vbus_pin(struct vbus_pin *pin, struct file *file,
			   unsigned long n)
{
	unsigned long chunks = DIV_ROUND_UP(n, VBUS_PIN_CHUNK);
	pgoff_t first;
	long nr, i;
	u64 j;

	pin->npages = 0;
	pin->nfolios = 0;
	pin->pages = kvmalloc_array(n, sizeof(*pin->pages), GFP_KERNEL);
	pin->folios = kvmalloc_array(chunks * VBUS_PIN_CHUNK,
				     sizeof(*pin->folios), GFP_KERNEL);
	if (!pin->pages || !pin->folios)
		goto err_nomem;
	while (pin->npages < n) {
		loff_t start = (loff_t)pin->npages << PAGE_SHIFT;
		unsigned long want = min(n - pin->npages, VBUS_PIN_CHUNK);

		nr = memfd_pin_folios(file, start,
				      start + (want << PAGE_SHIFT) - 1,
				      pin->folios + pin->nfolios, want, &first);
		if (nr <= 0) {
			vbus_unpin(pin);
			return nr ? nr : -EFAULT;
		}
		/* the folios cover the range; the first from byte @first */
		for (i = 0; i < nr; i++) {
			struct folio *folio = pin->folios[pin->nfolios + i];

			j = i ? 0 : first >> PAGE_SHIFT;
			for (; j < folio_nr_pages(folio) && want; j++, want--)
				pin->pages[pin->npages++] =
					folio_page(folio, j);
		}
		pin->nfolios += nr;
		if (want) {
			vbus_unpin(pin);
			return -EFAULT;
		}
		if (signal_pending(current)) {
			vbus_unpin(pin);
			return -EINTR;
		}
		cond_resched();
	}
	return 0;

err_nomem:
	vbus_unpin(pin);
	return -ENOMEM;
}
#else
static inline void vbus_unpin(struct vbus_pin *pin)
{
	while (pin->npages--) {
		set_page_dirty_lock(pin->pages[pin->npages]);
		put_page(pin->pages[pin->npages]);
	}
	kvfree(pin->pages);
	pin->pages = NULL;
	pin->npages = 0;
}

static inline int vbus_pin(struct vbus_pin *pin, struct file *file,
			   unsigned long n)
{
	struct address_space *mapping = file->f_mapping;
	gfp_t gfp = mapping_gfp_mask(mapping) & ~__GFP_MOVABLE;

	pin->npages = 0;
	pin->pages = kvmalloc_array(n, sizeof(*pin->pages), GFP_KERNEL);
	if (!pin->pages)
		return -ENOMEM;
	while (pin->npages < n) {
		struct page *page;

		page = shmem_read_mapping_page_gfp(mapping, pin->npages, gfp);
		if (IS_ERR(page)) {
			vbus_unpin(pin);
			return PTR_ERR(page);
		}
		pin->pages[pin->npages++] = page;
		if (signal_pending(current)) {
			vbus_unpin(pin);
			return -EINTR;
		}
		cond_resched();
	}
	return 0;
}
#endif

/*
 * The netdev netlink family's queue objects. 6.8: a queue names its NAPI
 * (netif_queue_set_napi(), under RTNL once the netdev is registered);
 * 6.9: per-queue statistics (struct netdev_stat_ops, VBUS_HAVE_QSTATS
 * from Kbuild, tested by venet_tap_nl.c). Before, this does nothing.
 */
static inline void vbus_queue_set_napi(struct net_device *dev,
				       unsigned int index, bool rx,
				       struct napi_struct *napi)
{
#ifdef VBUS_HAVE_QUEUE_NAPI
	netif_queue_set_napi(dev, index, rx ? NETDEV_QUEUE_TYPE_RX :
			     NETDEV_QUEUE_TYPE_TX, napi);
#endif
}

/*
 * Files are taken with fget()/fput() (struct file *), never through
 * struct fd, whose layout and accessors (fd_file(), CLASS(fd)) changed in
 * 6.11/6.12; eventfd_ctx_fdget() and eventfd_signal_allowed() exist with
 * the same meaning on every supported kernel.
 */

#endif /* _VBUS_COMPAT_H */
