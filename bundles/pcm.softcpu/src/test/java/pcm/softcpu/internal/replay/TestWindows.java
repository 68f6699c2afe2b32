package pcm.softcpu.internal.replay;

import pcm.core.api.guest.LongModeBoot;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;

import pcm.core.api.cpu.BackendException;
import pcm.core.api.cpu.CpuidMask;
import pcm.core.api.cpu.VirtualMachine;
import pcm.core.api.event.EventKind;
import pcm.core.api.event.PcmEvent;
import pcm.core.api.exit.ExitResult;
import pcm.core.api.sampling.PositionCounter;
import pcm.core.api.verify.MemoryImage;
import pcm.core.api.cpu.CpuIdentity;
import pcm.core.api.verify.RecordingCpu;
import pcm.core.api.verify.Snapshot;
import pcm.core.api.verify.Window;
import pcm.core.api.vm.VmExit;
import pcm.softcpu.internal.SoftHypervisor;
import pcm.softcpu.internal.SoftVcpu;
import pcm.softcpu.internal.position.SoftExactPositionService;

/**
 * A tiny recorder for tests: boots the embedded guest on the software CPU (platform of
 * docs/guest-contract.md), answers CPUID/RDTSC/RDRAND/MSR reads with random-ish values, injects timer
 * interrupts at chosen instruction counts, does synthetic DMA into an unused RAM page at UART writes and
 * progress checkpoints, and records windows (snapshot, every input with its soft-exact position, END,
 * final snapshot) at the requested starts and lengths.
 */
final class TestWindows implements AutoCloseable {

    static final Path IMAGE = Path.of("../pcm.guest/src/main/resources/pcm/guest/default-guest.bin");
    static final long TESTDEV = 0xFEB00000L;
    static final int[] MSRS = {0xC0000080, 0xC0000081, 0xC0000082, 0xC0000083, 0xC0000084, 0xC0000100, 0xC0000101,
        0xC0000102, 0xC0000103, 0x277, 0x174, 0x175, 0x176};

    record Image(byte[] bytes) implements MemoryImage {
        @Override public long size() { return bytes.length; }
        @Override public void read(long gpa, byte[] dst, int offset, int length) {
            if (gpa < 0 || gpa + length > bytes.length) throw new IndexOutOfBoundsException("gpa 0x" + Long.toHexString(gpa));
            System.arraycopy(bytes, (int) gpa, dst, offset, length);
        }
        @Override public long pageHash(long page) { return java.util.Arrays.hashCode(java.util.Arrays.copyOfRange(bytes, (int) (page << 12), (int) ((page + 1) << 12))); }
    }

    record TestWindow(String id, String backend, RecordingCpu cpu, Snapshot initial, List<PcmEvent> events, Snapshot end,
                      List<pcm.core.api.tracer.Trace> traces) implements Window {
        TestWindow(String id, String backend, RecordingCpu cpu, Snapshot initial, List<PcmEvent> events, Snapshot end) {
            this(id, backend, cpu, initial, events, end, List.of());
        }

        /** Recorded by the soft CPU with its default flag model (the host vendor's; Intel's for an unknown vendor). */
        TestWindow(String id, String backend, Snapshot initial, List<PcmEvent> events, Snapshot end) {
            this(id, backend, new RecordingCpu(backend, softDefault()), initial, events, end);
        }

        static CpuIdentity softDefault() {
            CpuIdentity h = CpuIdentity.host();
            return new CpuIdentity(h.vendor(), h.signature(),
                    CpuIdentity.AMD_FLAGS.equals(h.undefinedFlags()) ? CpuIdentity.AMD_FLAGS : CpuIdentity.INTEL_FLAGS);
        }
    }

    /** A window to record: start (instruction count since boot) and length. */
    record Plan(long start, long length) { }

