// SPDX-License-Identifier: GPL-2.0
/*
 * The guest tunables, /sys/class/net/<if>/venet/<name>
 * (docs/tunables.md), also reachable through ethtool -C. Every one can be
 * changed at runtime; a value out of range gives -EINVAL.
 */
#include <linux/kernel.h>
#include <linux/netdevice.h>

#include "venet.h"

/* Largest accepted value of the tunable at @field. */
u32 venet_tunable_max(struct venet_priv *p, const u32 *field)
{
	if (field == &p->tun.napi_weight)
		return VENET_NAPI_WEIGHT_MAX;
	if (field == &p->tun.tx_kick_frames || field == &p->tun.tx_irq_thresh)
		return p->q[0].txq.mask + 1;
	return p->q[0].rxq.mask + 1;	/* rx_refill_batch */
}

int venet_tunable_set(struct venet_priv *p, u32 *field, u32 val)
{
	u32 min = field == &p->tun.tx_irq_thresh ? 0 : 1, k;

	if (val < min || val > venet_tunable_max(p, field))
		return -EINVAL;
	WRITE_ONCE(*field, val);
	if (field == &p->tun.napi_weight)
		for (k = 0; k < p->npairs; k++)
			WRITE_ONCE(p->q[k].napi.weight, val);
	return 0;
}

#define VENET_TUNABLE(_name)						\
static ssize_t _name##_show(struct device *dev,				\
			    struct device_attribute *attr, char *buf)	\
{									\
	struct venet_priv *p = netdev_priv(to_net_dev(dev));		\
									\
	return sysfs_emit(buf, "%u\n", READ_ONCE(p->tun._name));	\
}									\
static ssize_t _name##_store(struct device *dev,			\
			     struct device_attribute *attr,		\
			     const char *buf, size_t count)		\
{									\
	struct venet_priv *p = netdev_priv(to_net_dev(dev));		\
	u32 val;							\
	int err;							\
									\
	err = kstrtou32(buf, 0, &val);					\
	if (err)							\
		return -EINVAL;						\
	err = venet_tunable_set(p, &p->tun._name, val);			\
	return err ? err : count;					\
}									\
static DEVICE_ATTR_RW(_name)

VENET_TUNABLE(napi_weight);
VENET_TUNABLE(tx_kick_frames);
VENET_TUNABLE(tx_irq_thresh);
VENET_TUNABLE(rx_refill_batch);

static struct attribute *venet_sysfs_attrs[] = {
	&dev_attr_napi_weight.attr,
	&dev_attr_tx_kick_frames.attr,
	&dev_attr_tx_irq_thresh.attr,
	&dev_attr_rx_refill_batch.attr,
	NULL,
};

const struct attribute_group venet_sysfs_group = {
	.name	= "venet",
	.attrs	= venet_sysfs_attrs,
};
