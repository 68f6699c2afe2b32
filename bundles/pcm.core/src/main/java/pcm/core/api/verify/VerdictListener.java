package pcm.core.api.verify;

import org.osgi.annotation.versioning.ConsumerType;

/** Told of every verdict as it is reached (whiteboard). Called on verification worker threads. */
@ConsumerType
public interface VerdictListener {

    void verdict(Verdict verdict);

    /**
     * A verdict with what it cost; the kernel calls this one. The default forwards to {@link #verdict(Verdict)}.
     *
     * @since 1.3
     */
    default void verdict(Verdict verdict, ReplayTiming timing) {
        verdict(verdict);
    }
}