    final long ramSize;
    final Arena arena = Arena.ofShared();
    final MemorySegment ram;
    final VirtualMachine vm;
    final SoftVcpu vcpu;
    final SplittableRandom rnd;
    final long tickEvery;
    final StringBuilder console = new StringBuilder();
    final SoftExactPositionService positions = new SoftExactPositionService();
    boolean stopped;
    long nextTick;
    int lcr;
    long scratch;
    long dmaCounter;
    /** Fault injection on the recording side: called with the vCPU at every step of the window (null: none). */
    FaultHook fault;
    /**
     * Records as a CPU whose undefined flags differ from the soft CPU's model: the architecturally undefined flags of
     * each window's last instruction are inverted before its final snapshot (QEMU's TCG on the emulated SVM host left
     * OF of a SHR by 29 clear where the AMD model sets it: issue 12). Counts the windows where that changed a flag.
     */
    boolean invertUndefinedFlagsAtEnd;
    int endsWithUndefinedFlags;

    /**
     * Register checkpoints every this many instructions (0: none), logged the way the kernel's recorder does
     * (pcm.core Recording: between runs, not where an interrupt was just injected, ahead of an INTERRUPT when due).
     */
    long checkpointEvery;
    /** A register fingerprint after every instruction (FINGERPRINTS events), as the kernel's recorder logs them. */
    boolean fingerprints;
    private long checkpointAt, loggedAt, injectedAt = -1, windowLength;
    private pcm.core.api.cpu.Registers checkpointBase;
    private pcm.core.api.event.RegisterFingerprints.Collector prints;

    private boolean registersLogged() {
        return checkpointEvery > 0 || fingerprints;
    }

    private long logEvery() {
        return fingerprints ? 1 : checkpointEvery;
    }

    private void checkpointIfDue() {
        if (counter == null || !registersLogged()) return;
        long pos = counter.position();
        if (pos < windowLength && pos - loggedAt >= logEvery() && injectedAt != pos) {
            pcm.core.api.cpu.Registers now = vcpu.registers();
            loggedAt = pos;
            if (fingerprints) {
                prints.add(pos, now);
                if (prints.full()) events.add(prints.drain(0, 0));
            }
            if (checkpointEvery > 0 && pos - checkpointAt >= checkpointEvery) {
                events.add(pcm.core.api.event.RegisterCheckpoints.checkpoint(0, pos, now, checkpointBase, 0));
                checkpointBase = now;
                checkpointAt = pos;
            }
        }
    }

    /**
     * A memory tracer armed for each window (the kernel's {@code mtr}, issue 15 item 3): its buffer in bytes, 0 = none.
     * The trace is recorded exactly as the kernel does it: the soft CPU's memory-access hook from position 0 to END.
     */
    int memoryTraceBytes;
    /** An I/O tracer armed for each window (the kernel's {@code itr}): its buffer in bytes, 0 = none (port reads and writes). */
    int ioTraceBytes;
    private pcm.core.api.tracer.IoTrace.Writer itr;

    /** A faulty store on the recording side: may change what the recording CPU stores (and what the trace sees). */
    StoreFault storeFault;

    interface StoreFault {
        /** Called after every access the window's CPU made; returns the data the memory tracer sees. */
        long access(long position, long gpa, boolean write, int size, long data, MemorySegment ram);
    }

    interface FaultHook {
        /** Called before running the window from window position {@code pos}; returns the next position to stop at. */
        long next(long pos);
        /** Called when the window reached that position (no exit open). */
        void at(long pos, SoftVcpu v);
    }

    // window being recorded
    PositionCounter counter;
    List<PcmEvent> events;

    TestWindows(long param, long ramSize, long timerHz, long tickEvery, long seed) throws IOException, BackendException {
        this.ramSize = ramSize;
        this.rnd = new SplittableRandom(seed);
        this.tickEvery = tickEvery;
        ram = arena.allocate(ramSize, 4096);
        byte[] img = Files.readAllBytes(IMAGE);
        MemorySegment.copy(img, 0, ram, ValueLayout.JAVA_BYTE, 0x100000, img.length);
        LongModeBoot.writeTables((gpa, v) -> ram.set(ValueLayout.JAVA_LONG_UNALIGNED, gpa, v),
                new LongModeBoot.BootInfo(ramSize, param, LongModeBoot.BootInfo.FLAG_RDRAND | LongModeBoot.BootInfo.FLAG_RDSEED, timerHz));
        vm = new SoftHypervisor().createVm();
        vm.setMemoryRegion(0, 0, ram, false);
        vcpu = (SoftVcpu) vm.createVcpu(0);
        vcpu.setCpuid(CpuidMask.NONE);
        vcpu.setSpecialRegisters(LongModeBoot.specialRegisters());
        vcpu.setRegisters(LongModeBoot.registers(0x100000));
        nextTick = tickEvery > 0 ? tickEvery : Long.MAX_VALUE;
    }

