package pcm.softcpu.internal.replay;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;

import pcm.core.api.cpu.CpuIdentity;
import pcm.core.api.cpu.BackendException;
import pcm.core.api.event.EventKind;
import pcm.core.api.cpu.Registers;
import pcm.core.api.event.PcmEvent;
import pcm.core.api.exit.ExitResult;
import pcm.core.api.verify.CheckpointTracker;
import pcm.core.api.verify.Divergence;
import pcm.core.api.verify.Snapshot;
import pcm.core.api.verify.MalformedWindowException;
import pcm.core.api.verify.Window;
import pcm.core.api.verify.WindowShape;
import pcm.core.api.vm.VmExit;
import pcm.softcpu.internal.SoftVcpu;

/**
 * One pass of a window over a fresh software CPU: loads the initial snapshot, runs to every logged
 * event's position exactly, feeds the logged inputs, checks the logged outputs, and stops at END.
 * Deterministic: every pass over the same window retires the same instructions.
 */
final class Replay implements AutoCloseable {

    /** Stops the pass: the window is inconclusive, or the replay left the log. */
    static final class Stop extends Exception {
        private static final long serialVersionUID = 1L;
        /** Where the replay left the log; null if the window is inconclusive ({@link #getMessage()} says why). */
        final transient Divergence divergence;

        private Stop(Divergence d, String why) {
            super(why, null, false, false);
            this.divergence = d;
        }

        static Stop inconclusive(String why) { return new Stop(null, why); }

        static Stop diverged(long position, long rip, List<String> what) {
            return new Stop(new Divergence(position, rip, what), String.join("; ", what));
        }
    }

    /** Called with the position at every checkpoint (state as after that many instructions). */
    interface CheckpointListener {
        void at(long position, Replay replay);
    }

    /** Called after every step of the step-traced part and after every input applied there. */
    interface Tracer {
        /** The state at the trace start, before anything after it happens. */
        void begin(Replay replay);

        /** @param position the instruction (or input) that may have changed state: instructions retired before it */
        void changed(long position, long rip, Replay replay);
    }

    static final long PROGRESS_EVERY = 1L << 20;

    final Window window;
    final long endPosition;
    private final LongConsumer progress;
    private final long[] checkpoints;
    private final CheckpointListener checkpointListener;
    private final long traceFrom;
    private final Tracer tracer;

    final Arena arena = Arena.ofConfined();
    final MemorySegment ram;
    final SoftVcpu vcpu;
    /** Position up to which every logged event matched. */
    long consistentUpTo;
    private int nextCheckpoint;
    private long nextProgress = PROGRESS_EVERY;
    /** Before-position of the last completed input exit and the count right after it (for DMA during that exit). */
    private long lastExitPosition = -1, countAfterLastExit = -1;

    /**
     * @param checkpoints ascending positions for {@code checkpointListener} (may be empty)
     * @param traceFrom   position from which to run one step at a time calling {@code tracer} (Long.MAX_VALUE: never)
     */
    Replay(Window window, LongConsumer progress, long[] checkpoints, CheckpointListener checkpointListener,
           long traceFrom, Tracer tracer) throws Stop {
        this(window, progress, checkpoints, checkpointListener, traceFrom, tracer, SoftVcpu.DEFAULT_BLOCK_COMPILER);
    }

