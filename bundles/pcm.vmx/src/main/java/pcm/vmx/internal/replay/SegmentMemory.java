package pcm.vmx.internal.replay;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;

import pcm.core.api.memory.GuestMemory;
import pcm.core.api.memory.GuestMemoryException;

/** A VM's RAM (one region from GPA 0) as {@link GuestMemory}, for the step counter's page walks (replay VMs, tests). */
public final class SegmentMemory implements GuestMemory {

    private final MemorySegment ram;

    public SegmentMemory(MemorySegment ram) {
        this.ram = ram;
    }

    private void check(long gpa, long len) {
        if (gpa < 0 || len < 0 || gpa + len > ram.byteSize()) {
            throw new GuestMemoryException(gpa, len, "outside the VM's RAM");
        }
    }

    @Override public List<MemoryRegion> regions() { return List.of(new MemoryRegion(0, 0, ram.byteSize(), ram)); }
    @Override public long size() { return ram.byteSize(); }
    @Override public boolean isRam(long gpa, long length) { return gpa >= 0 && length >= 0 && gpa + length <= ram.byteSize(); }
    @Override public void read(long gpa, byte[] dst, int offset, int length) { check(gpa, length); MemorySegment.copy(ram, ValueLayout.JAVA_BYTE, gpa, dst, offset, length); }
    @Override public void write(long gpa, byte[] src, int offset, int length) { check(gpa, length); MemorySegment.copy(src, offset, ram, ValueLayout.JAVA_BYTE, gpa, length); }
    @Override public byte readByte(long gpa) { check(gpa, 1); return ram.get(ValueLayout.JAVA_BYTE, gpa); }
    @Override public int readInt(long gpa) { check(gpa, 4); return ram.get(ValueLayout.JAVA_INT_UNALIGNED, gpa); }
    @Override public long readLong(long gpa) { check(gpa, 8); return ram.get(ValueLayout.JAVA_LONG_UNALIGNED, gpa); }
    @Override public void writeByte(long gpa, byte value) { check(gpa, 1); ram.set(ValueLayout.JAVA_BYTE, gpa, value); }
    @Override public void writeInt(long gpa, int value) { check(gpa, 4); ram.set(ValueLayout.JAVA_INT_UNALIGNED, gpa, value); }
    @Override public void writeLong(long gpa, long value) { check(gpa, 8); ram.set(ValueLayout.JAVA_LONG_UNALIGNED, gpa, value); }
    @Override public MemorySegment slice(long gpa, long length) { check(gpa, length); return ram.asSlice(gpa, length); }
}
