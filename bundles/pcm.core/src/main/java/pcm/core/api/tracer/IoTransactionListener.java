package pcm.core.api.tracer;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * One I/O transaction, as a PCIe/IO tracer sees it: called on the vCPU thread for each port and MMIO access the
 * guest makes to an emulated device (with the value read or written) and for each device DMA write into guest
 * memory (with its bytes). Must be fast and must not throw.
 *
 * @since 1.1
 */
@ConsumerType
@FunctionalInterface
public interface IoTransactionListener {

    enum Type { PORT_IN, PORT_OUT, MMIO_READ, MMIO_WRITE, DMA_WRITE }

    /**
     * @param position instructions retired since the window began (the exit's position, as in the event log)
     * @param address  port, MMIO GPA or DMA target GPA
     * @param size     access size in bytes (DMA: the length)
     * @param value    the value read or written (DMA: 0)
     * @param data     DMA: the bytes written (the listener may keep the array); else null
     */
    void transaction(Type type, long position, long address, int size, long value, byte[] data);
}