    /** Runs the guest to power-off, recording the planned windows (ascending, non-overlapping); each goes to {@code sink}. */
    void record(List<Plan> plans, Consumer<Window> sink) throws BackendException {
        int w = 0;
        while (!stopped) {
            if (w < plans.size()) {
                Plan p = plans.get(w);
                if (vcpu.instructionCount() < p.start()) {
                    step(p.start());
                    continue;
                }
                Window win = window("w" + w + "@" + vcpu.instructionCount(), p.length());
                w++;
                if (win != null) sink.accept(win);
            } else {
                step(Long.MAX_VALUE);
            }
        }
    }

    /** Runs until count {@code target} (null exit) or one exit, handled (and logged inside a window). */
    private void step(long target) throws BackendException {
        long t = Math.min(target, nextTick);
        if (counter != null && registersLogged()) {
            checkpointIfDue();
            long pos = counter.position();
            t = Math.min(t, base + Math.max(pos + 1, loggedAt + logEvery()));
        }
        if (counter != null && fault != null) {
            long n = fault.next(vcpu.instructionCount() - base);
            if (n < Long.MAX_VALUE - base) t = Math.min(t, base + n);
        }
        VmExit e = vcpu.runUntil(t);
        if (e == null) {
            if (fault != null && counter != null) fault.at(vcpu.instructionCount() - base, vcpu);
            if (vcpu.instructionCount() >= nextTick) tick();
            return;
        }
        handle(e);
    }

    private long base;
    private boolean restartPending;

    private Window window(String id, long length) throws BackendException {
        if (restartPending) { // an MMIO read is completed but not yet re-executed: not a clean snapshot point
            VmExit e = vcpu.runUntil(vcpu.instructionCount() + 1);
            if (e != null) handle(e);
            return null;
        }
        Snapshot init = snapshot(0);
        base = vcpu.instructionCount();
        counter = positions.start(vcpu, null, null);
        windowLength = length;
        checkpointAt = 0;
        loggedAt = 0;
        prints = new pcm.core.api.event.RegisterFingerprints.Collector();
        injectedAt = -1;
        checkpointBase = vcpu.registers();
        events = new ArrayList<>();
        events.add(new PcmEvent(EventKind.STATE, 0, 0, 0, 0, 0, 0, ("window-start " + id).getBytes(), 0));
        pcm.core.api.tracer.MemoryTrace.Writer mtr = null;
        if (memoryTraceBytes > 0) {
            pcm.core.api.tracer.MemoryTrace.Writer w = new pcm.core.api.tracer.MemoryTrace.Writer(memoryTraceBytes);
            long accessBase = vcpu.accessCount() - counter.position();
            StoreFault f = storeFault;
            vcpu.setMemoryAccessListener((count, gpa, write, size, data) -> {
                long pos = count - accessBase;
                w.access(pos, gpa, write, size, f == null ? data : f.access(pos, gpa, write, size, data, ram));
            });
            mtr = w;
        }
        itr = ioTraceBytes > 0 ? new pcm.core.api.tracer.IoTrace.Writer(ioTraceBytes) : null;
        long endAt = base + length;
        while (!stopped && vcpu.instructionCount() < endAt) step(endAt);
        List<pcm.core.api.tracer.Trace> traces = new ArrayList<>();
        if (mtr != null) {
            vcpu.setMemoryAccessListener(null);
            pcm.core.api.tracer.TraceData d = mtr.drain();
            traces.add(new pcm.core.api.tracer.Trace("mtr", pcm.core.api.tracer.Tracer.Kind.MEMORY,
                    pcm.core.api.tracer.Trace.Status.COMPLETE, "", d.format(), d.records(), d.dropped(), d.data()));
        }
        if (itr != null) {
            pcm.core.api.tracer.TraceData d = itr.drain();
            traces.add(new pcm.core.api.tracer.Trace("itr", pcm.core.api.tracer.Tracer.Kind.IO,
                    pcm.core.api.tracer.Trace.Status.COMPLETE, "", d.format(), d.records(), d.dropped(), d.data()));
            itr = null;
        }
        long pos = counter.position();
        if (invertUndefinedFlagsAtEnd && vcpu.adoptUndefinedFlags(vcpu.rflags() ^ 0x8D5) != 0) endsWithUndefinedFlags++;
        pcm.core.api.event.PcmEvent fp = prints.drain(0, 0);
        if (fp != null) events.add(fp);
        events.add(new PcmEvent(EventKind.END, 0, pos, vcpu.rip(), vcpu.gpr(2), 0, 0, null, 0));
        Snapshot fin = snapshot(pos);
        try {
            counter.close();
        } catch (Exception ignored) {
            // nothing
        }
        counter = null;
        return new TestWindow(id, "soft", new RecordingCpu("soft", vcpu.identity()), init, events, fin, traces);
    }

