package pcm.boot.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import pcm.boot.api.BootImageException;
import pcm.boot.api.BootImageException.Problem;
import pcm.boot.api.Compression;
import pcm.boot.api.E820Entry;
import pcm.boot.api.PlatformDescription;
import pcm.core.api.cpu.Registers;
import pcm.core.api.cpu.SpecialRegisters;

/** Issue 14 item 2: ELF loading, zero page, e820, initrd placement, command line and the 64-bit entry state. */
class LinuxLoadTest {

    static final int RAM = 64 << 20;

    static LinuxLoad.Settings settings(boolean apics) {
        return new LinuxLoad.Settings(PlatformDescription.pcmLegacy(apics), 2_000_000, "ttyS0");
    }

    @Test
    void bzImageIsDecompressedAndVmlinuxLoadedAtItsPhysicalAddress() throws Exception {
        ArrayMemory ram = new ArrayMemory(RAM);
        LinuxLoad.Result r = LinuxLoad.load(TestImages.bzImage(Compression.XZ), Optional.of(TestImages.cpio()), "console=ttyS0 quiet", RAM, ram,
                settings(false));
        assertEquals(TestImages.LOAD, r.entry());
        assertEquals("PCMTEXT!", new String(ram.ram, (int) TestImages.LOAD + TestImages.TEXT - 8, 8, StandardCharsets.US_ASCII));
        assertEquals((byte) 0x90, ram.ram[(int) TestImages.LOAD]);
        assertEquals(TestImages.LOAD, r.kernelStart());
        assertEquals(TestImages.LOAD + 0x10000, r.kernelEnd(), "init_size reaches beyond the ELF's memsz");
        assertTrue(r.describe().contains(TestImages.VERSION), r.describe());
    }

    @Test
    void zeroPageCarriesHeaderCommandLineInitrdRsdpAndE820() throws Exception {
        ArrayMemory ram = new ArrayMemory(RAM);
        byte[] image = TestImages.bzImage(Compression.GZIP);
        byte[] rd = TestImages.cpio();
        LinuxLoad.Result r = LinuxLoad.load(image, Optional.of(rd), "root=/dev/ram0", RAM, ram, settings(false));
        byte[] z = Arrays.copyOfRange(ram.ram, (int) BootLayout.ZERO_PAGE, (int) BootLayout.ZERO_PAGE + 4096);
        // the setup header is copied, then the loader's fields
        assertEquals(0xAA55, Bytes.u16(z, 0x1FE));
        assertEquals(BzImage.HDRS, Bytes.u32(z, 0x202));
        assertEquals(0x020F, Bytes.u16(z, 0x206));
        assertEquals(0x7F, Bytes.u16(z, 0x236));
        assertEquals(0xFF, Bytes.u8(z, 0x210), "type_of_loader");
        assertEquals(1, Bytes.u8(z, 0x211) & 1, "LOADED_HIGH");
        assertEquals(0, Bytes.u8(z, 0x1EF), "sentinel stays 0, or the kernel wipes the fields");
        assertEquals(BootLayout.COMMAND_LINE, Bytes.u32(z, 0x228));
        assertEquals(r.initrdAddress(), Bytes.u32(z, 0x218));
        assertEquals(rd.length, Bytes.u32(z, 0x21C));
        assertEquals(BootLayout.BIOS_AREA, Bytes.u64(z, 0x070));
        // command line: the operator's words, then what the platform needs
        String cl = new String(ram.ram, (int) BootLayout.COMMAND_LINE, r.commandLine().length(), StandardCharsets.US_ASCII);
        assertEquals("root=/dev/ram0 console=ttyS0 tsc_early_khz=2000000 nolapic", cl);
        assertEquals(0, ram.ram[(int) BootLayout.COMMAND_LINE + cl.length()]);
        // e820: 4 entries
        assertEquals(4, Bytes.u8(z, 0x1E8));
        long[][] expected = {{0, 0x9FC00, 1}, {0x9FC00, 0x400, 2}, {0xE0000, 0x20000, 2}, {0x100000, RAM - 0x100000, 1}};
        for (int i = 0; i < 4; i++) {
            int off = 0x2D0 + i * 20;
            assertEquals(expected[i][0], Bytes.u64(z, off), "e820[" + i + "].addr");
            assertEquals(expected[i][1], Bytes.u64(z, off + 8), "e820[" + i + "].size");
            assertEquals(expected[i][2], Bytes.u32(z, off + 16), "e820[" + i + "].type");
        }
        // RSDP where the zero page says
        assertEquals("RSD PTR ", new String(ram.ram, (int) BootLayout.BIOS_AREA, 8, StandardCharsets.US_ASCII));
    }

