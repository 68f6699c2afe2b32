package pcm.boot.internal;

import static pcm.boot.api.BootImageException.Problem.BAD_MAGIC;
import static pcm.boot.api.BootImageException.Problem.COMMAND_LINE_TOO_LONG;
import static pcm.boot.api.BootImageException.Problem.DOES_NOT_FIT;
import static pcm.boot.internal.Bytes.hex;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

import pcm.boot.api.BootImageException;
import pcm.boot.api.Compression;
import pcm.boot.api.PlatformDescription;
import pcm.core.api.memory.GuestMemory;

/**
 * Loads Linux the way the 64-bit boot protocol wants it (Documentation/arch/x86/boot.rst, "64-bit Boot
 * Protocol"), without the bzImage's own decompressor (4.5 G instructions, linux-facts §5.2): the payload
 * is decompressed here and vmlinux's PT_LOAD segments are placed at their physical addresses; the entry
 * is vmlinux's startup_64. Then the initrd (highest page-aligned place below initrd_addr_max and the end
 * of RAM), the command line, the ACPI tables, the zero page and the entry page tables.
 */
final class LinuxLoad {

    /** What the loader was told beyond the files. */
    record Settings(PlatformDescription platform, long tscKhz, String console) {}

    /** What was loaded where: for the log, the report and tests. */
    record Result(long entry, String kernelKind, String kernelVersion, long kernelStart, long kernelEnd, long initrdAddress,
                  long initrdSize, String commandLine, AcpiTables.Layout acpi) {
        String describe() {
            return "Linux " + (kernelVersion.isEmpty() ? "" : "'" + kernelVersion + "' ") + "(" + kernelKind + ") at " + hex(kernelStart) + "-"
                    + hex(kernelEnd) + ", entry " + hex(entry) + (initrdSize > 0 ? ", initrd " + initrdSize + " bytes at " + hex(initrdAddress) : "")
                    + ", command line '" + commandLine + "'";
        }
    }

    private LinuxLoad() {}

