package pcm.devices.internal.pci;

import pcm.devices.api.pci.PciFunction;
import pcm.devices.api.pci.PciSlot;

/**
 * Device 00:00.0, the host bridge itself (class 0x0600). Linux's configuration-mechanism probe looks for a host
 * bridge or a VGA device on bus 0 before it trusts 0xCF8/0xCFC. IDs are Red Hat's generic "QEMU PCIe host
 * bridge" (1b36:0008), which no kernel quirk matches, unlike Intel's 440FX.
 */
final class HostBridgeFunction implements PciFunction {
    @Override public int vendorId() { return 0x1B36; }
    @Override public int deviceId() { return 0x0008; }
    @Override public int classCode() { return 0x060000; }
    @Override public int subsystemVendorId() { return 0x1AF4; }
    @Override public int subsystemId() { return 0x1100; }
    @Override public void attach(PciSlot slot) { }
    @Override public void detach() { }
    @Override public String name() { return "host-bridge"; }
}
