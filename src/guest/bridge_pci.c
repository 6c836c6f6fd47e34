// SPDX-License-Identifier: GPL-2.0
/*
 * Vbus-bridge: the ivshmem-doorbell PCI device that carries
 * a vbus instance. Claims the device only when BAR2 holds a vbus region of
 * a supported ABI version, maps it write-back, and owns the doorbell and
 * the MSI-X vectors.
 */
#include <linux/idr.h>
#include <linux/io.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/slab.h>

#include "bridge_internal.h"

#define VBUS_BRIDGE_NAME	"vbus-bridge"

static DEFINE_IDA(vbus_bridge_ida);

static inline struct vbus_bridge *vbus_bridge_of(struct vbus_bridge_device *v)
{
	return v->bridge;
}

void vbus_bridge_doorbell(struct vbus_bridge *b, u16 vector)
{
	writel((u32)VBUS_BRIDGE_HOST_PEER << 16 | vector,
	       b->regs + VBUS_BRIDGE_REG_DOORBELL);
}

/*
 * Every MSI-X vector the device has, once for the bridge's life: vector 0
 * must be there while unbound too (the host signals its READY on it), and
 * a layout of a later host generation may use any of them.
 */
int vbus_bridge_vectors_alloc(struct vbus_bridge *b)
{
	int n = pci_msix_vec_count(b->pdev);

	if (n <= 0)
		return n ? n : -ENOSPC;
	n = pci_alloc_irq_vectors(b->pdev, n, n, PCI_IRQ_MSIX);
	if (n < 0)
		return n;
	b->nvectors = n;
	return 0;
}

void vbus_bridge_vectors_free(struct vbus_bridge *b)
{
	if (!b->nvectors)
		return;
	pci_free_irq_vectors(b->pdev);
	b->nvectors = 0;
}

/* Driver API */

void *vbus_bridge_region(struct vbus_bridge_device *vdev, u64 *size)
{
	struct vbus_bridge *b = vbus_bridge_of(vdev);

	if (size)
		*size = b->size;
	return b->base;
}
EXPORT_SYMBOL_GPL(vbus_bridge_region);

void *vbus_bridge_config(struct vbus_bridge_device *vdev, u32 *size)
{
	struct vbus_bridge *b = vbus_bridge_of(vdev);

	if (size)
		*size = vdev->layout.config_size;
	return (u8 *)b->base + vdev->layout.config_off;
}
EXPORT_SYMBOL_GPL(vbus_bridge_config);

const struct vbus_queue_layout *
vbus_bridge_queue(struct vbus_bridge_device *vdev, unsigned int index)
{
	if (index >= vdev->layout.nqueues)
		return NULL;
	return &vdev->layout.queue[index];
}
EXPORT_SYMBOL_GPL(vbus_bridge_queue);

/* Ring @vector towards the host: one Doorbell write, no VM exit with KVM. */
void vbus_bridge_kick(struct vbus_bridge_device *vdev, u16 vector)
{
	vbus_bridge_doorbell(vbus_bridge_of(vdev), vector);
}
EXPORT_SYMBOL_GPL(vbus_bridge_kick);

/*
 * Take the interrupt of @vector (1 .. nvectors - 1). Vectors may be shared
 * by several queues and devices, so the handler is registered shared and
 * must look at its own queues' signals.
 */
int vbus_bridge_request_vector(struct vbus_bridge_device *vdev, u16 vector,
			       irq_handler_t handler, const char *name,
			       void *data)
{
	struct vbus_bridge *b = vbus_bridge_of(vdev);

	if (vector == VBUS_CTRL_VECTOR || vector >= b->nvectors)
		return -EINVAL;
	return request_irq(pci_irq_vector(b->pdev, vector), handler,
			   IRQF_SHARED, name, data);
}
EXPORT_SYMBOL_GPL(vbus_bridge_request_vector);

void vbus_bridge_free_vector(struct vbus_bridge_device *vdev, u16 vector,
			     void *data)
{
	struct vbus_bridge *b = vbus_bridge_of(vdev);

	if (vector == VBUS_CTRL_VECTOR || vector >= b->nvectors)
		return;
	free_irq(pci_irq_vector(b->pdev, vector), data);
}
EXPORT_SYMBOL_GPL(vbus_bridge_free_vector);

/* The Linux irq of @vector (for reporting), or -EINVAL. */
int vbus_bridge_vector_irq(struct vbus_bridge_device *vdev, u16 vector)
{
	struct vbus_bridge *b = vbus_bridge_of(vdev);

	if (vector == VBUS_CTRL_VECTOR || vector >= b->nvectors)
		return -EINVAL;
	return pci_irq_vector(b->pdev, vector);
}
EXPORT_SYMBOL_GPL(vbus_bridge_vector_irq);

/* PCI driver */

