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

    /** Stops counting; the vCPU runs at full speed again. */
    @Override
    void close() throws BackendException;
}
