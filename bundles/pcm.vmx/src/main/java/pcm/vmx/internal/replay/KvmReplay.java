package pcm.vmx.internal.replay;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import pcm.core.api.cpu.BackendException;
import pcm.core.api.cpu.Registers;
import pcm.core.api.cpu.SpecialRegisters;
import pcm.core.api.event.EventKind;
import pcm.core.api.event.PcmEvent;
import pcm.core.api.sampling.InputObserver;
import pcm.core.api.exit.ExitResult;
import pcm.core.api.verify.CheckpointTracker;
import pcm.core.api.verify.Divergence;
import pcm.core.api.verify.FingerprintTracker;
import pcm.core.api.verify.RegisterWriters;
import pcm.core.api.verify.Snapshot;
import pcm.core.api.verify.MalformedWindowException;
import pcm.core.api.verify.Window;
import pcm.core.api.verify.WindowShape;
import pcm.core.api.vm.VmExit;
import pcm.vmx.internal.kvm.KvmHypervisor;
import pcm.vmx.internal.kvm.KvmVcpu;
import pcm.vmx.internal.position.InsnPeek;
import pcm.vmx.internal.position.StepCounter;

/**
 * One replay of a window on a KVM VM new or reset to new ({@link ReplayMachines}), counted by {@link StepCounter} (see {@link KvmReplayVerifier}).
 */
final class KvmReplay implements AutoCloseable {

    /** Ends the replay: DIVERGED (with the divergence) or INCONCLUSIVE (with why). */
    static final class Stop extends Exception {
        private static final long serialVersionUID = 1L;
        final transient Divergence divergence;
        final String why;

        Stop(Divergence d, String why) {
            super(why, null, false, false);
            this.divergence = d;
            this.why = why;
        }

        static Stop inconclusive(String why) { return new Stop(null, why); }

        static Stop diverged(long position, long rip, List<String> what) {
            return new Stop(new Divergence(position, rip, what), String.join("; ", what));
        }
    }

    private final Window window;
    private final ReplayMachines machines;
    private final ReplayMachines.Machine machine;
    private final MemorySegment ram;
    private final KvmVcpu cpu;
    private final StepCounter counter;
    /** Inputs the replay's vCPU consumed natively (an instruction stepped together with an IRETQ to CPL3). */
    private record Observed(EventKind kind, long position, long rip) {}
    private final List<Observed> observed = new ArrayList<>();
    /** An input exit met exactly at the target of {@link #advance} (after an IRETQ stepped with it). */
    private VmExit heldExit;
    final long endPosition;
    long consistentUpTo;
    /** Position of the last input exit answered from the log (its instruction counts on the next run), else -1. */
    private long pendingExit = -1;