    private Snapshot snapshot(long pos) throws BackendException {
        Map<Integer, Long> msrs = new HashMap<>();
        for (int m : MSRS) if (vcpu.holdsMsr(m)) msrs.put(m, vcpu.readMsr(m));
        byte[] mem = new byte[(int) ramSize];
        MemorySegment.copy(ram, ValueLayout.JAVA_BYTE, 0, mem, 0, mem.length);
        return new Snapshot(pos, vcpu.registers(), vcpu.specialRegisters(), vcpu.fpuState(), msrs, new Image(mem));
    }

    private void log(EventKind k, long address, long value, byte[] data) {
        if (counter == null) return;
        events.add(new PcmEvent(k, 0, counter.position(), vcpu.rip(), vcpu.gpr(2), address, value, data, 0));
    }

    private void tick() throws BackendException {
        if (vcpu.canInjectInterrupt()) {
            checkpointIfDue();
            if (counter != null) injectedAt = counter.position();
            log(EventKind.INTERRUPT, 0x20, 0, null);
            vcpu.injectInterrupt(0x20);
            nextTick = vcpu.instructionCount() + tickEvery + rnd.nextLong(tickEvery / 2 + 1);
            vcpu.requestInterruptWindow(false);
        } else {
            vcpu.requestInterruptWindow(true);
            nextTick = vcpu.instructionCount() + 1 + rnd.nextLong(tickEvery / 4 + 1);
        }
    }

