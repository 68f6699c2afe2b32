package pcm.mmu.internal;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

import pcm.core.api.memory.GuestMemory;
import pcm.core.api.memory.GuestMemoryException;
import pcm.core.api.memory.GuestMemoryProvider.RegionSpec;

/**
 * Bounds-checked guest physical memory over host {@link MemorySegment}s, one per region.
 *
 * <p>Every access first finds the one region that holds all of {@code [gpa, gpa+length)}; an
 * access outside RAM or straddling a region end throws {@link GuestMemoryException} naming the
 * address and length before any host memory is touched. The region last hit is tried first (guests
 * have one to three regions and strong locality), then the others in order.
 *
 * <p>If the backing segments become inaccessible (their arena was closed) an access throws
 * {@link GuestMemoryException} as well, never crashes the VMM.
 */
class SegmentGuestMemory implements GuestMemory {

    static final ValueLayout.OfByte BYTE = ValueLayout.JAVA_BYTE;
    static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final List<MemoryRegion> regions;
    private final long[] bases;
    private final long[] sizes;
    private final MemorySegment[] segments;
    private final long totalSize;
    /** Index of the region hit last; racy on purpose (a stale value only costs a scan). */
    private int lastHit;

    /** @param regions page-aligned, non-overlapping regions (any order), each backed by a segment of its size */
    SegmentGuestMemory(List<MemoryRegion> regions) {
        List<MemoryRegion> sorted = new ArrayList<>(regions);
        sorted.sort(Comparator.comparingLong(MemoryRegion::gpa));
        checkLayout(sorted.stream().map(r -> new RegionSpec(r.gpa(), r.size())).toList());
        for (MemoryRegion r : sorted) {
            if (r.host().byteSize() != r.size()) {
                throw new IllegalArgumentException("region " + describe(r.gpa(), r.size()) + " backed by "
                        + r.host().byteSize() + " bytes");
            }
        }
        this.regions = List.copyOf(sorted);
        int n = sorted.size();
        bases = new long[n];
        sizes = new long[n];
        segments = new MemorySegment[n];
        long total = 0;
        for (int i = 0; i < n; i++) {
            MemoryRegion r = sorted.get(i);
            bases[i] = r.gpa();
            sizes[i] = r.size();
            segments[i] = r.host();
            total += r.size();
        }
        totalSize = total;
    }

    /**
     * Checks regions sorted by address: non-empty, page aligned, below 2^52 and non-overlapping.
     *
     * @throws IllegalArgumentException naming the offending region(s)
     */
    static void checkLayout(List<RegionSpec> sortedRegions) {
        if (sortedRegions.isEmpty()) {
            throw new IllegalArgumentException("guest memory needs at least one region");
        }
        RegionSpec previous = null;
        for (RegionSpec r : sortedRegions) {
            long gpa = r.gpa();
            long size = r.size();
            String name = describe(gpa, size);
            if (size <= 0 || gpa < 0) {
                throw new IllegalArgumentException("region " + name + " is empty or negative");
            }
            if ((gpa & 0xFFF) != 0 || (size & 0xFFF) != 0) {
                throw new IllegalArgumentException("region " + name + " is not 4 KiB page aligned");
            }
            if (gpa + size < 0 || gpa + size > (1L << 52)) {
                throw new IllegalArgumentException("region " + name + " ends beyond the 52-bit physical address space");
            }
            if (previous != null && gpa < previous.gpa() + previous.size()) {
                throw new IllegalArgumentException("region " + name + " overlaps region "
                        + describe(previous.gpa(), previous.size()));
            }
            previous = r;
        }
    }

    static String describe(long gpa, long size) {
        return "[0x" + Long.toHexString(gpa) + ", 0x" + Long.toHexString(gpa + size) + ")";
    }

    @Override
    public List<MemoryRegion> regions() {
        return regions;
    }

    @Override
    public long size() {
        return totalSize;
    }

    @Override
    public boolean isRam(long gpa, long length) {
        return length >= 0 && indexOf(gpa, length) >= 0;
    }

