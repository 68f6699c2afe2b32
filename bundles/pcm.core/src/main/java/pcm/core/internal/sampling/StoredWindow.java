package pcm.core.internal.sampling;

import java.util.List;

import pcm.core.api.event.PcmEvent;
import pcm.core.api.verify.RecordingCpu;
import pcm.core.api.verify.Snapshot;
import pcm.core.api.verify.Window;

/**
 * A window loaded from its files ({@link WindowStore#load}); {@code startTimestampNanos} is when it started on
 * the event clock (from the log header: the STATE markers are not among the events).
 */
public record StoredWindow(String id, String backend, RecordingCpu cpu, Snapshot initial, List<PcmEvent> events,
                           Snapshot end, long startTimestampNanos) implements Window {}
