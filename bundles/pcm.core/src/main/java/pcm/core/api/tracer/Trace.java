package pcm.core.api.tracer;

import java.util.Objects;

/**
 * A tracer's trace of one stored window (loaded and checked with it), or why there is none.
 *
 * @param tracerId the tracer's id
 * @param kind     MEMORY or IO
 * @param status   COMPLETE (drained; {@code dropped} says whether its buffer overflowed), FAILED (threw, returned
 *                 garbage or left during the window: {@code reason}) or UNAVAILABLE (cannot trace this backend)
 * @param reason   why FAILED or UNAVAILABLE; empty when COMPLETE
 * @param format   record format and version ({@link TraceData#format()}); empty unless COMPLETE
 * @param records  records kept; -1 if unknown
 * @param dropped  records lost to the bounded buffer
 * @param data     the records (empty unless COMPLETE)
 * @since 1.1
 */
public record Trace(String tracerId, Tracer.Kind kind, Status status, String reason, String format, long records,
                    long dropped, byte[] data) {

    public enum Status { COMPLETE, FAILED, UNAVAILABLE }

    public Trace {
        Objects.requireNonNull(tracerId);
        Objects.requireNonNull(kind);
        Objects.requireNonNull(status);
        reason = reason == null ? "" : reason;
        format = format == null ? "" : format;
        data = data == null ? new byte[0] : data;
    }

    /** Whether the tracer's buffer overflowed: it kept the first {@link #records} and dropped the rest. */
    public boolean overflowed() { return dropped > 0; }

    /** One line for the shell: {@code mtr MEMORY COMPLETE records=… bytes=… overflow=…}. */
    public String summary() {
        StringBuilder s = new StringBuilder(tracerId).append(' ').append(kind).append(' ').append(status);
        if (status == Status.COMPLETE) {
            s.append(" records=").append(records).append(" bytes=").append(data.length)
                    .append(" overflow=").append(overflowed() ? dropped + "-dropped" : "no");
        } else {
            s.append(" (").append(reason).append(')');
        }
        return s.toString();
    }
}