    /**
     * @param blockCompiler whether the replay's vCPU translates hot blocks (docs/block-compiler.md): the verdict is the
     *                      same either way (exact counts, stops and faults), only the speed differs
     */
    Replay(Window window, LongConsumer progress, long[] checkpoints, CheckpointListener checkpointListener,
           long traceFrom, Tracer tracer, boolean blockCompiler) throws Stop {
        this.window = window;
        this.progress = progress == null ? p -> { } : progress;
        this.checkpoints = checkpoints == null ? new long[0] : checkpoints;
        this.checkpointListener = checkpointListener;
        this.traceFrom = tracer == null ? Long.MAX_VALUE : traceFrom;
        this.tracer = tracer;
        Snapshot init = window.initial();
        this.endPosition = checkWindow(window);
        this.registerCheckpoints = new CheckpointTracker(init.registers());
        long size = init.memory().size();
        try {
            ram = arena.allocate(size, 4096);
        } catch (RuntimeException | OutOfMemoryError e) {
            arena.close();
            throw Stop.inconclusive("cannot allocate " + size + " bytes of replay memory: " + e);
        }
        try {
            load(init, ram);
            vcpu = SoftVcpu.standalone(ram);
            vcpu.setBlockCompiler(blockCompiler);
            String model = window.cpu().undefinedFlags();
            // undefined flags, the x87 pointer / MXCSR_MASK model and the RCPPS/RSQRTPS model of the recording CPU (that one
            // also by its family: without it those instructions stop as unsupported, INCONCLUSIVE naming them)
            if (!vcpu.setVendorModel(model, window.cpu().identity().signature())) {
                throw Stop.inconclusive("the recording CPU's undefined-flag model is " + (model.isEmpty() ? "unknown"
                        : "'" + model + "'") + " (" + window.cpu().describe() + "); the soft RCP has "
                        + CpuIdentity.INTEL_FLAGS + ", " + CpuIdentity.AMD_FLAGS + " and " + CpuIdentity.TCG_FLAGS);
            }
            setState(vcpu, init);
            // A window recorded with a memory tracer ran without data TLB entries (every access reported): its page
            // walks set accessed/dirty bits at every access. The replay runs the same way, so that a guest clearing
            // those bits without a TLB flush sees the same memory (issue 15 item 3).
            if (MemoryTraceCheck.traceOf(window).isPresent()) vcpu.setMemoryAccessListener(IGNORE_ACCESSES);
        } catch (Stop s) {
            arena.close();
            throw s;
        }
    }

    /**
     * The END position, or a Stop if the window lacks something the replay needs: the shared window rules
     * (WindowShape), plus what the soft RCP needs: an FXSAVE image of 512 bytes or none.
     */
    static long checkWindow(Window w) throws Stop {
        long end;
        try {
            end = WindowShape.endPosition(w);
        } catch (MalformedWindowException e) {
            throw Stop.inconclusive(e.getMessage());
        }
        byte[] fpu = w.initial().fpu();
        if (fpu != null && fpu.length != 512 && fpu.length != 0) {
            throw Stop.inconclusive("initial FPU image is " + fpu.length + " bytes, not 512 (or empty: not captured)");
        }
        return end;
    }

    private static void load(Snapshot s, MemorySegment ram) throws Stop {
        long size = ram.byteSize();
        byte[] buf = new byte[1 << 20];
        for (long at = 0; at < size; at += buf.length) {
            int n = (int) Math.min(buf.length, size - at);
            try {
                s.memory().read(at, buf, 0, n);
            } catch (RuntimeException e) {
                throw Stop.inconclusive("initial memory image cannot be read at 0x" + Long.toHexString(at)
                        + " (the soft RCP needs RAM contiguous from 0): " + e.getMessage());
            }
            MemorySegment.copy(buf, 0, ram, ValueLayout.JAVA_BYTE, at, n);
        }
    }

    private static void setState(SoftVcpu v, Snapshot s) throws Stop {
        try {
            v.setSpecialRegisters(s.specialRegisters());
            v.setRegisters(s.registers());
            if (s.fpu() != null && s.fpu().length == 512) v.setFpuState(s.fpu());
            if (s.msrs() != null) {
                for (Map.Entry<Integer, Long> m : s.msrs().entrySet()) {
                    if (m.getKey() == null || m.getValue() == null) continue;
                    if (v.holdsMsr(m.getKey())) v.writeMsr(m.getKey(), m.getValue());
                }
            }
        } catch (BackendException e) {
            throw Stop.inconclusive("initial state not replayable on the soft CPU: " + e.getMessage());
        }
    }

    private static final pcm.core.api.tracer.MemoryAccessListener IGNORE_ACCESSES = (p, g, w, s, d) -> { };

    /** Compares every memory access of this pass with the window's memory trace (see {@link MemoryTraceCheck}). */
    void checkMemory(MemoryTraceCheck check) { vcpu.setMemoryAccessListener(check); }