    @Test
    void initrdGoesToTheTopBelowInitrdAddrMaxAndRamEnd() throws Exception {
        byte[] rd = Arrays.copyOf(TestImages.cpio(), 5000);
        ArrayMemory ram = new ArrayMemory(RAM);
        LinuxLoad.Result r = LinuxLoad.load(TestImages.bzImage(Compression.GZIP), Optional.of(rd), "", RAM, ram, settings(false));
        assertEquals((RAM - 5000) & ~0xFFFL, r.initrdAddress());
        assertArrayEquals(rd, Arrays.copyOfRange(ram.ram, (int) r.initrdAddress(), (int) r.initrdAddress() + 5000));
        // a lower initrd_addr_max wins over the end of RAM
        byte[] image = TestImages.bzImage(Compression.GZIP);
        Bytes.put32(image, 0x22C, 0x2000000 - 1);
        r = LinuxLoad.load(image, Optional.of(rd), "", RAM, new ArrayMemory(RAM), settings(false));
        assertEquals((0x2000000 - 5000) & ~0xFFFL, r.initrdAddress());
    }

    @Test
    void vmlinuxWithVirtualEntryGetsSyntheticHeaderAndPhysicalEntry() throws Exception {
        ArrayMemory ram = new ArrayMemory(RAM);
        LinuxLoad.Result r = LinuxLoad.load(TestImages.elf(true), Optional.empty(), "", RAM, ram, settings(true));
        assertEquals(TestImages.LOAD + 0x10, r.entry());
        byte[] z = Arrays.copyOfRange(ram.ram, (int) BootLayout.ZERO_PAGE, (int) BootLayout.ZERO_PAGE + 4096);
        assertEquals(0xAA55, Bytes.u16(z, 0x1FE));
        assertEquals(BzImage.HDRS, Bytes.u32(z, 0x202));
        assertEquals(0, Bytes.u32(z, 0x21C), "no initrd");
        assertEquals("console=ttyS0 tsc_early_khz=2000000", r.commandLine(), "with APICs the kernel is not told nolapic");
    }

    @Test
    void operatorSettingsWin() {
        String cl = CommandLine.assemble("console=hvc0 tsc_early_khz=1000 nolapic", PlatformDescription.pcmLegacy(false), 2_000_000, "ttyS0");
        assertEquals("console=hvc0 tsc_early_khz=1000 nolapic", cl);
    }

    @Test
    void entryStateFollowsThe64BitBootProtocol() throws Exception {
        ArrayMemory ram = new ArrayMemory(RAM);
        LinuxLoad.load(TestImages.elf(false), Optional.empty(), "", RAM, ram, settings(false));
        Registers regs = EntryState.registers(TestImages.LOAD);
        assertEquals(BootLayout.ZERO_PAGE, regs.rsi(), "RSI = boot_params");
        assertEquals(TestImages.LOAD, regs.rip());
        assertEquals(0, regs.rflags() & 0x200, "interrupts off");
        SpecialRegisters s = EntryState.specialRegisters();
        assertEquals(0x10, s.cs().selector());
        assertEquals(0x18, s.ds().selector());
        assertEquals(0x18, s.ss().selector());
        assertTrue(s.cs().l());
        assertEquals(BootLayout.PML4, s.cr3());
        assertEquals(0x500, s.efer() & 0x500, "LME and LMA");
        // PAE, and MCE: KVM on AMD SVM shows the guest the host's MCE whatever PCM sets (KvmBackendTest
        // aGuestReadsTheCr4ItWasGivenWhenMceIsSet); without it the snapshot's CR4 is not what Linux reads
        assertEquals(0x60, s.cr4());
        // GDT: 0x10 is a 64-bit code segment, 0x18 a flat data segment
        assertEquals(0x00AF9B000000FFFFL, ram.readLong(BootLayout.GDT + 0x10));
        assertEquals(0x00CF93000000FFFFL, ram.readLong(BootLayout.GDT + 0x18));
        // identity map: PML4[0] -> PDPT -> PD with 2 MiB pages; 0x1000000 maps to itself
        long pdpt = ram.readLong(BootLayout.PML4) & ~0xFFFL;
        long pd = ram.readLong(pdpt) & ~0xFFFL;
        long pde = ram.readLong(pd + 8 * (TestImages.LOAD >> 21));
        assertEquals(TestImages.LOAD, pde & ~0xFFFL);
        assertEquals(0x83, pde & 0xFF, "present, writable, 2 MiB");
        long pd3 = ram.readLong(pdpt + 24) & ~0xFFFL;
        assertEquals(0xFFE00000L, ram.readLong(pd3 + 511 * 8) & ~0xFFFL, "the map reaches 4 GiB");
    }

