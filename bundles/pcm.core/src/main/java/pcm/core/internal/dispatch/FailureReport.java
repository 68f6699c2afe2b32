package pcm.core.internal.dispatch;

import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Rate-limited reports of one kind of trouble (failures, or calls over the time budget) of one
 * handler: the first occurrence is logged in full (with its stack trace), later ones are counted
 * and summarised at most once per period ("handler X failed N times in the last T s"), so a
 * handler that throws on every exit cannot flood the log.
 */
final class FailureReport {

    private final String label;
    private final String verb;
    private final DispatchLog log;
    private long total;
    private long pending;
    private long windowStart;
    private String latest;

    /** @param verb what happened, as in "handler X {verb} N times", e.g. "failed" */
    FailureReport(String label, String verb, DispatchLog log) {
        this.label = label;
        this.verb = verb;
        this.log = log;
    }

    /**
     * Reports one occurrence.
     *
     * @param first  the full message, used for the first occurrence only
     * @param cause  logged with the first occurrence; may be null
     * @param brief  one line for the summaries ("IllegalStateException: x on PIO_IN")
     */
    synchronized void occurred(String first, Throwable cause, String brief, long now, long periodNanos) {
        total++;
        latest = brief;
        if (total == 1) {
            windowStart = now;
            log.warn(first + " (further ones are summarised at most every " + seconds(periodNanos) + ")", cause);
            return;
        }
        pending++;
        if (now - windowStart >= periodNanos) summarise(now);
    }

    /** Logs the summary of what was counted since the last one, if anything was (periodically and at removal). */
    synchronized void flush(long now) {
        if (pending > 0) summarise(now);
    }

    synchronized long total() {
        return total;
    }

    private void summarise(long now) {
        log.warn("exit handler " + label + " " + verb + " " + pending + " times in the last " + seconds(now - windowStart)
                + " (" + total + " in all; latest: " + latest + ")", null);
        pending = 0;
        windowStart = now;
    }

    static String seconds(long nanos) {
        return String.format(Locale.ROOT, "%.1f s", nanos / (double) TimeUnit.SECONDS.toNanos(1));
    }
}
