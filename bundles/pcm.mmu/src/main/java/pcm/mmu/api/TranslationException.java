package pcm.mmu.api;

/** A linear address the CPU would not translate; the subclass says which exception it raises. */
public abstract sealed class TranslationException extends Exception permits PageFault, NonCanonicalAddressException {
    private static final long serialVersionUID = 1L;
    private final long gva;

    TranslationException(long gva, String message) {
        super(message);
        this.gva = gva;
    }

    /** The linear address that failed (what CR2 would receive on a page fault). */
    public long gva() {
        return gva;
    }
}
