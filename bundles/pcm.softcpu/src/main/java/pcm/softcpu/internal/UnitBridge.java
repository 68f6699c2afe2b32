package pcm.softcpu.internal;

import pcm.softcpu.internal.sse.SseHost;
import pcm.softcpu.internal.x87.X87Host;

/**
 * The interpreter as the x87 and SSE units see it ({@link X87Host}, {@link SseHost}; issue 13 items 1 and 2):
 * user/supervisor memory accesses with the CPU's paging faults, CR0/CR4, RFLAGS and the GPRs, immediates and the
 * implicit RDI operand, and the CPU's fault signal. One object for both units: they need the same access.
 */
final class UnitBridge implements X87Host, SseHost {

    private final Cpu cpu;

    UnitBridge(Cpu cpu) {
        this.cpu = cpu;
    }

    @Override
    public long read(long linear, int size) { return cpu.read(linear, size); }

    @Override
    public void write(long linear, int size, long value) { cpu.write(linear, size, value); }

    @Override
    public void checkWritable(long linear, int length) {
        int acc = cpu.acc() | CpuBase.ACC_WRITE;
        for (long p = linear & ~0xFFFL; p < linear + length; p += 0x1000) cpu.translate(Math.max(p, linear), acc);
    }

    @Override
    public int codeSelector() { return cpu.segSel[CpuState.CS]; }

    @Override
    public int dataSelector() {
        return cpu.segSel[cpu.segOverride >= 0 ? cpu.segOverride : cpu.eaStackBase ? CpuState.SS : CpuState.DS];
    }

    @Override
    public long cr0() { return cpu.cr0; }

    @Override
    public long cr4() { return cpu.cr4; }

    @Override
    public long rflags() { return cpu.rflags(); }

    @Override
    public void setRflags(long mask, long value) {
        cpu.materialize();
        cpu.flags = (cpu.flags & ~mask) | (value & mask);
    }

    @Override
    public long gpr(int index) { return cpu.r[index]; }

    @Override
    public void setGpr(int index, long value) { cpu.r[index] = value; }

    @Override
    public void setGpr16(int index, int value) { cpu.r[index] = (cpu.r[index] & ~0xFFFFL) | (value & 0xFFFF); }

    @Override
    public int fetchImm8() { return cpu.fetch8(); }

    @Override
    public long implicitRdi() { return (cpu.a32 ? cpu.r[7] & 0xFFFFFFFFL : cpu.r[7]) + cpu.sbase; }

    @Override
    public RuntimeException fault(int vector, int errorCode) { return cpu.raise(vector, errorCode); }

    @Override
    public RuntimeException unsupported(String what) { return cpu.unsupported(what); }
}
