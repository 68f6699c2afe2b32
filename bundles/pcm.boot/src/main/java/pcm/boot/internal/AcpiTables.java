package pcm.boot.internal;

import static pcm.boot.internal.Bytes.put16;
import static pcm.boot.internal.Bytes.put32;
import static pcm.boot.internal.Bytes.put64;
import static pcm.boot.internal.Bytes.put8;
import static pcm.boot.internal.Bytes.putAscii;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import pcm.boot.api.PlatformDescription;
import pcm.boot.api.PlatformDescription.LegacyDevice;
import pcm.boot.api.PlatformDescription.PortRange;

/**
 * ACPI tables generated from a {@link PlatformDescription}, laid out from a base address: RSDP, XSDT,
 * FADT (revision 6, with PM1a event and control blocks, so the kernel powers off by writing SLP_TYP=5 |
 * SLP_EN), FACS, DSDT (the devices and \_S5), and a MADT when the platform has a local APIC.
 */
final class AcpiTables {

    static final String OEM_ID = "PCM   ", OEM_TABLE_ID = "PCMVM   ", CREATOR_ID = "PCM ";
    static final int HEADER = 36;
    static final long LAPIC_ADDRESS = 0xFEE00000L, IOAPIC_ADDRESS = 0xFEC00000L;
    /** The S5 sleep type the DSDT announces and the PM1 device acts on. */
    static final int SLP_TYP_S5 = 5;

    /** The tables, {@code image} to be written at {@code base}; {@code tables} maps signature to offset in it. */
    record Layout(long base, byte[] image, Map<String, Integer> tables) {
        long rsdp() { return base; }

        long address(String signature) { return base + tables.get(signature); }
    }

    private AcpiTables() {}

    static Layout build(PlatformDescription p, long base) {
        Map<String, byte[]> bodies = new LinkedHashMap<>();
        byte[] dsdt = table("DSDT", 2, dsdtBody(p));
        byte[] facs = facs();
        byte[] madt = p.localApic() ? table("APIC", 5, madtBody(p)) : null;
        long ecam = p.pci().map(PlatformDescription.PciRoot::ecamBase).orElse(0L);
        byte[] mcfg = ecam != 0 ? table("MCFG", 1, mcfgBody(ecam)) : null;
        // Order in the image: RSDP (36, padded to 64), XSDT, FADT, FACS (64-byte aligned), DSDT, MADT, MCFG.
        Map<String, Integer> offsets = new LinkedHashMap<>();
        int off = 64;
        int xsdtEntries = 1 + (madt == null ? 0 : 1) + (mcfg == null ? 0 : 1);
        int xsdtLen = HEADER + 8 * xsdtEntries;
        offsets.put("XSDT", off);
        off = align(off + xsdtLen, 16);
        offsets.put("FACP", off);
        off = align(off + 276, 64);
        offsets.put("FACS", off);
        off = align(off + facs.length, 16);
        offsets.put("DSDT", off);
        off = align(off + dsdt.length, 16);
        if (madt != null) {
            offsets.put("APIC", off);
            off = align(off + madt.length, 16);
        }
        if (mcfg != null) {
            offsets.put("MCFG", off);
            off = align(off + mcfg.length, 16);
        }
        byte[] fadt = table("FACP", 6, fadtBody(p, base + offsets.get("FACS"), base + offsets.get("DSDT")));
        byte[] xsdtBody = new byte[8 * xsdtEntries];
        put64(xsdtBody, 0, base + offsets.get("FACP"));
        int entry = 8;
        if (madt != null) {
            put64(xsdtBody, entry, base + offsets.get("APIC"));
            entry += 8;
        }
        if (mcfg != null) put64(xsdtBody, entry, base + offsets.get("MCFG"));
        byte[] xsdt = table("XSDT", 1, xsdtBody);
        bodies.put("XSDT", xsdt);
        bodies.put("FACP", fadt);
        bodies.put("FACS", facs);
        bodies.put("DSDT", dsdt);
        if (madt != null) bodies.put("APIC", madt);
        if (mcfg != null) bodies.put("MCFG", mcfg);

        byte[] image = new byte[off];
        System.arraycopy(rsdp(base + offsets.get("XSDT")), 0, image, 0, 36);
        for (var e : bodies.entrySet()) System.arraycopy(e.getValue(), 0, image, offsets.get(e.getKey()), e.getValue().length);
        Map<String, Integer> all = new LinkedHashMap<>();
        all.put("RSDP", 0);
        all.putAll(offsets);
        return new Layout(base, image, Map.copyOf(all));
    }

