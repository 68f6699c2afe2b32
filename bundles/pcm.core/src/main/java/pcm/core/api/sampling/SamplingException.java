package pcm.core.api.sampling;

/** A sampling command that does not fit the current state, timed out, or could not be carried out. */
public class SamplingException extends Exception {
    private static final long serialVersionUID = 1L;

    public SamplingException(String message) { super(message); }

    public SamplingException(String message, Throwable cause) { super(message, cause); }
}
