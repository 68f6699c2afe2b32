package pcm.softcpu.internal;

import pcm.core.api.cpu.BackendException;
import pcm.core.api.cpu.CpuidMask;
import pcm.core.api.cpu.Registers;
import pcm.core.api.cpu.Segment;
import pcm.core.api.cpu.SpecialRegisters;
import pcm.core.api.cpu.VirtualCpu;
import pcm.core.api.exit.ExitResult;
import pcm.core.api.vm.VmExit;

/** One vCPU of the soft backend: the SPI on top of the {@link Cpu} interpreter. */
final class SoftVcpu implements VirtualCpu {

    private final int id;
    private final Cpu cpu;
    private final Runnable onClose;
    private volatile CpuidMask hide = CpuidMask.NONE;
    private byte[] fxsave = defaultFxsave();
    private volatile boolean closed;

    SoftVcpu(int id, PhysicalMemory mem, Runnable onClose) {
        this.id = id;
        this.cpu = new Cpu(mem);
        this.onClose = onClose;
    }

    /** The interpreter, for tests and benchmarks in this package. */
    Cpu cpu() { return cpu; }

    @Override
    public int id() { return id; }

    @Override
    public VmExit run() throws BackendException {
        if (closed) throw new BackendException("vCPU " + id + " is closed");
        return cpu.run();
    }

    @Override
    public void complete(VmExit exit, ExitResult result) throws BackendException {
        Cpu c = cpu;
        int completion = c.completion;
        c.completion = Cpu.C_NONE;
        switch (exit) {
            case VmExit.MmioRead m -> {
                c.mmioValid = true;
                c.mmioAddr = m.address();
                c.mmioSize = m.size();
                c.mmioValue = value(result, CpuBase.MASK[m.size()]);
            }
            case VmExit.PortIn in -> {
                long v = value(result, CpuBase.MASK[in.size()]) & CpuBase.MASK[in.size()];
                if (completion == Cpu.C_IN) {
                    c.rex = 0;
                    c.setReg(0, in.size(), v);
                } else if (completion == Cpu.C_INS) {
                    c.completeIns(v);
                }
            }
            case VmExit.Cpuid q -> {
                if (completion != Cpu.C_CPUID) return;
                int a = 0, b = 0, cc = 0, d = 0;
                if (result instanceof ExitResult.CpuidValue v) {
                    a = v.eax();
                    b = v.ebx();
                    cc = v.ecx();
                    d = v.edx();
                }
                CpuidMask h = hide;
                if (q.leaf() == 1) {
                    cc &= ~h.leaf1Ecx();
                    d &= ~h.leaf1Edx();
                } else if (q.leaf() == 7 && q.subleaf() == 0) {
                    b &= ~h.leaf7Ebx();
                    cc &= ~h.leaf7Ecx();
                }
                c.r[0] = a & 0xFFFFFFFFL;
                c.r[3] = b & 0xFFFFFFFFL;
                c.r[1] = cc & 0xFFFFFFFFL;
                c.r[2] = d & 0xFFFFFFFFL;
            }
            case VmExit.MsrRead m -> {
                if (completion != Cpu.C_EDXEAX) return;
                long v = value(result, 0);
                c.r[0] = v & 0xFFFFFFFFL;
                c.r[2] = v >>> 32;
            }
            case VmExit.Nondeterministic n -> {
                long v = value(result, 0);
                switch (completion) {
                    case Cpu.C_EDXEAX -> {
                        c.r[0] = v & 0xFFFFFFFFL;
                        c.r[2] = v >>> 32;
                    }
                    case Cpu.C_RDTSCP -> {
                        c.r[0] = v & 0xFFFFFFFFL;
                        c.r[2] = v >>> 32;
                        c.r[1] = c.tscAux & 0xFFFFFFFFL;
                    }
                    case Cpu.C_RAND -> {
                        c.rex = c.complReg >= 8 ? 0x41 : 0x40;
                        c.setReg(c.complReg, c.complSize, v);
                        c.setRflags((c.rflags() & ~CpuBase.ARITH) | CpuBase.CF);
                    }
                    default -> { }
                }
            }
            case VmExit.Hypercall h -> {
                if (completion == Cpu.C_HYPERCALL) c.r[0] = value(result, 0);
            }
            default -> { }
        }
    }

    private static long value(ExitResult result, long dflt) {
        return result instanceof ExitResult.Value v ? v.value() : dflt;
    }

    @Override
    public void kick() { cpu.kicked = true; }

    /** {@link Registers} order (rax, rbx, rcx, rdx, rsi, rdi, rsp, rbp, r8..) to x86 encoding order. */
    private static final int[] API_TO_X86 = {0, 3, 1, 2, 6, 7, 4, 5, 8, 9, 10, 11, 12, 13, 14, 15};

    @Override
    public Registers registers() {
        long[] a = new long[18];
        for (int i = 0; i < 16; i++) a[i] = cpu.r[API_TO_X86[i]];
        a[16] = cpu.rip;
        a[17] = cpu.rflags();
        return Registers.fromArray(a);
    }

    @Override
    public void setRegisters(Registers regs) {
        long[] a = regs.toArray();
        for (int i = 0; i < 16; i++) cpu.r[API_TO_X86[i]] = a[i];
        cpu.rip = a[16];
        cpu.setRflags(a[17]);
    }

