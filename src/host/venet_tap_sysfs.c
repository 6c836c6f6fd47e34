// SPDX-License-Identifier: GPL-2.0
/*
 * The attributes of a venet-tap device in /sys/vbus/devices/<dev>/:
 * client_mac (rw while the instance is not attached), host_mac (ro),
 * enabled (rw), ifname (ro), txmitigation, burstthresh, linger_us and
 * linger_adaptive (rw), max_queue_pairs (rw while on no instance), queue_pairs (ro: those
 * the guest uses), and every device counter of ethtool -S (ro).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kstrtox.h>
#include <linux/rtnetlink.h>

#include "venet_tap.h"

static struct venet_tap *venet_tap_of(struct vbus_device *dev)
{
	return vbus_device_get_drvdata(dev);
}

static ssize_t client_mac_show(struct vbus_device *dev,
			       struct vbus_device_attribute *attr, char *buf)
{
	struct venet_tap *t = venet_tap_of(dev);
	ssize_t ret;

	rtnl_lock();
	ret = sysfs_emit(buf, "%pM\n", t->client_mac);
	rtnl_unlock();
	return ret;
}

static ssize_t client_mac_store(struct vbus_device *dev,
				struct vbus_device_attribute *attr,
				const char *buf, size_t count)
{
	struct venet_tap *t = venet_tap_of(dev);
	size_t len = count;
	u8 mac[ETH_ALEN];
	int ret = count;

	/* six hex pairs and colons, then at most a newline */
	if (len && buf[len - 1] == '\n')
		len--;
	if (len != 3 * ETH_ALEN - 1 || !mac_pton(buf, mac) ||
	    !is_valid_ether_addr(mac)) {
		pr_info_ratelimited("%s: client_mac refused: not a unicast MAC address (aa:bb:cc:dd:ee:ff)\n",
				    vbus_device_name(dev));
		return -EINVAL;
	}
	rtnl_lock();
	if (t->attached)
		ret = -EBUSY;	/* the guest read it at attach */
	else
		ether_addr_copy(t->client_mac, mac);
	rtnl_unlock();
	return ret;
}

static ssize_t host_mac_show(struct vbus_device *dev,
			     struct vbus_device_attribute *attr, char *buf)
{
	struct venet_tap *t = venet_tap_of(dev);
	ssize_t ret;

	rtnl_lock();
	ret = sysfs_emit(buf, "%pM\n", t->host_mac);
	rtnl_unlock();
	return ret;
}

static ssize_t enabled_show(struct vbus_device *dev,
			    struct vbus_device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n", !!READ_ONCE(venet_tap_of(dev)->ndev));
}

static ssize_t enabled_store(struct vbus_device *dev,
			     struct vbus_device_attribute *attr,
			     const char *buf, size_t count)
{
	struct venet_tap *t = venet_tap_of(dev);
	bool val;
	int ret = kstrtobool(buf, &val);

	if (ret)
		return ret;
	rtnl_lock();
	if (val)
		ret = venet_tap_netdev_create(t);
	else
		venet_tap_netdev_destroy(t);
	rtnl_unlock();
	return ret ? ret : count;
}

static ssize_t ifname_show(struct vbus_device *dev,
			   struct vbus_device_attribute *attr, char *buf)
{
	struct venet_tap *t = venet_tap_of(dev);
	ssize_t ret;

	rtnl_lock();
	ret = sysfs_emit(buf, "%s\n", t->ndev ? t->ndev->name : "");
	rtnl_unlock();
	return ret;
}

/* A u32 knob: a field of struct venet_tap, changed through its setter. */
struct venet_tap_knob_attr {
	struct vbus_device_attribute attr;
	size_t offset;
	int (*set)(struct venet_tap *t, u32 val);
};

static ssize_t venet_tap_knob_show(struct vbus_device *dev,
				   struct vbus_device_attribute *attr, char *buf)
{
	struct venet_tap_knob_attr *ka =
		container_of(attr, struct venet_tap_knob_attr, attr);
	u32 *field = (void *)venet_tap_of(dev) + ka->offset;

