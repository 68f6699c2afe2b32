package pcm.ui.internal.exec;

import org.apache.felix.gogo.runtime.CommandNotFoundException;

import pcm.ui.internal.commands.CommandFailure;
import pcm.ui.internal.status.ExitStatus;

/**
 * How a command run by {@code bin/pcm exec} ends: the process exit status ({@link ExitStatus}) and what to print on
 * standard error. A command that returns reports its status through the session variable {@link ExitStatus#VARIABLE}
 * (absent: {@link ExitStatus#OK}); one that throws a {@link CommandFailure} has that failure's status; an unknown
 * command, a blank line or a Gogo syntax error is {@link ExitStatus#USAGE}; any other exception {@link ExitStatus#FAILED}.
 */
public record ExecOutcome(int status, String message) {

    public static ExecOutcome of(ExitStatus status, String message) {
        return new ExecOutcome(status.code(), message);
    }

    public static ExecOutcome ok(Object statusVariable) {
        ExitStatus s = ExitStatus.from(statusVariable);
        return of(s == null ? ExitStatus.OK : s, null);
    }

    /** {@code bin/pcm exec ''}: nothing to run is an operator error, not a shell that waits for ever. */
    public static ExecOutcome blank() {
        return of(ExitStatus.USAGE, "pcm: exec needs a Gogo command, e.g. bin/pcm exec pcm:status");
    }

    public static ExecOutcome failed(ExecCommand command, Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof CommandNotFoundException)
                return of(ExitStatus.USAGE, "pcm: command not found: " + command.name()
                    + " (list the commands with: bin/pcm exec help)");
        }
        Throwable root = t;
        // Gogo wraps what a command throws; report the command's own exception
        while ((root.getMessage() == null || root.getClass().getName().startsWith("java.lang.reflect."))
            && root.getCause() != null) root = root.getCause();
        String what = root.getMessage() == null ? root.getClass().getName() : root.getMessage();
        ExitStatus status = ExitStatus.FAILED;
        if (root instanceof CommandFailure f) status = f.status();
        else if (root instanceof IllegalArgumentException || isGogoSyntaxError(root)) status = ExitStatus.USAGE;
        if (!(root instanceof IllegalArgumentException || root instanceof IllegalStateException
            || root instanceof CommandFailure))
            what = root.getClass().getSimpleName() + ": " + what;
        // Gogo's words when the arguments fit no signature of the command (e.g. --blocks abc)
        if (what.startsWith("Cannot coerce")) what = "the arguments do not fit the command (" + what + "); see: bin/pcm exec 'help "
            + command.name() + "'";
        return of(status, "pcm: " + command.name() + ": " + what);
    }

    /** Gogo's parser: unbalanced quotes or brackets (its "Cannot coerce" for arguments is an IllegalArgumentException). */
    private static boolean isGogoSyntaxError(Throwable t) {
        return t instanceof org.apache.felix.gogo.runtime.SyntaxError;
    }

    /** Issue 12 item 4: not ready within the timeout: FAILED, naming everything that is not up. */
    public static ExecOutcome notReady(ExecCommand command, long seconds, java.util.List<String> pending) {
        return of(ExitStatus.FAILED, "pcm: " + command.name() + ": the runtime was not ready within " + seconds
            + " s (-Dpcm.exec.timeout): " + String.join("; ", pending));
    }

    public static ExecOutcome timedOut(ExecCommand command, long seconds) {
        return of(ExitStatus.FAILED, "pcm: " + command.name() + ": the framework did not come up within " + seconds
            + " s (no Gogo CommandProcessor service)");
    }
}
