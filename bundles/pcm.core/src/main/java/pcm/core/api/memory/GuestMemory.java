package pcm.core.api.memory;

import java.lang.foreign.MemorySegment;
import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Guest physical memory as the guest sees it. Every access is bounds-checked: an address outside
 * the guest's RAM throws {@link GuestMemoryException} naming it, never touches host memory.
 * Multi-byte values are little endian.
 */
@ProviderType
public interface GuestMemory {

    /** RAM regions in address order. */
    List<MemoryRegion> regions();

    /** Total bytes of RAM. */
    long size();

    boolean isRam(long gpa, long length);

    void read(long gpa, byte[] dst, int offset, int length) throws GuestMemoryException;

    void write(long gpa, byte[] src, int offset, int length) throws GuestMemoryException;

    byte readByte(long gpa) throws GuestMemoryException;

    int readInt(long gpa) throws GuestMemoryException;

    long readLong(long gpa) throws GuestMemoryException;

    void writeByte(long gpa, byte value) throws GuestMemoryException;

    void writeInt(long gpa, int value) throws GuestMemoryException;

    void writeLong(long gpa, long value) throws GuestMemoryException;

    /**
     * A view of {@code [gpa, gpa+length)} inside one region, for bulk work (hashing, copying).
     * The view is bounded: it cannot reach outside the region.
     */
    MemorySegment slice(long gpa, long length) throws GuestMemoryException;

    /** One contiguous RAM region and the host memory backing it. */
    record MemoryRegion(int slot, long gpa, long size, MemorySegment host) {
        public boolean contains(long address, long length) {
            return length >= 0 && address >= gpa && address - gpa <= size - length;
        }
    }
}