    /** Compares every port write of this pass with the window's I/O trace (see {@link IoTraceCheck}); null: none. */
    IoTraceCheck ioCheck;

    long position() { return vcpu.instructionCount(); }

    /** Replays every event up to and including END; returns normally at END (state ready to compare). */
    void run() throws Stop { run(false); }

    /**
     * Replays until every checkpoint has been passed (at the latest to END), for a pass that only observes the
     * checkpoints. The rest may be skipped only because another pass over the same window already reached END:
     * the replay is deterministic, so this one would too.
     */
    void runThroughCheckpoints() throws Stop { run(true); }

    private void run(boolean untilLastCheckpoint) throws Stop {
        beginTrace();
        if (checkpointListener != null) {
            while (nextCheckpoint < checkpoints.length && checkpoints[nextCheckpoint] <= 0) {
                checkpointListener.at(0, this);
                nextCheckpoint++;
            }
        }
        for (PcmEvent e : window.events()) {
            if (untilLastCheckpoint && nextCheckpoint >= checkpoints.length) return;
            switch (e.kind()) {
                case STATE -> { }
                case END -> {
                    advanceTo(e.position(), e);
                    endInsideRepString(e);
                    // No checkpoint follows a window's last instruction (the final snapshot stands for it): its
                    // undefined flags are taken from there, as at a checkpoint (CI of stop 20: DIVERGED "at 999" of 1000).
                    if (!registerCheckpoints.diverged()) vcpu.adoptUndefinedFlags(window.end().registers().rflags());
                    consistentUpTo = e.position();
                    return;
                }
                case INTERRUPT -> interrupt(e);
                case NMI -> throw Stop.inconclusive("NMI at position " + e.position() + ": NMI replay is not supported by the soft RCP");
                case DMA_WRITE -> dma(e);
                case CHECKPOINT -> checkpoint(e);
                case REG_WRITE -> registerWrite(e);
                case FINGERPRINTS -> { } // read up front (FingerprintTracker in SoftReplayVerifier)
                default -> input(e);
            }
        }
        throw Stop.inconclusive("no END event");
    }

    // ------------------------------------------------------------------------------------------
    // events

    /**
     * A window can end inside a REP string instruction: a KVM recording steps one iteration per exit and closes a window
     * at its timeout wherever the vCPU stands (Linux's clear_bss on the emulated SVM host: 0 instructions, RCX and RDI
     * moved). The replay stops between instructions (or its own chunks of iterations), not at that iteration: no
     * verdict, rather than a DIVERGED at the window's start.
     */
    private void endInsideRepString(PcmEvent e) throws Stop {
        if (vcpu.rip() == e.rip() && vcpu.gpr(2) != e.rcx() && vcpu.inRepStringIteration()) {
            throw Stop.inconclusive("the window ended inside the REP string instruction at position " + e.position()
                    + " (rip 0x" + Long.toHexString(e.rip()) + ", recorded RCX 0x" + Long.toHexString(e.rcx()) + ", 0x"
                    + Long.toHexString(vcpu.gpr(2)) + " before it): the soft RCP stops only between instructions");
        }
    }