	return sysfs_emit(buf, "%u\n", READ_ONCE(*field));
}

static ssize_t venet_tap_knob_store(struct vbus_device *dev,
				    struct vbus_device_attribute *attr,
				    const char *buf, size_t count)
{
	struct venet_tap_knob_attr *ka =
		container_of(attr, struct venet_tap_knob_attr, attr);
	u32 val;
	int ret = kstrtou32(buf, 0, &val);

	if (!ret)
		ret = ka->set(venet_tap_of(dev), val);
	return ret ? ret : count;
}

#define VENET_TAP_KNOB(_name, _field, _set)				\
	static struct venet_tap_knob_attr venet_tap_knob_##_name = {	\
		.attr = {						\
			.attr = { .name = #_name, .mode = 0644 },	\
			.show = venet_tap_knob_show,			\
			.store = venet_tap_knob_store,			\
		},							\
		.offset = offsetof(struct venet_tap, _field),		\
		.set = _set,						\
	}

VENET_TAP_KNOB(txmitigation, txmitigation, venet_tap_set_txmitigation);
VENET_TAP_KNOB(burstthresh, burstthresh, venet_tap_set_burstthresh);
VENET_TAP_KNOB(linger_us, linger_us, venet_tap_set_linger);
VENET_TAP_KNOB(linger_adaptive, linger_adaptive,
	       venet_tap_set_linger_adaptive);
VENET_TAP_KNOB(max_queue_pairs, max_pairs, venet_tap_set_max_pairs);

static ssize_t queue_pairs_show(struct vbus_device *dev,
				struct vbus_device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", READ_ONCE(venet_tap_of(dev)->active));
}

static VBUS_DEVICE_ATTR_RW(client_mac);
static VBUS_DEVICE_ATTR_RO(host_mac);
static VBUS_DEVICE_ATTR_RW(enabled);
static VBUS_DEVICE_ATTR_RO(ifname);
static VBUS_DEVICE_ATTR_RO(queue_pairs);

static struct attribute *venet_tap_attrs[] = {
	&vbus_dev_attr_client_mac.attr,
	&vbus_dev_attr_host_mac.attr,
	&vbus_dev_attr_enabled.attr,
	&vbus_dev_attr_ifname.attr,
	&venet_tap_knob_txmitigation.attr.attr,
	&venet_tap_knob_burstthresh.attr.attr,
	&venet_tap_knob_linger_us.attr.attr,
	&venet_tap_knob_linger_adaptive.attr.attr,
	&venet_tap_knob_max_queue_pairs.attr.attr,
	&vbus_dev_attr_queue_pairs.attr,
	NULL,
};

static const struct attribute_group venet_tap_attr_group = {
	.attrs = venet_tap_attrs,
};

/* Counters: one read-only file each, named as in ethtool -S. */
struct venet_tap_counter_attr {
	struct vbus_device_attribute attr;
	enum venet_tap_counter idx;
};

static ssize_t venet_tap_counter_show(struct vbus_device *dev,
				      struct vbus_device_attribute *attr,
				      char *buf)
{
	struct venet_tap_counter_attr *ca =
		container_of(attr, struct venet_tap_counter_attr, attr);
	u64 c[VENET_TAP_NCOUNTERS];

	venet_tap_counters(venet_tap_of(dev), c);
	return sysfs_emit(buf, "%llu\n", c[ca->idx]);
}

#define VENET_TAP_COUNTER(_name, _idx)					\
	static struct venet_tap_counter_attr venet_tap_ctr_##_name = {	\
		.attr = {						\
			.attr = { .name = #_name, .mode = 0444 },	\
			.show = venet_tap_counter_show,			\
		},							\
		.idx = _idx,						\
	}

