package pcm.softcpu.internal.jit;

/**
 * A translated block in the code cache: its code and the byte range of its code page it was translated from
 * (a store into that range drops it).
 *
 * @param code   the hidden class instance
 * @param length instructions in the block (it runs only when at least that many remain of the run's budget)
 * @param start  page offset of the first instruction
 * @param end    page offset after the last instruction
 */
public record CompiledBlock(BlockCode code, int length, int start, int end) {

    /** Whether a write of {@code size} bytes at page offset {@code at} touches the block's bytes. */
    public boolean overlaps(int at, int size) {
        return at < end && at + size > start;
    }
}
