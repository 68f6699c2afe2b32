package pcm.core.api.sampling;

/**
 * A stored window cannot be loaded because one of its files is damaged, cut short, of an unknown
 * version, or missing. Names the file and what is wrong with it; the other windows are unaffected.
 *
 * @since 1.1
 */
public class WindowDamagedException extends SamplingException {
    private static final long serialVersionUID = 1L;

    /** What is wrong with the file. */
    public enum Problem {
        /** The file is missing (or the window never finished writing it). */
        MISSING,
        /** The file ends before its declared length: it was cut off while being written. */
        TRUNCATED,
        /** A check failed (magic, CRC, fields that contradict their lengths). */
        CORRUPT,
        /** A format version this reader does not know. */
        UNSUPPORTED,
        /**
         * The file is intact but not this window's, or not in the role it is loaded for (a snapshot of another
         * window, mem-initial and mem-final exchanged, two files for one role).
         *
         * @since 1.3
         */
        MISMATCHED
    }

    private final String windowId;
    private final String file;
    private final Problem problem;

    public WindowDamagedException(String windowId, String file, Problem problem, String message) {
        super("window " + windowId + ": " + file + ": " + problem.name().toLowerCase() + ": " + message);
        this.windowId = windowId;
        this.file = file;
        this.problem = problem;
    }

    public WindowDamagedException(String windowId, String file, Problem problem, String message, Throwable cause) {
        super("window " + windowId + ": " + file + ": " + problem.name().toLowerCase() + ": " + message, cause);
        this.windowId = windowId;
        this.file = file;
        this.problem = problem;
    }

    public String windowId() { return windowId; }

    /** File name (without directory). */
    public String file() { return file; }

    public Problem problem() { return problem; }
}
