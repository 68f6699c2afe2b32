package pcm.boot.internal;

import static pcm.boot.internal.Bytes.put16;
import static pcm.boot.internal.Bytes.put32;
import static pcm.boot.internal.Bytes.put64;
import static pcm.boot.internal.Bytes.put8;

import java.util.List;

import pcm.boot.api.E820Entry;
import pcm.boot.api.SetupHeader;

/**
 * struct boot_params (the "zero page", Documentation/arch/x86/zero-page.rst): the bzImage's setup header
 * copied in (or a minimal one for a bare vmlinux), then what the loader fills in.
 */
final class ZeroPage {

    static final int SIZE = 4096;
    static final int ACPI_RSDP_ADDR = 0x070;
    static final int EXT_RAMDISK_IMAGE = 0x0C0, EXT_RAMDISK_SIZE = 0x0C4, EXT_CMD_LINE_PTR = 0x0C8;
    static final int E820_ENTRIES = 0x1E8;
    static final int SETUP_HEADER = 0x1F1;
    static final int BOOT_FLAG = 0x1FE, HEADER = 0x202, VERSION = 0x206, TYPE_OF_LOADER = 0x210, LOADFLAGS = 0x211;
    static final int RAMDISK_IMAGE = 0x218, RAMDISK_SIZE = 0x21C, CMD_LINE_PTR = 0x228, INITRD_ADDR_MAX = 0x22C;
    static final int KERNEL_ALIGNMENT = 0x230, CMDLINE_SIZE = 0x238;
    static final int E820_TABLE = 0x2D0, E820_MAX = 128;
    /** "Undefined" boot loader: PCM has no assigned id. */
    static final int LOADER_UNDEFINED = 0xFF;
    /** The protocol written for a bare vmlinux, which carries no setup header of its own. */
    static final int SYNTHETIC_PROTOCOL = 0x020F;
    static final int SYNTHETIC_CMDLINE_SIZE = 2047;
    static final long DEFAULT_INITRD_ADDR_MAX = 0x7FFFFFFFL;

    private ZeroPage() {}

    /** The setup header of a vmlinux without one: just what the kernel reads on the 64-bit path. */
    static byte[] syntheticHeader() {
        byte[] z = new byte[SIZE];
        put16(z, BOOT_FLAG, 0xAA55);
        put32(z, HEADER, BzImage.HDRS);
        put16(z, VERSION, SYNTHETIC_PROTOCOL);
        put8(z, LOADFLAGS, SetupHeader.LOADED_HIGH);
        put32(z, INITRD_ADDR_MAX, DEFAULT_INITRD_ADDR_MAX);
        put32(z, KERNEL_ALIGNMENT, 0x200000);
        put32(z, CMDLINE_SIZE, SYNTHETIC_CMDLINE_SIZE);
        return java.util.Arrays.copyOfRange(z, SETUP_HEADER, 0x268);
    }

    static byte[] build(byte[] setupHeader, long commandLine, long initrdAddress, long initrdSize, long rsdp, List<E820Entry> e820) {
        if (e820.size() > E820_MAX) throw new IllegalArgumentException(e820.size() + " e820 entries (at most " + E820_MAX + ")");
        byte[] z = new byte[SIZE];
        System.arraycopy(setupHeader, 0, z, SETUP_HEADER, Math.min(setupHeader.length, E820_TABLE - SETUP_HEADER));
        put8(z, TYPE_OF_LOADER, LOADER_UNDEFINED);
        put8(z, LOADFLAGS, (z[LOADFLAGS] & 0xFF) | SetupHeader.LOADED_HIGH);
        put32(z, CMD_LINE_PTR, commandLine);
        put32(z, EXT_CMD_LINE_PTR, commandLine >>> 32);
        put32(z, RAMDISK_IMAGE, initrdAddress);
        put32(z, EXT_RAMDISK_IMAGE, initrdAddress >>> 32);
        put32(z, RAMDISK_SIZE, initrdSize);
        put32(z, EXT_RAMDISK_SIZE, initrdSize >>> 32);
        put64(z, ACPI_RSDP_ADDR, rsdp);
        put8(z, E820_ENTRIES, e820.size());
        for (int i = 0; i < e820.size(); i++) {
            E820Entry e = e820.get(i);
            int off = E820_TABLE + i * 20;
            put64(z, off, e.address());
            put64(z, off + 8, e.size());
            put32(z, off + 16, e.type());
        }
        return z;
    }
}
