package pcm.core.api.verify;

/** A window that cannot be replayed as recorded: parts missing, events out of order, no END. */
public class MalformedWindowException extends Exception {
    private static final long serialVersionUID = 1L;

    public MalformedWindowException(String message) { super(message); }
}
