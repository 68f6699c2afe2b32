package pcm.mmu.api;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import pcm.core.api.memory.GuestMemory;
import pcm.core.api.memory.GuestMemory.MemoryRegion;
import pcm.core.api.memory.GuestMemoryException;
import pcm.core.api.verify.MemoryImage;

/**
 * A full copy of guest RAM (the software stand-in for the memory tracer: "full memory copy"),
 * region by region at the same guest physical addresses, and a page-by-page compare.
 *
 * <p>Page numbers are guest physical: page {@code n} is {@code [n*4096, (n+1)*4096)}.
 * Not thread-safe while {@link #refresh}ing; reads of a settled copy may run concurrently.
 */
public final class MemoryCopy implements MemoryImage {

    /**
     * One differing page.
     *
     * @param pageGpa         guest physical address of the page
     * @param firstDifference guest physical address of the first byte that differs in it
     */
    public record PageDifference(long pageGpa, long firstDifference) {}

    private final List<MemoryRegion> regions;
    private final long size;

    private MemoryCopy(List<MemoryRegion> regions) {
        this.regions = List.copyOf(regions);
        this.size = regions.stream().mapToLong(MemoryRegion::size).sum();
    }

    /** Copies {@code source} into the Java heap (one {@code long[]} per region, at most 16 GiB each). */
    public static MemoryCopy of(GuestMemory source) {
        List<MemoryRegion> copies = new ArrayList<>();
        for (MemoryRegion r : source.regions()) {
            if (r.size() / 8 > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("region at 0x" + Long.toHexString(r.gpa())
                        + " too large for a heap copy: " + r.size() + " bytes");
            }
            MemorySegment copy = MemorySegment.ofArray(new long[(int) (r.size() / 8)]);
            MemorySegment.copy(r.host(), 0, copy, 0, r.size());
            copies.add(new MemoryRegion(r.slot(), r.gpa(), r.size(), copy));
        }
        return new MemoryCopy(copies);
    }

    /** Copies {@code source} into native memory of {@code arena}, valid as long as the arena is. */
    public static MemoryCopy of(GuestMemory source, Arena arena) {
        List<MemoryRegion> copies = new ArrayList<>();
        for (MemoryRegion r : source.regions()) {
            MemorySegment copy = arena.allocate(r.size(), 4096);
            MemorySegment.copy(r.host(), 0, copy, 0, r.size());
            copies.add(new MemoryRegion(r.slot(), r.gpa(), r.size(), copy));
        }
        return new MemoryCopy(copies);
    }

    /** The copied regions; their {@code host} segments are read-only views of this copy. */
    public List<MemoryRegion> regions() {
        return regions.stream()
                .map(r -> new MemoryRegion(r.slot(), r.gpa(), r.size(), r.host().asReadOnly()))
                .toList();
    }

    @Override
    public long size() {
        return size;
    }

    private MemoryRegion regionOf(long gpa, long length) {
        for (MemoryRegion r : regions) {
            if (r.contains(gpa, length)) {
                return r;
            }
        }
        throw new GuestMemoryException(gpa, length, "not in the memory copy");
    }

