package pcm.core.internal.sampling;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import pcm.core.api.cpu.CpuIdentity;
import pcm.core.api.cpu.BackendException;
import pcm.core.api.cpu.Registers;
import pcm.core.api.cpu.VirtualCpu;
import pcm.core.api.event.EventKind;
import pcm.core.api.event.PcmEvent;
import pcm.core.api.event.RegisterCheckpoints;
import pcm.core.api.event.RegisterFingerprints;
import pcm.core.api.exit.ExitResult;
import pcm.core.api.memory.GuestMemory;
import pcm.core.api.memory.GuestMemoryProvider;
import pcm.core.api.sampling.InputObserver;
import pcm.core.api.sampling.PositionCounter;
import pcm.core.api.sampling.PositionService;
import pcm.core.api.sampling.SamplingException;
import pcm.core.api.tracer.IoTransactionListener;
import pcm.core.api.tracer.Trace;
import pcm.core.api.tracer.Tracer;
import pcm.core.api.verify.MemoryImage;
import pcm.core.api.vm.VmExit;
import pcm.core.internal.log.WindowMarkers;
import pcm.core.internal.vm.WindowProbe;

/**
 * One window being recorded on the vCPU thread: initial snapshot and counter at open, every
 * nondeterministic input as an event at its position, final snapshot and END at the end
 * (docs/sampling.md). The snapshots are kept in memory until the sampler stores them.
 */
final class Recording implements WindowProbe, InputObserver {

    private static final Logger LOG = LoggerFactory.getLogger(Recording.class);

    /** A position service and its ranking, as the sampler saw it. */
    record Ranked(PositionService service, int ranking) {}

    /** What the window produced. */
    record Result(CpuState initialCpu, MemoryImage initialMemory, CpuState finalCpu, MemoryImage finalMemory,
                  List<PageImage.Region> regions, long instructions, String positionService, String reason,
                  List<Trace> traces) {}

    /** The tracers to arm at open, and whether one is still a service at the close. */
    interface Tracers {
        Tracers NONE = new Tracers() {
            @Override public List<Tracer> armable() { return List.of(); }
            @Override public boolean registered(Tracer t) { return false; }
        };

        List<Tracer> armable();

        boolean registered(Tracer t);
    }

    final String id;
    final long length;
    final String backend;
    private final List<Ranked> services;
    private final GuestMemoryProvider memoryProvider;
    private final EventFanout events;

    private final Tracers tracerServices;
    private WindowTracers tracers = WindowTracers.NONE;

    /** Completes on the vCPU thread when the window closed (final snapshot taken) or failed. */
    final CompletableFuture<Result> done = new CompletableFuture<>();

    private VirtualCpu vcpu;
    private GuestMemory memory;
    private PositionCounter counter;
    private String serviceId;
    private CpuState initialCpu;
    private MemoryImage initialMemory;
    private List<PageImage.Region> regions;
    /** Instructions between CHECKPOINT events, 0 = none. */
    private final long checkpointInterval;
    /** The registers the last CHECKPOINT (or the initial snapshot) recorded: the base of the next delta. */
    private Registers checkpointBase;
    /**
     * Whether the counter reports the registers at every position ({@link #registers}): then checkpoints are
     * logged from its reports and it runs to the window's end as without checkpoints, so interrupts are
     * injected at the same boundaries (exits and kicks) — not at every checkpoint.
     */
    private boolean checkpointsReported;
    /** Position of the last checkpoint (0: the initial snapshot) and of the last injected interrupt. */
    private long checkpointAt, injectedAt = -1;
    /** Whether a register fingerprint is logged after every instruction (FINGERPRINTS events). */
    private final boolean fingerprints;
    private final RegisterFingerprints.Collector prints = new RegisterFingerprints.Collector();
    /** Position where the registers were last logged (checkpoint or fingerprint; 0: the initial snapshot). */
    private long loggedAt;

    /** Whether registers are logged at all, and every how many instructions (fingerprints: after every one). */
    private boolean registersLogged() {
        return checkpointInterval > 0 || fingerprints;
    }

    private long logEvery() {
        return fingerprints ? 1 : checkpointInterval;
    }

