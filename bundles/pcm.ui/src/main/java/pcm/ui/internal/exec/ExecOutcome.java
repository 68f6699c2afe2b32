package pcm.ui.internal.exec;

import org.apache.felix.gogo.runtime.CommandNotFoundException;

import pcm.ui.internal.commands.CommandFailure;

/**
 * How a command run by {@code bin/pcm exec} ends: the process exit status and what to print.
 * <ul>
 * <li>0 - the command returned (a command may choose another status by putting an integer under
 * {@link #STATUS_VARIABLE} into its {@code CommandSession});</li>
 * <li>1 - the command threw;</li>
 * <li>127 - no such command (Gogo's CommandNotFoundException), as in a Unix shell.</li>
 * </ul>
 */
public record ExecOutcome(int status, String message) {

    /** Session variable through which a command sets the process exit status. */
    public static final String STATUS_VARIABLE = "pcm.exit.status";

    public static final int FAILED = 1;
    public static final int NOT_FOUND = 127;

    public static ExecOutcome ok(Object statusVariable) {
        if (statusVariable instanceof Number n) return new ExecOutcome(n.intValue(), null);
        if (statusVariable instanceof String s && s.strip().matches("-?\\d+")) return new ExecOutcome(Integer.parseInt(s.strip()), null);
        return new ExecOutcome(0, null);
    }

    public static ExecOutcome failed(ExecCommand command, Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof CommandNotFoundException)
                return new ExecOutcome(NOT_FOUND, "pcm: command not found: " + command.name()
                    + " (list the commands with: bin/pcm exec help)");
        }
        Throwable root = t;
        // Gogo wraps what a command throws; report the command's own exception
        while ((root.getMessage() == null || root.getClass().getName().startsWith("java.lang.reflect."))
            && root.getCause() != null) root = root.getCause();
        String what = root.getMessage() == null ? root.getClass().getName() : root.getMessage();
        if (!(root instanceof IllegalArgumentException || root instanceof IllegalStateException
            || root instanceof CommandFailure))
            what = root.getClass().getSimpleName() + ": " + what;
        return new ExecOutcome(FAILED, "pcm: " + command.name() + ": " + what);
    }

    public static ExecOutcome timedOut(ExecCommand command, long seconds) {
        return new ExecOutcome(FAILED, "pcm: " + command.name() + ": the framework did not come up within " + seconds
            + " s (no Gogo CommandProcessor service)");
    }
}