    KvmReplay(Window w, KvmHypervisor hv, ReplayMachines machines) throws Stop, BackendException {
        this.window = w;
        this.endPosition = check(w);
        this.finalState = new FinalStateComparison(w);
        this.machines = machines;
        Snapshot init = w.initial();
        this.registerCheckpoints = new CheckpointTracker(init.registers());
        this.fingerprints = new FingerprintTracker(w.events(), init.registers());
        this.writers = new RegisterWriters(init.registers());
        this.tracedRip = init.registers().rip();
        registerCheckpoints.traceWriters(writers);
        long size = init.memory().size();
        ReplayMachines.Machine m;
        try {
            m = machines.take(hv, size);
        } catch (BackendException e) {
            throw Stop.inconclusive("replay VM setup failed: " + e.getMessage());
        } catch (RuntimeException | OutOfMemoryError e) {
            throw Stop.inconclusive("cannot make a replay VM with " + size + " bytes of memory: " + e);
        }
        machine = m;
        ram = m.ram;
        cpu = m.cpu;
        try {
            byte[] buf = new byte[1 << 20];
            for (long at = 0; at < size; at += buf.length) {
                int n = (int) Math.min(buf.length, size - at);
                init.memory().read(at, buf, 0, n);
                MemorySegment.copy(buf, 0, ram, ValueLayout.JAVA_BYTE, at, n);
            }
            KvmVcpu c = cpu;
            c.setSpecialRegisters(init.specialRegisters());
            c.setRegisters(init.registers());
            if (init.fpu() != null && init.fpu().length == 512) c.setFpuState(init.fpu());
            if (init.msrs() != null) {
                for (Map.Entry<Integer, Long> e : init.msrs().entrySet()) {
                    if (e.getKey() == null || e.getValue() == null || e.getKey() == 0xC0000080) continue; // EFER: sregs
                    try {
                        c.writeMsr(e.getKey(), e.getValue());
                    } catch (BackendException x) {
                        // an MSR KVM refuses: the guest code of a window rarely reads it; RDMSR is fed from the log
                    }
                }
            }
            counter = new StepCounter(c, new SegmentMemory(ram), new InputObserver() {
                @Override
                public void observed(EventKind kind, long position, long rip, long rcx, long address, long value, byte[] data) {
                    observed.add(new Observed(kind, position, rip));
                }

                @Override
                public void registers(long position, Registers registers) {
                    trace(position, registers);
                    fingerprints.compare(position, registers);
                    compareCheckpoint(position, registers);
                }
            });
            counter.reportRegistersEveryInstruction();
        } catch (BackendException | RuntimeException e) {
            machines.give(machine); // reset to new before its next replay, or destroyed if that fails
            throw e instanceof BackendException b ? Stop.inconclusive("replay VM setup failed: " + b.getMessage())
                    : Stop.inconclusive("replay VM setup failed: " + e);
        }
    }

    static long check(Window w) throws Stop {
        try {
            return WindowShape.endPosition(w);
        } catch (MalformedWindowException e) {
            throw Stop.inconclusive(e.getMessage());
        }
    }

    long position() { return counter.position(); }

    /** Replays every event; returns at END with the state ready to compare. */
    void run() throws Stop, BackendException {
        run(0);
    }

    /** Set by the time limit's watchdog; the replay ends INCONCLUSIVE at its next check. */
    private volatile boolean expired;
    private long limitNanos;

    /**
     * Replays every event within {@code limitNanos} (0: no limit). Past the limit the vCPU is kicked out of KVM_RUN
     * and the replay ends INCONCLUSIVE, naming where it stood: a single-step trap the (nested) hardware loses lets
     * the guest run on unstepped, where it may spin without an exit for ever - on the emulated SVM host a window's
     * replay never finished and pcm:run waited for its verdict until the run's budget was gone.
     */
    void run(long limitNanos) throws Stop, BackendException {
        this.limitNanos = limitNanos;
        Thread watchdog = limitNanos <= 0 ? null : Thread.ofVirtual().name("kvm-replay-limit").start(() -> {
            try {
                Thread.sleep(java.time.Duration.ofNanos(limitNanos));
                expired = true;
                while (true) { // a kick consumed just before KVM_RUN was entered is repeated
                    cpu.kick();
                    Thread.sleep(100);
                }
            } catch (InterruptedException done) {
                // the replay ended
            }
        });
        try {
            replayEvents();
        } finally {
            if (watchdog != null) watchdog.interrupt();
        }
    }

    private void checkTime() throws Stop {
        if (expired) throw Stop.inconclusive("the replay did not finish within " + (limitNanos >= 1_000_000_000L
                ? limitNanos / 1_000_000_000L + " s" : limitNanos / 1_000_000 + " ms") + " (pcm.rcp.kvm "
                + "maxReplaySeconds): at position " + counter.position() + " of " + endPosition);
    }

    private void replayEvents() throws Stop, BackendException {
        for (PcmEvent e : window.events()) {
            checkTime();
            switch (e.kind()) {
                case STATE -> { }
                case END -> {
                    advance(e.position(), e);
                    endInsideRepString(e);
                    consistentUpTo = e.position();
                    return;
                }
                case INTERRUPT -> interrupt(e);
                case NMI -> throw Stop.inconclusive("NMI at position " + e.position() + " is not replayed by the kvm RCP");
                case DMA_WRITE -> dma(e);
                case CHECKPOINT -> checkpoint(e);
                case REG_WRITE -> registerWrite(e);
                case FINGERPRINTS -> { } // read up front (FingerprintTracker)
                case RDTSC, RDTSCP, RDRAND, RDSEED, RDPMC, CPUID, MSR_READ -> emulate(e);
                case PIO_IN, MMIO_READ, MMIO_WRITE -> exitInput(e);
                default -> throw Stop.inconclusive(e.kind() + " at position " + e.position() + " is not replayed by the kvm RCP");
            }
        }
        throw Stop.inconclusive("no END event");
    }

