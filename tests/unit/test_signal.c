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

/*
 * The poller acknowledges after its disable (venet-tap's transmit
 * doorbell): one doorbell per sleep of the poller, however much the
 * sender publishes before the poller runs, and none lost after it.
 */
static int t_ack_in_poll(struct tctx *t)
{
	struct vbus_shm_signal s;
	int i, rings = 0;

	vbus_signal_init(&s);
	for (i = 0; i < 100; i++)
		rings += vbus_signal_inject(&s);
	TCHECK(t, rings == 1, "one doorbell until the poller runs");
	vbus_signal_disable(&s);
	vbus_signal_ack(&s);
	TCHECK(t, !vbus_signal_inject(&s), "no doorbell while polling");
	TCHECK(t, vbus_signal_enable(&s), "enable reports work published meanwhile");
	vbus_signal_disable(&s);
	vbus_signal_ack(&s);
	TCHECK(t, !vbus_signal_enable(&s), "nothing new: the poller sleeps");
	TCHECK(t, vbus_signal_inject(&s), "asleep: the next publish rings");
	return T_PASS;
}

const struct vbus_test signal_tests[] = {
	{ "signal/semantics", t_semantics },
	{ "signal/ack-in-poll", t_ack_in_poll },
	{ "signal/garbage-words", t_garbage },
	{ NULL, NULL },
};
