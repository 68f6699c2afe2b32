package pcm.core.api.tracer;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * One guest memory access, as a memory tracer on the DIMMs sees it: called on the vCPU thread for every data load
 * and store of an instruction that reaches RAM (not instruction fetches, page-table walks or MMIO). Must be fast
 * and must not throw.
 *
 * @since 1.1
 */
@ConsumerType
@FunctionalInterface
public interface MemoryAccessListener {

    /**
     * @param position instructions retired since the window began, before the accessing instruction
     * @param gpa      guest-physical address
     * @param write    a store (else a load)
     * @param size     1, 2, 4 or 8 bytes (wider or page-crossing accesses arrive as several)
     * @param data     the bytes loaded or stored, little-endian, zero-extended
     */
    void access(long position, long gpa, boolean write, int size, long data);
}