    /**
     * A window that ended inside a REP string instruction (a KVM recording closed at its timeout between two of its
     * iterations: Linux's clear_bss on the emulated SVM host): this replay stops between instructions, so no verdict
     * rather than a DIVERGED at the window's start (the soft RCP says the same).
     */
    private void endInsideRepString(PcmEvent e) throws Stop, BackendException {
        Registers r = cpu.registers();
        if (r.rip() == e.rip() && r.rcx() != e.rcx() && counter.atRepString()) {
            throw Stop.inconclusive("the window ended inside the REP string instruction at position " + e.position()
                    + " (rip 0x" + Long.toHexString(e.rip()) + ", recorded RCX 0x" + Long.toHexString(e.rcx()) + ", 0x"
                    + Long.toHexString(r.rcx()) + " before it): the kvm RCP stops only between instructions");
        }
    }

    private void interrupt(PcmEvent e) throws Stop, BackendException {
        long p = e.position();
        advance(p, e);
        Registers r = cpu.registers();
        trace(p, r);
        List<String> d = new ArrayList<>();
        if (r.rip() != e.rip()) d.add("rip at interrupt: replay 0x" + Long.toHexString(r.rip()) + " != log 0x" + Long.toHexString(e.rip()));
        if (r.rcx() != e.rcx()) d.add("rcx at interrupt: replay 0x" + Long.toHexString(r.rcx()) + " != log 0x" + Long.toHexString(e.rcx()));
        if (!d.isEmpty()) throw Stop.diverged(p, r.rip(), d);
        int vector = (int) e.address();
        if (vector < 0 || vector > 255) throw Stop.inconclusive("INTERRUPT with vector " + e.address());
        if (!cpu.canInjectInterrupt()) {
            throw Stop.diverged(p, r.rip(), List.of("interrupt vector 0x" + Integer.toHexString(vector) + " logged at position "
                    + p + " but the replay cannot take an interrupt there (RFLAGS 0x" + Long.toHexString(r.rflags())
                    + ": IF clear or interrupt shadow)"));
        }
        cpu.injectInterrupt(vector);
        consistentUpTo = p;
    }

    private void dma(PcmEvent e) throws Stop, BackendException {
        long p = e.position();
        boolean duringExit = pendingExit == p && counter.position() == p;
        if (!duringExit) advance(p, e);
        byte[] data = e.data();
        long gpa = e.address();
        if (gpa < 0 || gpa + data.length > ram.byteSize() || gpa + data.length < gpa) {
            throw Stop.inconclusive("DMA_WRITE of " + data.length + " bytes at 0x" + Long.toHexString(gpa) + " is outside RAM");
        }
        MemorySegment.copy(data, 0, ram, ValueLayout.JAVA_BYTE, gpa, data.length);
        consistentUpTo = p;
    }

    /** The window's register checkpoints against this replay (docs/sampling.md, "Register checkpoints"). */
    final CheckpointTracker registerCheckpoints;
    /** The window's register fingerprints against this replay (compared at every position the counter reports). */
    final FingerprintTracker fingerprints;

    /** The first register disagreement: by a fingerprint or a checkpoint (last-writer traced), the earlier. */
    Divergence registerDivergence() {
        return FingerprintTracker.earlier(fingerprints.divergence().orElse(null), registerCheckpoints.divergence().orElse(null));
    }
    /** Recorded registers of the checkpoints read from the log but not yet compared, by position. */
    private final java.util.TreeMap<Long, Registers> pendingCheckpoints = new java.util.TreeMap<>();

