package pcm.core.api.verify;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * How a verifier walks a window: from the start, from the nearest checkpoint, in slices, ...
 * Chosen per verifier by configuration.
 */
@ConsumerType
public interface ReplayStrategy {

    /** Service property: strategy id. */
    String ID = "pcm.strategy.id";

    String id();

    /** Positions where the verifier should checkpoint state while replaying (ascending). */
    long[] checkpoints(Window window);
}
