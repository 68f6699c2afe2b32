package pcm.ui.api.evidence;

/**
 * An evidence bundle that was not written, read or imported: what kind of problem, which archive member (if one is to
 * blame) and, in the message, what exactly was wrong — for the operator, never a stack trace.
 */
public final class EvidenceException extends Exception {

    private static final long serialVersionUID = 1L;

    public enum Problem {
        /** no window of that id in the store */
        NO_WINDOW,
        /** the window is being recorded, or has no event log */
        WINDOW_NOT_READY,
        /** the file is not an evidence bundle: not a zip archive, no manifest, another format, an unsafe member name */
        FOREIGN,
        /** the archive ends early (copied or downloaded only in part) */
        TRUNCATED,
        /** an evidence bundle of a major version this PCM does not read */
        UNSUPPORTED_VERSION,
        /** a member the manifest lists is not in the archive */
        MISSING_MEMBER,
        /** a member whose bytes are not what the manifest says (SHA-256, size, or unreadable compressed data) */
        DAMAGED_MEMBER,
        /** a member the manifest does not list */
        UNLISTED_MEMBER,
        /** importing: the store has a window of that id already (import with replace to overwrite it) */
        WINDOW_EXISTS,
        /** the file system or a PCM service failed */
        FAILED
    }

    private final Problem problem;
    private final String member;

    public EvidenceException(Problem problem, String message) {
        this(problem, null, message, null);
    }

    public EvidenceException(Problem problem, String member, String message, Throwable cause) {
        super(message, cause);
        this.problem = problem;
        this.member = member;
    }

    public Problem problem() {
        return problem;
    }

    /** The archive member to blame, or null. */
    public String member() {
        return member;
    }
}