    /**
     * CHECKPOINT: the recording CPU's registers after {@code position} instructions. The replay does not stop
     * there: the counter reports its registers before every instruction it steps (and where it cannot stop),
     * and {@link #compareCheckpoint} compares them as it passes. A checkpoint at the position of the next event
     * is compared when the replay stops there ({@link #compareCheckpointsUpTo}).
     */
    private void checkpoint(PcmEvent e) throws Stop {
        try {
            registerCheckpoints.record(e);
        } catch (IllegalArgumentException x) {
            throw Stop.inconclusive(x.getMessage());
        }
        if (e.position() < counter.position()) {
            throw Stop.inconclusive("CHECKPOINT at position " + e.position() + " lies before the replay position " + counter.position());
        }
        if (!registerCheckpoints.diverged()) pendingCheckpoints.put(e.position(), registerCheckpoints.recorded());
    }

    /**
     * Last writers of the registers (sparse checkpoints are located by them, CheckpointTracker): the counter reports
     * the registers before every instruction it steps, so whatever changed since the previous report was written by
     * the instruction stepped in between — or, at an event's position, by what the replay did there (an emulated
     * input, a REG_WRITE, an interrupt delivery): {@link #trace} is called there before the replay changes them.
     */
    private final RegisterWriters writers;
    private long tracedPosition, tracedRip;

    /** The registers before the instruction at {@code position}: the changes since the last call were the last one's. */
    private void trace(long position, Registers now) {
        if (position < tracedPosition) return;
        writers.changed(tracedPosition, tracedRip, now);
        tracedPosition = position;
        tracedRip = now.rip();
    }

    private void compareCheckpoint(long position, Registers replay) {
        Registers recorded = pendingCheckpoints.remove(position);
        if (recorded != null && registerCheckpoints.compare(position, replay, recorded)) consistentUpTo = position;
    }

    /**
     * Before the event at {@code p} is replayed: the checkpoint at {@code p} against the registers now (the counter
     * reports a position only when it steps its instruction). Checkpoints before {@code p} were compared as the
     * counter passed them; one it never reported (none known) is dropped uncompared.
     */
    private void compareCheckpointsUpTo(long p) throws BackendException {
        if (fingerprints.at(p) != 0 && counter.position() == p && !fingerprints.diverged()) fingerprints.compare(p, cpu.registers());
        if (pendingCheckpoints.isEmpty()) return;
        if (pendingCheckpoints.containsKey(p) && counter.position() == p && !registerCheckpoints.diverged()) {
            Registers now = cpu.registers();
            trace(p, now);
            compareCheckpoint(p, now);
        }
        pendingCheckpoints.headMap(p, true).clear();
    }

    /** REG_WRITE: the VMM set a register when {@code position} instructions had retired. */
    private void registerWrite(PcmEvent e) throws Stop, BackendException {
        long p = e.position();
        boolean duringExit = pendingExit == p && counter.position() == p;
        if (!duringExit) advance(p, e);
        if (e.address() < 0 || e.address() >= Registers.NAMES.length) throw Stop.inconclusive("REG_WRITE of register index " + e.address());
        Registers before = cpu.registers();
        trace(p, before);
        long[] a = before.toArray();
        a[(int) e.address()] = pcm.core.api.event.RegisterCheckpoints.written(e, a[(int) e.address()]);
        cpu.setRegisters(Registers.fromArray(a));
        counter.registersChanged();
        consistentUpTo = p;
    }

