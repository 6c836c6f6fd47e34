// SPDX-License-Identifier: GPL-2.0
/*
 * vbus_err.c - names of the vbus result codes, for logs and counters.
 */
#include "vbus_err.h"

static const char *const vbus_err_names[VBUS_E_COUNT] = {
	[VBUS_OK]		= "ok",
	[VBUS_E_EMPTY]		= "empty",
	[VBUS_E_FULL]		= "full",
	[VBUS_E_INVAL]		= "inval",
	[VBUS_E_NOSPACE]	= "nospace",
	[VBUS_E_REGION_SIZE]	= "region_size",
	[VBUS_E_MAGIC]		= "magic",
	[VBUS_E_VERSION]	= "version",
	[VBUS_E_HDR_SIZE]	= "hdr_size",
	[VBUS_E_NOT_READY]	= "not_ready",
	[VBUS_E_NDEVICES]	= "ndevices",
	[VBUS_E_NVECTORS]	= "nvectors",
	[VBUS_E_DEV_TABLE]	= "dev_table",
	[VBUS_E_DEV_TYPE]	= "dev_type",
	[VBUS_E_DEV_ID]		= "dev_id",
	[VBUS_E_NQUEUES]	= "nqueues",
	[VBUS_E_CONFIG_RANGE]	= "config_range",
	[VBUS_E_RING_RANGE]	= "ring_range",
	[VBUS_E_RING_COUNT]	= "ring_count",
	[VBUS_E_POOL_RANGE]	= "pool_range",
	[VBUS_E_BUF_SIZE]	= "buf_size",
	[VBUS_E_VECTOR]		= "vector",
	[VBUS_E_QUEUE_KIND]	= "queue_kind",
	[VBUS_E_MAX_CHAIN]	= "max_chain",
	[VBUS_E_ALIGN]		= "align",
	[VBUS_E_OVERLAP]	= "overlap",
	[VBUS_E_RING_INDEX]	= "ring_index",
	[VBUS_E_DESC_FLAGS]	= "desc_flags",
	[VBUS_E_DESC_OWNER]	= "desc_owner",
	[VBUS_E_DESC_OFFSET]	= "desc_offset",
	[VBUS_E_DESC_POOL]	= "desc_pool",
	[VBUS_E_DESC_ALIGN]	= "desc_align",
	[VBUS_E_DESC_EMPTY]	= "desc_empty",
	[VBUS_E_DESC_LEN]	= "desc_len",
	[VBUS_E_DESC_CHAIN]	= "desc_chain",
	[VBUS_E_DESC_TRUNC]	= "desc_trunc",
};

const char *vbus_err_name(enum vbus_err err)
{
	if ((unsigned int)err >= VBUS_E_COUNT || !vbus_err_names[err])
		return "unknown";
	return vbus_err_names[err];
}