    private void interrupt(PcmEvent e) throws Stop {
        long p = e.position();
        reach(e);
        // inside a REP string instruction the interpreter yields between chunks of iterations: find the chunk
        int guard = 0;
        while (vcpu.instructionCount() == p && vcpu.rip() == e.rip() && vcpu.gpr(2) != e.rcx()
                && vcpu.inRepStringIteration() && guard++ < 1_000_000) {
            VmExit x = step(p);
            if (x != null) {
                throw Stop.inconclusive("interrupt inside a REP string instruction at position " + p
                        + ": the replay met " + x + " before reaching rcx 0x" + Long.toHexString(e.rcx()));
            }
        }
        if (vcpu.instructionCount() != p) {
            throw Stop.inconclusive("interrupt at position " + p + " rip 0x" + Long.toHexString(e.rip()) + " rcx 0x"
                    + Long.toHexString(e.rcx()) + " falls inside a REP string instruction at an iteration the interpreter cannot stop at");
        }
        List<String> d = new ArrayList<>();
        if (vcpu.rip() != e.rip()) d.add("rip at interrupt: replay 0x" + Long.toHexString(vcpu.rip()) + " != log 0x" + Long.toHexString(e.rip()));
        if (vcpu.gpr(2) != e.rcx()) d.add("rcx at interrupt: replay 0x" + Long.toHexString(vcpu.gpr(2)) + " != log 0x" + Long.toHexString(e.rcx()));
        if (!d.isEmpty()) throw Stop.diverged(p, vcpu.rip(), d);
        int vector = (int) e.address();
        if (vector < 0 || vector > 255) throw Stop.inconclusive("INTERRUPT with vector " + e.address());
        try {
            if (!vcpu.canInjectInterrupt()) {
                throw Stop.diverged(p, vcpu.rip(), List.of("interrupt vector 0x" + Integer.toHexString(vector)
                        + " logged at position " + p + " but the replay cannot take an interrupt there (RFLAGS 0x"
                        + Long.toHexString(vcpu.rflags()) + ": IF clear or interrupt shadow)"));
            }
            vcpu.injectInterrupt(vector);
        } catch (BackendException ex) {
            throw Stop.inconclusive("cannot inject vector " + vector + ": " + ex.getMessage());
        }
        consistentUpTo = p;
        lastExitPosition = -1;
    }

    private void dma(PcmEvent e) throws Stop {
        long p = e.position();
        if (!duringLastExit(p)) reach(e);
        beginTrace();
        byte[] data = e.data();
        long gpa = e.address();
        if (gpa < 0 || gpa + data.length > ram.byteSize() || gpa + data.length < gpa) {
            throw Stop.inconclusive("DMA_WRITE of " + data.length + " bytes at 0x" + Long.toHexString(gpa) + " is outside RAM");
        }
        MemorySegment.copy(data, 0, ram, ValueLayout.JAVA_BYTE, gpa, data.length);
        if (tracing()) tracer.changed(p, vcpu.rip(), this);
        consistentUpTo = p;
    }

    /** The window's register checkpoints against this replay (docs/sampling.md, "Register checkpoints"). */
    final CheckpointTracker registerCheckpoints;

    /** CHECKPOINT: the recording CPU's registers after {@code position} instructions; compared here. */
    private void checkpoint(PcmEvent e) throws Stop {
        long p = e.position();
        reach(e);
        try {
            registerCheckpoints.record(e);
        } catch (IllegalArgumentException x) {
            throw Stop.inconclusive(x.getMessage());
        }
        // Undefined flags are no architecture's: take the recording CPU's (a later PUSHF or interrupt frame shows them;
        // the emulated SVM host's SHR by 29 left OF as QEMU does, the AMD model said otherwise: issue 12).
        if (!registerCheckpoints.diverged() && vcpu.instructionCount() == p) vcpu.adoptUndefinedFlags(registerCheckpoints.recorded().rflags());
        if (!registerCheckpoints.diverged() && registerCheckpoints.compare(p, vcpu.registers())) consistentUpTo = p;
        if (stopAtCheckpointDivergence && registerCheckpoints.diverged()) {
            throw new Stop(registerCheckpoints.divergence().orElseThrow(), "register checkpoint at position " + p + " differs");
        }
    }

    /** Ends the pass at the first checkpoint that disagrees (a tracing pass needs nothing after it). */
    boolean stopAtCheckpointDivergence;

    /** REG_WRITE: the VMM set a register when {@code position} instructions had retired. */
    private void registerWrite(PcmEvent e) throws Stop {
        long p = e.position();
        if (!duringLastExit(p)) reach(e);
        int index = (int) e.address();
        if (e.address() < 0 || e.address() >= Registers.NAMES.length) {
            throw Stop.inconclusive("REG_WRITE of register index " + e.address());
        }
        beginTrace();
        long[] a = vcpu.registers().toArray();
        a[index] = pcm.core.api.event.RegisterCheckpoints.written(e, a[index]);
        vcpu.setRegisters(Registers.fromArray(a));
        if (tracing()) tracer.changed(p, vcpu.rip(), this);
        consistentUpTo = p;
    }

