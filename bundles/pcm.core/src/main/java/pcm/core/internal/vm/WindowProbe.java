package pcm.core.internal.vm;

import pcm.core.api.cpu.BackendException;
import pcm.core.api.cpu.VirtualCpu;
import pcm.core.api.exit.ExitResult;
import pcm.core.api.memory.GuestMemory;
import pcm.core.api.vm.VmExit;

/**
 * What the vCPU loop drives while a sampling window is open (implemented by the recorder in
 * {@code pcm.core.internal.sampling}). Every method runs on the vCPU thread, between runs.
 */
public interface WindowProbe {

    /**
     * Opens the window: initial snapshot, position counter started, window-start marker emitted.
     * Throwing means the window did not open (the loop goes on as before).
     *
     * @param memory the guest memory as it is now (device DMA is held off while this runs)
     */
    void open(VirtualCpu vcpu, GuestMemory memory) throws Exception;

    /** Runs the guest once, counting (through the position counter, up to the window's end). */
    VmExit run() throws BackendException;

    /** The loop injected an external interrupt just now (it is delivered at the current position). */
    void interruptInjected(int vector);

    /** An exit was handled with {@code result} (after the handlers ran, before the guest gets it). */
    void exitHandled(VmExit exit, ExitResult result);

    /**
     * The exit was completed ({@code VirtualCpu.complete}); runs before the loop injects an interrupt or applies
     * deferred DMA, so the probe can make the exiting instruction retire in the backend first.
     */
    default void exitCompleted(VmExit exit) throws BackendException {
    }

    /** A device wrote guest memory (DMA) on the vCPU thread; the bytes are already in guest memory. */
    void dmaWrite(long gpa, byte[] data, int offset, int length);

    /** Whether the window reached its length; then the loop calls {@link #finish}. */
    boolean reachedEnd();

    /** Closes the window here: final snapshot, END event, counter closed. */
    void finish(String reason) throws BackendException;

    /** Gives the window up (the VM stops or failed): no final snapshot, the window is marked failed. */
    void abort(String reason);
}