static bool vbus_bridge_is_ours(struct pci_dev *pdev, const void *base,
				u64 size)
{
	/* too large for the stack with up to 8 queues a device */
	struct vbus_layout *l = kmalloc(sizeof(*l), GFP_KERNEL);
	enum vbus_err err;

	if (!l)
		return true;	/* the bind finds out, with memory */
	err = vbus_layout_read(base, size, l);
	kfree(l);
	switch (err) {
	case VBUS_E_REGION_SIZE:
	case VBUS_E_MAGIC:
	case VBUS_E_VERSION:
	case VBUS_E_HDR_SIZE:
		dev_info(&pdev->dev, "no vbus region in BAR2 (%s), not binding\n",
			 vbus_err_name(err));
		return false;
	default:
		/* ours, though maybe not ready or valid yet: the host says */
		return true;
	}
}

static int vbus_bridge_probe(struct pci_dev *pdev,
			     const struct pci_device_id *id)
{
	struct vbus_bridge *b;
	int err;

	err = pcim_enable_device(pdev);
	if (err)
		return err;
	if (!(pci_resource_flags(pdev, 2) & IORESOURCE_MEM) ||
	    !pci_resource_len(pdev, 2)) {
		dev_info(&pdev->dev, "no shared memory BAR, not binding\n");
		return -ENODEV;
	}
	b = devm_kzalloc(&pdev->dev, sizeof(*b), GFP_KERNEL);
	if (!b)
		return -ENOMEM;
	b->pdev = pdev;
	b->size = pci_resource_len(pdev, 2);
	if (!devm_request_mem_region(&pdev->dev, pci_resource_start(pdev, 0),
				     pci_resource_len(pdev, 0), VBUS_BRIDGE_NAME))
		return -EBUSY;
	b->regs = devm_ioremap(&pdev->dev, pci_resource_start(pdev, 0),
			       pci_resource_len(pdev, 0));
	if (!b->regs)
		return -ENOMEM;
	if (!devm_request_mem_region(&pdev->dev, pci_resource_start(pdev, 2),
				     b->size, VBUS_BRIDGE_NAME))
		return -EBUSY;
	/* the region is memory: write-back, so copies run at memory speed */
	b->base = devm_memremap(&pdev->dev, pci_resource_start(pdev, 2),
				b->size, MEMREMAP_WB);
	if (IS_ERR(b->base))
		return PTR_ERR(b->base);
	if (!vbus_bridge_is_ours(pdev, b->base, b->size))
		return -ENODEV;

	b->ivposition = readl(b->regs + VBUS_BRIDGE_REG_IVPOSITION);
	b->index = ida_alloc(&vbus_bridge_ida, GFP_KERNEL);
	if (b->index < 0)
		return b->index;
	pci_set_master(pdev);
	pci_set_drvdata(pdev, b);
	dev_info(&pdev->dev, "vbus region %llu KiB, peer id %u, bus %d\n",
		 b->size >> 10, b->ivposition, b->index);
	vbus_bridge_state_init(b);
	vbus_bridge_state_start(b);
	return 0;
}

static void vbus_bridge_remove(struct pci_dev *pdev)
{
	struct vbus_bridge *b = pci_get_drvdata(pdev);

	vbus_bridge_state_stop(b);
	ida_free(&vbus_bridge_ida, b->index);
}

/*
 * Reboot, kexec, power off: let go of the region as an unbind does, so
 * the host resets the rings and the next kernel binds to fresh ones.
 */
static void vbus_bridge_shutdown(struct pci_dev *pdev)
{
	vbus_bridge_state_stop(pci_get_drvdata(pdev));
}

static const struct pci_device_id vbus_bridge_ids[] = {
	{ PCI_DEVICE_SUB(PCI_VENDOR_ID_REDHAT_QUMRANET, 0x1110,
			 PCI_SUBVENDOR_ID_REDHAT_QUMRANET, PCI_ANY_ID) },
	{ }
};
MODULE_DEVICE_TABLE(pci, vbus_bridge_ids);

static struct pci_driver vbus_bridge_pci_driver = {
	.name		= VBUS_BRIDGE_NAME,
	.id_table	= vbus_bridge_ids,
	.probe		= vbus_bridge_probe,
	.remove		= vbus_bridge_remove,
	.shutdown	= vbus_bridge_shutdown,
};

static int __init vbus_bridge_init(void)
{
	int err;

	err = vbus_bridge_bus_init();
	if (err)
		return err;
	err = pci_register_driver(&vbus_bridge_pci_driver);
	if (err)
		vbus_bridge_bus_exit();
	return err;
}

static void __exit vbus_bridge_exit(void)
{
	pci_unregister_driver(&vbus_bridge_pci_driver);
	vbus_bridge_bus_exit();
}

module_init(vbus_bridge_init);
module_exit(vbus_bridge_exit);

MODULE_DESCRIPTION("vbus guest bridge over ivshmem-doorbell");
MODULE_LICENSE("GPL");