    /**
     * Whether an event at {@code p} belongs to the input exit just completed there (logged during that exit,
     * after its instruction retired) rather than before the next instruction.
     */
    private boolean duringLastExit(long p) {
        return p == lastExitPosition && position() == countAfterLastExit;
    }

    /** Runs to the position of {@code e}, which the replay must not have passed (else the log is out of order). */
    private void reach(PcmEvent e) throws Stop {
        long p = e.position();
        if (p < position()) throw Stop.inconclusive(e.kind() + " at position " + p + " lies before the replay position " + position());
        advanceTo(p, e);
    }

    private static EventKind kindOf(VmExit x) {
        return switch (x) {
            case VmExit.PortIn i -> EventKind.PIO_IN;
            case VmExit.MmioRead r -> EventKind.MMIO_READ;
            case VmExit.MmioWrite w -> EventKind.MMIO_WRITE;
            case VmExit.Cpuid c -> EventKind.CPUID;
            case VmExit.MsrRead m -> EventKind.MSR_READ;
            case VmExit.Hypercall h -> EventKind.VMCALL;
            case VmExit.Nondeterministic n -> switch (n.insn()) {
                case RDTSC -> EventKind.RDTSC;
                case RDTSCP -> EventKind.RDTSCP;
                case RDRAND -> EventKind.RDRAND;
                case RDSEED -> EventKind.RDSEED;
                case RDPMC -> EventKind.RDPMC;
            };
            default -> null;
        };
    }

    private static String describe(VmExit x) {
        return switch (x) {
            case VmExit.PortIn i -> "PIO_IN port 0x" + Integer.toHexString(i.port());
            case VmExit.MmioRead r -> "MMIO_READ 0x" + Long.toHexString(r.address());
            case VmExit.MmioWrite w -> "MMIO_WRITE 0x" + Long.toHexString(w.address()) + " value 0x" + Long.toHexString(w.data());
            case VmExit.Cpuid c -> "CPUID leaf 0x" + Integer.toHexString(c.leaf());
            case VmExit.MsrRead m -> "MSR_READ 0x" + Integer.toHexString(m.index());
            default -> String.valueOf(kindOf(x));
        };
    }

    private static String describe(PcmEvent e) {
        return switch (e.kind()) {
            case PIO_IN -> "PIO_IN port 0x" + Long.toHexString(e.address());
            case MMIO_READ -> "MMIO_READ 0x" + Long.toHexString(e.address());
            case MMIO_WRITE -> "MMIO_WRITE 0x" + Long.toHexString(e.address()) + " value 0x" + Long.toHexString(e.value());
            case CPUID -> "CPUID leaf 0x" + Long.toHexString(e.address());
            case MSR_READ -> "MSR_READ 0x" + Long.toHexString(e.address());
            default -> e.kind().toString();
        };
    }

