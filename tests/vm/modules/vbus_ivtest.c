// SPDX-License-Identifier: GPL-2.0
/*
 * vbus_ivtest: a test-only PCI driver for QEMU's ivshmem-doorbell device.
 * It enables the device and requests one interrupt per MSI-X vector, so a
 * test can count in /proc/interrupts ("vbus_ivtest-N") the interrupts that
 * the host raises by writing the guest's eventfds. Shared memory and the
 * doorbell are reached from userspace through sysfs resource files.
 */
#include <linux/interrupt.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/slab.h>

#define IVTEST_MAX_VECTORS 8

struct ivtest {
	int nvec;
	char names[IVTEST_MAX_VECTORS][24];
	atomic_t count[IVTEST_MAX_VECTORS];
};

static irqreturn_t ivtest_irq(int irq, void *data)
{
	atomic_inc(data);
	return IRQ_HANDLED;
}

static int ivtest_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct ivtest *t;
	int i, err;

	t = devm_kzalloc(&pdev->dev, sizeof(*t), GFP_KERNEL);
	if (!t)
		return -ENOMEM;
	err = pcim_enable_device(pdev);
	if (err)
		return err;
	t->nvec = pci_alloc_irq_vectors(pdev, 1, IVTEST_MAX_VECTORS, PCI_IRQ_MSIX);
	if (t->nvec < 0) {
		dev_err(&pdev->dev, "no MSI-X vectors: %d\n", t->nvec);
		return t->nvec;
	}
	for (i = 0; i < t->nvec; i++) {
		snprintf(t->names[i], sizeof(t->names[i]), "vbus_ivtest-%d", i);
		err = request_irq(pci_irq_vector(pdev, i), ivtest_irq, 0,
				  t->names[i], &t->count[i]);
		if (err)
			goto undo;
	}
	pci_set_drvdata(pdev, t);
	dev_info(&pdev->dev, "vbus_ivtest: %d MSI-X vectors\n", t->nvec);
	return 0;
undo:
	while (--i >= 0)
		free_irq(pci_irq_vector(pdev, i), &t->count[i]);
	pci_free_irq_vectors(pdev);
	return err;
}

static void ivtest_remove(struct pci_dev *pdev)
{
	struct ivtest *t = pci_get_drvdata(pdev);
	int i;

	for (i = 0; i < t->nvec; i++)
		free_irq(pci_irq_vector(pdev, i), &t->count[i]);
	pci_free_irq_vectors(pdev);
}

static const struct pci_device_id ivtest_ids[] = {
	{ PCI_DEVICE(0x1af4, 0x1110) },
	{ }
};
MODULE_DEVICE_TABLE(pci, ivtest_ids);

static struct pci_driver ivtest_driver = {
	.name = "vbus_ivtest",
	.id_table = ivtest_ids,
	.probe = ivtest_probe,
	.remove = ivtest_remove,
};
module_pci_driver(ivtest_driver);

MODULE_DESCRIPTION("Test driver counting ivshmem-doorbell interrupts");
MODULE_LICENSE("GPL");
