package pcm.core.api.cpu;

/** A segment register in its hidden (descriptor-cache) form, as KVM's {@code struct kvm_segment}. */
public record Segment(long base, int limit, int selector, int type, boolean present, int dpl,
                      boolean db, boolean s, boolean l, boolean g, boolean avl, boolean unusable) {

    /** 64-bit code segment. */
    public static Segment code64(int selector, int dpl) {
        return new Segment(0, 0xFFFFFFFF, selector, 0xB, true, dpl, false, true, true, true, false, false);
    }

    /** Flat read/write data segment. */
    public static Segment data(int selector, int dpl) {
        return new Segment(0, 0xFFFFFFFF, selector, 0x3, true, dpl, true, true, false, true, false, false);
    }

    /** 64-bit TSS (busy). */
    public static Segment tss(int selector, long base, int limit) {
        return new Segment(base, limit, selector, 0xB, true, 0, false, false, false, false, false, false);
    }

    public static Segment unusableSegment() {
        return new Segment(0, 0, 0, 0, false, 0, false, false, false, false, false, true);
    }
}