    /** Position of the exit handled since the last run (its instruction retires on completion), else -1. */
    private long completedExitPosition = -1;

    Recording(String id, long length, String backend, List<Ranked> services, GuestMemoryProvider memoryProvider,
              EventFanout events, long checkpointInterval, boolean fingerprints) {
        this(id, length, backend, services, memoryProvider, events, checkpointInterval, fingerprints, Tracers.NONE);
    }

    Recording(String id, long length, String backend, List<Ranked> services, GuestMemoryProvider memoryProvider,
              EventFanout events, long checkpointInterval, boolean fingerprints, Tracers tracerServices) {
        this.tracerServices = tracerServices;
        this.checkpointInterval = checkpointInterval;
        this.fingerprints = fingerprints;
        this.id = id;
        this.length = length;
        this.backend = backend;
        this.services = services;
        this.memoryProvider = memoryProvider;
        this.events = events;
    }

    /** The service to count with: the highest-ranked one that supports the vCPU. */
    static Ranked choose(List<Ranked> services, VirtualCpu vcpu, String backend) throws SamplingException {
        List<Ranked> sorted = services.stream().sorted((a, b) -> Integer.compare(b.ranking(), a.ranking())).toList();
        for (Ranked r : sorted) {
            try {
                if (r.service().supports(vcpu)) return r;
            } catch (RuntimeException e) {
                LOG.warn("position service {} failed in supports(): {}", r.service().id(), e.toString());
            }
        }
        throw new SamplingException("no position service can count instructions exactly on vCPU " + vcpu.id()
                + " of backend '" + backend + "' (installed: "
                + (sorted.isEmpty() ? "none" : sorted.stream().map(r -> r.service().id()).collect(Collectors.joining(", ")))
                + "); PCM records no window with inexact positions");
    }

    // ---------------------------------------------------------------- WindowProbe (vCPU thread)

    @Override
    public void open(VirtualCpu cpu, GuestMemory mem) throws Exception {
        this.vcpu = cpu;
        this.memory = mem;
        Ranked chosen = choose(services, cpu, backend);
        serviceId = chosen.service().id();
        // The counter starts first: starting may finish an exit the last run left pending in the backend
        // (KVM completes an IN or MMIO read on its next KVM_RUN), which must not fall inside the window.
        counter = chosen.service().start(cpu, mem, this);
        try {
            checkpointsReported = registersLogged() && counter.reportRegistersEveryInstruction();
            initialCpu = CpuState.capture(cpu, 0);
            checkpointBase = initialCpu.registers();
            regions = mem.regions().stream().map(r -> new PageImage.Region(r.gpa(), r.size())).toList();
            initialMemory = snapshot(mem);
        } catch (Exception | Error e) {
            closeCounter();
            counter = null;
            throw e;
        }
        Map<String, String> attrs = new LinkedHashMap<>();
        attrs.put("backend", backend);
        CpuIdentity who = cpu.identity();
        attrs.put("cpuVendor", who.vendor());
        attrs.put("cpuSignature", "0x" + Integer.toHexString(who.signature()));
        attrs.put(WindowStore.UNDEFINED_FLAGS, who.undefinedFlags());
        attrs.put("positions", serviceId);
        attrs.put("length", Long.toString(length));
        // tracers are armed last, at position 0: what they trace is the window's and nothing before it
        tracers = WindowTracers.arm(id, backend, armable(), cpu, counter);
        emit(WindowMarkers.startEvent(cpu.id(), id, attrs, System.nanoTime()));
    }

    private List<Tracer> armable() {
        try {
            return tracerServices.armable();
        } catch (RuntimeException e) {
            LOG.warn("window {}: listing the tracers failed, none armed: {}", id, e.toString());
            return List.of();
        }
    }

    @Override
    public VmExit run() throws BackendException {
        completedExitPosition = -1;
        if (!registersLogged() || checkpointsReported) return counter.runUntil(length);
        long pos = counter.position();
        // Between runs the vCPU is between instructions (an exit's instruction was completed by exitCompleted):
        // log the registers here. Not where an interrupt was just injected: the backend delivers it in the next
        // run, a replay may have delivered it already — the next position gets the checkpoint.
        if (pos < length && pos - loggedAt >= logEvery() && injectedAt != pos) {
            logRegisters(pos, vcpu.registers());
        }
        return counter.runUntil(Math.min(length, Math.max(pos + 1, loggedAt + logEvery())));
    }