    static Result load(byte[] kernelFile, Optional<byte[]> initrd, String operatorCommandLine, long ramBytes, GuestMemory ram,
                       Settings settings) throws BootImageException {
        byte[] setupHeader;
        byte[] vmlinux;
        String kind;
        String version = "";
        long initrdAddrMax = ZeroPage.DEFAULT_INITRD_ADDR_MAX;
        long cmdlineSize = ZeroPage.SYNTHETIC_CMDLINE_SIZE;
        long initSize = 0;
        if (BzImage.looksLikeBzImage(kernelFile)) {
            BzImage bz = BzImage.parse(kernelFile);
            vmlinux = Payload.decompress(bz);
            if (!ElfKernel.looksLikeElf(vmlinux)) throw new BootImageException(BAD_MAGIC, "the decompressed " + bz.compression() + " payload is not an ELF vmlinux");
            setupHeader = bz.headerBytes();
            initrdAddrMax = bz.header().initrdAddrMax();
            cmdlineSize = bz.header().cmdlineSize();
            initSize = bz.header().initSize();
            version = kernelVersion(kernelFile);
            kind = "bzImage protocol " + bz.header().protocolVersion() + ", " + bz.compression() + " payload " + bz.header().payloadLength()
                    + " bytes -> vmlinux " + vmlinux.length + " bytes";
        } else if (ElfKernel.looksLikeElf(kernelFile)) {
            vmlinux = kernelFile;
            setupHeader = ZeroPage.syntheticHeader();
            kind = "ELF vmlinux " + vmlinux.length + " bytes";
        } else {
            throw new BootImageException(BAD_MAGIC, "the kernel is neither a bzImage (no \"HdrS\" at 0x202) nor an ELF vmlinux");
        }
        ElfKernel elf = ElfKernel.parse(vmlinux);
        long start = elf.lowestPhys();
        long end = Math.max(elf.highestPhysEnd(), start + initSize);
        if (start < BootLayout.HIGH_MEMORY) {
            throw new BootImageException(DOES_NOT_FIT, "the kernel starts at " + hex(start) + ", below 1 MiB where the boot structures are");
        }
        long limit = Math.min(ramBytes, BootLayout.MAPPED_LIMIT);
        if (end > limit) {
            throw new BootImageException(DOES_NOT_FIT, "the kernel needs memory up to " + hex(end) + " (" + (end >> 20) + " MiB), the guest has "
                    + (ramBytes >> 20) + " MiB");
        }
        // RAM is freshly allocated and zeroed, so each segment's bss (memSize beyond fileSize) is already 0.
        for (ElfKernel.Segment s : elf.segments()) ram.write(s.physAddr(), vmlinux, (int) s.fileOffset(), (int) s.fileSize());

        long initrdAddress = 0, initrdSize = 0;
        if (initrd.isPresent()) {
            byte[] rd = initrd.get();
            checkInitrd(rd);
            initrdSize = rd.length;
            long top = Math.min(limit, initrdAddrMax + 1);
            initrdAddress = (top - initrdSize) & ~0xFFFL;
            if (top - initrdSize < end || initrdAddress < end) {
                throw new BootImageException(DOES_NOT_FIT, "initrd of " + initrdSize + " bytes does not fit between the kernel's end " + hex(end)
                        + " and " + hex(top) + " (RAM " + (ramBytes >> 20) + " MiB, initrd_addr_max " + hex(initrdAddrMax) + ")");
            }
            ram.write(initrdAddress, rd, 0, rd.length);
        }

        String commandLine = CommandLine.assemble(operatorCommandLine, settings.platform(), settings.tscKhz(), settings.console());
        byte[] cl = commandLine.getBytes(StandardCharsets.US_ASCII);
        long max = Math.min(cmdlineSize, BootLayout.COMMAND_LINE_MAX - 1);
        if (cl.length > max) {
            throw new BootImageException(COMMAND_LINE_TOO_LONG, "the command line has " + cl.length + " bytes; this kernel takes at most " + max);
        }
        ram.write(BootLayout.COMMAND_LINE, cl, 0, cl.length);
        ram.writeByte(BootLayout.COMMAND_LINE + cl.length, (byte) 0);

        AcpiTables.Layout acpi = AcpiTables.build(settings.platform(), BootLayout.BIOS_AREA);
        ram.write(acpi.base(), acpi.image(), 0, acpi.image().length);
        byte[] zero = ZeroPage.build(setupHeader, BootLayout.COMMAND_LINE, initrdAddress, initrdSize, acpi.rsdp(), e820(ramBytes, settings.platform()));
        ram.write(BootLayout.ZERO_PAGE, zero, 0, zero.length);
        EntryState.writeTables(ram);
        return new Result(elf.entry(), kind, version, start, end, initrdAddress, initrdSize, commandLine, acpi);
    }

    /** The e820 map: RAM, the BIOS areas, and the PCI ECAM when the platform has one. */
    static java.util.List<pcm.boot.api.E820Entry> e820(long ramBytes, PlatformDescription p) {
        long ecam = p.pci().map(PlatformDescription.PciRoot::ecamBase).orElse(0L);
        return ecam == 0 ? BootLayout.e820(ramBytes) : BootLayout.e820(ramBytes, ecam, PlatformDescription.PciRoot.ECAM_SIZE);
    }

    /** newc/odc cpio, or a compressed one (the kernel unpacks gzip, xz, zstd, bzip2, lzma, lz4, lzo). */
    static void checkInitrd(byte[] rd) throws BootImageException {
        if (rd.length == 0) throw new BootImageException(BAD_MAGIC, "the initrd is empty");
        boolean cpio = rd.length >= 6 && new String(rd, 0, 6, StandardCharsets.US_ASCII).matches("07070[127]");
        Compression c = Compression.detect(rd, 0, rd.length);
        if (!cpio && (c == null || c == Compression.NONE)) {
            throw new BootImageException(BAD_MAGIC, "the initrd is neither a cpio archive (070701) nor a compressed one (gzip, xz, zstd, ...)");
        }
    }

    /** The version string the setup header points at (kernel_version, relative to 0x200), if any. */
    static String kernelVersion(byte[] f) {
        int ptr = Bytes.u16(f, 0x20E);
        if (ptr == 0) return "";
        int start = ptr + 0x200;
        int end = start;
        while (end < f.length && end - start < 256 && f[end] != 0) end++;
        return start < f.length ? new String(f, start, end - start, StandardCharsets.US_ASCII) : "";
    }
}
