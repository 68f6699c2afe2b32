package pcm.core.api.sampling;

import org.osgi.annotation.versioning.ConsumerType;

import pcm.core.api.cpu.BackendException;
import pcm.core.api.vm.VmExit;

/**
 * An exact instruction counter attached to one vCPU (see {@link PositionService}).
 * All methods run on the vCPU thread.
 */
@ConsumerType
public interface PositionCounter extends AutoCloseable {

    /**
     * Instructions retired since {@link PositionService#start}. A REP-prefixed string instruction
     * counts once, however many iterations it runs; interrupt and exception delivery count nothing
     * (the handler's instructions count as they retire).
     */
    long position();

    /**
     * Runs the guest, counting, until an exit the VMM must handle or a kick; then returns that
     * exit. Exits that need an answer get it through {@code VirtualCpu.complete} as usual. An
     * interrupt the kernel injects before this call is delivered at the current position.
     */
    VmExit run() throws BackendException;

    /**
     * Like {@link #run()}, but also stops when {@link #position()} reaches {@code target}: then it
     * returns {@link VmExit.Interrupted} with {@code position() == target} exactly (no instruction
     * beyond the target retires). A counter that cannot stop at a given position keeps this default,
     * which is {@link #run()}: the kernel then ends the window at the first exit or kick at or after
     * the target, and the window's END event carries the count actually reached.
     *
     * @param target an absolute position (instructions since {@link PositionService#start}); a
     *               target at or below the current position behaves as {@link #run()}
     * @since 1.1
     */
    default VmExit runUntil(long target) throws BackendException {
        return run();
    }

    /**
     * Asks the counter to report the registers at every position it counts — before each instruction,
     * after {@link #position()} instructions retired — to {@link InputObserver#registers}, so that the
     * kernel can log register checkpoints without stopping the counter at each position. Every stop
     * returns to the vCPU loop, which may inject a pending interrupt there: stopping per instruction would
     * deliver interrupts at boundaries a free-running window never has, which on some hosts exposes
     * single-step artefacts (docs/positions-on-kvm.md). Returns false if the counter cannot (the
     * default); the kernel then stops it with {@link #runUntil} at each checkpoint.
     * <p>
     * Whether asked or not, a counter reports the registers at positions it passes but cannot stop at
     * (kvm-step on PVM: right after an IRETQ to CPL3).
     *
     * @since 1.2
     */
    default boolean reportRegistersEveryInstruction() {
        return false;
    }

    /** Stops counting; the vCPU runs at full speed again. */
    @Override
    void close() throws BackendException;
}
