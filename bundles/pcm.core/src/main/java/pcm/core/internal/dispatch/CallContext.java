package pcm.core.internal.dispatch;

import java.lang.foreign.MemorySegment;
import java.util.List;

import pcm.core.api.exit.ExitContext;
import pcm.core.api.memory.GuestMemory;

/**
 * The exit context a supervised handler gets: the vCPU's, until the call is given up. A handler
 * that answers after its hard limit must not touch the guest any more (its exit was answered by
 * someone else and the vCPU has moved on), so from then on everything but {@link #vcpuId} throws.
 */
final class CallContext implements ExitContext {

    private final ExitContext vcpu;
    private final SupervisedCalls.Call call;
    private final int vcpuId;
    private GuestMemory memory;

    CallContext(ExitContext vcpu, SupervisedCalls.Call call) {
        this.vcpu = vcpu;
        this.call = call;
        this.vcpuId = vcpu.vcpuId();
    }

    @Override
    public int vcpuId() { return vcpuId; }

    @Override
    public GuestMemory memory() {
        live();
        GuestMemory m = vcpu.memory();
        if (m == null) return null;
        if (memory == null) memory = new Guarded(m);
        return memory;
    }

    @Override
    public long instructionCount() {
        live();
        return vcpu.instructionCount();
    }

    private void live() {
        if (call.abandoned())
            throw new IllegalStateException("the exit context of vCPU " + vcpuId + " is gone: the handler did not answer "
                    + "within its hard limit and the exit was answered without it");
    }

    /** Guest memory that refuses every access once the call is given up. */
    private final class Guarded implements GuestMemory {
        private final GuestMemory m;

        Guarded(GuestMemory m) { this.m = m; }

        @Override public List<MemoryRegion> regions() { live(); return m.regions(); }
        @Override public long size() { return m.size(); }
        @Override public boolean isRam(long gpa, long length) { return m.isRam(gpa, length); }
        @Override public void read(long gpa, byte[] dst, int offset, int length) { live(); m.read(gpa, dst, offset, length); }
        @Override public void write(long gpa, byte[] src, int offset, int length) { live(); m.write(gpa, src, offset, length); }
        @Override public byte readByte(long gpa) { live(); return m.readByte(gpa); }
        @Override public int readInt(long gpa) { live(); return m.readInt(gpa); }
        @Override public long readLong(long gpa) { live(); return m.readLong(gpa); }
        @Override public void writeByte(long gpa, byte value) { live(); m.writeByte(gpa, value); }
        @Override public void writeInt(long gpa, int value) { live(); m.writeInt(gpa, value); }
        @Override public void writeLong(long gpa, long value) { live(); m.writeLong(gpa, value); }
        @Override public MemorySegment slice(long gpa, long length) { live(); return m.slice(gpa, length); }
    }
}
