package pcm.core.internal.sampling;

import pcm.core.api.memory.Xxh64;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;

import pcm.core.api.memory.GuestMemory;
import pcm.core.api.memory.GuestMemoryException;
import pcm.core.api.memory.GuestMemoryProvider;
import pcm.core.api.verify.MemoryImage;

/** Guest RAM on the heap at guest physical 0, and a provider whose snapshots are heap copies. */
final class HeapMemory implements GuestMemory {

    final MemorySegment seg;

    HeapMemory(int size) {
        seg = MemorySegment.ofArray(new byte[size]);
    }

    private void check(long gpa, long len) {
        if (gpa < 0 || len < 0 || gpa + len > seg.byteSize()) throw new GuestMemoryException(gpa, len, "outside RAM");
    }

    @Override public List<MemoryRegion> regions() { return List.of(new MemoryRegion(0, 0, seg.byteSize(), seg)); }
    @Override public long size() { return seg.byteSize(); }
    @Override public boolean isRam(long gpa, long length) { return gpa >= 0 && gpa + length <= seg.byteSize(); }
    @Override public void read(long gpa, byte[] dst, int off, int len) {
        check(gpa, len);
        MemorySegment.copy(seg, ValueLayout.JAVA_BYTE, gpa, dst, off, len);
    }
    @Override public void write(long gpa, byte[] src, int off, int len) {
        check(gpa, len);
        MemorySegment.copy(src, off, seg, ValueLayout.JAVA_BYTE, gpa, len);
    }
    @Override public byte readByte(long gpa) { check(gpa, 1); return seg.get(ValueLayout.JAVA_BYTE, gpa); }
    @Override public int readInt(long gpa) { check(gpa, 4); return seg.get(ValueLayout.JAVA_INT_UNALIGNED, gpa); }
    @Override public long readLong(long gpa) { check(gpa, 8); return seg.get(ValueLayout.JAVA_LONG_UNALIGNED, gpa); }
    @Override public void writeByte(long gpa, byte v) { check(gpa, 1); seg.set(ValueLayout.JAVA_BYTE, gpa, v); }
    @Override public void writeInt(long gpa, int v) { check(gpa, 4); seg.set(ValueLayout.JAVA_INT_UNALIGNED, gpa, v); }
    @Override public void writeLong(long gpa, long v) { check(gpa, 8); seg.set(ValueLayout.JAVA_LONG_UNALIGNED, gpa, v); }
    @Override public MemorySegment slice(long gpa, long length) { check(gpa, length); return seg.asSlice(gpa, length); }

    /** Snapshots copy the heap; allocation is not needed by these tests. */
    static final class Provider implements GuestMemoryProvider {

        /** Snapshots taken so far; the one numbered {@link #outOfMemoryAt} throws OutOfMemoryError (a heap too small). */
        final java.util.concurrent.atomic.AtomicInteger snapshots = new java.util.concurrent.atomic.AtomicInteger();
        volatile int outOfMemoryAt = -1;

        @Override
        public AllocatedMemory allocate(List<RegionSpec> regions) { throw new UnsupportedOperationException(); }

        @Override
        public MemoryImage snapshot(GuestMemory memory) {
            if (snapshots.incrementAndGet() == outOfMemoryAt) throw new OutOfMemoryError("Java heap space (test)");
            byte[] copy = new byte[(int) memory.size()];
            memory.read(0, copy, 0, copy.length);
            return new MemoryImage() {
                @Override public long size() { return copy.length; }
                @Override public void read(long gpa, byte[] dst, int off, int len) { System.arraycopy(copy, (int) gpa, dst, off, len); }
                @Override public long pageHash(long n) { return Xxh64.hash(copy, (int) (n << 12), 4096); }
            };
        }
    }
}
