package pcm.core.api.sampling;

import org.osgi.annotation.versioning.ConsumerType;

/** When and how long to sample (a service; the default is periodic). */
@ConsumerType
public interface SamplingPolicy {

    /** Service property: policy id, e.g. "periodic". */
    String ID = "pcm.policy.id";

    String id();

    /** Milliseconds to wait after a window closed (or sampling started) before opening the next. */
    long delayBeforeNextWindowMillis();

    /** Length of the next window in retired instructions. */
    long windowInstructions();
}
