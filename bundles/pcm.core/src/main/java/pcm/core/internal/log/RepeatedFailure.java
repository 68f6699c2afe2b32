package pcm.core.internal.log;

import org.slf4j.Logger;

/**
 * Reports a failure that tends to repeat (a full disk fails every window) once per episode, one line without a
 * stack trace (that goes to debug), counts the rest, and says when it works again and how many failed meanwhile.
 */
public final class RepeatedFailure {

    private final Logger log;
    private final String what;
    private long total;
    private long episode;
    private long reported;

    /** @param what what failed, e.g. "cannot write window files" */
    public RepeatedFailure(Logger log, String what) {
        this.log = log;
        this.what = what;
    }

    /** One more failure; logged only if it starts an episode. */
    public synchronized void failed(String detail, Throwable cause) {
        total++;
        if (episode++ == 0) {
            reported++;
            log.warn("{}: {} (repeats are counted, not logged, until it works again)", what, detail);
        }
        if (cause != null) log.debug("{}: {}", what, detail, cause);
    }

    /** It worked: ends an episode (and says how many failed in it). */
    public synchronized void succeeded() {
        if (episode > 0) log.warn("{}: works again after {} failure(s)", what, episode);
        episode = 0;
    }

    /** Failures so far. */
    public synchronized long total() { return total; }

    /** Failures of the current episode (0: none). */
    public synchronized long episode() { return episode; }

    /** Lines logged at warn so far (one per episode). */
    public synchronized long reported() { return reported; }
}