    /** The registers after {@code position} instructions: a fingerprint, and a full checkpoint when one is due. */
    private void logRegisters(long position, Registers now) {
        loggedAt = position;
        if (fingerprints) {
            prints.add(position, now);
            if (prints.full()) emitFingerprints();
        }
        if (checkpointInterval > 0 && position - checkpointAt >= checkpointInterval) checkpoint(position, now);
    }

    private void emitFingerprints() {
        PcmEvent e = prints.drain(vcpu.id(), System.nanoTime());
        if (e != null) emit(e);
    }

    private void checkpoint(long position, Registers now) {
        emit(RegisterCheckpoints.checkpoint(vcpu.id(), position, now, checkpointBase, System.nanoTime()));
        checkpointBase = now;
        checkpointAt = position;
    }

    /**
     * The registers where the interrupt is delivered are logged ahead of the INTERRUPT (the backend delivers it
     * on the next run; verifiers compare a checkpoint before injecting what follows it), so that a corrupted
     * delivery is located at its own position, not one instruction earlier.
     */
    @Override
    public void interruptInjected(int vector) {
        long at = eventPosition();
        Registers now = registersOrNull(EventKind.INTERRUPT);
        if (now != null && registersLogged() && at < length && at > loggedAt
                && at - loggedAt >= logEvery() && counter.position() == at) {
            logRegisters(at, now);
        }
        injectedAt = at;
        record(EventKind.INTERRUPT, vector, vector, null, now);
    }

    @Override
    public void exitHandled(VmExit exit, ExitResult result) {
        long value = result instanceof ExitResult.Value v ? v.value() : 0;
        if (tracers.wantsIo()) traceIo(exit, value);
        switch (exit) {
            // the guest sees only the access's bytes of a handler's answer: the log holds exactly those (a value
            // beyond the size is malformed, WindowShape.checkEvent)
            case VmExit.PortIn in -> record(EventKind.PIO_IN, in.port(), fit(value, in.size()), new byte[] {(byte) in.size()});
            case VmExit.MmioRead r -> record(EventKind.MMIO_READ, r.address(), fit(value, r.size()), new byte[] {(byte) r.size()});
            case VmExit.MmioWrite w -> record(EventKind.MMIO_WRITE, w.address(), fit(w.data(), w.size()), new byte[] {(byte) w.size()});
            case VmExit.MsrRead m -> record(EventKind.MSR_READ, Integer.toUnsignedLong(m.index()), value, null);
            case VmExit.Hypercall h -> record(EventKind.VMCALL, h.number(), value, null);
            case VmExit.Cpuid c -> {
                ExitResult.CpuidValue r = result instanceof ExitResult.CpuidValue cv ? cv : new ExitResult.CpuidValue(0, 0, 0, 0);
                byte[] data = ByteBuffer.allocate(20).order(ByteOrder.LITTLE_ENDIAN)
                        .putInt(r.eax()).putInt(r.ebx()).putInt(r.ecx()).putInt(r.edx()).putInt(c.subleaf()).array();
                record(EventKind.CPUID, Integer.toUnsignedLong(c.leaf()), Integer.toUnsignedLong(r.eax()), data);
            }
            case VmExit.Nondeterministic n -> {
                EventKind k = switch (n.insn()) {
                    case RDTSC -> EventKind.RDTSC;
                    case RDTSCP -> EventKind.RDTSCP;
                    case RDRAND -> EventKind.RDRAND;
                    case RDSEED -> EventKind.RDSEED;
                    case RDPMC -> EventKind.RDPMC;
                };
                record(k, Integer.toUnsignedLong(n.operand()), value, null);
            }
            default -> { /* not an input */ }
        }
        if (retiresOnCompletion(exit)) completedExitPosition = counter.position();
    }

