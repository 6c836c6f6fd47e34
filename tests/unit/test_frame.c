// SPDX-License-Identifier: GPL-2.0
/*
 * The checksum flags of a received frame's header (vbus_frame_rx_flags()):
 * a guest may ask for a partial checksum (NEEDS_CSUM) but never vouch for
 * one (DATA_VALID), as tun and vhost-net treat a driver's header; the
 * host's DATA_VALID reaches a guest with rx-checksumming on.
 */
#include "harness.h"
#include "vbus_abi.h"
#include "vbus_frame.h"

#define NEEDS	VBUS_NET_HDR_F_NEEDS_CSUM
#define VALID	VBUS_NET_HDR_F_DATA_VALID

static int t_from_guest(struct tctx *t)
{
	TCHECK(t, vbus_frame_rx_flags(VALID, true, true) == 0,
	       "guest -> host DATA_VALID dropped (rx-checksumming on)");
	TCHECK(t, vbus_frame_rx_flags(VALID, true, false) == 0,
	       "guest -> host DATA_VALID dropped (rx-checksumming off)");
	TCHECK(t, vbus_frame_rx_flags(NEEDS, true, true) == NEEDS,
	       "guest -> host NEEDS_CSUM kept");
	TCHECK(t, vbus_frame_rx_flags(NEEDS | VALID, true, true) == NEEDS,
	       "guest -> host NEEDS_CSUM | DATA_VALID: NEEDS_CSUM only");
	TCHECK(t, vbus_frame_rx_flags(0xff, true, true) == NEEDS,
	       "guest -> host: no unknown flag survives");
	return T_PASS;
}

static int t_from_host(struct tctx *t)
{
	TCHECK(t, vbus_frame_rx_flags(VALID, false, true) == VALID,
	       "host -> guest DATA_VALID kept with rx-checksumming on");
	TCHECK(t, vbus_frame_rx_flags(VALID, false, false) == 0,
	       "host -> guest DATA_VALID dropped with rx-checksumming off");
	TCHECK(t, vbus_frame_rx_flags(NEEDS | VALID, false, true) ==
	       (NEEDS | VALID), "host -> guest both flags kept");
	TCHECK(t, vbus_frame_rx_flags(NEEDS, false, false) == NEEDS,
	       "host -> guest NEEDS_CSUM kept with rx-checksumming off");
	return T_PASS;
}

const struct vbus_test frame_tests[] = {
	{ "frame/csum-flags-from-guest", t_from_guest },
	{ "frame/csum-flags-from-host", t_from_host },
	{ NULL, NULL },
};
