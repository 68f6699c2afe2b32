package pcm.core.api.sampling;

import java.util.List;
import java.util.Map;

import pcm.core.api.event.EventKind;
import pcm.core.api.verify.Verdict;

/**
 * What the shell shows of a window.
 *
 * @param state RECORDING, COMPLETE (valid files), TORN (cut off, never valid) or FAILED
 * @param traces the tracers armed for the window (since 1.5)
 */
public record WindowInfo(String id, String state, String backend, long instructions,
                         Map<EventKind, Long> eventCounts, long sizeBytes, List<Verdict> verdicts, List<TraceInfo> traces) {

    public WindowInfo {
        traces = traces == null ? List.of() : List.copyOf(traces);
    }

    /** Without traces (a window recorded with no tracer armed). */
    public WindowInfo(String id, String state, String backend, long instructions, Map<EventKind, Long> eventCounts,
                      long sizeBytes, List<Verdict> verdicts) {
        this(id, state, backend, instructions, eventCounts, sizeBytes, verdicts, List.of());
    }

    /** The same window with other verdicts. */
    public WindowInfo withVerdicts(List<Verdict> v) {
        return new WindowInfo(id, state, backend, instructions, eventCounts, sizeBytes, v, traces);
    }

    /**
     * A tracer armed for the window, as its CPU file records it.
     *
     * @param status  COMPLETE, FAILED or UNAVAILABLE ({@code pcm.core.api.tracer.Trace.Status})
     * @param records records kept (-1: the tracer did not say)
     * @param bytes   bytes of trace data
     * @param dropped records the bounded buffer dropped (overflow)
     * @param reason  why FAILED/UNAVAILABLE
     * @since 1.5
     */
    public record TraceInfo(String tracerId, String kind, String status, long records, long bytes, long dropped, String reason) {

        /** {@code mtr: 12345 records, 300000 bytes, overflow 0} or {@code mtr: UNAVAILABLE (reason)}. */
        public String summary() {
            return "COMPLETE".equals(status)
                    ? tracerId + ": " + records + " records, " + bytes + " bytes, overflow " + (dropped > 0 ? dropped + " dropped" : "none")
                    : tracerId + ": " + status + " (" + reason + ")";
        }
    }
}