    /** Port/MMIO inputs and MMIO writes: the instruction at the event's position must exit with the same access. */
    private void exitInput(PcmEvent e) throws Stop, BackendException {
        long p = e.position();
        advance(p, e);
        VmExit x = heldExit;
        heldExit = null;
        if (x == null) {
            x = counter.runUntil(p + 1);
            checkTime();
            checkUnlogged(e);
        }
        if (x instanceof VmExit.Interrupted && counter.position() > p) {
            throw Stop.diverged(p, rip(), List.of("log: " + describe(e) + " consumed by instruction " + (p + 1)
                    + "; replay: that instruction retired without it"));
        }
        List<String> d = new ArrayList<>();
        ExitResult answer = ExitResult.done();
        switch (x) {
            case VmExit.PortIn in when e.kind() == EventKind.PIO_IN -> {
                if (in.port() != (int) e.address()) d.add("port: replay 0x" + Integer.toHexString(in.port()) + " != log 0x" + Long.toHexString(e.address()));
                answer = ExitResult.value(e.value());
            }
            case VmExit.MmioRead rd when e.kind() == EventKind.MMIO_READ -> {
                if (rd.address() != e.address()) d.add("MMIO read address: replay 0x" + Long.toHexString(rd.address()) + " != log 0x" + Long.toHexString(e.address()));
                answer = ExitResult.value(e.value());
            }
            case VmExit.MmioWrite wr when e.kind() == EventKind.MMIO_WRITE -> {
                long mask = wr.size() >= 8 ? -1L : (1L << (8 * wr.size())) - 1;
                if (wr.address() != e.address()) d.add("MMIO write address: replay 0x" + Long.toHexString(wr.address()) + " != log 0x" + Long.toHexString(e.address()));
                else if ((wr.data() & mask) != (e.value() & mask)) d.add("MMIO write 0x" + Long.toHexString(wr.address()) + " value: replay 0x"
                        + Long.toHexString(wr.data() & mask) + " != log 0x" + Long.toHexString(e.value() & mask));
            }
            default -> d.add("log: " + describe(e) + " at position " + p + "; replay: " + x + " at position " + counter.position());
        }
        if (!d.isEmpty()) throw Stop.diverged(p, rip(), d);
        trace(p, cpu.registers());
        cpu.complete(x, answer);
        pendingExit = p;
        consistentUpTo = p;
    }

