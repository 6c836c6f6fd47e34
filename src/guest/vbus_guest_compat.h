/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The differences between the kernel series the
 * guest modules build for (6.1 and 6.12), decided by LINUX_VERSION_CODE.
 */
#ifndef _VBUS_GUEST_COMPAT_H
#define _VBUS_GUEST_COMPAT_H

#include <linux/version.h>

/* 6.3: bus_type.uevent takes a const device. */
#if KERNEL_VERSION(6, 3, 0) <= LINUX_VERSION_CODE
#define VBUS_UEVENT_CONST const
#else
#define VBUS_UEVENT_CONST
#endif

/* 6.11: bus_type.match takes a const driver. */
#if KERNEL_VERSION(6, 11, 0) <= LINUX_VERSION_CODE
#define VBUS_MATCH_CONST const
#else
#define VBUS_MATCH_CONST
#endif

/* 6.4: bus_register() and device.bus take a const bus_type. */
#if KERNEL_VERSION(6, 4, 0) <= LINUX_VERSION_CODE
#define VBUS_BUS_CONST const
#else
#define VBUS_BUS_CONST
#endif

#endif /* _VBUS_GUEST_COMPAT_H */
