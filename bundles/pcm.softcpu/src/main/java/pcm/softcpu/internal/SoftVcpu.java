package pcm.softcpu.internal;

import java.lang.foreign.MemorySegment;

import pcm.core.api.cpu.CpuIdentity;
import pcm.core.api.cpu.BackendException;
import pcm.core.api.cpu.CpuidMask;
import pcm.core.api.cpu.Registers;
import pcm.core.api.cpu.Segment;
import pcm.core.api.cpu.SpecialRegisters;
import pcm.core.api.cpu.VirtualCpu;
import pcm.core.api.exit.ExitResult;
import pcm.core.api.vm.VmExit;
import pcm.softcpu.internal.x87.FpuVendor;

/**
 * One vCPU of the soft backend: the SPI on top of the {@link Cpu} interpreter.
 * <p>
 * Public (in a private package) for the soft position service and the soft replay verifier in the
 * sub-packages: {@link #runUntil} stops after an exact number of retired instructions,
 * {@link #exitPosition} / {@link #positionCount} give positions in the event-log convention
 * ("instructions retired before the instruction that consumed the input").
 */
public final class SoftVcpu implements VirtualCpu, pcm.core.api.tracer.MemoryAccessSource {

    private final int id;
    private final Cpu cpu;
    private final Runnable onClose;
    private volatile CpuidMask hide = CpuidMask.NONE;
    private byte[] fxsave = defaultFxsave();
    private volatile boolean closed;
    /** The last exit awaits {@link #complete} and its instruction already retired in the interpreter; until complete/run. */
    private boolean exitOpen;

    SoftVcpu(int id, PhysicalMemory mem, Runnable onClose) {
        this.id = id;
        this.cpu = new Cpu(mem);
        this.onClose = onClose;
    }

    /**
     * Selects the vendor model ({@link CpuIdentity#INTEL_FLAGS}, {@link CpuIdentity#AMD_FLAGS} or {@link CpuIdentity#TCG_FLAGS}, the name a
     * window's {@code RecordingCpu} carries): the undefined flags and the x87 pointer / MXCSR_MASK model
     * ({@link FpuVendor}) of that vendor, and the RCPPS/RSQRTPS model of that vendor for the host's family; the default
     * is the host vendor's. Returns false, changing nothing, for a model the interpreter lacks.
     */
    public boolean setVendorModel(String model) {
        return setVendorModel(model, CpuIdentity.host().signature());
    }

    /**
     * {@link #setVendorModel(String)} for a CPU of that CPUID signature (a window's recording CPU): the RCPPS/RSQRTPS
     * model also depends on the family ({@code SseRecip.select}); without one those instructions stop the vCPU as
     * unsupported, naming the CPU (a replay: INCONCLUSIVE).
     */
    public boolean setVendorModel(String model, int signature) {
        switch (model) {
            case CpuIdentity.INTEL_FLAGS -> {
                cpu.intelFlags = true;
                cpu.tcgFlags = false;
                cpu.x87State.setVendor(FpuVendor.INTEL);
            }
            case CpuIdentity.AMD_FLAGS -> {
                cpu.intelFlags = false;
                cpu.tcgFlags = false;
                cpu.x87State.setVendor(FpuVendor.AMD);
            }
            case CpuIdentity.TCG_FLAGS -> { // QEMU's TCG: its own undefined flags; its x87 pointers as AMD's (-cpu max)
                cpu.intelFlags = false;
                cpu.tcgFlags = true;
                cpu.x87State.setVendor(FpuVendor.AMD);
            }
            default -> { return false; }
        }
        pcm.softcpu.internal.sse.SseRecip.configure(cpu.sse, model, signature);
        return true;
    }

    /** {@link #setVendorModel} (its name from before the x87 model joined the undefined flags). */
    public boolean setUndefinedFlags(String model) { return setVendorModel(model); }

    /** The host's vendor and signature (the soft CPUID table shows them) with the interpreter's flag model. */
    @Override
    public CpuIdentity identity() {
        CpuIdentity host = CpuIdentity.host();
        return new CpuIdentity(host.vendor(), host.signature(), vendorModel());
    }

    /** The model {@link #setVendorModel} selected (or the host's default). */
    public String vendorModel() {
        return cpu.intelFlags ? CpuIdentity.INTEL_FLAGS : cpu.tcgFlags ? CpuIdentity.TCG_FLAGS : CpuIdentity.AMD_FLAGS;
    }

    /** The interpreter, for tests and benchmarks in this package. */
    Cpu cpu() { return cpu; }

    @Override
    public int id() { return id; }

    @Override
    public VmExit run() throws BackendException {
        if (closed) throw new BackendException("vCPU " + id + " is closed");
        VmExit e = cpu.run();
        exitOpen = opensExit(e);
        return e;
    }