    static int align(int v, int a) { return (v + a - 1) / a * a; }

    static byte checksum(byte[] b, int from, int to) {
        int sum = 0;
        for (int i = from; i < to; i++) sum += b[i];
        return (byte) -sum;
    }

    static byte[] rsdp(long xsdt) {
        byte[] r = new byte[36];
        putAscii(r, 0, "RSD PTR ");
        putAscii(r, 9, OEM_ID);
        put8(r, 15, 2);            // revision 2: ACPI 2.0+ with an XSDT
        put32(r, 16, 0);           // no RSDT
        put32(r, 20, 36);
        put64(r, 24, xsdt);
        r[8] = checksum(r, 0, 20);
        r[32] = checksum(r, 0, 36);
        return r;
    }

    /** A table with the standard header (5.2.6) around {@code body}; the checksum makes the bytes sum to 0. */
    static byte[] table(String signature, int revision, byte[] body) {
        byte[] t = new byte[HEADER + body.length];
        putAscii(t, 0, signature);
        put32(t, 4, t.length);
        put8(t, 8, revision);
        putAscii(t, 10, OEM_ID);
        putAscii(t, 16, OEM_TABLE_ID);
        put32(t, 24, 1);
        putAscii(t, 28, CREATOR_ID);
        put32(t, 32, 1);
        System.arraycopy(body, 0, t, HEADER, body.length);
        t[9] = checksum(t, 0, t.length);
        return t;
    }

    static byte[] facs() {
        byte[] f = new byte[64];
        putAscii(f, 0, "FACS");
        put32(f, 4, 64);
        put8(f, 32, 2); // version
        return f;
    }

    /** Generic Address Structure (5.2.3.2) for an I/O port block. */
    private static void gas(byte[] t, int off, int port, int bitWidth, int accessSize) {
        put8(t, off, 1); // system I/O
        put8(t, off + 1, bitWidth);
        put8(t, off + 2, 0);
        put8(t, off + 3, accessSize);
        put64(t, off + 4, port);
    }

    /** FADT revision 6 (276 bytes); offsets below are from the table start, minus the header. */
    static byte[] fadtBody(PlatformDescription p, long facs, long dsdt) {
        byte[] t = new byte[276];
        // FIRMWARE_CTRL stays 0: ACPI 6 wants it zero when X_FIRMWARE_CTRL is used (Linux listed the FACS twice otherwise)
        put32(t, 40, dsdt);
        put8(t, 45, 4);                    // preferred PM profile: enterprise server
        put16(t, 46, p.sciIrq());
        put32(t, 48, 0);                   // no SMI command port: the platform is always in ACPI mode
        put32(t, 56, p.pm1EventPort());
        put32(t, 64, p.pm1ControlPort());
        put8(t, 88, 4);                    // PM1_EVT_LEN
        put8(t, 89, 2);                    // PM1_CNT_LEN
        put16(t, 96, 101);                 // no C2
        put16(t, 98, 1001);                // no C3
        boolean i8042 = p.devices().stream().anyMatch(d -> d.pnpId().equals("PNP0303"));
        if (p.devices().stream().anyMatch(d -> d.pnpId().equals("PNP0B00"))) put8(t, 108, 0x32); // CENTURY: the CMOS byte
        put16(t, 109, 1 | (i8042 ? 2 : 0)); // IAPC_BOOT_ARCH: legacy devices, 8042
        // flags: WBINVD, PROC_C1, PWR_BUTTON and SLP_BUTTON (no fixed buttons), TMR_VAL_EXT off
        put32(t, 112, 1 | 1 << 2 | 1 << 4 | 1 << 5);
        put8(t, 131, 0);                   // FADT minor version
        put64(t, 132, facs);
        put64(t, 140, dsdt);
        gas(t, 148, p.pm1EventPort(), 32, 2);
        gas(t, 172, p.pm1ControlPort(), 16, 2);
        return java.util.Arrays.copyOfRange(t, HEADER, t.length);
    }

    /** MCFG (PCI Firmware 3.2, 4.1.2): 8 reserved bytes, one allocation: base, segment 0, buses 0-0. */
    static byte[] mcfgBody(long ecamBase) {
        byte[] b = new byte[8 + 16];
        put64(b, 8, ecamBase);
        put16(b, 16, 0);
        put8(b, 18, 0);
        put8(b, 19, 0);
        return b;
    }

