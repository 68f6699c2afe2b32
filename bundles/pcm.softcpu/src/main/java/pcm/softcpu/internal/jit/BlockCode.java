package pcm.softcpu.internal.jit;

/**
 * The entry point of one translated guest block, implemented by a hidden class {@link BlockTranslator} generates.
 * {@link #run} executes the whole block (or, for a loop, whole passes of it) against the CPU (the soft CPU's {@code Cpu} object, typed {@code Object}
 * because that class is package-private) and returns the number of instructions it retired; it leaves RIP and the
 * instruction count of the CPU exact at every exit, also when it throws (fault or exit signal of the instruction
 * at which it stopped).
 */
public interface BlockCode {

    /**
     * Runs the block; a block whose last instruction jumps back to its first runs again, without leaving, while
     * {@code budget} (instructions this run may still retire, at least the block's length) allows a whole pass.
     */
    int run(Object cpu, int budget);
}