    /**
     * Inputs that do not exit on KVM (RDTSC, RDTSCP, RDRAND, RDSEED, RDPMC, CPUID, RDMSR handled in the kernel):
     * the instruction at the event's position is carried out by the VMM with the logged result.
     */
    private void emulate(PcmEvent e) throws Stop, BackendException {
        long p = e.position();
        advance(p, e);
        Registers r = cpu.registers();
        trace(p, r);
        // Stepped natively together with an IRETQ to CPL3 (the counter cannot stop between them): the registers
        // hold its output now; overwrite that with the logged result.
        Observed done = observed.stream().filter(o -> o.kind() == e.kind() && o.position() == p).findFirst().orElse(null);
        observed.remove(done);
        long insnRip = done != null ? done.rip() : r.rip();
        byte[] b = new byte[15];
        int n = counter.readLinear(insnRip, b, 15);
        int i = 0, rex = 0;
        boolean opsize = false;
        while (i < n) {
            int v = b[i] & 0xFF;
            if (v == 0x66) { opsize = true; i++; }
            else if (v == 0x67 || v == 0xF2 || v == 0xF3 || v == 0x2E || v == 0x36 || v == 0x3E || v == 0x26 || v == 0x64 || v == 0x65 || v == 0xF0) i++;
            else break;
        }
        if (i < n && (b[i] & 0xF0) == 0x40) rex = b[i++] & 0xF;
        int op1 = i + 1 < n && (b[i] & 0xFF) == 0x0F ? b[i + 1] & 0xFF : -1;
        int op2 = i + 2 < n ? b[i + 2] & 0xFF : -1;
        long[] a = r.toArray(); // rax rbx rcx rdx rsi rdi rsp rbp r8..r15 rip rflags
        int len;
        EventKind found;
        switch (op1) {
            case 0x31 -> { found = EventKind.RDTSC; len = i + 2; edxEax(a, e.value()); }
            case 0x33 -> { found = EventKind.RDPMC; len = i + 2; edxEax(a, e.value()); }
            case 0x32 -> { found = EventKind.MSR_READ; len = i + 2; edxEax(a, e.value()); }
            case 0xA2 -> {
                found = EventKind.CPUID;
                len = i + 2;
                byte[] d = e.data();
                if (e.kind() == EventKind.CPUID && (d == null || d.length < 16)) throw Stop.inconclusive("CPUID event at " + p + " without its 16 result bytes");
                if (e.kind() == EventKind.CPUID) {
                    a[0] = le32(d, 0); a[1] = le32(d, 4); a[2] = le32(d, 8); a[3] = le32(d, 12);
                }
            }
            case 0x01 -> {
                found = op2 == 0xF9 ? EventKind.RDTSCP : null;
                len = i + 3;
                edxEax(a, e.value());
                byte[] d = e.data();
                if (d != null && d.length >= 4) a[2] = le32(d, 0);
            }
            case 0xC7 -> {
                int modrm = op2;
                int reg = modrm >> 3 & 7;
                found = (modrm >> 6) == 3 && reg == 6 ? EventKind.RDRAND : (modrm >> 6) == 3 && reg == 7 ? EventKind.RDSEED : null;
                len = i + 3;
                if (found != null) {
                    int x86 = (modrm & 7) | (rex & 1) << 3;
                    int idx = InsnPeek.registerIndex(x86);
                    long v = e.value();
                    if ((rex & 8) != 0) a[idx] = v;
                    else if (opsize) a[idx] = (a[idx] & ~0xFFFFL) | (v & 0xFFFF);
                    else a[idx] = v & 0xFFFF_FFFFL;
                    boolean cf = !(e.data() != null && e.data().length == 1 && e.data()[0] == 0);
                    a[17] = (a[17] & ~0x8D5L) | (cf ? 1 : 0);
                }
            }
            default -> { found = null; len = 0; }
        }
        // the operand that selected the input must be the logged one (a wrong leaf/index the result overwrites
        // would otherwise go unseen: the soft replay compares them at its exit the same way)
        long operand = found == EventKind.CPUID ? r.rax() & 0xFFFF_FFFFL : found == EventKind.MSR_READ ? r.rcx() & 0xFFFF_FFFFL : -1;
        if (found == e.kind() && operand >= 0 && operand != e.address()) {
            throw Stop.diverged(p, insnRip, List.of((found == EventKind.CPUID ? "CPUID leaf" : "MSR index") + ": replay 0x"
                    + Long.toHexString(operand) + " != log 0x" + Long.toHexString(e.address())));
        }
        if (found != e.kind()) {
            throw Stop.diverged(p, r.rip(), List.of("log: " + e.kind() + " consumed by instruction " + (p + 1)
                    + "; replay: the instruction at rip 0x" + Long.toHexString(insnRip) + " is " + (found == null ? "bytes "
                    + HexFormat.of().formatHex(b, 0, Math.min(n, 8)) : found.toString())));
        }
        if (done == null) {
            a[16] = r.rip() + len;
            cpu.setRegisters(Registers.fromArray(a));
            counter.countEmulated();
        } else {
            cpu.setRegisters(Registers.fromArray(a));
        }
        consistentUpTo = p;
    }

    private static void edxEax(long[] a, long v) {
        a[0] = v & 0xFFFF_FFFFL;
        a[3] = v >>> 32;
    }

    private static long le32(byte[] b, int o) {
        return (b[o] & 0xFFL) | (b[o + 1] & 0xFFL) << 8 | (b[o + 2] & 0xFFL) << 16 | (b[o + 3] & 0xFFL) << 24;
    }

    /**
     * Runs until exactly {@code p} instructions retired; any input exit or unlogged input on the way diverges.
     * Register checkpoints up to {@code p} are compared on the way.
     */
    private void advance(long p, PcmEvent next) throws Stop, BackendException {
        runTo(p, next);
        compareCheckpointsUpTo(p);
    }

    /** Instructions per runUntil between progress reports (a stop inside a replay injects nothing). */
    private static final long PROGRESS_CHUNK = 50_000;
    private static final long PROGRESS_NANOS = 250_000_000L;
    /** Told the replay position now and then (pcm:verify shows it); never null. */
    private java.util.function.LongConsumer progress = p -> { };
    private long lastProgress = System.nanoTime();

    void progress(java.util.function.LongConsumer listener) {
        this.progress = listener != null ? listener : p -> { };
    }

