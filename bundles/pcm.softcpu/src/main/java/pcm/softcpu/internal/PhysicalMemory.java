package pcm.softcpu.internal;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * Guest-physical RAM of one soft VM: the slots the kernel mapped, with their dirty logs. Anything
 * outside the slots is MMIO. Shared by the VM's vCPUs; slots change only before the vCPUs run.
 */
final class PhysicalMemory {

    static final int PAGE_SHIFT = 12;

    private volatile Region[] regions = new Region[0];
    /** Bumped when a dirty log is harvested: vCPUs then drop their write TLB entries. */
    volatile int dirtyGeneration;

    static final class Region {
        final int slot;
        final long gpa;
        final long size;
        final MemorySegment host;
        final boolean logDirty;
        long[] dirty;

        Region(int slot, long gpa, MemorySegment host, boolean logDirty) {
            this.slot = slot;
            this.gpa = gpa;
            this.size = host.byteSize();
            this.host = host;
            this.logDirty = logDirty;
            this.dirty = logDirty ? new long[(int) ((size / 4096 + 63) / 64)] : null;
        }

        void markDirty(long gpa) {
            if (dirty == null) return;
            long page = (gpa - this.gpa) >>> PAGE_SHIFT;
            dirty[(int) (page >>> 6)] |= 1L << page;
        }
    }

    synchronized void setRegion(int slot, long gpa, MemorySegment host, boolean logDirty) {
        Region[] old = regions;
        Region[] n = Arrays.stream(old).filter(r -> r.slot != slot).toArray(Region[]::new);
        if (host != null && host.byteSize() > 0) {
            Region add = new Region(slot, gpa, host, logDirty);
            for (Region r : n) {
                if (gpa < r.gpa + r.size && r.gpa < gpa + add.size) {
                    throw new IllegalArgumentException("slot " + slot + " overlaps slot " + r.slot);
                }
            }
            n = Arrays.copyOf(n, n.length + 1);
            n[n.length - 1] = add;
            Arrays.sort(n, (a, b) -> Long.compare(a.gpa, b.gpa));
        }
        regions = n;
    }

    /** The region holding {@code gpa}, or null (MMIO). */
    Region find(long gpa) {
        for (Region r : regions) {
            if (gpa >= r.gpa && gpa - r.gpa < r.size) return r;
        }
        return null;
    }

    synchronized long[] harvestDirty(int slot) {
        for (Region r : regions) {
            if (r.slot == slot) {
                if (r.dirty == null) throw new IllegalStateException("slot " + slot + " is not logging dirty pages");
                long[] d = r.dirty;
                r.dirty = new long[d.length];
                dirtyGeneration++;
                return d;
            }
        }
        throw new IllegalArgumentException("no slot " + slot);
    }
}
