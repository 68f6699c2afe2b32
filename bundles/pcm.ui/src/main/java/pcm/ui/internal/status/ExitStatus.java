package pcm.ui.internal.status;

import java.util.Arrays;

import org.apache.felix.service.command.CommandSession;

/**
 * The one table of process exit statuses of {@code bin/pcm exec} / {@code bin/pcm run} (README, "Exit statuses").
 * Every command reports through this class: a {@link pcm.ui.internal.commands.CommandFailure} carries one, and a
 * command whose report stands on its own (pcm:run, pcm:verify, pcm:log) puts one into its session with
 * {@link #report}. When several apply the most severe wins ({@link #worst}): a divergence is the finding PCM exists
 * for, so it outranks everything; an operator error stops a command before it checks anything.
 * <p>
 * 127 is not used: a shell means "command not found" by it, and an unknown Gogo command is an operator error.
 */
public enum ExitStatus {
    /** Everything asked was done; everything checked MATCHed (verdicts) or was VALID (logs). */
    OK(0, 0),
    /** At least one verifier found a DIVERGED window: the CPU did not do what the recording says. */
    DIVERGED(1, 7),
    /** Operator error: bad arguments, an unknown command or action, a configuration value outside its range. */
    USAGE(2, 6),
    /** Not everything was checked: an INCONCLUSIVE verdict, a window without a verdict of each configured verifier,
     * nothing recorded or verified although sampling was asked for. */
    UNVERIFIED(3, 2),
    /** Stored data is damaged: a window log CORRUPT, TORN, UNREADABLE or UNSUPPORTED, a window whose files do not belong together. */
    DAMAGED(4, 3),
    /** The guest did not stop cleanly: a non-zero guest status, or it did not stop within the timeout. */
    GUEST(5, 4),
    /** The command could not do its work: a missing service, an I/O error, the runtime did not come up. */
    FAILED(6, 5);

    /** Session variable through which a command sets the process exit status (read by pcm.ui's ExecRunner). */
    public static final String VARIABLE = "pcm.exit.status";

    private final int code;
    private final int severity;

    ExitStatus(int code, int severity) {
        this.code = code;
        this.severity = severity;
    }

    /** The process exit status. */
    public int code() {
        return code;
    }

    /** The more severe of the two (OK is the least). */
    public static ExitStatus worst(ExitStatus a, ExitStatus b) {
        if (a == null) return b;
        if (b == null) return a;
        return a.severity >= b.severity ? a : b;
    }

    /** The status with that code, or null. */
    public static ExitStatus of(int code) {
        return Arrays.stream(values()).filter(s -> s.code == code).findFirst().orElse(null);
    }

    /** What is in the session variable: an ExitStatus, a code or a code as text; null if nothing valid. */
    public static ExitStatus from(Object variable) {
        if (variable instanceof ExitStatus s) return s;
        if (variable instanceof Number n) return of(n.intValue());
        if (variable instanceof String t && t.strip().matches("\\d+")) return of(Integer.parseInt(t.strip()));
        return null;
    }

    /**
     * Records a command's status in its session, keeping the worst of this and what an earlier command of the same
     * line reported ({@code pcm:verify a; pcm:verify b} fails if either fails). A null session (a unit test calling the
     * command directly) is ignored.
     */
    public static ExitStatus report(CommandSession session, ExitStatus status) {
        if (session == null) return status;
        ExitStatus w = worst(from(session.get(VARIABLE)), status);
        session.put(VARIABLE, w);
        return w;
    }
}
