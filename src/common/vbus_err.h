/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vbus_err.h - result codes of the layout validator and the ring checker.
 *
 * Each rejected condition has its own code so that a host can count them
 * separately (sysfs/ethtool counters) and log them by name. Values are
 * stable: append only.
 */
#ifndef _VBUS_ERR_H
#define _VBUS_ERR_H

#include "vbus_port.h"

enum vbus_err {
	VBUS_OK = 0,
	/* not errors: ring state for the caller */
	VBUS_E_EMPTY,		/* nothing to consume / reclaim */
	VBUS_E_FULL,		/* no free slot to post into */
	/* planner arguments */
	VBUS_E_INVAL,		/* bad planner or init argument */
	VBUS_E_NOSPACE,		/* layout does not fit in the region */
	/* header validator */
	VBUS_E_REGION_SIZE,	/* not a power of two, or out of range */
	VBUS_E_MAGIC,
	VBUS_E_VERSION,		/* unknown abi_major */
	VBUS_E_HDR_SIZE,	/* header_size / dev_entry_size mismatch */
	VBUS_E_NOT_READY,	/* host_state is not READY */
	VBUS_E_NDEVICES,
	VBUS_E_NVECTORS,
	VBUS_E_DEV_TABLE,	/* device table outside the region */
	VBUS_E_DEV_TYPE,	/* type not NUL-terminated or empty */
	VBUS_E_DEV_ID,		/* duplicate device id */
	VBUS_E_NQUEUES,
	VBUS_E_CONFIG_RANGE,	/* config block outside the region */
	VBUS_E_RING_RANGE,	/* ring header + descriptors outside */
	VBUS_E_RING_COUNT,	/* ring_count not a power of two in range */
	VBUS_E_POOL_RANGE,	/* buffer pool outside the region */
	VBUS_E_BUF_SIZE,	/* buffer size out of range / unaligned */
	VBUS_E_VECTOR,		/* queue vector 0 or >= nvectors */
	VBUS_E_QUEUE_KIND,
	VBUS_E_MAX_CHAIN,	/* max_chain 0 or > ring_count / cap */
	VBUS_E_ALIGN,		/* layout offset not 64-aligned */
	VBUS_E_OVERLAP,		/* two layout extents overlap */
	/* ring checker: guest-written values the host rejects */
	VBUS_E_RING_INDEX,	/* head - tail > ring_count */
	VBUS_E_DESC_FLAGS,	/* unknown flag bits */
	VBUS_E_DESC_OWNER,	/* slot in the window not owned as expected */
	VBUS_E_DESC_OFFSET,	/* buffer outside the region */
	VBUS_E_DESC_POOL,	/* buffer outside the queue's pool */
	VBUS_E_DESC_ALIGN,	/* offset not at a buffer boundary */
	VBUS_E_DESC_EMPTY,	/* posted length 0 */
	VBUS_E_DESC_LEN,	/* length larger than one buffer */
	VBUS_E_DESC_CHAIN,	/* chain longer than max_chain */
	VBUS_E_DESC_TRUNC,	/* chain runs past the published head */
	VBUS_E_COUNT		/* number of codes, keep last */
};

/* vbus_err.c APIs: */
const char *vbus_err_name(enum vbus_err err);

#endif /* _VBUS_ERR_H */
