/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internals of vbus-bridge.ko, grouped by the file that
 * implements them.
 */
#ifndef _VBUS_BRIDGE_INTERNAL_H
#define _VBUS_BRIDGE_INTERNAL_H

#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/workqueue.h>

#include "vbus_bridge.h"
#include "vbus_guest_compat.h"

/* ivshmem-doorbell BAR0 registers */
#define VBUS_BRIDGE_REG_IVPOSITION	0x08
#define VBUS_BRIDGE_REG_DOORBELL	0x0c
#define VBUS_BRIDGE_HOST_PEER		0

struct vbus_bridge {
	struct pci_dev *pdev;
	void __iomem *regs;		/* BAR0 */
	void *base;			/* BAR2, write-back */
	u64 size;
	u32 ivposition;
	int index;			/* bus number, names the devices */

	struct mutex lock;		/* bound state, devices, vectors */
	struct delayed_work work;	/* follows the host's state */
	bool dying;
	bool bound;
	bool stale;			/* found bound by an earlier kernel */
	bool irqs;			/* vectors allocated, vector 0 taken */
	bool letgo;			/* let go, host's ack awaited */
	bool ack_warned;		/* the ack came late: logged */
	unsigned long letgo_at;		/* jiffies of the let-go */
	u32 letgo_host_gen;		/* host_gen the let-go was rung to */
	u32 host_gen;			/* host_gen we bound to */
	u32 guest_gen;			/* ours, +1 on every bind */
	enum vbus_err last_err;		/* logged once per change */
	u32 nvectors;			/* MSI-X vectors allocated */
	unsigned long irq_failures;	/* vector set-ups failed, retried */
	bool nvec_warned;		/* layout needs more vectors: logged */
	struct vbus_layout layout;
	struct vbus_bridge_device *devs[VBUS_MAX_DEVICES];
	unsigned long ctrl_irqs;
	unsigned long resets;
};

/* bus.c APIs: */
int vbus_bridge_bus_init(void);
void vbus_bridge_bus_exit(void);
int vbus_bridge_add_devices(struct vbus_bridge *b);
void vbus_bridge_del_devices(struct vbus_bridge *b);

/* state.c APIs: */
void vbus_bridge_state_init(struct vbus_bridge *b);
void vbus_bridge_state_start(struct vbus_bridge *b);
void vbus_bridge_state_stop(struct vbus_bridge *b);

/* pci.c APIs: */
void vbus_bridge_doorbell(struct vbus_bridge *b, u16 vector);
int vbus_bridge_vectors_alloc(struct vbus_bridge *b);
void vbus_bridge_vectors_free(struct vbus_bridge *b);

#endif /* _VBUS_BRIDGE_INTERNAL_H */