    @Override
    public void complete(VmExit exit, ExitResult result) throws BackendException {
        exitOpen = false;
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

    // x87 hook (issue 13 item 2): the FXSAVE image is the x87 unit's state (64-bit form); the reserved and
    // software-available bytes of the last image set are kept, as FXSAVE leaves them in memory
    @Override
    public byte[] fpuState() {
        byte[] img = fxsave.clone();
        cpu.x87State.saveState(img, true);
        return img;
    }

    @Override
    public void setFpuState(byte[] image) throws BackendException {
        if (image == null || image.length != 512) throw new BackendException("FXSAVE image must be 512 bytes");
        if (cpu.x87State.mxcsrReserved(image)) {
            throw new BackendException("FXSAVE image: MXCSR sets reserved bits (mask 0x"
                    + Integer.toHexString(cpu.x87State.simd.mxcsrMask) + ")");
        }
        fxsave = image.clone();
        cpu.x87State.fxrstor(fxsave, true);
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

    /**
     * Turns the block compiler (docs/block-compiler.md) on or off for this vCPU, between runs; off drops every
     * translation. The default is on: the system property {@code pcm.softcpu.jit} (off only with "false") for a
     * standalone vCPU (the replay engine's), the backend's {@code block_compiler} configuration for a VM's.
     */
    public void setBlockCompiler(boolean on) {
        if (on && cpu.jit == null) cpu.jit = new BlockCompiler();
        else if (!on && cpu.jit != null) {
            cpu.jit.flush(cpu);
            cpu.jit = null;
        }
    }

    /** The block compiler on with a threshold and cache size of its own (tests: every block translated early, tiny caches). */
    void setBlockCompiler(int threshold, int cacheBlocks) {
        setBlockCompiler(false);
        cpu.jit = new BlockCompiler(threshold, cacheBlocks);
    }

    /**
     * Checks the JVM-wide switch {@code -Dpcm.softcpu.jit}: components that create vCPUs call it when activated.
     * @throws IllegalArgumentException naming the value when it is neither true nor false
     */
    public static void checkBlockCompilerSwitch() { BlockCompiler.checkSwitch(); }

    /**
     * Whether a component whose configuration says {@code configured} runs its vCPUs with the block compiler:
     * {@code -Dpcm.softcpu.jit}, where set, wins.
     * @throws IllegalArgumentException naming the value when that property is neither true nor false
     */
    public static boolean blockCompilerFor(boolean configured) { return BlockCompiler.enabled(configured); }

    /** The mode of a standalone vCPU (the replay engine's) unless told otherwise: on unless {@code -Dpcm.softcpu.jit=false}. */
    public static final boolean DEFAULT_BLOCK_COMPILER = BlockCompiler.DEFAULT_ON;

    /** Whether the block compiler is on. */
    public boolean blockCompiler() { return cpu.jit != null; }

    /** The block compiler's counters (translations, block runs, instructions in blocks), or null when it is off. */
    public pcm.softcpu.internal.jit.JitStats blockCompilerStats() { return cpu.jit == null ? null : cpu.jit.stats; }

    @Override
    public long instructionCount() { return cpu.icount; }

    /**
     * Memory tracing (a memory tracer armed for a window): every data load and store to RAM goes to {@code listener}
     * with the instructions retired before it on this vCPU's count. The TLB maps no data page meanwhile, so the
     * interpreter is slower while it is set and exactly as fast as before when it is not.
     */
    @Override
    public void setMemoryAccessListener(pcm.core.api.tracer.MemoryAccessListener listener) { cpu.setAccessListener(listener); }

    /** The count the memory-access listener's positions are on ({@link #positionCount()}: between runs). */
    @Override
    public long accessCount() { return positionCount(); }

    /**
     * Replay at a register checkpoint: the flags the last instruction left architecturally undefined take the
     * recording's values (see {@code CpuState.adoptUndefinedFlags}); returns the bits that changed.
     */
    public long adoptUndefinedFlags(long recordedRflags) { return cpu.adoptUndefinedFlags(recordedRflags); }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        if (cpu.jit != null && BlockCompiler.PRINT_STATS) {
            System.err.println("pcm.softcpu block compiler, vCPU " + id + ": " + cpu.jit.stats + " of " + cpu.icount
                    + " instructions");
        }
        onClose.run();
    }

    // =====================================================================================
    // exact positions (soft position service, soft replay verifier)

    /** A vCPU of its own over {@code ram} mapped at guest physical 0 (anything above is MMIO): the replay engine's CPU. */
    public static SoftVcpu standalone(MemorySegment ram) {
        PhysicalMemory m = new PhysicalMemory();
        m.setRegion(0, 0, ram, false);
        return new SoftVcpu(0, m, () -> { });
    }

    /** Called after each interpreter step in {@link #runUntil(long, StepHook)}. */
    @FunctionalInterface
    public interface StepHook {
        /** @param countBefore instructions retired before the step, {@code ripBefore} RIP before it */
        void step(long countBefore, long ripBefore);
    }

    /**
     * Retired-instruction count in the PositionCounter convention, the same on every backend: while an
     * exit awaits {@link #complete} (until complete or the next run), the instructions retired before the
     * exiting instruction; from complete on, the exiting instruction counts. Otherwise {@link #instructionCount()}.
     */
    public long positionCount() { return cpu.icount - (exitOpen ? 1 : 0); }

    /**
     * Whether {@code e} (just returned) awaits {@link #complete} with its instruction already retired. The exits
     * the VMM finishes with complete are the inputs, MMIO writes and OUT/WRMSR; of the exits whose instruction
     * {@link #retired} counts, only HLT is not one of them (an MMIO read never retires at its exit).
     */
    private boolean opensExit(VmExit e) {
        return !(e instanceof VmExit.Hlt) && retired(e);
    }

    /**
     * For the exit just returned (before {@link #complete}): the instructions retired before the exiting
     * instruction (the interpreter counts most exiting instructions as retired at the exit, MMIO reads and
     * INS iterations not).
     */
    public long exitPosition(VmExit e) { return cpu.icount - (retired(e) ? 1 : 0); }

    /** Whether the exiting instruction of {@code e} (just returned) is already counted in icount. */
    private boolean retired(VmExit e) {
        return switch (e) {
            case VmExit.PortIn in -> cpu.completion == Cpu.C_IN;
            case VmExit.PortOut o -> !inRepStringIteration();
            case VmExit.MmioWrite w -> !inRepStringIteration();
            case VmExit.MmioRead r -> false;
            case VmExit.Cpuid c -> true;
            case VmExit.MsrRead m -> true;
            case VmExit.MsrWrite m -> true;
            case VmExit.Nondeterministic n -> true;
            case VmExit.Hypercall h -> true;
            case VmExit.Hlt h -> true;
            default -> false;
        };
    }

    /**
     * Whether RIP is at a REP string instruction with iterations left (RCX != 0): the interpreter yielded
     * in the middle of it. Decoded from the bytes at RIP (an exact hook in Cpu would be cleaner: an OUT or
     * MMIO store immediately followed by a REP string instruction with RCX != 0 reads as "in the middle").
     */
    public boolean inRepStringIteration() {
        byte[] b = cpu.fetchBytesQuietly(cpu.rip);
        boolean rep = false, a32 = false;
        int i = 0;
        for (; i < b.length; i++) {
            int x = b[i] & 0xFF;
            if (x == 0xF2 || x == 0xF3) rep = true;
            else if (x == 0x67) a32 = true;
            else if (x == 0x66 || x == 0xF0 || x == 0x2E || x == 0x36 || x == 0x3E || x == 0x26 || x == 0x64 || x == 0x65
                    || (x & 0xF0) == 0x40) continue;
            else break;
        }
        if (!rep || i >= b.length) return false;
        int op = b[i] & 0xFF;
        boolean string = op == 0x6C || op == 0x6D || op == 0x6E || op == 0x6F || (op >= 0xA4 && op <= 0xA7)
                || (op >= 0xAA && op <= 0xAF);
        long rcx = a32 ? cpu.r[1] & 0xFFFFFFFFL : cpu.r[1];
        return string && rcx != 0;
    }

    /** {@link #runUntil(long, StepHook)} without a hook. */
    public VmExit runUntil(long target) throws BackendException { return runUntil(target, null); }

    /**
     * Runs like {@link #run()} but stops after exactly {@code target} retired instructions (returns null
     * then) unless an exit comes first (returned, to be completed as usual). With a hook the interpreter
     * runs one step at a time and calls it after each. Returns null at once if the count is reached.
     */
    public VmExit runUntil(long target, StepHook hook) throws BackendException {
        return runUntil(target, hook, Long.MAX_VALUE);
    }

    /** {@link #runUntil(long, StepHook)} that also stops (null) after {@code maxSteps} interpreter steps. */
    public VmExit runUntil(long target, StepHook hook, long maxSteps) throws BackendException {
        if (closed) throw new BackendException("vCPU " + id + " is closed");
        VmExit e = runUntil0(target, hook, maxSteps);
        exitOpen = e != null && opensExit(e);
        return e;
    }

    /**
     * A completed MMIO read is finished by re-executing its instruction with the value on the next run. A window
     * that opens in between would see that instruction retire without its MMIO_READ (logged before the window)
     * while a replay exits there. Finish it now, before the caller's position 0; an interrupt queued meanwhile
     * stays queued (the read instruction completes first, as on hardware). Returns an exit the re-execution
     * ended in (none is expected), else null.
     */
    public VmExit finishCompletedRead() throws BackendException {
        if (closed) throw new BackendException("vCPU " + id + " is closed");
        Cpu c = cpu;
        if (!c.mmioValid) return null;
        int queued = c.injectVector;
        c.injectVector = -1;
        try {
            return runUntil(c.icount + 1);
        } finally {
            c.injectVector = queued;
        }
    }

    /**
     * Delivers an interrupt queued by {@link #injectInterrupt} now, without executing an instruction. A run
     * ended by a kick before its start leaves the interrupt queued; a position counter starting there must
     * deliver it before position 0, or the window would run a handler the log does not explain.
     *
     * @return an exit if the delivery itself faulted beyond repair (e.g. a triple fault), else null
     */
    public VmExit deliverQueuedInterrupt() throws BackendException {
        if (closed) throw new BackendException("vCPU " + id + " is closed");
        Cpu c = cpu;
        if (c.injectVector < 0) return null;
        int v = c.injectVector;
        c.injectVector = -1;
        return deliverNow(v);
    }

    private VmExit runUntil0(long target, StepHook hook, long maxSteps) {
        Cpu c = cpu;
        if (c.kicked) {
            c.kicked = false;
            return new VmExit.Interrupted();
        }
        if (c.icount >= target) return null;
        // the prologue of Cpu.run() (pending debug exit, TF trap, injected interrupt)
        if (c.mem.dirtyGeneration != c.seenDirtyGeneration) {
            c.seenDirtyGeneration = c.mem.dirtyGeneration;
            c.flushWriteTlb();
        }
        c.completion = Cpu.C_NONE;
        c.runEpoch++;
        c.fetchLo = c.fetchHi = 0;
        if (c.debugPending) {
            c.debugPending = false;
            return new VmExit.Debug(c.rip, 0x4000, 1);
        }
        if (c.tfTrapPending) {
            c.tfTrapPending = false;
            VmExit e = deliverNow(CpuBase.DB);
            if (e != null) return e;
        }
        if (c.injectVector >= 0) {
            int v = c.injectVector;
            c.injectVector = -1;
            VmExit e = deliverNow(v);
            if (e != null) return e;
        }
        long steps = 0;
        while (c.icount < target) {
            if (c.windowRequested && c.interruptible()) return new VmExit.InterruptWindow();
            if (steps >= maxSteps) return null;
            if (hook == null && maxSteps == Long.MAX_VALUE) {
                VmExit e = c.execute((int) Math.min(Cpu.BATCH, target - c.icount));
                if (e != null) return e;
            } else {
                long ib = c.icount, rb = c.rip;
                VmExit e = c.execute(1);
                steps++;
                if (hook != null) hook.step(ib, rb);
                if (e != null) return e;
            }
            if (c.kicked) {
                c.kicked = false;
                return new VmExit.Interrupted();
            }
        }
        return null;
    }

    private VmExit deliverNow(int vector) {
        Cpu c = cpu;
        try {
            c.deliver(vector, 0, false, false, c.rip);
        } catch (CpuBase.Fault f) {
            return c.handleFault();
        } catch (UnsupportedInstructionException u) {
            c.lastError = u;
            return new VmExit.InternalError(1, u.getMessage());
        }
        return null;
    }

    /** GPR by {@link Registers} index (0 = rax .. 15 = r15), without allocating. */
    public long gpr(int apiIndex) { return cpu.r[API_TO_X86[apiIndex]]; }

    public long rip() { return cpu.rip; }

    public long rflags() { return cpu.rflags(); }

    /**
     * The MSRs the interpreter does not hold whose guest RDMSR/WRMSR leave as exits to the VMM; the guest's
     * access to any other unknown MSR raises #GP(0) (issue 13 item 3). Default
     * {@link ModelSpecificRegisters#DEFAULT_FORWARDED_MSRS}.
     */
    public void setForwardedMsrs(java.util.Set<Integer> msrs) { cpu.forwardedMsrs = java.util.Set.copyOf(msrs); }

    /** Whether the interpreter holds this MSR itself (guest RDMSR/WRMSR of it never exit). */
    public boolean holdsMsr(int index) { return cpu.isInternalMsr(index); }

    /** The instruction the interpreter could not execute at the last InternalError exit, or null. */
    public String lastUnsupported() {
        UnsupportedInstructionException u = cpu.lastError;
        return u == null ? null : u.getMessage();
    }
}