    /** @throws GuestMemoryException if the range is not inside one copied region */
    @Override
    public void read(long gpa, byte[] dst, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, dst.length);
        MemoryRegion r = regionOf(gpa, length);
        MemorySegment.copy(r.host(), ValueLayout.JAVA_BYTE, gpa - r.gpa(), dst, offset, length);
    }

    /** XXH64 of the copied page, equal to {@link MemoryHasher#pageHash} of the same contents. */
    @Override
    public long pageHash(long pageNumber) {
        long gpa = pageNumber << 12;
        if (pageNumber < 0 || pageNumber > (1L << 40)) {
            throw new GuestMemoryException(gpa, MemoryHasher.PAGE_SIZE, "page number " + pageNumber + " out of range");
        }
        MemoryRegion r = regionOf(gpa, MemoryHasher.PAGE_SIZE);
        return MemoryHasher.hash(r.host().asSlice(gpa - r.gpa(), MemoryHasher.PAGE_SIZE));
    }

    /** {@link MemoryHasher#memoryHash(List)} of the copy. */
    public long memoryHash() {
        return MemoryHasher.memoryHash(regions);
    }

    /** Copies all of {@code source} again (same layout). */
    public void refresh(GuestMemory source) {
        List<MemoryRegion> from = source.regions();
        checkSameLayout(from);
        for (int i = 0; i < regions.size(); i++) {
            MemorySegment.copy(from.get(i).host(), 0, regions.get(i).host(), 0, regions.get(i).size());
        }
    }

    /** Copies the 4 KiB page at {@code pageGpa} from {@code source} (e.g. each page a tracker reports dirty). */
    public void refreshPage(GuestMemory source, long pageGpa) {
        if ((pageGpa & (MemoryHasher.PAGE_SIZE - 1)) != 0) {
            throw new GuestMemoryException(pageGpa, MemoryHasher.PAGE_SIZE, "not 4 KiB aligned");
        }
        MemoryRegion r = regionOf(pageGpa, MemoryHasher.PAGE_SIZE);
        MemorySegment.copy(source.slice(pageGpa, MemoryHasher.PAGE_SIZE), 0, r.host(), pageGpa - r.gpa(),
                MemoryHasher.PAGE_SIZE);
    }

    /** Writes the copy back into {@code target} (same layout), e.g. to start a replay from it. */
    public void restoreTo(GuestMemory target) {
        List<MemoryRegion> to = target.regions();
        checkSameLayout(to);
        for (int i = 0; i < regions.size(); i++) {
            MemoryRegion r = regions.get(i);
            MemorySegment.copy(r.host(), 0, target.slice(r.gpa(), r.size()), 0, r.size());
        }
    }

    /** Pages where {@code other} differs from this copy, in address order. */
    public List<PageDifference> compare(GuestMemory other) {
        return compare(other.regions(), Integer.MAX_VALUE);
    }

    /** Pages where {@code other} differs from this copy, in address order. */
    public List<PageDifference> compare(MemoryCopy other) {
        return compare(other.regions, Integer.MAX_VALUE);
    }

    /**
     * At most {@code limit} differing pages, in address order.
     *
     * @throws IllegalArgumentException if the region layouts differ
     */
    public List<PageDifference> compare(List<MemoryRegion> other, int limit) {
        checkSameLayout(other);
        List<PageDifference> differences = new ArrayList<>();
        for (int i = 0; i < regions.size() && differences.size() < limit; i++) {
            MemorySegment a = regions.get(i).host();
            MemorySegment b = other.get(i).host();
            long base = regions.get(i).gpa();
            long end = a.byteSize();
            long from = 0;
            while (from < end && differences.size() < limit) {
                long m = MemorySegment.mismatch(a, from, end, b, from, end);
                if (m < 0) {
                    break;
                }
                long at = from + m;
                long page = at & -MemoryHasher.PAGE_SIZE;
                differences.add(new PageDifference(base + page, base + at));
                from = page + MemoryHasher.PAGE_SIZE;
            }
        }
        return differences;
    }

    private void checkSameLayout(List<MemoryRegion> other) {
        boolean same = other.size() == regions.size();
        for (int i = 0; same && i < regions.size(); i++) {
            same = other.get(i).gpa() == regions.get(i).gpa() && other.get(i).size() == regions.get(i).size();
        }
        if (!same) {
            throw new IllegalArgumentException("memory layouts differ: copy " + layout(regions) + ", other " + layout(other));
        }
    }

    private static String layout(List<MemoryRegion> regions) {
        StringBuilder sb = new StringBuilder();
        for (MemoryRegion r : regions) {
            sb.append("[0x").append(Long.toHexString(r.gpa())).append(", 0x")
                    .append(Long.toHexString(r.gpa() + r.size())).append(')');
        }
        return sb.toString();
    }
}