    /** An input the instruction at the event's position consumed (or an output it produced, MMIO_WRITE). */
    private void input(PcmEvent e) throws Stop {
        long p = e.position();
        if (p < position() && !duringLastExit(p)) {
            // the consuming instruction already retired: only possible if two events share an exit
            throw Stop.inconclusive(e.kind() + " at position " + p + " lies before the replay position " + position());
        }
        VmExit x = runToExit(p, e);
        long at = vcpu.exitPosition(x);
        List<String> d = new ArrayList<>();
        EventKind k = kindOf(x);
        if (k != e.kind()) {
            d.add("log: " + describe(e) + " at position " + p + "; replay: " + describe(x));
        } else {
            switch (x) {
                case VmExit.PortIn i -> { if (i.port() != (int) e.address()) d.add("port: replay 0x" + Integer.toHexString(i.port()) + " != log 0x" + Long.toHexString(e.address())); }
                case VmExit.MmioRead r -> { if (r.address() != e.address()) d.add("MMIO read address: replay 0x" + Long.toHexString(r.address()) + " != log 0x" + Long.toHexString(e.address())); }
                case VmExit.MmioWrite w -> {
                    long mask = w.size() >= 8 ? -1L : (1L << (8 * w.size())) - 1;
                    if (w.address() != e.address()) d.add("MMIO write address: replay 0x" + Long.toHexString(w.address()) + " != log 0x" + Long.toHexString(e.address()));
                    else if ((w.data() & mask) != (e.value() & mask)) d.add("MMIO write 0x" + Long.toHexString(w.address()) + " value: replay 0x" + Long.toHexString(w.data() & mask) + " != log 0x" + Long.toHexString(e.value() & mask));
                }
                case VmExit.Cpuid c -> { if (c.leaf() != (int) e.address()) d.add("CPUID leaf: replay 0x" + Integer.toHexString(c.leaf()) + " != log 0x" + Long.toHexString(e.address())); }
                case VmExit.MsrRead m -> { if (m.index() != (int) e.address()) d.add("MSR index: replay 0x" + Integer.toHexString(m.index()) + " != log 0x" + Long.toHexString(e.address())); }
                default -> { }
            }
        }
        if (!d.isEmpty()) throw Stop.diverged(at, vcpu.rip(), d);
        ExitResult r;
        if (e.kind() == EventKind.CPUID) {
            byte[] b = e.data();
            if (b.length < 16) throw Stop.inconclusive("CPUID event at position " + p + " without its 16 result bytes");
            r = new ExitResult.CpuidValue(le32(b, 0), le32(b, 4), le32(b, 8), le32(b, 12));
        } else if (e.kind() == EventKind.MMIO_WRITE) {
            r = ExitResult.done();
        } else {
            r = ExitResult.value(e.value());
        }
        beginTrace();
        long exitRip = vcpu.rip();
        try {
            vcpu.complete(x, r);
            if ((e.kind() == EventKind.RDRAND || e.kind() == EventKind.RDSEED) && e.data().length == 1 && e.data()[0] == 0) {
                // the logged instruction failed (CF=0); the interpreter's completion always sets CF
                long[] regs = vcpu.registers().toArray();
                regs[17] &= ~1L;
                vcpu.setRegisters(pcm.core.api.cpu.Registers.fromArray(regs));
            }
        } catch (BackendException ex) {
            throw Stop.inconclusive("cannot complete " + e.kind() + ": " + ex.getMessage());
        }
        lastExitPosition = at;
        countAfterLastExit = position();
        consistentUpTo = at;
        if (tracing()) {
            beginTrace();
            tracer.changed(at, exitRip, this);
        }
    }

    private static int le32(byte[] b, int o) {
        return (b[o] & 0xFF) | (b[o + 1] & 0xFF) << 8 | (b[o + 2] & 0xFF) << 16 | (b[o + 3] & 0xFF) << 24;
    }

    // ------------------------------------------------------------------------------------------
    // running

    /** Runs until the next input exit, which must belong to the instruction after {@code p} retired instructions. */
    private VmExit runToExit(long p, PcmEvent e) throws Stop {
        while (true) {
            VmExit x = runChunk(nextStop(p + 1));
            if (x == null) {
                if (position() >= p + 1) {
                    throw Stop.diverged(p, vcpu.rip(), List.of("log: " + describe(e) + " consumed by instruction "
                            + (p + 1) + "; replay: that instruction retired without it"));
                }
                continue;
            }
            if (kindOf(x) != null) {
                long at = vcpu.exitPosition(x);
                if (at < p) {
                    throw Stop.diverged(at, vcpu.rip(), List.of("replay: " + describe(x) + " at position " + at
                            + "; log: nothing there, next is " + describe(e) + " at position " + p));
                }
                return x;
            }
            otherExit(x, p, e);
        }
    }

    /** Runs until exactly {@code p} instructions retired (no input exit on the way). */
    private void advanceTo(long p, PcmEvent e) throws Stop {
        while (position() < p) {
            VmExit x = runChunk(nextStop(p));
            if (x == null) continue;
            if (kindOf(x) != null) {
                long at = vcpu.exitPosition(x);
                throw Stop.diverged(at, vcpu.rip(), List.of("replay: " + describe(x) + " at position " + at
                        + "; log: nothing there, next is " + describe(e) + " at position " + p));
            }
            otherExit(x, p, e);
        }
        // The last chunk may have ended on an exit that retired the instruction before p (an OUT, HLT): runChunk left
        // the checkpoints at p for later, with the exit open. It is completed now, and the event at p (a REG_WRITE, an
        // interrupt) must not change the registers before they are compared: CI of stop 23, a fault injected right
        // after an OUT was reported one instruction early.
        passCheckpoints(position());
    }

