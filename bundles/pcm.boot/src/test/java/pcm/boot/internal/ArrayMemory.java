package pcm.boot.internal;

import java.lang.foreign.MemorySegment;
import java.util.List;

import pcm.core.api.memory.GuestMemory;
import pcm.core.api.memory.GuestMemoryException;

/** Guest RAM in a byte array for loader tests; out-of-range accesses throw as the real memory does. */
final class ArrayMemory implements GuestMemory {

    final byte[] ram;
    private final MemorySegment segment;

    ArrayMemory(int size) {
        ram = new byte[size];
        segment = MemorySegment.ofArray(ram);
    }

    private void check(long gpa, long length) {
        if (gpa < 0 || length < 0 || gpa + length > ram.length) throw new GuestMemoryException(gpa, length, "outside the test RAM");
    }

    @Override public List<MemoryRegion> regions() { return List.of(new MemoryRegion(0, 0, ram.length, segment)); }
    @Override public long size() { return ram.length; }
    @Override public boolean isRam(long gpa, long length) { return gpa >= 0 && gpa + length <= ram.length; }
    @Override public void read(long gpa, byte[] dst, int offset, int length) { check(gpa, length); System.arraycopy(ram, (int) gpa, dst, offset, length); }
    @Override public void write(long gpa, byte[] src, int offset, int length) { check(gpa, length); System.arraycopy(src, offset, ram, (int) gpa, length); }
    @Override public byte readByte(long gpa) { check(gpa, 1); return ram[(int) gpa]; }
    @Override public int readInt(long gpa) { check(gpa, 4); return (int) Bytes.u32(ram, (int) gpa); }
    @Override public long readLong(long gpa) { check(gpa, 8); return Bytes.u64(ram, (int) gpa); }
    @Override public void writeByte(long gpa, byte value) { check(gpa, 1); ram[(int) gpa] = value; }
    @Override public void writeInt(long gpa, int value) { check(gpa, 4); Bytes.put32(ram, (int) gpa, value); }
    @Override public void writeLong(long gpa, long value) { check(gpa, 8); Bytes.put64(ram, (int) gpa, value); }
    @Override public MemorySegment slice(long gpa, long length) { check(gpa, length); return segment.asSlice(gpa, length); }
}
