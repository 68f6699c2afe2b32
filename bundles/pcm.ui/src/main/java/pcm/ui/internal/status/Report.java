package pcm.ui.internal.status;

import org.apache.felix.service.command.CommandSession;

/** What a checking command prints, and the exit status that goes with it (its report is printed either way). */
public record Report(String text, ExitStatus status) {

    /** Puts the status into the session ({@link ExitStatus#report}) and returns the text for Gogo to print. */
    public String finish(CommandSession session) {
        ExitStatus.report(session, status);
        return text;
    }
}
