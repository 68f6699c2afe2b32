package pcm.softcpu.internal.jit;

/** Counters of one vCPU's block compiler (not state: a run with the compiler off has none). */
public final class JitStats {
    /** Blocks translated, dropped by code writes, dropped by a full cache; cache flushes. */
    public long compiled, invalidated, evicted, flushes;
    /** Of the blocks compiled, those whose class another block with the same bytes had already made. */
    public long shared;
    /** Block runs and the instructions they retired; heads that could not form a block worth translating. */
    public long entries, instructions, rejected;
    /** Nanoseconds spent translating and defining classes. */
    public long compileNanos;

    @Override
    public String toString() {
        return String.format("blocks compiled %d (%d shared, %.1f ms), invalidated %d, evicted %d (flushes %d), rejected heads %d; "
                + "block runs %d, instructions in blocks %d", compiled, shared, compileNanos / 1e6, invalidated, evicted, flushes,
                rejected, entries, instructions);
    }
}
