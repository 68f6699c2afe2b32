package pcm.core.api.tracer;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Tracer hardware (MTR on the DIMMs, ITR on PCIe) or its emulation, armed and drained per window by the
 * sampler (docs/sampling.md, "Tracers"): every registered tracer is armed when a window opens (on the vCPU
 * thread, at position 0) and drained when it closes, also when the window is aborted or times out. What it
 * drains is stored with the window as {@code trace-<id>.bin} under the window's integrity rules.
 * <p>
 * A tracer that throws, returns garbage or leaves while a window records never takes the sampler down and never
 * loses the window: the window is stored, its trace marked failed with the reason.
 */
@ConsumerType
public interface Tracer {

    /** Service property: tracer id. */
    String ID = "pcm.tracer.id";

    enum Kind { MEMORY, IO }

    /** The tracer's id: {@code [A-Za-z0-9.-]}, other characters are replaced by '-' in file names. */
    String id();

    Kind kind();

    /** Starts tracing for a window (a tracer that does not know {@link TraceWindow}). */
    void arm(String windowId);

    /** Stops tracing and returns what was traced since {@link #arm}, in the tracer's own record format. */
    byte[] drain(String windowId);

    /**
     * Starts tracing the window described by {@code window} (vCPU thread, between runs, position 0). The hooks it
     * registers there are removed by the sampler when the window closes, whatever the tracer does.
     *
     * @throws TracerUnavailableException if the tracer cannot trace on this window's backend (the window records
     *                                    it as unavailable with the reason, and does not drain it)
     * @since 1.1
     */
    default void arm(TraceWindow window) throws TracerUnavailableException {
        arm(window.windowId());
    }

    /**
     * Stops tracing and returns what was traced, with its record count and what a bounded buffer dropped.
     * The default wraps {@link #drain(String)}: records unknown (-1), nothing dropped.
     *
     * @since 1.1
     */
    default TraceData drainTrace(TraceWindow window) {
        byte[] data = drain(window.windowId());
        return data == null ? null : new TraceData("opaque", -1, 0, data);
    }
}
