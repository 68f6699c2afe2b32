package pcm.core.api.verify;

/**
 * How long a verifier took on a window against how long the window took to record, both wall-clock: the
 * replay cost that sizes how many windows a host can verify (docs/verification.md).
 *
 * @param replayNanos  the verifier's {@code verify} call
 * @param recordNanos  from the window's start marker to its END event (0 if the window has neither)
 * @since 1.3
 */
public record ReplayTiming(long replayNanos, long recordNanos) {

    /** Replay time over record time; NaN if the record time is unknown. */
    public double ratio() {
        return recordNanos > 0 ? (double) replayNanos / recordNanos : Double.NaN;
    }
}
