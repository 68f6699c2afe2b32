package pcm.boot.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import pcm.boot.api.PlatformDescription;

/** Issue 14 item 2: ACPI tables from the platform description; checked by iasl -d where acpica-tools is installed. */
class AcpiTablesTest {

    static final long BASE = 0xE0000;

    static byte[] table(AcpiTables.Layout l, String sig) {
        int off = l.tables().get(sig);
        int len = (int) Bytes.u32(l.image(), off + 4);
        return Arrays.copyOfRange(l.image(), off, off + len);
    }

    static int sum(byte[] b, int from, int to) {
        int s = 0;
        for (int i = from; i < to; i++) s += b[i];
        return s & 0xFF;
    }

    @Test
    void everyChecksumIsRightAndPointersAgree() {
        for (boolean apics : new boolean[] {false, true}) {
            AcpiTables.Layout l = AcpiTables.build(PlatformDescription.pcmLegacy(apics), BASE);
            byte[] img = l.image();
            assertEquals(0, sum(img, 0, 20), "RSDP checksum");
            assertEquals(0, sum(img, 0, 36), "RSDP extended checksum");
            assertEquals(l.address("XSDT"), Bytes.u64(img, 24));
            for (String sig : List.of("XSDT", "FACP", "DSDT")) {
                byte[] t = table(l, sig);
                assertEquals(sig, new String(t, 0, 4, StandardCharsets.US_ASCII));
                assertEquals(0, sum(t, 0, t.length), sig + " checksum");
            }
            byte[] xsdt = table(l, "XSDT");
            assertEquals(apics ? 2 : 1, (xsdt.length - 36) / 8);
            assertEquals(l.address("FACP"), Bytes.u64(xsdt, 36));
            byte[] fadt = table(l, "FACP");
            assertEquals(276, fadt.length);
            assertEquals(l.address("DSDT"), Bytes.u64(fadt, 140));
            assertEquals(l.address("FACS"), Bytes.u64(fadt, 132));
            assertEquals(0, Bytes.u32(fadt, 36), "FIRMWARE_CTRL is 0 when X_FIRMWARE_CTRL is set (ACPI 6 5.2.9)");
            assertEquals(0x604, Bytes.u32(fadt, 64), "PM1a_CNT_BLK");
            assertEquals(0x604, Bytes.u64(fadt, 172 + 4), "X_PM1a_CNT_BLK");
            assertEquals(0, l.address("FACS") % 64, "FACS is 64-byte aligned");
            assertEquals(apics, l.tables().containsKey("APIC"));
            if (apics) {
                byte[] madt = table(l, "APIC");
                assertEquals(0, sum(madt, 0, madt.length), "MADT checksum");
                assertEquals(0xFEE00000L, Bytes.u32(madt, 36));
            }
            assertTrue(img.length < 0x20000, "fits the BIOS area");
        }
    }

    @Test
    void theRtcIsDescribedAndTheFadtNamesItsCenturyByte() {
        AcpiTables.Layout l = AcpiTables.build(PlatformDescription.pcm(true, true), BASE);
        assertEquals(0x32, table(l, "FACP")[108] & 0xFF, "CENTURY: CMOS byte 0x32");
        String dsdt = new String(table(l, "DSDT"), StandardCharsets.ISO_8859_1);
        assertTrue(dsdt.contains("RTC_"), "the RTC device in \\_SB");
        AcpiTables.Layout noIoapic = AcpiTables.build(PlatformDescription.pcm(true, false), BASE);
        assertTrue(noIoapic.tables().containsKey("APIC"), "a local APIC alone still has a MADT");
        assertEquals(false, PlatformDescription.pcm(false, true).ioApic(), "no IOAPIC without a local APIC");
    }

    @Test
    void iaslDisassemblesEveryTable(@TempDir Path dir) throws Exception {
        assumeTrue(iaslPresent(), "iasl (Debian package acpica-tools) is not installed: the tables are not disassembled");
        AcpiTables.Layout l = AcpiTables.build(PlatformDescription.pcmLegacy(true), BASE);
        for (String sig : List.of("XSDT", "FACP", "FACS", "DSDT", "APIC")) {
            byte[] t = sig.equals("FACS") ? Arrays.copyOfRange(l.image(), l.tables().get(sig), l.tables().get(sig) + 64) : table(l, sig);
            Files.write(dir.resolve(sig.toLowerCase() + ".dat"), t);
        }
        String fadt = disassemble(dir, "facp");
        assertTrue(fadt.contains("PM1A Control Block Address : 00000604"), fadt);
        assertTrue(fadt.contains("SCI Interrupt : 0009"), fadt);
        String madt = disassemble(dir, "apic");
        assertTrue(madt.contains("Processor Local APIC"), madt);
        assertTrue(madt.contains("I/O APIC"), madt);
        assertTrue(madt.contains("Interrupt Source Override"), madt);
        String dsdt = disassemble(dir, "dsdt");
        assertTrue(dsdt.contains("Device (COM1)"), dsdt);
        assertTrue(dsdt.contains("EisaId (\"PNP0501\")"), dsdt);
        assertTrue(dsdt.contains("IO (Decode16,"), dsdt);
        assertTrue(dsdt.contains("0x03F8,"), dsdt);
        assertTrue(dsdt.contains("IRQNoFlags ()"), dsdt);
        assertTrue(dsdt.contains("Name (\\_S5, Package (0x04)"), dsdt);
        disassemble(dir, "xsdt");
        disassemble(dir, "facs");
    }

