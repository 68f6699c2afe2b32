package pcm.core.api.bus;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A device whose state survives its replacement while the guest runs: a bundle update (or another vendor's
 * implementation) takes over from the running device without the guest noticing. When a stateful device leaves
 * the bus, the kernel keeps its {@link #saveState() state} under its {@link #stateId()} and holds the guest's
 * accesses to its ranges until a device with the same id arrives; that one gets the state through
 * {@link #restoreState} before its first access. A device that does not arrive within the bus's hand-over time
 * forfeits the state (logged), and the ranges become open bus.
 *
 * @since 1.1
 */
@ConsumerType
public interface StatefulDevice extends IoDevice {

    /** The device instance across implementations, e.g. {@code uart16550@0x3f8}: a replacement says the same. */
    String stateId();

    /**
     * The device's complete state, in a format the device names and versions itself (its first bytes, by
     * convention); called with the device off the bus (no access in flight).
     */
    byte[] saveState();

    /**
     * Takes over a predecessor's state, before the first access. A device that does not know the format throws
     * {@link IllegalArgumentException} naming what it could not read: it then starts in its reset state (logged),
     * it is not refused.
     */
    void restoreState(byte[] state);
}
