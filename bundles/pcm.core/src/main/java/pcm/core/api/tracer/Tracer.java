package pcm.core.api.tracer;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Tracer hardware (MTR on the DIMMs, ITR on PCIe) or its emulation, armed and drained per window.
 */
@ConsumerType
public interface Tracer {

    /** Service property: tracer id. */
    String ID = "pcm.tracer.id";

    enum Kind { MEMORY, IO }

    String id();

    Kind kind();

    /** Starts tracing for a window. */
    void arm(String windowId);

    /** Stops tracing and returns what was traced since {@link #arm}, in the tracer's own record format. */
    byte[] drain(String windowId);
}