VENET_TAP_COUNTER(guest_kicks, VENET_TAP_C_KICKS);
VENET_TAP_COUNTER(guest_kicks_skipped, VENET_TAP_C_KICKS_SKIPPED);
VENET_TAP_COUNTER(polls, VENET_TAP_C_POLLS);
VENET_TAP_COUNTER(lingers, VENET_TAP_C_LINGERS);
VENET_TAP_COUNTER(irqs_sent, VENET_TAP_C_IRQS_SENT);
VENET_TAP_COUNTER(irqs_suppressed, VENET_TAP_C_IRQS_SUPPRESSED);
VENET_TAP_COUNTER(tx_completions, VENET_TAP_C_COMPLETIONS);
VENET_TAP_COUNTER(rx_packets, VENET_TAP_C_RX_PACKETS);
VENET_TAP_COUNTER(rx_bytes, VENET_TAP_C_RX_BYTES);
VENET_TAP_COUNTER(tx_packets, VENET_TAP_C_TX_PACKETS);
VENET_TAP_COUNTER(tx_bytes, VENET_TAP_C_TX_BYTES);
VENET_TAP_COUNTER(rx_drop_bad_desc, VENET_TAP_C_RX_BAD_DESC);
VENET_TAP_COUNTER(rx_drop_bad_hdr, VENET_TAP_C_RX_BAD_HDR);
VENET_TAP_COUNTER(rx_drop_no_buffer, VENET_TAP_C_RX_NO_BUFFER);
VENET_TAP_COUNTER(tx_drop_ring_full, VENET_TAP_C_TX_RING_FULL);
VENET_TAP_COUNTER(tx_drop_bad_desc, VENET_TAP_C_TX_BAD_DESC);
VENET_TAP_COUNTER(tx_drop_oversize, VENET_TAP_C_TX_OVERSIZE);
VENET_TAP_COUNTER(tx_drop_hdr, VENET_TAP_C_TX_HDR);
VENET_TAP_COUNTER(tx_drop_down, VENET_TAP_C_TX_DOWN);
VENET_TAP_COUNTER(tx_queue_stops, VENET_TAP_C_TX_QUEUE_STOPS);
VENET_TAP_COUNTER(resets, VENET_TAP_C_RESETS);
VENET_TAP_COUNTER(queue_pair_changes, VENET_TAP_C_MQ_CHANGES);
VENET_TAP_COUNTER(queue_pair_refused, VENET_TAP_C_MQ_REFUSED);

static struct attribute *venet_tap_counter_attrs[] = {
	&venet_tap_ctr_guest_kicks.attr.attr,
	&venet_tap_ctr_guest_kicks_skipped.attr.attr,
	&venet_tap_ctr_polls.attr.attr,
	&venet_tap_ctr_lingers.attr.attr,
	&venet_tap_ctr_irqs_sent.attr.attr,
	&venet_tap_ctr_irqs_suppressed.attr.attr,
	&venet_tap_ctr_tx_completions.attr.attr,
	&venet_tap_ctr_rx_packets.attr.attr,
	&venet_tap_ctr_rx_bytes.attr.attr,
	&venet_tap_ctr_tx_packets.attr.attr,
	&venet_tap_ctr_tx_bytes.attr.attr,
	&venet_tap_ctr_rx_drop_bad_desc.attr.attr,
	&venet_tap_ctr_rx_drop_bad_hdr.attr.attr,
	&venet_tap_ctr_rx_drop_no_buffer.attr.attr,
	&venet_tap_ctr_tx_drop_ring_full.attr.attr,
	&venet_tap_ctr_tx_drop_bad_desc.attr.attr,
	&venet_tap_ctr_tx_drop_oversize.attr.attr,
	&venet_tap_ctr_tx_drop_hdr.attr.attr,
	&venet_tap_ctr_tx_drop_down.attr.attr,
	&venet_tap_ctr_tx_queue_stops.attr.attr,
	&venet_tap_ctr_resets.attr.attr,
	&venet_tap_ctr_queue_pair_changes.attr.attr,
	&venet_tap_ctr_queue_pair_refused.attr.attr,
	NULL,
};

static const struct attribute_group venet_tap_counter_group = {
	.attrs = venet_tap_counter_attrs,
};

const struct attribute_group *venet_tap_groups[] = {
	&venet_tap_attr_group,
	&venet_tap_counter_group,
	NULL,
};
