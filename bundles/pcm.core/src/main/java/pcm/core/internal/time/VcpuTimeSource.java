package pcm.core.internal.time;

/**
 * What the vCPU loop tells the clock (kernel-internal: the loop and the clock are both in pcm.core). All
 * calls but {@link #attach}/{@link #detach} come from the vCPU thread.
 */
public interface VcpuTimeSource {

    /**
     * A VM starts. {@code exactCount}: the backend counts retired instructions exactly (the software CPU),
     * so guest time may follow them; {@code kick} makes the running vCPU return to its loop.
     */
    void attach(boolean exactCount, Runnable kick);

    /** The VM stopped: time stands still, pending deadlines are dropped. */
    void detach();

    /** The vCPU returned to its loop having retired {@code instructions} since it was created; due tasks run. */
    void advance(long instructions);

    /**
     * The guest halted with interrupts enabled and nothing pending. On instruction time, which does not pass
     * while nothing executes, the clock jumps to the earliest deadline and runs it; true if it did (the loop
     * then looks for the interrupt again instead of waiting). Host time passes by itself: false.
     */
    boolean idle();
}
