package pcm.boot.internal;

import java.util.ArrayList;
import java.util.List;

import pcm.boot.api.E820Entry;

/**
 * Where the loader puts things in guest-physical memory (docs/linux-boot.md, "Memory map"). Everything
 * the VMM writes below 1 MiB lies in RAM Linux reserves at boot (it keeps the first megabyte for itself).
 */
final class BootLayout {

    static final long GDT = 0x1000;
    static final int GDT_LIMIT = 4 * 8 - 1;
    static final long PML4 = 0x2000;
    static final long PDPT = 0x3000;
    /** Four page directories, 0x4000-0x7fff: identity map of 0-4 GiB in 2 MiB pages. */
    static final long PD0 = 0x4000;
    static final long ZERO_PAGE = 0x8000;
    static final long COMMAND_LINE = 0x9000;
    static final int COMMAND_LINE_MAX = 0x1000;
    static final long INITIAL_STACK = 0x90000;
    static final long EBDA = 0x9FC00;
    /** The BIOS area where Linux also scans for an RSDP; the ACPI tables live here. */
    static final long BIOS_AREA = 0xE0000;
    static final long HIGH_MEMORY = 0x100000;
    static final long MAPPED_LIMIT = 4L << 30;

    static final int BOOT_CS = 0x10, BOOT_DS = 0x18;

    private BootLayout() {}

    /** RAM below the EBDA and from 1 MiB to the end; the EBDA and the BIOS area are reserved. */
    static List<E820Entry> e820(long ramBytes) {
        return e820(ramBytes, 0, 0);
    }

    /** As {@link #e820(long)}, plus a reserved range (the PCI ECAM, which Linux uses only when e820 reserves it). */
    static List<E820Entry> e820(long ramBytes, long reservedBase, long reservedSize) {
        List<E820Entry> map = new ArrayList<>();
        map.add(new E820Entry(0, EBDA, E820Entry.RAM));
        map.add(new E820Entry(EBDA, 0xA0000 - EBDA, E820Entry.RESERVED));
        map.add(new E820Entry(BIOS_AREA, HIGH_MEMORY - BIOS_AREA, E820Entry.RESERVED));
        if (ramBytes > HIGH_MEMORY) map.add(new E820Entry(HIGH_MEMORY, ramBytes - HIGH_MEMORY, E820Entry.RAM));
        if (reservedSize > 0) map.add(new E820Entry(reservedBase, reservedSize, E820Entry.RESERVED));
        return map;
    }
}