    private void handle(VmExit e) throws BackendException {
        restartPending = false;
        switch (e) {
            case VmExit.PortOut o -> {
                if (itr != null && counter != null) {
                    itr.transaction(pcm.core.api.tracer.IoTransactionListener.Type.PORT_OUT, counter.position(), o.port(), o.size(),
                            o.size() >= 8 ? o.data() : o.data() & ((1L << (8 * o.size())) - 1), null);
                }
                portOut(o);
                vcpu.complete(e, ExitResult.done());
            }
            case VmExit.PortIn in -> {
                long v = switch (in.port()) {
                    case 0x3FD -> 0x60;
                    case 0x3FB -> lcr;
                    default -> rnd.nextLong() & 0xFF;
                };
                log(EventKind.PIO_IN, in.port(), v, null);
                if (itr != null && counter != null) {
                    itr.transaction(pcm.core.api.tracer.IoTransactionListener.Type.PORT_IN, counter.position(), in.port(), in.size(), v, null);
                }
                vcpu.complete(e, ExitResult.value(v));
            }
            case VmExit.MmioRead r -> {
                long v = switch ((int) (r.address() - TESTDEV)) {
                    case 0x00 -> 0x0000000150434D31L;
                    case 0x08 -> guestParam();
                    case 0x10 -> scratch;
                    default -> -1L;
                };
                log(EventKind.MMIO_READ, r.address(), v, null);
                vcpu.complete(e, ExitResult.value(v));
                restartPending = true;
            }
            case VmExit.MmioWrite w -> {
                log(EventKind.MMIO_WRITE, w.address(), w.data(), null);
                switch ((int) (w.address() - TESTDEV)) {
                    case 0x10 -> scratch = w.data();
                    case 0x18 -> dma(8);
                    case 0x28 -> stopped = true;
                    default -> { }
                }
                vcpu.complete(e, ExitResult.done());
            }
            case VmExit.Hlt h -> {
                if (!h.interruptsEnabled()) stopped = true;
                else tickNow();
            }
            case VmExit.Cpuid c -> {
                int[] r = cpuid(c.leaf(), c.subleaf());
                byte[] d = new byte[16];
                for (int i = 0; i < 4; i++) for (int b = 0; b < 4; b++) d[i * 4 + b] = (byte) (r[i] >>> (8 * b));
                log(EventKind.CPUID, c.leaf(), r[0] & 0xFFFFFFFFL, d);
                vcpu.complete(e, new ExitResult.CpuidValue(r[0], r[1], r[2], r[3]));
            }
            case VmExit.Nondeterministic n -> {
                long v = switch (n.insn()) {
                    case RDTSC, RDTSCP -> vcpu.instructionCount() * 3 + rnd.nextLong(1000);
                    case RDRAND, RDSEED -> rnd.nextLong();
                    case RDPMC -> 0;
                };
                EventKind k = EventKind.valueOf(n.insn().name());
                log(k, n.operand(), v, null);
                vcpu.complete(e, ExitResult.value(v));
            }
            case VmExit.MsrRead m -> {
                log(EventKind.MSR_READ, m.index(), 0, null);
                vcpu.complete(e, ExitResult.value(0));
            }
            case VmExit.MsrWrite m -> vcpu.complete(e, ExitResult.done());
            case VmExit.InterruptWindow w -> {
                vcpu.requestInterruptWindow(false);
                tickNow();
            }
            case VmExit.Interrupted i -> { }
            case VmExit.Shutdown s -> stopped = true;
            case VmExit.InternalError ie -> throw new IllegalStateException("guest failed: " + ie.detail());
            default -> throw new IllegalStateException("unexpected exit " + e);
        }
    }

    private void tickNow() throws BackendException {
        if (vcpu.canInjectInterrupt()) {
            checkpointIfDue();
            if (counter != null) injectedAt = counter.position();
            log(EventKind.INTERRUPT, 0x20, 0, null);
            vcpu.injectInterrupt(0x20);
            nextTick = vcpu.instructionCount() + tickEvery + rnd.nextLong(tickEvery / 2 + 1);
        } else {
            vcpu.requestInterruptWindow(true);
        }
    }

    private long guestParam() { return ram.get(ValueLayout.JAVA_LONG_UNALIGNED, 0x8010); }

    /** A synthetic device writes {@code n} bytes into the last RAM page (the guest never uses it). */
    private void dma(int n) {
        long gpa = ramSize - 4096 + (dmaCounter * 8 % 4000);
        byte[] d = new byte[n];
        for (int i = 0; i < n; i++) d[i] = (byte) rnd.nextInt();
        dmaCounter++;
        MemorySegment.copy(d, 0, ram, ValueLayout.JAVA_BYTE, gpa, n);
        log(EventKind.DMA_WRITE, gpa, 0, d);
    }

    private void portOut(VmExit.PortOut o) {
        switch (o.port()) {
            case 0x3F8 -> {
                if ((lcr & 0x80) == 0) {
                    console.append((char) (o.data() & 0xFF));
                    if ((o.data() & 0xFF) == '\n') dma(4);
                }
            }
            case 0x3FB -> lcr = (int) o.data();
            case 0x64 -> {
                if (o.data() == 0xFE) stopped = true;
            }
            default -> { }
        }
    }

    private int[] cpuid(int leaf, int sub) {
        return switch (leaf) {
            case 0 -> new int[] {0xD, 0x756E6547, 0x6C65746E, 0x49656E69};
            case 1 -> new int[] {0x000906EA, 0x00000800, 0x40000000 | 0x80202001, 0x078BFBFF};
            case 7 -> sub == 0 ? new int[] {0, 1 << 18, 0, 0} : new int[4];
            default -> new int[] {rnd.nextInt(), rnd.nextInt(), rnd.nextInt(), rnd.nextInt()};
        };
    }

    @Override
    public void close() {
        vm.close();
        arena.close();
    }
}
