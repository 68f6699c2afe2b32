package pcm.mmu.api;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.List;
import java.util.function.LongConsumer;

import pcm.core.api.memory.GuestMemory;
import pcm.core.api.memory.GuestMemory.MemoryRegion;
import pcm.core.api.memory.GuestMemoryException;

/**
 * Which 4 KiB pages of guest RAM were written, one bitmap per region (slot).
 *
 * <p>Two sources feed it: writes by the VMM and its devices ({@link #markDirty}), which KVM's
 * dirty log never sees, and KVM's dirty log for the guest's own writes ({@link #mergeDirtyLog}),
 * in the layout {@code VirtualMachine.dirtyLog} returns: bit {@code i % 64} of word {@code i / 64}
 * is page {@code i} of the slot.
 *
 * <p>Thread-safe and lock-free: marks from any thread are atomic bit sets, and {@link #drain}
 * takes and clears each word atomically, so a mark racing with a drain is reported by this drain
 * or the next, never lost.
 */
public final class DirtyPageTracker {

    public static final int PAGE_SHIFT = 12;
    public static final long PAGE_SIZE = 1L << PAGE_SHIFT;

    private static final VarHandle WORD = MethodHandles.arrayElementVarHandle(long[].class);

    private final List<MemoryRegion> regions;
    private final long[][] bitmaps;

    /** Tracks every region of {@code memory}, all pages clean. */
    public DirtyPageTracker(GuestMemory memory) {
        this.regions = List.copyOf(memory.regions());
        this.bitmaps = new long[regions.size()][];
        for (int i = 0; i < bitmaps.length; i++) {
            long pages = pages(regions.get(i));
            bitmaps[i] = new long[Math.toIntExact((pages + 63) >>> 6)];
        }
    }

    private static long pages(MemoryRegion r) {
        return (r.size() + PAGE_SIZE - 1) >>> PAGE_SHIFT;
    }

    private int regionIndex(long gpa, long length) {
        for (int i = 0; i < regions.size(); i++) {
            if (regions.get(i).contains(gpa, length)) {
                return i;
            }
        }
        throw new GuestMemoryException(gpa, length, "not guest RAM, cannot mark dirty");
    }

    /**
     * Marks every page that {@code [gpa, gpa+length)} touches.
     *
     * @throws GuestMemoryException if the range is not inside one RAM region
     */
    public void markDirty(long gpa, long length) {
        if (length < 0) {
            throw new GuestMemoryException(gpa, length, "negative length");
        }
        int r = regionIndex(gpa, length);
        if (length == 0) {
            return;
        }
        long[] bitmap = bitmaps[r];
        long offset = gpa - regions.get(r).gpa();
        long first = offset >>> PAGE_SHIFT;
        long last = (offset + length - 1) >>> PAGE_SHIFT;
        for (long page = first; page <= last; page++) {
            int word = (int) (page >>> 6);
            long bit = 1L << page;
            if (((long) WORD.getOpaque(bitmap, word) & bit) == 0) {
                WORD.getAndBitwiseOr(bitmap, word, bit);
            }
        }
    }

    /**
     * ORs a KVM dirty log into the slot's bitmap. Words beyond the slot are ignored, as are bits
     * beyond its last page (KVM rounds the bitmap up to 64 pages).
     *
     * @throws IllegalArgumentException if no region has that slot
     */
    public void mergeDirtyLog(int slot, long[] log) {
        int r = slotIndex(slot);
        long[] bitmap = bitmaps[r];
        int words = Math.min(log.length, bitmap.length);
        long pages = pages(regions.get(r));
        for (int w = 0; w < words; w++) {
            long bits = log[w];
            if (w == bitmap.length - 1 && (pages & 63) != 0) {
                bits &= (1L << pages) - 1;
            }
            if (bits != 0) {
                WORD.getAndBitwiseOr(bitmap, w, bits);
            }
        }
    }

    private int slotIndex(int slot) {
        for (int i = 0; i < regions.size(); i++) {
            if (regions.get(i).slot() == slot) {
                return i;
            }
        }
        throw new IllegalArgumentException("no memory region with slot " + slot);
    }

    /** Whether the page holding {@code gpa} is dirty; false for addresses outside RAM. */
    public boolean isDirty(long gpa) {
        for (int i = 0; i < regions.size(); i++) {
            MemoryRegion region = regions.get(i);
            if (region.contains(gpa, 1)) {
                long page = (gpa - region.gpa()) >>> PAGE_SHIFT;
                return ((long) WORD.getVolatile(bitmaps[i], (int) (page >>> 6)) & (1L << page)) != 0;
            }
        }
        return false;
    }

    /** Number of dirty pages now. */
    public long dirtyCount() {
        long n = 0;
        for (long[] bitmap : bitmaps) {
            for (int w = 0; w < bitmap.length; w++) {
                n += Long.bitCount((long) WORD.getVolatile(bitmap, w));
            }
        }
        return n;
    }

    /** Calls {@code pageGpa} with the guest physical address of every dirty page, in address order. */
    public void forEachDirty(LongConsumer pageGpa) {
        visit(pageGpa, false);
    }

    /** Like {@link #forEachDirty} but clears each reported page (atomically per 64 pages). */
    public void drain(LongConsumer pageGpa) {
        visit(pageGpa, true);
    }

    private void visit(LongConsumer pageGpa, boolean clear) {
        for (int i = 0; i < bitmaps.length; i++) {
            long[] bitmap = bitmaps[i];
            long base = regions.get(i).gpa();
            for (int w = 0; w < bitmap.length; w++) {
                long bits = clear ? (long) WORD.getAndSet(bitmap, w, 0L) : (long) WORD.getVolatile(bitmap, w);
                while (bits != 0) {
                    int b = Long.numberOfTrailingZeros(bits);
                    bits &= bits - 1;
                    pageGpa.accept(base + ((((long) w << 6) + b) << PAGE_SHIFT));
                }
            }
        }
    }

    /** A copy of the slot's bitmap, in the KVM dirty-log layout. */
    public long[] bitmap(int slot) {
        long[] bitmap = bitmaps[slotIndex(slot)];
        long[] copy = new long[bitmap.length];
        for (int w = 0; w < copy.length; w++) {
            copy[w] = (long) WORD.getVolatile(bitmap, w);
        }
        return copy;
    }

    /** Marks every page clean. */
    public void clear() {
        for (long[] bitmap : bitmaps) {
            for (int w = 0; w < bitmap.length; w++) {
                WORD.setVolatile(bitmap, w, 0L);
            }
        }
    }
}
