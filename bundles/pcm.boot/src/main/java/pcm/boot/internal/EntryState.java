package pcm.boot.internal;

import pcm.core.api.cpu.Registers;
import pcm.core.api.cpu.Segment;
import pcm.core.api.cpu.SpecialRegisters;
import pcm.core.api.cpu.SpecialRegisters.DescriptorTable;
import pcm.core.api.memory.GuestMemory;

/**
 * The 64-bit boot protocol's entry state: long mode, identity paging of 0-4 GiB (covers the kernel, its
 * init_size, the zero page, the command line and the initrd), a GDT with __BOOT_CS 0x10 and __BOOT_DS
 * 0x18, interrupts off, RSI = the zero page.
 */
final class EntryState {

    private static final long PTE_PRESENT = 1, PTE_WRITE = 2, PTE_LARGE = 0x80;
    private static final long CR0_PE = 1, CR0_ET = 0x10, CR0_NE = 0x20, CR0_PG = 1L << 31;
    private static final long CR4_PAE = 0x20;
    /**
     * Machine-check enable, set as firmware leaves it: KVM on AMD SVM shows the guest the host's CR4.MCE (its MOV from
     * CR4 is not intercepted) while KVM_GET_SREGS reports the CR4 PCM set, so a guest started without MCE reads a CR4
     * its snapshot does not hold (Linux's {@code __startup_64} does, to test LA57). Linux keeps the bit.
     */
    static final long CR4_MCE = 0x40;
    private static final long EFER_LME = 0x100, EFER_LMA = 0x400;
    private static final long APIC_BASE_BSP_ENABLED = 0xFEE00900L;

    private EntryState() {}

    static void writeTables(GuestMemory mem) {
        mem.writeLong(BootLayout.GDT, 0);
        mem.writeLong(BootLayout.GDT + 8, 0);
        mem.writeLong(BootLayout.GDT + BootLayout.BOOT_CS, 0x00AF9B000000FFFFL); // code64, accessed
        mem.writeLong(BootLayout.GDT + BootLayout.BOOT_DS, 0x00CF93000000FFFFL); // data, 4 GiB, accessed
        long flags = PTE_PRESENT | PTE_WRITE;
        mem.writeLong(BootLayout.PML4, BootLayout.PDPT | flags);
        for (int gib = 0; gib < 4; gib++) {
            long pd = BootLayout.PD0 + gib * 0x1000L;
            mem.writeLong(BootLayout.PDPT + gib * 8L, pd | flags);
            for (int i = 0; i < 512; i++) mem.writeLong(pd + i * 8L, ((long) gib << 30) | ((long) i << 21) | flags | PTE_LARGE);
        }
    }

    static SpecialRegisters specialRegisters() {
        Segment code = Segment.code64(BootLayout.BOOT_CS, 0);
        Segment data = Segment.data(BootLayout.BOOT_DS, 0);
        Segment tr = new Segment(0, 0xFFFF, 0, 0xB, true, 0, false, false, false, false, false, false);
        Segment ldt = new Segment(0, 0xFFFF, 0, 0x2, true, 0, false, false, false, false, false, false);
        return new SpecialRegisters(code, data, data, data, data, data, tr, ldt,
                new DescriptorTable(BootLayout.GDT, BootLayout.GDT_LIMIT), new DescriptorTable(0, 0),
                CR0_PE | CR0_ET | CR0_NE | CR0_PG, 0, BootLayout.PML4, CR4_PAE | CR4_MCE, 0, EFER_LME | EFER_LMA, APIC_BASE_BSP_ENABLED);
    }

    static Registers registers(long entry) {
        return new Registers(0, 0, 0, 0, BootLayout.ZERO_PAGE, 0, BootLayout.INITIAL_STACK, 0, 0, 0, 0, 0, 0, 0, 0, 0, entry, 0x2);
    }
}
