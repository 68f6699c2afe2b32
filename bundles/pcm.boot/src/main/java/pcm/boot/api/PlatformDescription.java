package pcm.boot.api;

import java.util.List;
import java.util.Optional;

/**
 * The machine the firmware tables describe: which interrupt controllers exist and which legacy devices
 * sit at which ports and IRQs. The ACPI tables are generated from it, so they say what the platform has.
 *
 * @param localApic   a local APIC at 0xFEE00000 (MADT entry; otherwise the kernel is told {@code nolapic})
 * @param ioApic      an IOAPIC at 0xFEC00000 with GSI base 0 (MADT entry and ISA overrides)
 * @param pm1EventPort PM1a event block (4 ports: status, enable)
 * @param pm1ControlPort PM1a control block (2 ports): SLP_TYP=5 with SLP_EN powers off
 * @param sciIrq      the SCI's ISA IRQ
 * @param devices     legacy devices for the DSDT
 * @param pci         the PCI host bridge, if the platform has one (DSDT {@code PCI0}: windows and {@code _PRT}); since 1.2
 */
public record PlatformDescription(boolean localApic, boolean ioApic, int pm1EventPort, int pm1ControlPort, int sciIrq,
                                  List<LegacyDevice> devices, Optional<PciRoot> pci) {

    public PlatformDescription {
        devices = List.copyOf(devices);
        if (pci == null) pci = Optional.empty();
    }

    /** Without PCI, as in 1.1. */
    public PlatformDescription(boolean localApic, boolean ioApic, int pm1EventPort, int pm1ControlPort, int sciIrq, List<LegacyDevice> devices) {
        this(localApic, ioApic, pm1EventPort, pm1ControlPort, sciIrq, devices, Optional.empty());
    }

    /** The same platform with a PCI host bridge. @since 1.2 */
    public PlatformDescription withPci(PciRoot root) {
        return new PlatformDescription(localApic, ioApic, pm1EventPort, pm1ControlPort, sciIrq, devices, Optional.of(root));
    }

    /**
     * A PCI root bridge on bus 0 behind ports 0xCF8-0xCFF: the windows BARs live in and where each INTx pin goes.
     *
     * @param routing one entry per device and pin: the GSI (in PIC mode the ISA IRQ) it drives, level, active low
     * @param ecamBase the memory-mapped configuration space of bus 0 (1 MiB; MCFG table, reserved in e820), 0 for none
     * @since 1.2
     */
    public record PciRoot(int ioWindowBase, int ioWindowSize, long memoryWindowBase, long memoryWindowSize, List<PciRoute> routing,
                          long ecamBase) {
        /** ECAM of bus 0 only: 32 devices x 8 functions x 4 KiB. */
        public static final long ECAM_SIZE = 1 << 20;

        public PciRoot {
            routing = List.copyOf(routing);
        }
    }

    /** Device {@code device}'s INTx pin {@code pin} (1-4 = INTA-INTD) drives {@code gsi}. @since 1.2 */
    public record PciRoute(int device, int pin, int gsi) {}

    /** A DSDT device: a 4-character ACPI name, its PNP id (e.g. PNP0501), I/O port ranges and ISA IRQs. */
    public record LegacyDevice(String name, String pnpId, int uid, List<PortRange> ports, List<Integer> irqs) {
        public LegacyDevice {
            if (name.length() != 4 || !name.matches("[A-Z_][A-Z0-9_]{3}")) throw new IllegalArgumentException("bad ACPI name '" + name + "'");
            if (!pnpId.matches("[A-Z]{3}[0-9A-F]{4}")) throw new IllegalArgumentException("bad PNP id '" + pnpId + "'");
            ports = List.copyOf(ports);
            irqs = List.copyOf(irqs);
        }
    }

    public record PortRange(int base, int length) {}

    public static final int PM1_EVENT_PORT = 0x600, PM1_CONTROL_PORT = 0x604;

    /** PCM's PC platform with both APICs or neither: see {@link #pcm(boolean, boolean)}. */
    public static PlatformDescription pcmLegacy(boolean apics) {
        return pcm(apics, apics);
    }

    /**
     * What PCM emulates: 8259 pair, PIT, speaker port, i8042, 16550 at 0x3F8 (IRQ 4), CMOS RTC at 0x70 (IRQ 8),
     * PM1 block; a local APIC and an IOAPIC as given (an IOAPIC only with a local APIC).
     *
     * @since 1.1
     */
    public static PlatformDescription pcm(boolean localApic, boolean ioApic) {
        return new PlatformDescription(localApic, localApic && ioApic, PM1_EVENT_PORT, PM1_CONTROL_PORT, 9, List.of(
                new LegacyDevice("PIC_", "PNP0000", 0, List.of(new PortRange(0x20, 2), new PortRange(0xA0, 2)), List.of(2)),
                new LegacyDevice("TMR_", "PNP0100", 0, List.of(new PortRange(0x40, 4)), List.of(0)),
                new LegacyDevice("SPKR", "PNP0800", 0, List.of(new PortRange(0x61, 1)), List.of()),
                new LegacyDevice("KBD_", "PNP0303", 0, List.of(new PortRange(0x60, 1), new PortRange(0x64, 1)), List.of(1)),
                new LegacyDevice("COM1", "PNP0501", 1, List.of(new PortRange(0x3F8, 8)), List.of(4)),
                new LegacyDevice("RTC_", "PNP0B00", 0, List.of(new PortRange(0x70, 2)), List.of(8))));
    }
}