    /**
     * A counter that counts a completed exiting instruction only on its next run (kvm-step: KVM finishes an IN
     * or MMIO read in the next KVM_RUN; an emulated OUT already moved RIP) is run up to just past it now, so that
     * an interrupt injected or DMA applied before the next run is logged after it, with the RIP and RCX the
     * guest has there (docs/sampling.md: from {@code complete} on, the exiting instruction counts as retired).
     */
    @Override
    public void exitCompleted(VmExit exit) throws BackendException {
        long at = completedExitPosition;
        if (at < 0 || counter.position() > at) return;
        VmExit e = counter.runUntil(at + 1);
        if (counter.position() != at + 1 || !(e instanceof VmExit.Interrupted)) {
            LOG.warn("window {}: the instruction of {} at position {} did not retire alone on completion ({} at position {})",
                    id, exit, at, e, counter.position());
        }
    }

    /** The I/O tracers' view of an exit: every port and MMIO transaction, with the value read or written. */
    private void traceIo(VmExit exit, long value) {
        long at = eventPosition();
        switch (exit) {
            case VmExit.PortIn in -> tracers.io(IoTransactionListener.Type.PORT_IN, at, in.port(), in.size(), fit(value, in.size()), null);
            case VmExit.PortOut out -> tracers.io(IoTransactionListener.Type.PORT_OUT, at, out.port(), out.size(), fit(out.data(), out.size()), null);
            case VmExit.MmioRead r -> tracers.io(IoTransactionListener.Type.MMIO_READ, at, r.address(), r.size(), fit(value, r.size()), null);
            case VmExit.MmioWrite w -> tracers.io(IoTransactionListener.Type.MMIO_WRITE, at, w.address(), w.size(), fit(w.data(), w.size()), null);
            default -> { /* not an I/O transaction */ }
        }
    }

    @Override
    public void dmaWrite(long gpa, byte[] data, int offset, int length) {
        byte[] copy = java.util.Arrays.copyOfRange(data, offset, offset + length);
        record(EventKind.DMA_WRITE, gpa, length, copy);
        if (tracers.wantsIo()) tracers.io(IoTransactionListener.Type.DMA_WRITE, eventPosition(), gpa, length, 0, copy);
    }

    @Override
    public boolean reachedEnd() {
        return counter.position() >= length;
    }

    @Override
    public void finish(String reason) throws BackendException {
        long pos = counter.position();
        CpuState finalCpu;
        MemoryImage finalMemory;
        try {
            finalCpu = CpuState.capture(vcpu, pos);
            finalMemory = snapshot(memory);
        } catch (BackendException | RuntimeException e) {
            abort("final snapshot failed: " + e);
            return;
        }
        List<Trace> traces = tracers.drain(this::stillRegistered);
        closeCounter();
        emitFingerprints();
        Registers r = finalCpu.registers();
        emit(new PcmEvent(EventKind.END, vcpu.id(), pos, r.rip(), r.rcx(), 0, pos,
                reason.getBytes(java.nio.charset.StandardCharsets.UTF_8), System.nanoTime()));
        done.complete(new Result(initialCpu, initialMemory, finalCpu, finalMemory, regions, pos, serviceId, reason, traces));
    }

    /**
     * A copy of guest RAM, two per window. The heap may not hold it (Debian's Linux with 256 MiB of RAM in the 512 MiB
     * default heap of the emulated SVM host's 2 GiB: the OutOfMemoryError ended the vCPU thread and the run said
     * "guest stopped: status 0 ()"): that fails the window, with what to change, never the guest.
     */
    private MemoryImage snapshot(GuestMemory m) {
        try {
            return memoryProvider.snapshot(m);
        } catch (OutOfMemoryError e) {
            long ram = 0;
            for (GuestMemory.MemoryRegion r : m.regions()) ram += r.size();
            throw new IllegalStateException("the copy of guest RAM (" + (ram >> 20) + " MiB) does not fit the JVM's heap (max "
                    + (Runtime.getRuntime().maxMemory() >> 20) + " MiB; a window holds two copies): give PCM more heap (-Xmx in"
                    + " PCM_JAVA_OPTS) or the guest less RAM (" + e.getMessage() + ")");
        }
    }

