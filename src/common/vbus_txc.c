// SPDX-License-Identifier: GPL-2.0
/*
 * vbus_txc.c - tx-complete mitigation, see vbus_txc.h for the rule.
 */
#include "vbus_txc.h"

/* The rule itself, a pure function of the queue state. */
bool vbus_txc_due(u32 unsignalled, u32 every, bool drained)
{
	if (!unsignalled)
		return false;
	return !every || unsignalled >= every || drained;
}

/*
 * Account @n more completions; @drained: no posted slot is left. Returns
 * true if the caller must inject the completion signal now (the counter
 * then restarts).
 */
bool vbus_txc_complete(struct vbus_txc *t, u32 n, bool drained)
{
	t->unsignalled += n;
	if (!vbus_txc_due(t->unsignalled, VBUS_READ_ONCE(t->every), drained))
		return false;
	t->unsignalled = 0;
	return true;
}