    @Test
    void whatDoesNotFitIsNamed() throws Exception {
        BootImageException e = assertThrows(BootImageException.class,
                () -> LinuxLoad.load(TestImages.bzImage(Compression.GZIP), Optional.empty(), "", 16 << 20, new ArrayMemory(16 << 20), settings(false)));
        assertEquals(Problem.DOES_NOT_FIT, e.problem());
        assertTrue(e.getMessage().contains("16 MiB"), e.getMessage());
        byte[] huge = new byte[50 << 20];
        System.arraycopy(TestImages.cpio(), 0, huge, 0, TestImages.cpio().length);
        e = assertThrows(BootImageException.class,
                () -> LinuxLoad.load(TestImages.bzImage(Compression.GZIP), Optional.of(huge), "", RAM, new ArrayMemory(RAM), settings(false)));
        assertEquals(Problem.DOES_NOT_FIT, e.problem());
        assertTrue(e.getMessage().contains("initrd"), e.getMessage());
    }

    @Test
    void badInitrdAndLongCommandLineAreTyped() {
        BootImageException e = assertThrows(BootImageException.class, () -> LinuxLoad.load(TestImages.bzImage(Compression.GZIP),
                Optional.of("not an archive".getBytes(StandardCharsets.US_ASCII)), "", RAM, new ArrayMemory(RAM), settings(false)));
        assertEquals(Problem.BAD_MAGIC, e.problem());
        assertTrue(e.getMessage().contains("initrd"), e.getMessage());
        e = assertThrows(BootImageException.class, () -> LinuxLoad.load(TestImages.bzImage(Compression.GZIP), Optional.empty(),
                "x".repeat(3000), RAM, new ArrayMemory(RAM), settings(false)));
        assertEquals(Problem.COMMAND_LINE_TOO_LONG, e.problem());
        e = assertThrows(BootImageException.class, () -> LinuxLoad.load(new byte[100], Optional.empty(), "", RAM, new ArrayMemory(RAM), settings(false)));
        assertEquals(Problem.BAD_MAGIC, e.problem());
    }

    @Test
    void brokenElfIsTyped() {
        byte[] elf = TestImages.elf(false);
        Bytes.put64(elf, 64 + 56 + 8, 0x7FFFFFFFL); // PT_LOAD offset outside the file
        BootImageException e = assertThrows(BootImageException.class, () -> ElfKernel.parse(elf));
        assertEquals(Problem.BAD_OFFSET, e.problem());
        byte[] elf32 = TestImages.elf(false);
        elf32[4] = 1;
        assertEquals(Problem.UNSUPPORTED, assertThrows(BootImageException.class, () -> ElfKernel.parse(elf32)).problem());
        byte[] entry = TestImages.elf(false);
        Bytes.put64(entry, 24, 0x5000);
        assertEquals(Problem.BAD_OFFSET, assertThrows(BootImageException.class, () -> ElfKernel.parse(entry)).problem());
        assertEquals(Problem.TRUNCATED, assertThrows(BootImageException.class, () -> ElfKernel.parse(Arrays.copyOf(elf, 40))).problem());
    }

    @Test
    void e820ForSmallAndLargeRam() {
        assertEquals(new E820Entry(0x100000, (256L << 20) - 0x100000, E820Entry.RAM), BootLayout.e820(256L << 20).get(3));
    }
}
