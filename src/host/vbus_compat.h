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
 * Files are taken with fget()/fput() (struct file *), never through
 * struct fd, whose layout and accessors (fd_file(), CLASS(fd)) changed in
 * 6.11/6.12; eventfd_ctx_fdget() and eventfd_signal_allowed() exist with
 * the same meaning on every supported kernel.
 */

#endif /* _VBUS_COMPAT_H */
