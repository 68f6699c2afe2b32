package pcm.core.internal.sampling;

import java.util.List;

import pcm.core.api.event.PcmEvent;
import pcm.core.api.tracer.Trace;
import pcm.core.api.verify.RecordingCpu;
import pcm.core.api.verify.Snapshot;
import pcm.core.api.verify.Window;

/**
 * A window loaded from its files ({@link WindowStore#load}); {@code startTimestampNanos} is when it started on
 * the event clock (from the log header: the STATE markers are not among the events); {@code traces} what the tracers
 * armed for it recorded (docs/sampling.md, "Tracers").
 */
public record StoredWindow(String id, String backend, RecordingCpu cpu, Snapshot initial, List<PcmEvent> events,
                           Snapshot end, long startTimestampNanos, List<Trace> traces) implements Window {

    public StoredWindow {
        traces = traces == null ? List.of() : List.copyOf(traces);
    }

    /** A window without traces. */
    public StoredWindow(String id, String backend, RecordingCpu cpu, Snapshot initial, List<PcmEvent> events, Snapshot end,
                        long startTimestampNanos) {
        this(id, backend, cpu, initial, events, end, startTimestampNanos, List.of());
    }
}
