package pcm.ui.internal.commands;

import pcm.ui.internal.status.ExitStatus;

/** A command could not do what was asked; the message says why, for the operator; the status is the exit status. */
public class CommandFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ExitStatus status;

    public CommandFailure(String message) {
        this(ExitStatus.FAILED, message, null);
    }

    public CommandFailure(String message, Throwable cause) {
        this(ExitStatus.FAILED, message, cause);
    }

    public CommandFailure(ExitStatus status, String message) {
        this(status, message, null);
    }

    public CommandFailure(ExitStatus status, String message, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    /** An operator error: bad arguments or an unknown action; the message should carry the usage. */
    public static CommandFailure usage(String message) {
        return new CommandFailure(ExitStatus.USAGE, message);
    }

    public ExitStatus status() {
        return status;
    }
}