    /** The region holding {@code [gpa, gpa+length)} or -1; {@code length >= 0}. */
    private int indexOf(long gpa, long length) {
        int i = lastHit;
        long offset = gpa - bases[i];
        if (offset >= 0 && offset <= sizes[i] - length) {
            return i;
        }
        for (i = 0; i < bases.length; i++) {
            offset = gpa - bases[i];
            if (offset >= 0 && offset <= sizes[i] - length) {
                lastHit = i;
                return i;
            }
        }
        return -1;
    }

    /** Like {@link #indexOf} but throws the typed error. */
    private int find(long gpa, long length) {
        int i = indexOf(gpa, length);
        if (i < 0) {
            throw outside(gpa, length);
        }
        return i;
    }

    private GuestMemoryException outside(long gpa, long length) {
        for (int i = 0; i < bases.length; i++) {
            long offset = gpa - bases[i];
            if (offset >= 0 && offset < sizes[i]) {
                return new GuestMemoryException(gpa, length,
                        "straddles the end of RAM region " + describe(bases[i], sizes[i]));
            }
        }
        return new GuestMemoryException(gpa, length, "not guest RAM");
    }

    /** Access after the backing arena closed (or while it closes). */
    static GuestMemoryException closed(long gpa, long length, IllegalStateException cause) {
        GuestMemoryException e = new GuestMemoryException(gpa, length, "guest memory is closed");
        e.initCause(cause);
        return e;
    }

    @Override
    public void read(long gpa, byte[] dst, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, dst.length);
        int i = find(gpa, length);
        try {
            MemorySegment.copy(segments[i], BYTE, gpa - bases[i], dst, offset, length);
        } catch (IllegalStateException e) {
            throw closed(gpa, length, e);
        }
    }

    @Override
    public void write(long gpa, byte[] src, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, src.length);
        int i = find(gpa, length);
        try {
            MemorySegment.copy(src, offset, segments[i], BYTE, gpa - bases[i], length);
        } catch (IllegalStateException e) {
            throw closed(gpa, length, e);
        }
    }

    @Override
    public byte readByte(long gpa) {
        int i = find(gpa, 1);
        try {
            return segments[i].get(BYTE, gpa - bases[i]);
        } catch (IllegalStateException e) {
            throw closed(gpa, 1, e);
        }
    }

    @Override
    public int readInt(long gpa) {
        int i = find(gpa, 4);
        try {
            return segments[i].get(INT, gpa - bases[i]);
        } catch (IllegalStateException e) {
            throw closed(gpa, 4, e);
        }
    }

    @Override
    public long readLong(long gpa) {
        int i = find(gpa, 8);
        try {
            return segments[i].get(LONG, gpa - bases[i]);
        } catch (IllegalStateException e) {
            throw closed(gpa, 8, e);
        }
    }

    @Override
    public void writeByte(long gpa, byte value) {
        int i = find(gpa, 1);
        try {
            segments[i].set(BYTE, gpa - bases[i], value);
        } catch (IllegalStateException e) {
            throw closed(gpa, 1, e);
        }
    }

    @Override
    public void writeInt(long gpa, int value) {
        int i = find(gpa, 4);
        try {
            segments[i].set(INT, gpa - bases[i], value);
        } catch (IllegalStateException e) {
            throw closed(gpa, 4, e);
        }
    }

    @Override
    public void writeLong(long gpa, long value) {
        int i = find(gpa, 8);
        try {
            segments[i].set(LONG, gpa - bases[i], value);
        } catch (IllegalStateException e) {
            throw closed(gpa, 8, e);
        }
    }

    @Override
    public MemorySegment slice(long gpa, long length) {
        if (length < 0) {
            throw new GuestMemoryException(gpa, length, "negative length");
        }
        int i = find(gpa, length);
        MemorySegment segment = segments[i];
        if (!segment.scope().isAlive()) {
            throw closed(gpa, length, new IllegalStateException("arena closed"));
        }
        return segment.asSlice(gpa - bases[i], length);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("GuestMemory");
        for (MemoryRegion r : regions) {
            sb.append(' ').append(r.slot()).append(':').append(describe(r.gpa(), r.size()));
        }
        return sb.toString();
    }
}
