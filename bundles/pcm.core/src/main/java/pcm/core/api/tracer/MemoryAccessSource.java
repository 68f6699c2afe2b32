package pcm.core.api.tracer;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Implemented by a virtual CPU that can report its guest memory accesses (the software CPU). The sampler sets a
 * listener only while a memory tracer is armed, so the CPU's fast path costs nothing otherwise.
 *
 * @since 1.1
 */
@ConsumerType
public interface MemoryAccessSource {

    /**
     * Reports every data access to RAM to {@code listener} from now on (null: stops). {@code position} is the
     * number of instructions the vCPU retired before the accessing one, on the vCPU's own count
     * ({@link #accessCount()}): the sampler turns it into the window's position.
     */
    void setMemoryAccessListener(MemoryAccessListener listener);

    /** The vCPU's own count of retired instructions, the base of the positions reported to the listener. */
    long accessCount();
}
