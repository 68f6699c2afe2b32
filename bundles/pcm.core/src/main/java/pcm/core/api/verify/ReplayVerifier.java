package pcm.core.api.verify;

import java.util.function.LongConsumer;

import org.osgi.annotation.versioning.ConsumerType;

/** An RCP variant: replays a window and returns a verdict. */
@ConsumerType
public interface ReplayVerifier {

    /** Service property: verifier (RCP) id, e.g. "soft", "kvm". */
    String ID = "pcm.rcp.id";

    String id();

    /**
     * Replays {@code window} with {@code strategy}; {@code progress} receives the replay position
     * now and then. Never throws for a bad window: that is an INCONCLUSIVE verdict with the reason.
     */
    Verdict verify(Window window, ReplayStrategy strategy, LongConsumer progress);
}
