package pcm.core.api.guest;

import pcm.core.api.cpu.Registers;
import pcm.core.api.cpu.Segment;
import pcm.core.api.cpu.SpecialRegisters;
import pcm.core.api.cpu.SpecialRegisters.DescriptorTable;

/**
 * Prepares 64-bit long-mode entry the way the Linux 64-bit boot protocol expects it: the VMM
 * writes a GDT and identity page tables into guest RAM before the first run and starts the vCPU
 * at the image's 64-bit entry point with paging on. Layout and state are docs/guest-contract.md;
 * both backends start from exactly this state, and so do test harnesses that boot the guest
 * without the kernel.
 */
public final class LongModeBoot {

    public static final long GDT = 0x1000;
    public static final long PML4 = 0x2000;
    public static final long PDPT = 0x3000;
    public static final long PD0 = 0x4000;
    public static final long BOOT_INFO = 0x8000;
    public static final long INITIAL_STACK = 0x90000;
    public static final long BOOT_INFO_MAGIC = 0x31544F4F424D4350L; // "PCMBOOT1"

    public static final int CODE64_SELECTOR = 0x08;
    public static final int DATA_SELECTOR = 0x10;

    private static final long PTE_PRESENT = 1, PTE_WRITE = 2, PTE_USER = 4, PTE_LARGE = 0x80;
    private static final long CR0_PE = 1, CR0_MP = 2, CR0_ET = 0x10, CR0_NE = 0x20, CR0_WP = 1 << 16, CR0_PG = 1L << 31;
    private static final long CR4_PAE = 0x20, CR4_OSFXSR = 0x200, CR4_OSXMMEXCPT = 0x400;
    /** Set because KVM on AMD SVM shows a guest the host's CR4.MCE anyway (pcm.boot's EntryState says more). */
    private static final long CR4_MCE = 0x40;
    private static final long EFER_SCE = 1, EFER_LME = 0x100, EFER_LMA = 0x400, EFER_NXE = 0x800;

    /** Boot parameters the guest reads at {@link #BOOT_INFO}. */
    public record BootInfo(long ramSize, long workloadBlocks, long flags, long timerHz) {
        public static final long FLAG_RDRAND = 1, FLAG_RDSEED = 2;
    }

    private LongModeBoot() {}

    /** Where the tables go: {@code GuestMemory::writeLong}, or a raw segment in a harness. */
    @FunctionalInterface
    public interface LongWriter {
        void writeLong(long gpa, long value);
    }

    /** Writes GDT, page tables (identity, 2 MiB pages, 0–4 GiB, user-accessible) and boot info. */
    public static void writeTables(LongWriter mem, BootInfo info) {
        mem.writeLong(GDT, 0);
        mem.writeLong(GDT + 8, 0x00AF9B000000FFFFL);  // code64: P, DPL0, L, G, accessed (matches the CS cache)
        mem.writeLong(GDT + 16, 0x00CF93000000FFFFL); // data: P, DPL0, writable, accessed, 4 GiB
        long flags = PTE_PRESENT | PTE_WRITE | PTE_USER;
        mem.writeLong(PML4, PDPT | flags);
        for (int gib = 0; gib < 4; gib++) {
            long pd = PD0 + gib * 0x1000L;
            mem.writeLong(PDPT + gib * 8L, pd | flags);
            for (int i = 0; i < 512; i++) {
                long gpa = ((long) gib << 30) | ((long) i << 21);
                mem.writeLong(pd + i * 8L, gpa | flags | PTE_LARGE);
            }
        }
        mem.writeLong(BOOT_INFO, BOOT_INFO_MAGIC);
        mem.writeLong(BOOT_INFO + 8, info.ramSize());
        mem.writeLong(BOOT_INFO + 16, info.workloadBlocks());
        mem.writeLong(BOOT_INFO + 24, info.flags());
        mem.writeLong(BOOT_INFO + 32, info.timerHz());
    }

    public static SpecialRegisters specialRegisters() {
        Segment code = Segment.code64(CODE64_SELECTOR, 0);
        Segment data = Segment.data(DATA_SELECTOR, 0);
        // A task register must look usable for VMX entry checks even before the guest loads its own TSS.
        Segment tr = new Segment(0, 0xFFFF, 0, 0xB, true, 0, false, false, false, false, false, false);
        Segment ldt = new Segment(0, 0xFFFF, 0, 0x2, true, 0, false, false, false, false, false, false);
        return new SpecialRegisters(code, data, data, data, data, data, tr, ldt,
                new DescriptorTable(GDT, 23), new DescriptorTable(0, 0),
                CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_PG, 0, PML4,
                CR4_PAE | CR4_MCE | CR4_OSFXSR | CR4_OSXMMEXCPT, 0,
                EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE, 0xFEE00900L);
    }

    public static Registers registers(long entryPoint) {
        return new Registers(0, 0, 0, 0, BOOT_INFO, 0, INITIAL_STACK, 0, 0, 0, 0, 0, 0, 0, 0, 0, entryPoint, 0x2);
    }
}