    /** Exits that carry no logged input: port writes, MSR writes, HLT, kicks; the rest end the pass. */
    private void otherExit(VmExit x, long p, PcmEvent e) throws Stop {
        switch (x) {
            case VmExit.PortOut o -> {
                if (ioCheck != null) ioCheck.portOut(vcpu.exitPosition(x), o.port(), o.size(), o.data(), vcpu.rip());
                complete(x);
            }
            case VmExit.MsrWrite w -> complete(x);
            case VmExit.Hlt h -> { }
            case VmExit.Interrupted i -> { }
            case VmExit.InterruptWindow w -> { }
            case VmExit.InternalError ie -> {
                String why = vcpu.lastUnsupported();
                throw Stop.inconclusive("unsupported at position " + position() + ": " + (why != null ? why : ie.detail()));
            }
            case VmExit.Shutdown s -> {
                if (e.kind() == EventKind.END && position() == p) return;
                throw Stop.diverged(position(), vcpu.rip(), List.of("replay: shutdown (" + s.reason() + ") at position "
                        + position() + "; log: " + describe(e) + " at position " + p));
            }
            default -> throw Stop.inconclusive("unexpected exit " + x + " at position " + position());
        }
    }

    private void complete(VmExit x) throws Stop {
        try {
            vcpu.complete(x, ExitResult.done());
        } catch (BackendException ex) {
            throw Stop.inconclusive(ex.getMessage());
        }
    }

    /** Where a run to {@code target} stops: {@code target}, or an earlier checkpoint, progress or trace start. */
    private long nextStop(long target) {
        long t = Math.min(target, nextProgress);
        if (nextCheckpoint < checkpoints.length) t = Math.min(t, checkpoints[nextCheckpoint]);
        if (position() < traceFrom) t = Math.min(t, traceFrom);
        return t;
    }

    private VmExit runChunk(long target) throws Stop {
        VmExit x;
        try {
            beginTrace();
            if (tracing()) {
                x = vcpu.runUntil(target, (before, rip) -> tracer.changed(before, rip, this));
            } else {
                x = vcpu.runUntil(target);
            }
        } catch (BackendException ex) {
            throw Stop.inconclusive(ex.getMessage());
        }
        beginTrace();
        long now = position();
        // a checkpoint is the state after exactly that many instructions with no exit open: an exit that
        // retired its instruction at the checkpoint is completed first (the next chunk returns at once)
        if (x == null) passCheckpoints(now);
        if (now >= nextProgress) {
            progress.accept(now);
            nextProgress = (now / PROGRESS_EVERY + 1) * PROGRESS_EVERY;
        }
        return x;
    }

    /** Calls the listener for every checkpoint up to {@code now} not yet passed; no exit may be open. */
    private void passCheckpoints(long now) {
        while (nextCheckpoint < checkpoints.length && checkpoints[nextCheckpoint] <= now) {
            if (checkpointListener != null) checkpointListener.at(now, this);
            nextCheckpoint++;
        }
    }

    /** One interpreter step (a chunk of a REP string instruction). */
    private VmExit step(long p) throws Stop {
        try {
            beginTrace();
            return vcpu.runUntil(p + 1, tracing() ? (before, rip) -> tracer.changed(before, rip, this) : null, 1);
        } catch (BackendException ex) {
            throw Stop.inconclusive(ex.getMessage());
        }
    }

    private boolean traceStarted;

    private boolean tracing() { return tracer != null && position() >= traceFrom; }

    /** Lets the tracer read the state at {@code traceFrom} before anything after it runs. */
    private void beginTrace() {
        if (!traceStarted && tracing()) {
            traceStarted = true;
            tracer.begin(this);
        }
    }

    @Override
    public void close() {
        vcpu.close();
        arena.close();
    }
}
