package pcm.devices.api.pci;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The PCI host bridge as firmware-table builders see it: bus 0, the address windows it decodes for BARs, and
 * how INTx pins reach ISA IRQs (what an ACPI {@code _PRT} must say).
 */
@ProviderType
public interface PciHost {

    /** First port of the configuration mechanism #1 (0xCF8, 8 ports). */
    int CONFIG_ADDRESS_PORT = 0xCF8;

    /** Port window for I/O BARs, {@code [ioWindowBase, ioWindowBase + ioWindowSize)}. */
    int ioWindowBase();

    int ioWindowSize();

    /** Memory window for 32-bit memory BARs, below 4 GiB and outside RAM. */
    long memoryWindowBase();

    long memoryWindowSize();

    /**
     * Base of the memory-mapped configuration space (ECAM) of bus 0, 1 MiB, or 0 without one: what an MCFG table and a
     * reserved e820 entry must describe.
     *
     * @since 1.1
     */
    default long ecamBase() { return 0; }

    /** The ISA IRQ the INTx pin {@code pin} (1-4 = INTA-INTD) of device {@code device} drives; level, active low. */
    int isaIrq(int device, int pin);
}
