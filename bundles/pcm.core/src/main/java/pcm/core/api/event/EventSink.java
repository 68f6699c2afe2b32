package pcm.core.api.event;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Receives every event the kernel logs (whiteboard). The binary log writer is one sink, a live
 * statistics view another. Called on vCPU threads: a sink must be quick or hand off. A sink that
 * throws is counted and logged; the other sinks still get the event.
 */
@ConsumerType
public interface EventSink {

    void accept(PcmEvent event);
}
