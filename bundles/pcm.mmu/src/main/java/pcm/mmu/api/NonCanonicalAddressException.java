package pcm.mmu.api;

/**
 * Bits 63:47 of a linear address are not all equal. The CPU raises #GP (#SS for stack accesses),
 * not a page fault; no page table is read.
 */
public final class NonCanonicalAddressException extends TranslationException {
    private static final long serialVersionUID = 1L;

    public NonCanonicalAddressException(long gva) {
        super(gva, "non-canonical linear address 0x" + Long.toHexString(gva));
    }
}