    @Override
    public SpecialRegisters specialRegisters() {
        Cpu c = cpu;
        return new SpecialRegisters(seg(CpuBase.CS), seg(CpuBase.DS), seg(CpuBase.ES), seg(CpuBase.FS), seg(CpuBase.GS),
                seg(CpuBase.SS), segment(c.trBase, c.trLimit, c.trSel, c.trAttr),
                segment(c.ldtBase, c.ldtLimit, c.ldtSel, c.ldtAttr),
                new SpecialRegisters.DescriptorTable(c.gdtBase, c.gdtLimit),
                new SpecialRegisters.DescriptorTable(c.idtBase, c.idtLimit), c.cr0, c.cr2, c.cr3, c.cr4, c.cr8, c.efer,
                c.apicBase);
    }

    private Segment seg(int s) {
        return segment(cpu.segBase[s], cpu.segLimit[s], cpu.segSel[s], cpu.segAttr[s]);
    }

    static Segment segment(long base, int limit, int sel, int attr) {
        return new Segment(base, limit, sel, attr & 0xF, (attr & 0x80) != 0, (attr >> 5) & 3, (attr & (1 << 14)) != 0,
                (attr & 0x10) != 0, (attr & (1 << 13)) != 0, (attr & (1 << 15)) != 0, (attr & (1 << 12)) != 0,
                (attr & (1 << 16)) != 0);
    }

    static int attr(Segment s) {
        return s.type() & 0xF | (s.s() ? 1 << 4 : 0) | (s.dpl() & 3) << 5 | (s.present() ? 1 << 7 : 0)
                | (s.avl() ? 1 << 12 : 0) | (s.l() ? 1 << 13 : 0) | (s.db() ? 1 << 14 : 0) | (s.g() ? 1 << 15 : 0)
                | (s.unusable() ? 1 << 16 : 0);
    }

    @Override
    public void setSpecialRegisters(SpecialRegisters sr) throws BackendException {
        Cpu c = cpu;
        if ((sr.efer() & CpuBase.EFER_LMA) == 0 || (sr.cr0() & CpuBase.CR0_PG) == 0) {
            throw new BackendException("the soft CPU runs 64-bit long mode only (EFER.LMA and CR0.PG must be set)");
        }
        if (!sr.cs().l()) throw new BackendException("the soft CPU needs a 64-bit code segment (CS.L=1)");
        Segment[] segs = new Segment[6];
        segs[CpuBase.ES] = sr.es();
        segs[CpuBase.CS] = sr.cs();
        segs[CpuBase.SS] = sr.ss();
        segs[CpuBase.DS] = sr.ds();
        segs[CpuBase.FS] = sr.fs();
        segs[CpuBase.GS] = sr.gs();
        for (int i = 0; i < 6; i++) {
            c.segSel[i] = segs[i].selector();
            c.segBase[i] = segs[i].base();
            c.segLimit[i] = segs[i].limit();
            c.segAttr[i] = attr(segs[i]);
        }
        c.trSel = sr.tr().selector();
        c.trBase = sr.tr().base();
        c.trLimit = sr.tr().limit();
        c.trAttr = attr(sr.tr());
        c.ldtSel = sr.ldt().selector();
        c.ldtBase = sr.ldt().base();
        c.ldtLimit = sr.ldt().limit();
        c.ldtAttr = attr(sr.ldt());
        c.gdtBase = sr.gdt().base();
        c.gdtLimit = sr.gdt().limit();
        c.idtBase = sr.idt().base();
        c.idtLimit = sr.idt().limit();
        c.cr0 = sr.cr0();
        c.cr2 = sr.cr2();
        c.cr3 = sr.cr3();
        c.cr4 = sr.cr4();
        c.cr8 = sr.cr8();
        c.efer = sr.efer();
        c.apicBase = sr.apicBase();
        c.setCpl(sr.cs().dpl());
        c.flushTlb();
    }

    @Override
    public byte[] fpuState() { return fxsave.clone(); }

    @Override
    public void setFpuState(byte[] image) throws BackendException {
        if (image == null || image.length != 512) throw new BackendException("FXSAVE image must be 512 bytes");
        fxsave = image.clone();
    }

    private static byte[] defaultFxsave() {
        byte[] b = new byte[512];
        b[0] = 0x7F; // FCW = 0x037F
        b[1] = 0x03;
        b[24] = (byte) 0x80; // MXCSR = 0x1F80
        b[25] = 0x1F;
        return b;
    }

    @Override
    public long readMsr(int index) throws BackendException {
        if (!cpu.isInternalMsr(index)) {
            throw new BackendException("MSR 0x" + Integer.toHexString(index)
                    + " is not held by the soft CPU (guest accesses to it are MsrRead/MsrWrite exits)");
        }
        return cpu.readInternalMsr(index);
    }

    @Override
    public void writeMsr(int index, long value) throws BackendException {
        if (!cpu.isInternalMsr(index) || !cpu.writeInternalMsr(index, value)) {
            throw new BackendException("cannot write MSR 0x" + Integer.toHexString(index) + " on the soft CPU");
        }
    }

    @Override
    public void setCpuid(CpuidMask mask) { hide = mask == null ? CpuidMask.NONE : mask; }

    CpuidMask cpuidMask() { return hide; }

    @Override
    public boolean canInjectInterrupt() { return cpu.injectVector < 0 && cpu.interruptible(); }

    @Override
    public void injectInterrupt(int vector) throws BackendException {
        if (vector < 0 || vector > 255) throw new BackendException("bad vector " + vector);
        if (cpu.injectVector >= 0) throw new BackendException("an interrupt is already queued");
        cpu.injectVector = vector;
    }

    @Override
    public void requestInterruptWindow(boolean request) { cpu.windowRequested = request; }

    @Override
    public void setSingleStep(boolean enabled) { cpu.singleStep = enabled; }

    @Override
    public long instructionCount() { return cpu.icount; }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        onClose.run();
    }
}
