package pcm.core.api.verify;

import java.util.List;
import java.util.function.LongConsumer;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The kernel's verification of recorded windows: each window that closes is verified by the
 * configured verifiers (RCP variants) on worker threads; verdicts are kept beside the window.
 */
@ProviderType
public interface VerificationService {

    /** Verdicts of a window so far (one per verifier that finished), in completion order. */
    List<Verdict> verdicts(String windowId);

    /**
     * Verifies a window now with one verifier (on the caller's thread), stores and returns the verdict.
     *
     * @param rcpId    verifier id, or null for each configured verifier in turn (the last verdict is returned)
     * @param progress receives the replay position now and then
     */
    Verdict verify(String windowId, String rcpId, LongConsumer progress) throws VerificationException;

    /** Waits until every window closed so far has been verified by every configured verifier. */
    boolean awaitIdle(long timeoutMillis) throws InterruptedException;

    /** Ids of the verifiers that run automatically. */
    List<String> configuredVerifiers();

    /**
     * Windows closed and not yet verified by every configured verifier (queued, running, or waiting for a verifier):
     * the sampler pauses periodic windows while this is at its limit (issue 15 item 4).
     *
     * @since 1.6
     */
    default int backlog() { return 0; }

    /** A window or verifier that does not exist, or a verification that could not start. */
    class VerificationException extends Exception {
        private static final long serialVersionUID = 1L;

        public VerificationException(String message) { super(message); }

        public VerificationException(String message, Throwable cause) { super(message, cause); }
    }
}
