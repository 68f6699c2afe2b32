package pcm.softcpu.internal;

import pcm.softcpu.internal.x87.X87Host;

/**
 * The interpreter as the x87 unit sees it ({@link X87Host}, issue 13 item 1): user/supervisor memory
 * accesses with the CPU's paging faults, CR0/CR4, RFLAGS and the GPRs, and the CPU's fault signal.
 */
final class X87Bridge implements X87Host {

    private final Cpu cpu;

    X87Bridge(Cpu cpu) {
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
    public void setGpr16(int index, int value) { cpu.r[index] = (cpu.r[index] & ~0xFFFFL) | (value & 0xFFFF); }

    @Override
    public RuntimeException fault(int vector, int errorCode) { return cpu.raise(vector, errorCode); }

    @Override
    public RuntimeException unsupported(String what) { return cpu.unsupported(what); }
}