    @Override
    public void abort(String reason) {
        // the window is not stored: its tracers are drained (their buffers freed, hooks removed) and the traces dropped
        List<Trace> dropped = tracers.drain(this::stillRegistered);
        if (!dropped.isEmpty()) LOG.debug("window {} failed: {} traces dropped", id, dropped.size());
        closeCounter();
        emit(new PcmEvent(EventKind.STATE, vcpu == null ? 0 : vcpu.id(), counter == null ? 0 : safePosition(), 0, 0, 0, 0,
                WindowMarkers.abortData(id, reason), System.nanoTime()));
        done.completeExceptionally(new SamplingException("window " + id + " failed: " + reason));
    }

    private boolean stillRegistered(Tracer t) {
        try {
            return tracerServices.registered(t);
        } catch (RuntimeException e) {
            return false;
        }
    }

    private long safePosition() {
        try {
            return counter.position();
        } catch (RuntimeException e) {
            return -1;
        }
    }

    private void closeCounter() {
        PositionCounter c = counter;
        if (c == null) return;
        try {
            c.close();
        } catch (BackendException | RuntimeException e) {
            LOG.warn("closing the position counter of window {} failed: {}", id, e.toString());
        }
    }

    // ---------------------------------------------------------------- InputObserver (from the counter)

    @Override
    public void observed(EventKind kind, long position, long rip, long rcx, long address, long value, byte[] data) {
        emit(new PcmEvent(kind, vcpu.id(), position, rip, rcx, address, value, data, System.nanoTime()));
    }

    /**
     * Registers at a position the counter passes without stopping: every position when it reports them all,
     * else where it cannot stop (after an IRETQ to CPL3 on PVM), so that checkpoints there have no gap. Not
     * where an interrupt was injected: the counter reads them before delivering it.
     */
    @Override
    public void registers(long position, Registers registers) {
        if (registersLogged() && position > loggedAt && position < length && injectedAt != position
                && (position - loggedAt >= logEvery() || !checkpointsReported)) {
            logRegisters(position, registers);
        }
    }

    // ----------------------------------------------------------------

    private static long fit(long value, int size) {
        return size >= 8 ? value : value & ((1L << (8 * size)) - 1);
    }

    /**
     * Exits whose instruction retires when the VMM completes them. Between {@code complete} and the next run,
     * events (an injected INTERRUPT, deferred DMA applied at the boundary) must count that instruction as
     * retired (docs/sampling.md); a counter that counts it only on its next run (kvm-step: an emulated OUT
     * or MMIO write already moved RIP, an IN retires in the next KVM_RUN) would put them one too early.
     */
    private static boolean retiresOnCompletion(VmExit exit) {
        return exit instanceof VmExit.PortIn || exit instanceof VmExit.PortOut || exit instanceof VmExit.MmioRead
                || exit instanceof VmExit.MmioWrite || exit instanceof VmExit.Cpuid || exit instanceof VmExit.MsrRead
                || exit instanceof VmExit.MsrWrite || exit instanceof VmExit.Hypercall
                || exit instanceof VmExit.Nondeterministic;
    }

    /** The position for an event now: after a handled exit, at least one past that exit's instruction. */
    private long eventPosition() {
        long p = counter.position();
        return completedExitPosition >= 0 ? Math.max(p, completedExitPosition + 1) : p;
    }

    private void record(EventKind kind, long address, long value, byte[] data) {
        record(kind, address, value, data, registersOrNull(kind));
    }

    /** An input event with the RIP and RCX of {@code now} (zeros if the registers could not be read). */
    private void record(EventKind kind, long address, long value, byte[] data, Registers now) {
        long rip = now == null ? 0 : now.rip(), rcx = now == null ? 0 : now.rcx();
        emit(new PcmEvent(kind, vcpu.id(), eventPosition(), rip, rcx, address, value, data, System.nanoTime()));
    }

    private Registers registersOrNull(EventKind forKind) {
        try {
            return vcpu.registers();
        } catch (BackendException e) {
            LOG.debug("registers unavailable for a {} event", forKind, e);
            return null;
        }
    }

    private void emit(PcmEvent e) {
        events.emit(e);
    }
}
