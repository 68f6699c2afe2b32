package pcm.devices.internal;

import java.lang.foreign.MemorySegment;
import java.util.List;

import pcm.core.api.memory.GuestMemory;
import pcm.core.api.memory.GuestMemoryException;

/** Guest RAM in a byte array for DMA tests; accesses outside it throw as the real memory does; writes are counted. */
public final class HeapMemory implements GuestMemory {

    public final byte[] ram;
    public long bytesWritten;
    private final MemorySegment segment;

    public HeapMemory(int size) {
        ram = new byte[size];
        segment = MemorySegment.ofArray(ram);
    }

    private void check(long gpa, long length) {
        if (gpa < 0 || length < 0 || gpa + length > ram.length || gpa + length < gpa) throw new GuestMemoryException(gpa, length, "outside the test RAM");
    }

    @Override public List<MemoryRegion> regions() { return List.of(new MemoryRegion(0, 0, ram.length, segment)); }
    @Override public long size() { return ram.length; }
    @Override public boolean isRam(long gpa, long length) { return gpa >= 0 && length >= 0 && gpa + length <= ram.length && gpa + length >= gpa; }
    @Override public void read(long gpa, byte[] dst, int offset, int length) { check(gpa, length); System.arraycopy(ram, (int) gpa, dst, offset, length); }
    @Override public void write(long gpa, byte[] src, int offset, int length) { check(gpa, length); System.arraycopy(src, offset, ram, (int) gpa, length); bytesWritten += length; }
    @Override public byte readByte(long gpa) { check(gpa, 1); return ram[(int) gpa]; }
    @Override public int readInt(long gpa) { check(gpa, 4); return (int) get(gpa, 4); }
    @Override public long readLong(long gpa) { check(gpa, 8); return get(gpa, 8); }
    @Override public void writeByte(long gpa, byte value) { check(gpa, 1); ram[(int) gpa] = value; bytesWritten++; }
    @Override public void writeInt(long gpa, int value) { check(gpa, 4); put(gpa, 4, value); }
    @Override public void writeLong(long gpa, long value) { check(gpa, 8); put(gpa, 8, value); }
    @Override public MemorySegment slice(long gpa, long length) { check(gpa, length); return segment.asSlice(gpa, length); }

    public long get(long gpa, int size) {
        long v = 0;
        for (int i = 0; i < size; i++) v |= (ram[(int) gpa + i] & 0xFFL) << (8 * i);
        return v;
    }

    public void put(long gpa, int size, long value) {
        for (int i = 0; i < size; i++) ram[(int) gpa + i] = (byte) (value >>> (8 * i));
        bytesWritten += size;
    }
}