    private void reportProgress() {
        long now = System.nanoTime();
        if (now - lastProgress < PROGRESS_NANOS) return;
        lastProgress = now;
        try {
            progress.accept(counter.position());
        } catch (RuntimeException e) {
            // a failing progress display must not end the replay
        }
    }

    private void runTo(long p, PcmEvent next) throws Stop, BackendException {
        int idle = 0;
        while (counter.position() < p) {
            long before = counter.position();
            VmExit x = counter.runUntil(Math.min(p, before + PROGRESS_CHUNK));
            checkTime();
            reportProgress();
            checkUnlogged(next);
            switch (x) {
                case VmExit.Interrupted i -> { }
                case VmExit.PortOut o -> cpu.complete(x, ExitResult.done());
                case VmExit.Hlt h -> { }
                case VmExit.InterruptWindow w -> cpu.requestInterruptWindow(false);
                case VmExit.PortIn _, VmExit.MmioRead _, VmExit.MmioWrite _ -> hold(x, next, p);
                case VmExit.Shutdown s -> throw Stop.diverged(counter.position(), rip(), List.of("replay: shutdown (" + s.reason()
                        + ") at position " + counter.position() + "; log: " + describe(next) + " at position " + p));
                case VmExit.InternalError ie -> throw Stop.inconclusive("KVM internal error at position " + counter.position() + ": " + ie.detail());
                default -> throw Stop.inconclusive("unexpected exit " + x + " at position " + counter.position());
            }
            if (heldExit != null) return;
            idle = counter.position() == before ? idle + 1 : 0;
            if (idle > 1000) throw Stop.inconclusive("the replay makes no progress at position " + before + " (last exit " + x + ")");
        }
        if (counter.position() > p && !observedAt(next)) {
            throw Stop.inconclusive("the counter passed position " + p + " (at " + counter.position() + ")");
        }
    }

    private boolean observedAt(PcmEvent e) {
        return e != null && observed.stream().anyMatch(o -> o.kind() == e.kind() && o.position() == e.position());
    }

    /** An input exit at the target of an advance: kept for the event at that position if it is an exit input. */
    private void hold(VmExit x, PcmEvent next, long p) throws Stop, BackendException {
        boolean exitEvent = next.kind() == EventKind.PIO_IN || next.kind() == EventKind.MMIO_READ
                || next.kind() == EventKind.MMIO_WRITE;
        if (exitEvent && counter.position() == p && next.position() == p) {
            heldExit = x;
            return;
        }
        throw unexpected(x, next, p);
    }

    private Stop unexpected(VmExit x, PcmEvent next, long p) throws BackendException {
        return Stop.diverged(counter.position(), rip(), List.of("replay: " + x + " at position " + counter.position()
                + "; log: nothing there, next is " + describe(next) + " at position " + p));
    }

    private void checkUnlogged(PcmEvent next) throws Stop, BackendException {
        for (Observed o : observed) {
            if (next != null && o.kind() == next.kind() && o.position() == next.position()) continue;
            throw Stop.diverged(o.position(), o.rip(), List.of("replay consumed an input the log does not have: "
                    + o.kind() + " at position " + o.position() + " rip 0x" + Long.toHexString(o.rip())
                    + (next == null ? "" : "; log: next is " + describe(next) + " at position " + next.position())));
        }
    }

    private long rip() throws BackendException {
        return cpu.registers().rip();
    }

    private static String describe(PcmEvent e) {
        return e.kind() + (e.kind() == EventKind.END ? "" : " 0x" + Long.toHexString(e.address()));
    }

    // ------------------------------------------------------------------ final state

    private final FinalStateComparison finalState;

    /** Differences between the replay's state now and the final snapshot (empty: equal). */
    List<String> compare() throws BackendException {
        return finalState.compare(cpu.registers(), cpu.specialRegisters(), ram);
    }

    /** See {@link FinalStateComparison#dmaBound}. */
    Divergence dmaBound(List<String> differences) {
        return finalState.dmaBound(differences);
    }

    @Override
    public void close() {
        try {
            counter.close();
        } catch (BackendException | RuntimeException e) {
            // the VM goes anyway
        }
        machines.give(machine);
    }
}
