package pcm.core.internal.sampling;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import pcm.core.api.memory.Xxh64;
import pcm.core.api.verify.MemoryImage;

/**
 * Guest memory loaded from a sparse page file: the pages the file holds, the rest from the base
 * image (the initial snapshot under a final one) or zero. Page hashes are XXH64 (seed 0) of the
 * 4 KiB page, like the memory provider's images.
 */
final class PageImage implements MemoryImage {

    static final int PAGE = 4096;
    private static final byte[] ZERO = new byte[PAGE];
    private static final long ZERO_HASH = Xxh64.hash(ZERO, 0, PAGE);

    /** A RAM region (guest physical). */
    record Region(long gpa, long size) {
        boolean contains(long address, long length) {
            return length >= 0 && address >= gpa && address - gpa <= size - length;
        }
    }

    private final List<Region> regions;
    private final TreeMap<Long, byte[]> pages;
    private final PageImage base;
    private final long size;

    PageImage(List<Region> regions, Map<Long, byte[]> pages, PageImage base) {
        this.regions = List.copyOf(regions);
        this.pages = new TreeMap<>(pages);
        this.base = base;
        this.size = regions.stream().mapToLong(Region::size).sum();
    }

    /** The RAM regions, ascending. */
    List<Region> regions() { return regions; }

    /** Pages this image holds itself (not inherited from the base). */
    Map<Long, byte[]> ownPages() { return java.util.Collections.unmodifiableMap(pages); }

    @Override
    public long size() { return size; }

    @Override
    public void read(long gpa, byte[] dst, int offset, int length) {
        if (regions.stream().noneMatch(r -> r.contains(gpa, length))) {
            throw new IllegalArgumentException("0x" + Long.toHexString(gpa) + "+" + length + " is not in the snapshot's RAM");
        }
        int done = 0;
        while (done < length) {
            long a = gpa + done;
            int in = (int) (a & (PAGE - 1));
            int n = Math.min(PAGE - in, length - done);
            System.arraycopy(page(a >>> 12), in, dst, offset + done, n);
            done += n;
        }
    }

    /** The page's bytes (shared: do not modify). */
    byte[] page(long pageNumber) {
        byte[] p = pages.get(pageNumber);
        if (p != null) return p;
        return base != null ? base.page(pageNumber) : ZERO;
    }

    @Override
    public long pageHash(long pageNumber) {
        byte[] p = page(pageNumber);
        return p == ZERO ? ZERO_HASH : Xxh64.hash(p, 0, PAGE);
    }

    static boolean isZero(byte[] page) {
        return Arrays.equals(page, ZERO);
    }
}
