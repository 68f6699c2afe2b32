package pcm.mmu.api;

/**
 * A page fault (#PF, vector 14) with the error code the CPU would push and the address for CR2.
 */
public final class PageFault extends TranslationException {
    private static final long serialVersionUID = 1L;

    /** Error code bit 0: a protection violation (set) or a not-present entry (clear). */
    public static final int PRESENT = 1;
    /** Error code bit 1: the access was a write. */
    public static final int WRITE = 1 << 1;
    /** Error code bit 2: the access was a user-mode access. */
    public static final int USER = 1 << 2;
    /** Error code bit 3: a reserved bit was set in a paging-structure entry. */
    public static final int RESERVED = 1 << 3;
    /** Error code bit 4: the access was an instruction fetch (only with EFER.NXE or CR4.SMEP). */
    public static final int FETCH = 1 << 4;

    private final int errorCode;
    private final int level;

    /**
     * @param level the paging level whose entry caused the fault: 4 PML4E, 3 PDPTE, 2 PDE, 1 PTE
     */
    public PageFault(long gva, int errorCode, int level, String why) {
        super(gva, "#PF at 0x" + Long.toHexString(gva) + " error code 0x" + Integer.toHexString(errorCode)
                + " (level " + level + "): " + why);
        this.errorCode = errorCode;
        this.level = level;
    }

    public int errorCode() {
        return errorCode;
    }

    public int level() {
        return level;
    }

    public boolean present() {
        return (errorCode & PRESENT) != 0;
    }

    public boolean write() {
        return (errorCode & WRITE) != 0;
    }

    public boolean user() {
        return (errorCode & USER) != 0;
    }

    public boolean reservedBit() {
        return (errorCode & RESERVED) != 0;
    }

    public boolean instructionFetch() {
        return (errorCode & FETCH) != 0;
    }
}