    static byte[] madtBody(PlatformDescription p) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] head = new byte[8];
        put32(head, 0, LAPIC_ADDRESS);
        put32(head, 4, 1); // PCAT_COMPAT: an 8259 pair is present too
        out.writeBytes(head);
        out.writeBytes(new byte[] {0, 8, 0, 0, 1, 0, 0, 0});           // processor local APIC: UID 0, APIC id 0, enabled
        if (p.ioApic()) {
            byte[] io = new byte[12];
            put8(io, 0, 1);
            put8(io, 1, 12);
            put8(io, 2, 0);                                             // IOAPIC id 0
            put32(io, 4, IOAPIC_ADDRESS);
            put32(io, 8, 0);                                            // GSI base
            out.writeBytes(io);
            out.writeBytes(override(0, 2, 0));                          // the PIT's IRQ 0 is GSI 2
            out.writeBytes(override(p.sciIrq(), p.sciIrq(), 0x000D));   // SCI: level, active high
        }
        out.writeBytes(new byte[] {4, 6, (byte) 0xFF, 0, 0, 1});       // local APIC NMI on LINT1, all processors
        return out.toByteArray();
    }

    private static byte[] override(int source, int gsi, int flags) {
        byte[] o = new byte[10];
        put8(o, 0, 2);
        put8(o, 1, 10);
        put8(o, 2, 0); // ISA
        put8(o, 3, source);
        put32(o, 4, gsi);
        put16(o, 8, flags);
        return o;
    }

    /**
     * The PCI root bridge {@code \_SB.PCI0} (PNP0A03, bus 0): its _CRS gives the bus range (0-0), the configuration ports and
     * the windows (all ports but 0xCF8-0xCFF, as PC firmware does, and the memory window of the BARs); its _PRT names a
     * static GSI for each device's INTx pin (no link devices), which Linux registers level-triggered, active low — in
     * PIC mode that sets the line in the 8259's ELCR.
     */
    static byte[] pciRoot(PlatformDescription.PciRoot pci) {
        List<byte[]> crs = List.of(
                Aml.wordBusNumber(0, 0),            // bus 0 only: no PCI-to-PCI bridges, and the ECAM covers bus 0
                Aml.ioPort(0xCF8, 8),
                Aml.wordIo(0x0000, 0x0CF7),
                Aml.wordIo(0x0D00, 0xFFFF),
                Aml.dwordMemory(pci.memoryWindowBase(), pci.memoryWindowBase() + pci.memoryWindowSize() - 1));
        List<byte[]> prt = new ArrayList<>();
        for (PlatformDescription.PciRoute r : pci.routing()) {
            prt.add(Aml.packageOf(List.of(Aml.integer((long) r.device() << 16 | 0xFFFF), Aml.integer(r.pin() - 1), Aml.integer(0),
                    Aml.integer(r.gsi()))));
        }
        return Aml.device("PCI0", List.of(
                Aml.name("_HID", Aml.integer(Aml.eisaId("PNP0A03"))),
                Aml.name("_UID", Aml.integer(0)),
                Aml.name("_BBN", Aml.integer(0)),
                Aml.name("_CRS", Aml.resourceTemplate(crs)),
                Aml.name("_PRT", Aml.packageOf(prt))));
    }

    /** \_SB_ with one Device per legacy device (_HID, _UID, _CRS), and \_S5_ for power-off. */
    static byte[] dsdtBody(PlatformDescription p) {
        List<byte[]> devices = new ArrayList<>();
        for (LegacyDevice d : p.devices()) {
            List<byte[]> resources = new ArrayList<>();
            for (PortRange r : d.ports()) resources.add(Aml.ioPort(r.base(), r.length()));
            for (int irq : d.irqs()) resources.add(Aml.irq(irq));
            devices.add(Aml.device(d.name(), List.of(
                    Aml.name("_HID", Aml.integer(Aml.eisaId(d.pnpId()))),
                    Aml.name("_UID", Aml.integer(d.uid())),
                    Aml.name("_CRS", Aml.resourceTemplate(resources)))));
        }
        p.pci().ifPresent(pci -> devices.add(pciRoot(pci)));
        byte[] sb = Aml.scope("\\_SB_", devices);
        byte[] s5 = Aml.name("\\_S5_", Aml.packageOf(List.of(Aml.integer(SLP_TYP_S5), Aml.integer(SLP_TYP_S5), Aml.integer(0), Aml.integer(0))));
        return Aml.concat(sb, s5);
    }
}