    /** Runs iasl -d; fails on a non-zero status or a checksum or parse complaint. */
    static String disassemble(Path dir, String name) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("iasl", "-d", name + ".dat").directory(dir.toFile()).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "iasl hung");
        assertEquals(0, p.exitValue(), log);
        String dsl = Files.readString(dir.resolve(name + ".dsl"));
        assertFalse(dsl.contains("Incorrect checksum"), dsl);
        assertFalse(log.toLowerCase().contains("error") && !log.contains("0 Errors"), log);
        assertFalse(dsl.contains("**** Unknown"), dsl);
        return dsl;
    }

    static boolean iaslPresent() {
        try {
            Process p = new ProcessBuilder("iasl", "-v").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    static PlatformDescription withPci() {
        List<PlatformDescription.PciRoute> routes = new java.util.ArrayList<>();
        for (int d = 1; d < 32; d++) for (int pin = 1; pin <= 4; pin++) routes.add(new PlatformDescription.PciRoute(d, pin, (d + pin - 1) % 2 == 0 ? 10 : 11));
        return PlatformDescription.pcm(false, false).withPci(new PlatformDescription.PciRoot(0xC000, 0x4000, 0xC000_0000L, 0x2000_0000L, routes,
                0xE000_0000L));
    }

    @Test
    void thePciRootBridgeHasItsWindowsAndRouting(@TempDir Path dir) throws Exception {
        AcpiTables.Layout l = AcpiTables.build(withPci(), BASE);
        byte[] dsdt = table(l, "DSDT");
        assertEquals(0, sum(dsdt, 0, dsdt.length));
        assertTrue(new String(dsdt, StandardCharsets.ISO_8859_1).contains("PCI0"));
        assertTrue(l.image().length < 0x20000, "fits the BIOS area");
        assertFalse(new String(table(AcpiTables.build(PlatformDescription.pcm(false, false), BASE), "DSDT"), StandardCharsets.ISO_8859_1)
                .contains("PCI0"), "no PCI0 without a host bridge");
        assumeTrue(iaslPresent(), "iasl (Debian package acpica-tools) is not installed: the DSDT is not disassembled");
        Files.write(dir.resolve("dsdt.dat"), dsdt);
        String dsl = disassemble(dir, "dsdt");
        assertTrue(dsl.contains("Device (PCI0)"), dsl);
        assertTrue(dsl.contains("EisaId (\"PNP0A03\")"), dsl);
        assertTrue(dsl.contains("WordBusNumber (ResourceProducer, MinFixed, MaxFixed, PosDecode,"), dsl);
        assertTrue(dsl.contains("WordIO (ResourceProducer, MinFixed, MaxFixed, PosDecode, EntireRange,"), dsl);
        assertTrue(dsl.contains("DWordMemory (ResourceProducer, PosDecode, MinFixed, MaxFixed, NonCacheable, ReadWrite,"), dsl);
        assertTrue(dsl.contains("0xC0000000,         // Range Minimum"), dsl);
        assertTrue(dsl.contains("0xDFFFFFFF,         // Range Maximum"), dsl);
        assertTrue(dsl.contains("Name (_PRT, Package (0x7C)"), dsl);
        assertTrue(dsl.contains("0x0001FFFF"), dsl);
    }

    @Test
    void theEcamIsInTheMcfgAndReservedInE820(@TempDir Path dir) throws Exception {
        AcpiTables.Layout l = AcpiTables.build(withPci(), BASE);
        byte[] mcfg = table(l, "MCFG");
        assertEquals(0, sum(mcfg, 0, mcfg.length), "MCFG checksum");
        assertEquals(60, mcfg.length);
        assertEquals(0xE000_0000L, Bytes.u64(mcfg, 44));
        byte[] xsdt = table(l, "XSDT");
        assertEquals(2, (xsdt.length - 36) / 8, "FADT and MCFG");
        assertEquals(l.address("MCFG"), Bytes.u64(xsdt, 44));
        assertTrue(LinuxLoad.e820(256L << 20, withPci()).contains(
                new pcm.boot.api.E820Entry(0xE000_0000L, 1 << 20, pcm.boot.api.E820Entry.RESERVED)));
        assertEquals(BootLayout.e820(256L << 20), LinuxLoad.e820(256L << 20, PlatformDescription.pcm(false, false)));
        assumeTrue(iaslPresent(), "iasl (Debian package acpica-tools) is not installed: the MCFG is not disassembled");
        Files.write(dir.resolve("mcfg.dat"), mcfg);
        String dsl = disassemble(dir, "mcfg");
        assertTrue(dsl.contains("Base Address : 00000000E0000000"), dsl);
        assertTrue(dsl.contains("End Bus Number : 00"), dsl);
    }
}
