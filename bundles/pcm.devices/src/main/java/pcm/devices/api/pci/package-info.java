/**
 * PCI for device bundles: a {@link pcm.devices.api.pci.PciFunction} registered as a service is plugged into
 * the platform's PCI host bridge (bus 0), which places its BARs, wires its INTx pin to an ISA IRQ and gives it
 * bounds-checked, logged DMA through a {@link pcm.devices.api.pci.PciSlot}. {@link pcm.devices.api.pci.PciHost}
 * tells firmware-table builders the windows and the interrupt routing. docs/linux-boot.md, "PCI".
 */
@Version("1.1.0")
package pcm.devices.api.pci;

import org.osgi.annotation.versioning.Version;
