package pcm.core.api.sampling;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Told when the sampler has stored a window COMPLETE (its event log committed and its snapshots written), and
 * when its window store becomes available or moves (whiteboard: register it as a service). Called on the
 * sampler's threads: hand work off, never block.
 *
 * @since 1.3
 */
@ConsumerType
public interface WindowListener {

    /** A window closed and is now COMPLETE in the store. */
    void windowComplete(String windowId);

    /**
     * The store is available (at start, when the event log appears, or when its directory changed): windows
     * may be there that no {@link #windowComplete} announced. Also called once when the listener is bound and a
     * store is available.
     */
    default void storeAvailable() { }
}
