package pcm.core.api.bus;

import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The kernel's I/O bus. Devices registered as {@link IoDevice} services are added automatically;
 * {@link #add} is for devices the caller owns (tests, the VMM's own wiring).
 * Lookups take no lock; removing a device waits until accesses in flight on it have finished.
 */
@ProviderType
public interface IoBus {

    /** @throws IoRangeConflictException if a range overlaps one already on the bus (nothing is added then) */
    void add(IoDevice device) throws IoRangeConflictException;

    /** Removes the device, waiting for accesses in flight; returns false if it was not on the bus. */
    boolean remove(IoDevice device);

    /** @return true if a device claimed the address; false leaves {@code result[0]} all ones */
    boolean read(AddressSpace space, long address, int size, long[] result);

    /** @return true if a device claimed the address */
    boolean write(AddressSpace space, long address, int size, long value);

    /** What is on the bus, in address order. */
    List<Mapping> mappings();

    record Mapping(IoRange range, IoDevice device) {}
}
