package pcm.devices.api.pci;

import java.util.List;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A PCI function on the platform's bus 0 (register it as a service; the host bridge plugs it in). The bridge
 * owns the standard type-0 header (IDs, command/status, BARs, interrupt line/pin, capabilities pointer) and
 * decodes the BARs; the function sees accesses relative to a BAR and to its device-specific configuration
 * space (0x40-0xFF, where its capabilities live). Accesses are 1, 2 or 4 bytes (8 for memory BARs), little
 * endian. Called on vCPU threads; a function serialises its own state.
 * <p>
 * A service property {@code pci.device} (0-31) asks for a device number; without it the bridge takes the
 * lowest free one from 1.
 */
@ConsumerType
public interface PciFunction {

    /** The service property naming the device number a function wants. */
    String DEVICE_PROPERTY = "pci.device";

    int vendorId();

    int deviceId();

    /** Class code, sub-class and programming interface: {@code 0xCCSSPP}. */
    int classCode();

    default int revisionId() { return 0; }

    default int subsystemVendorId() { return vendorId(); }

    default int subsystemId() { return 0; }

    /** The BARs; fixed for the lifetime of the service. */
    default List<PciBar> bars() { return List.of(); }

    /** 0: no interrupt; 1-4: INTA#-INTD#. */
    default int interruptPin() { return 0; }

    /** Offset of the first capability in 0x40-0xFC, 0 for none. */
    default int capabilitiesPointer() { return 0; }

    /** Device-specific configuration space (offset 0x40-0xFF); unimplemented registers read 0. */
    default int readConfig(int offset, int size) { return 0; }

    default void writeConfig(int offset, int size, int value) {}

    /** A read from a BAR the guest enabled; {@code offset} is from the BAR's base. */
    default long readBar(int bar, long offset, int size) { return size >= 8 ? -1L : (1L << (size * 8)) - 1; }

    default void writeBar(int bar, long offset, int size, long value) {}

    /** Plugged in: interrupts and DMA go through {@code slot} from now on. */
    void attach(PciSlot slot);

    /** Unplugged (the function or the bridge goes away); the slot must not be used anymore. */
    void detach();

    /** Short name for shells and logs. */
    default String name() { return getClass().getSimpleName(); }
}
