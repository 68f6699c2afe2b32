package pcm.core.api.bus;

import java.util.List;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A device emulator on the I/O bus. Register it as a service; the kernel's bus places it on the
 * ranges it declares. A device does not care where it sits: it sees the base of the range that
 * was hit and the offset in it. Accesses are at most 8 bytes, little endian in a {@code long}.
 * <p>
 * Called on vCPU threads; a device serialises its own state. A device never touches guest memory
 * except through {@link pcm.core.api.memory.GuestMemory} (so DMA is bounds-checked and logged).
 */
@ConsumerType
public interface IoDevice {

    /** Ranges this device claims; fixed for the lifetime of the service. */
    List<IoRange> ranges();

    /** A read; devices without readable registers return all ones, like an open bus. */
    default long read(IoRange range, long offset, int size) {
        return size >= 8 ? -1L : (1L << (size * 8)) - 1;
    }

    default void write(IoRange range, long offset, int size, long value) {}

    /** Short name for shells and logs, e.g. "uart16550@0x3f8". */
    default String name() {
        String simple = getClass().getSimpleName();
        return simple.isEmpty() ? getClass().getName() : simple;
    }
}
