// SPDX-License-Identifier: GPL-2.0
/*
 * shm-signal semantics, one thread.
 */
#include "harness.h"
#include "vbus_signal.h"

static int t_semantics(struct tctx *t)
{
	struct vbus_shm_signal s;

	vbus_signal_init(&s);
	TCHECK(t, vbus_signal_enabled(&s), "init enabled");
	TCHECK(t, vbus_signal_inject(&s), "first inject must notify");
	TCHECK(t, !vbus_signal_inject(&s), "pending suppresses the second");
	vbus_signal_ack(&s);
	TCHECK(t, vbus_signal_inject(&s), "after ack, notify again");
	vbus_signal_ack(&s);
	vbus_signal_disable(&s);
	TCHECK(t, !vbus_signal_enabled(&s), "disabled");
	TCHECK(t, !vbus_signal_enable(&s), "enable with nothing new");
	vbus_signal_disable(&s);
	TCHECK(t, !vbus_signal_inject(&s), "inject while disabled");
	TCHECK(t, vbus_signal_enable(&s), "enable must report the inject");
	vbus_signal_disable(&s);
	TCHECK(t, !vbus_signal_enable(&s), "disable clears dirty");
	TCHECK(t, vbus_signal_inject(&s), "enabled again notifies");
	return T_PASS;
}

/* Garbage in the shared words: only zero / non-zero matters. */
static int t_garbage(struct tctx *t)
{
	struct vbus_shm_signal s;

	s.enabled = cpu_to_le32(0xdeadbeef);
	s.pending = 0;
	s.dirty = cpu_to_le32(0x80000000);
	TCHECK(t, vbus_signal_inject(&s), "non-zero enabled counts");
	vbus_signal_disable(&s);
	s.dirty = cpu_to_le32(7);
	TCHECK(t, vbus_signal_enable(&s), "non-zero dirty counts");
	return T_PASS;
}

const struct vbus_test signal_tests[] = {
	{ "signal/semantics", t_semantics },
	{ "signal/garbage-words", t_garbage },
	{ NULL, NULL },
};
