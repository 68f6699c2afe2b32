package pcm.mmu.api;

import pcm.core.api.cpu.SpecialRegisters;

/**
 * The paging state a walk depends on (x86-64 4-level paging).
 *
 * @param cr3                 CR3; bits 51:12 locate the PML4 (low bits, PCID or PWT/PCD, are ignored)
 * @param writeProtect        CR0.WP: supervisor writes honour read-only pages
 * @param noExecute           EFER.NXE: bit 63 of entries is XD (otherwise it is reserved)
 * @param smep                CR4.SMEP: supervisor fetches from user pages fault
 * @param smap                CR4.SMAP: supervisor data accesses to user pages fault unless {@code alignmentCheck}
 * @param alignmentCheck      RFLAGS.AC (only matters with SMAP)
 * @param physicalAddressBits MAXPHYADDR (32..52): entry bits 51:MAXPHYADDR are reserved
 * @param setAccessedDirty    set the accessed bits of the entries used and the dirty bit of the leaf on
 *                            a write, as the CPU does (off: the walk only reads guest memory)
 */
public record Paging(long cr3, boolean writeProtect, boolean noExecute, boolean smep, boolean smap,
                     boolean alignmentCheck, int physicalAddressBits, boolean setAccessedDirty) {

    static final long CR0_PG = 1L << 31;
    static final long CR0_WP = 1L << 16;
    static final long CR4_PAE = 1L << 5;
    static final long CR4_LA57 = 1L << 12;
    static final long CR4_SMEP = 1L << 20;
    static final long CR4_SMAP = 1L << 21;
    static final long EFER_NXE = 1L << 11;
    static final long EFER_LMA = 1L << 10;
    static final long RFLAGS_AC = 1L << 18;

    public Paging {
        if (physicalAddressBits < 32 || physicalAddressBits > 52) {
            throw new IllegalArgumentException("MAXPHYADDR " + physicalAddressBits + " outside 32..52");
        }
    }

    /** CR3 with CR0.WP and EFER.NXE set, no SMEP/SMAP, MAXPHYADDR 52, no A/D updates. */
    public static Paging of(long cr3) {
        return new Paging(cr3, true, true, false, false, false, 52, false);
    }

    /**
     * From raw registers.
     *
     * @throws IllegalArgumentException unless the CPU is in IA-32e mode with 4-level paging
     *                                  (CR0.PG, CR4.PAE, EFER.LMA set; CR4.LA57 clear)
     */
    public static Paging of(long cr0, long cr3, long cr4, long efer, long rflags) {
        if ((cr0 & CR0_PG) == 0 || (cr4 & CR4_PAE) == 0 || (efer & EFER_LMA) == 0) {
            throw new IllegalArgumentException("not 4-level long-mode paging: cr0=0x" + Long.toHexString(cr0)
                    + " cr4=0x" + Long.toHexString(cr4) + " efer=0x" + Long.toHexString(efer));
        }
        if ((cr4 & CR4_LA57) != 0) {
            throw new IllegalArgumentException("5-level paging (CR4.LA57) is not supported");
        }
        return new Paging(cr3, (cr0 & CR0_WP) != 0, (efer & EFER_NXE) != 0, (cr4 & CR4_SMEP) != 0,
                (cr4 & CR4_SMAP) != 0, (rflags & RFLAGS_AC) != 0, 52, false);
    }

    /** From a vCPU's special registers and RFLAGS. */
    public static Paging of(SpecialRegisters sregs, long rflags) {
        return of(sregs.cr0(), sregs.cr3(), sregs.cr4(), sregs.efer(), rflags);
    }

    public Paging withAccessedDirty(boolean set) {
        return new Paging(cr3, writeProtect, noExecute, smep, smap, alignmentCheck, physicalAddressBits, set);
    }

    public Paging withPhysicalAddressBits(int bits) {
        return new Paging(cr3, writeProtect, noExecute, smep, smap, alignmentCheck, bits, setAccessedDirty);
    }
}
