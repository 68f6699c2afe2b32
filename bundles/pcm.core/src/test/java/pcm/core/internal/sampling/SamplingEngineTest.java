package pcm.core.internal.sampling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import pcm.core.api.cpu.Registers;
import pcm.core.api.event.EventKind;
import pcm.core.api.event.EventSink;
import pcm.core.api.event.PcmEvent;
import pcm.core.api.event.RegisterCheckpoints;
import pcm.core.api.sampling.RcpCommand;
import pcm.core.api.sampling.SamplingException;
import pcm.core.api.sampling.SamplingPolicy;
import pcm.core.api.sampling.SamplingState;
import pcm.core.api.sampling.SamplingTransition;
import pcm.core.api.sampling.WindowDamagedException;
import pcm.core.api.sampling.WindowInfo;
import pcm.core.api.sampling.WindowLogs;
import pcm.core.api.verify.Window;
import pcm.core.api.vm.VmExit;
import pcm.core.internal.log.Retention;
import pcm.core.internal.log.WindowRecorder;
import pcm.core.internal.sampling.ScriptedVcpu.Exit;
import pcm.core.internal.sampling.ScriptedVcpu.Retire;
import pcm.core.internal.sampling.ScriptedVcpu.Silent;
import pcm.core.internal.vm.SamplingTarget;

/** The state machine, the recorder in the real vCPU loop, and the window store, over a scripted vCPU. */
class SamplingEngineTest {

    @TempDir
    Path dir;

    private final List<AutoCloseable> closing = new ArrayList<>();
    private final List<PcmEvent> seen = new CopyOnWriteArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : closing.reversed()) c.close();
    }

    /** IN @10, CPUID @16, silent RDTSC @17, OUT (DMA + IRQ) @21, IRQ @22, RDTSC exit @29, then plain code. */
    static List<ScriptedVcpu.Step> program() {
        return List.of(new Exit(new VmExit.Hlt(true)),
                new Retire(10), new Exit(new VmExit.PortIn(0x60, 1)),
                new Retire(5), new Exit(new VmExit.Cpuid(1, 0)),
                new Silent(EventKind.RDTSC, 777),
                new Retire(3), new Exit(new VmExit.PortOut(0x80, 1, 0)),
                new Retire(7), new Exit(new VmExit.Nondeterministic(VmExit.Insn.RDTSC, 0)),
                new Retire(1000));
    }

    private SamplingEngine engine(SamplingTarget target, List<Recording.Ranked> services, SamplingEngine.Settings s) {
        WindowRecorder log = new WindowRecorder(new WindowRecorder.Settings(dir, Retention.NONE, 1 << 20), 1024);
        closing.add(log);
        List<EventSink> sinks = List.of(log::accept, seen::add);
        SamplingEngine e = new SamplingEngine(new SamplingEngine.Env() {
            @Override public Optional<SamplingTarget> target() { return Optional.ofNullable(target); }
            @Override public List<EventSink> sinks() { return sinks; }
            @Override public List<Recording.Ranked> positionServices() { return services; }
            @Override public List<SamplingPolicy> policies() { return List.of(); }
            @Override public Optional<Path> directory() { return Optional.of(dir); }
        }, s);
        closing.add(e);
        return e;
    }

    private static SamplingEngine.Settings settings(long entry, long window, long replay) {
        return new SamplingEngine.Settings(entry, window, replay, 10_000, 10_000, 50, "periodic");
    }

    private TestVm vm(List<ScriptedVcpu.Step> program) {
        TestVm vm = new TestVm(program);
        closing.add(vm);
        return vm;
    }

    @Test
    void sampleNowRecordsAnExactWindowAndLoadsItBack() throws Exception {
        TestVm vm = vm(program());
        ExactTestPositionService exact = new ExactTestPositionService();
        SamplingEngine e = engine(vm, List.of(new Recording.Ranked(exact, 0)), settings(10_000, 30_000, 10_000));

        String id = e.sampleNow(50, 30_000);

        assertEquals(SamplingState.IDLE, e.state());
        assertEquals(List.of(SamplingState.ENTRY, SamplingState.SAMPLING, SamplingState.REPLAY, SamplingState.IDLE),
                e.transitions().stream().map(SamplingTransition::to).toList());
        assertEquals(1, exact.started);
        assertEquals(1, exact.closed);

        Window w = e.window(id).orElseThrow();
        assertEquals(id, w.id());
        assertEquals("scripted", w.backend());
        // issue 11 item 1: the recording vCPU's identity reaches every verifier through the window
        assertEquals(new pcm.core.api.verify.RecordingCpu("scripted", ScriptedVcpu.IDENTITY), w.cpu());
        List<String> got = w.events().stream().map(ev -> ev.kind() + "@" + ev.position()).toList();
        assertEquals(List.of("PIO_IN@10", "CPUID@16", "RDTSC@17", "DMA_WRITE@21", "INTERRUPT@22", "RDTSC@29", "END@50"), got);
        PcmEvent in = w.events().get(0);
        assertEquals(0x60, in.address());
        assertEquals(0x42, in.value());
        long base = 1; // the HLT the guest sat in when the window opened retired before it
        assertEquals(0x1000 + base + 10, in.rip());
        assertEquals(base + 10, in.rcx());
        assertEquals(0x11, w.events().get(1).value());
        assertEquals(777, w.events().get(2).value());
        assertEquals(0x2000, w.events().get(3).address());
        assertEquals(0x20, w.events().get(4).address());
        assertEquals(1000, w.events().get(5).value());
        assertEquals(50, w.events().get(6).value());
        assertEquals(List.of(0x20), vm.cpu.injected);

        assertEquals(0, w.initial().position());
        assertEquals(50, w.end().position());
        assertEquals(0x1000 + base, w.initial().registers().rip());
        assertEquals(0x1000 + base + 50, w.end().registers().rip());
        assertEquals(0xD01L, w.initial().msrs().get(CpuState.EFER));
        assertFalse(w.initial().msrs().containsKey(CpuState.TSC_AUX), "a refused MSR is not guessed");
        assertEquals(512, w.end().fpu().length);
        assertEquals(vm.cpu.specialRegisters(), w.end().specialRegisters());

        byte[] b = new byte[8];
        w.initial().memory().read(0x1000, b, 0, 8);
        assertEquals(0x88, b[0] & 0xFF);
        w.initial().memory().read(0x2000, b, 0, 8);
        assertArrayEquals(new byte[8], b);
        w.end().memory().read(0x2000, b, 0, 8);
        assertEquals(0xBE, b[0] & 0xFF);
        w.end().memory().read(0x1000, b, 0, 8);
        assertEquals(0x88, b[0] & 0xFF, "unchanged pages come from the initial image");
        assertEquals(w.initial().memory().pageHash(1), w.end().memory().pageHash(1));
        assertFalse(w.initial().memory().pageHash(2) == w.end().memory().pageHash(2));

        List<String> files = Files.list(dir).filter(Files::isRegularFile).map(p -> p.getFileName().toString()).sorted().toList();
        assertEquals(4, files.size(), files.toString());
        assertTrue(Files.isDirectory(dir.resolve(PageStore.DIR)), "the pages are in the directory's page store");
        String prefix = files.get(0).substring(0, files.get(0).indexOf('_' + id + '_'));
        for (String f : files) assertTrue(f.startsWith(prefix + "_" + id + "_"), f);
        assertTrue(files.stream().anyMatch(f -> f.endsWith("_cpu.bin")));

        List<WindowInfo> list = e.windows();
        assertEquals(1, list.size());
        WindowInfo info = list.get(0);
        assertEquals("COMPLETE", info.state());
        assertEquals(50, info.instructions());
        assertEquals(1L, info.eventCounts().get(EventKind.PIO_IN));
        assertEquals(2L, info.eventCounts().get(EventKind.RDTSC));

        WindowLogs.LogStatus st = e.store().read(id, ev -> { });
        assertTrue(st.valid(), st.toString());
        StringWriter json = new StringWriter();
        e.store().exportJson(id, json);
        assertTrue(json.toString().contains("\"PIO_IN\""));

        // STATE events of every transition reached the sinks
        assertTrue(seen.stream().anyMatch(ev -> ev.kind() == EventKind.STATE
                && new String(ev.data()).startsWith("sampling IDLE->ENTRY MTA0_MNTR_ENTRY")));
    }

    /**
     * Register checkpoints after every instruction, from a counter that reports its registers (kvm-step) and from
     * one that must be stopped for them (soft-exact): the same CHECKPOINT positions, the one at the interrupt
     * logged ahead of it — but the reporting counter runs to the window's end in as many runs as without
     * checkpoints, so interrupts are injected at no extra boundaries (docs/sampling.md).
     */
    @Test
    void checkpointsComeFromTheCountersReportsWithoutStoppingIt() throws Exception {
        Map<Boolean, Integer> runs = new java.util.HashMap<>();
        for (boolean reports : new boolean[] {false, true}) {
            seen.clear();
            TestVm vm = vm(program());
            ExactTestPositionService exact = new ExactTestPositionService(reports);
            SamplingEngine e = engine(vm, List.of(new Recording.Ranked(exact, 0)),
                    new SamplingEngine.Settings(10_000, 30_000, 10_000, 10_000, 10_000, 50, "periodic", 1));
            Window w = e.window(e.sampleNow(50, 30_000)).orElseThrow();
            List<Long> at = w.events().stream().filter(ev -> ev.kind() == EventKind.CHECKPOINT).map(PcmEvent::position).toList();
            assertEquals(java.util.stream.LongStream.range(1, 50).boxed().toList(), at, "reports " + reports);
            List<String> kinds = w.events().stream().map(ev -> ev.kind() + "@" + ev.position()).toList();
            assertEquals(kinds.indexOf("CHECKPOINT@22") + 1, kinds.indexOf("INTERRUPT@22"), kinds.toString());
            Registers r = w.initial().registers();
            for (PcmEvent ev : w.events()) {
                if (ev.kind() != EventKind.CHECKPOINT) continue;
                r = RegisterCheckpoints.apply(r, ev);
                assertEquals(w.initial().registers().rip() + ev.position(), r.rip(), "the registers at " + ev.position());
            }
            runs.put(reports, exact.runUntilCalls);
        }
        assertTrue(runs.get(false) >= 49, runs.toString());
        assertTrue(runs.get(true) < 15, runs.toString());
    }

    /**
     * Sparse checkpoints with fingerprints (the default): a CHECKPOINT every 16 instructions, a fingerprint after every
     * instruction but where an interrupt was injected — from the counter's reports or by stopping it — and both agree
     * with the registers there.
     */
    @Test
    void fingerprintsCoverEveryPositionBetweenSparseCheckpoints() throws Exception {
        // the registers at every position, from a window of the same program with a checkpoint after every instruction
        seen.clear();
        SamplingEngine de = engine(vm(program()), List.of(new Recording.Ranked(new ExactTestPositionService(false), 0)),
                new SamplingEngine.Settings(10_000, 30_000, 10_000, 10_000, 10_000, 50, "periodic", 1));
        Window dense = de.window(de.sampleNow(50, 30_000)).orElseThrow();
        Map<Long, Registers> regs = new java.util.HashMap<>();
        Registers cur = dense.initial().registers();
        for (PcmEvent ev : dense.events()) {
            if (ev.kind() != EventKind.CHECKPOINT) continue;
            cur = RegisterCheckpoints.apply(cur, ev);
            regs.put(ev.position(), cur);
        }
        for (boolean reports : new boolean[] {false, true}) {
            seen.clear();
            TestVm vm = vm(program());
            ExactTestPositionService exact = new ExactTestPositionService(reports);
            SamplingEngine e = engine(vm, List.of(new Recording.Ranked(exact, 0)),
                    new SamplingEngine.Settings(10_000, 30_000, 10_000, 10_000, 10_000, 50, "periodic", 16, true));
            Window w = e.window(e.sampleNow(50, 30_000)).orElseThrow();
            List<Long> at = w.events().stream().filter(ev -> ev.kind() == EventKind.CHECKPOINT).map(PcmEvent::position).toList();
            assertEquals(List.of(16L, 32L, 48L), at, "reports " + reports);
            pcm.core.api.verify.FingerprintTracker fps = new pcm.core.api.verify.FingerprintTracker(w.events(), w.initial().registers());
            for (long p = 1; p < 50; p++) {
                int f = fps.at(p);
                assertTrue(f != 0, "no fingerprint at " + p + " (reports " + reports + ")");
                assertEquals(pcm.core.api.event.RegisterFingerprints.of(regs.get(p)), f, "fingerprint at " + p);
            }
            assertEquals(0, fps.at(50));
            pcm.core.api.verify.WindowShape.endPosition(w); // well-formed: fingerprints before END, not overlapping
        }
    }

    @Test
    void commandsThatDoNotFitTheStateAreErrors() throws Exception {
        SamplingEngine e = engine(vm(program()), List.of(), settings(10_000, 10_000, 10_000));
        SamplingException x = assertThrows(SamplingException.class, () -> e.command(RcpCommand.MTA0_CHK_STRT));
        assertEquals("MTA0_CHK_STRT (0x14) does not fit state IDLE: IDLE waits for MTA0_MNTR_ENTRY", x.getMessage());
        assertThrows(SamplingException.class, () -> e.command(RcpCommand.MTA0_MNTR_EXT));
        e.command(RcpCommand.MTA0_MNTR_ENTRY);
        assertEquals(SamplingState.ENTRY, e.state());
        x = assertThrows(SamplingException.class, () -> e.command(RcpCommand.MTA0_MNTR_ENTRY));
        assertTrue(x.getMessage().contains("ENTRY waits for MTA0_CHK_STRT"), x.getMessage());
    }

    @Test
    void noPositionServiceMeansNoWindow() throws Exception {
        SamplingEngine e = engine(vm(program()), List.of(), settings(10_000, 10_000, 10_000));
        e.command(RcpCommand.MTA0_MNTR_ENTRY);
        SamplingException x = assertThrows(SamplingException.class, () -> e.command(RcpCommand.MTA0_CHK_STRT));
        assertTrue(x.getMessage().contains("no position service can count instructions exactly"), x.getMessage());
        assertEquals(SamplingState.IDLE, e.state());
        assertEquals("window failed", e.transitions().getLast().cause());
    }

    @Test
    void noGuestNoEntry() {
        SamplingEngine e = engine(null, List.of(), settings(10_000, 10_000, 10_000));
        SamplingException x = assertThrows(SamplingException.class, () -> e.sampleNow(10, 1000));
        assertTrue(x.getMessage().contains("no VM service"), x.getMessage());
        assertEquals(SamplingState.IDLE, e.state());
    }

    @Test
    void entryAndReplayWaitsTimeOut() throws Exception {
        TestVm vm = vm(program());
        SamplingEngine e = engine(vm, List.of(new Recording.Ranked(new ExactTestPositionService(), 0)), settings(20, 30_000, 20));
        e.command(RcpCommand.MTA0_MNTR_ENTRY);
        awaitState(e, SamplingState.IDLE);
        assertEquals("timeout", e.transitions().getLast().cause());

        e.update(settings(10_000, 30_000, 20));
        e.command(RcpCommand.MTA0_MNTR_ENTRY);
        e.command(RcpCommand.MTA0_CHK_STRT);
        // REPLAY lasts only the 20 ms replay timeout: look at the history, not at the state in passing
        awaitState(e, SamplingState.IDLE);
        List<SamplingTransition> ts = e.transitions();
        SamplingTransition replay = ts.get(ts.size() - 2);
        assertEquals(SamplingState.REPLAY, replay.to());
        assertEquals("length reached", replay.cause());
        assertEquals(SamplingState.REPLAY, ts.getLast().from());
        assertEquals("timeout", ts.getLast().cause());
        assertEquals(1, e.windows().size());
    }

    @Test
    void checkEndClosesTheWindowEarlyWhereTheGuestIs() throws Exception {
        // the guest halts after 12 instructions: the window cannot reach 1000
        TestVm vm = vm(List.of(new Exit(new VmExit.Hlt(true)), new Retire(12), new Exit(new VmExit.Hlt(true))));
        SamplingEngine e = engine(vm, List.of(new Recording.Ranked(new ExactTestPositionService(), 0)),
                new SamplingEngine.Settings(10_000, 30_000, 10_000, 10_000, 10_000, 1000, "periodic"));
        e.command(RcpCommand.MTA0_MNTR_ENTRY);
        e.command(RcpCommand.MTA0_CHK_STRT);
        assertEquals(SamplingState.SAMPLING, e.state());
        String id = e.currentWindow().orElseThrow();
        // let the guest reach its second HLT (1 + 12 + 1 retired), then end the window there
        for (int i = 0; i < 2000 && vm.cpu.retired < 14; i++) Thread.sleep(5);
        e.command(RcpCommand.MTA0_CHK_END);
        assertEquals(SamplingState.REPLAY, e.state());
        e.command(RcpCommand.MTA0_MNTR_EXT);
        assertEquals(SamplingState.IDLE, e.state());
        Window w = e.window(id).orElseThrow();
        assertEquals(13, w.end().position(), "12 retired plus the HLT");
        assertEquals(EventKind.END, w.events().getLast().kind());
    }

    @Test
    void windowTimeoutClosesTheWindow() throws Exception {
        TestVm vm = vm(List.of(new Exit(new VmExit.Hlt(true)), new Retire(5), new Exit(new VmExit.Hlt(true))));
        SamplingEngine e = engine(vm, List.of(new Recording.Ranked(new ExactTestPositionService(), 0)), settings(10_000, 30_000, 10_000));
        String id = e.sampleNow(1_000_000, 100);
        assertEquals(6, e.window(id).orElseThrow().end().position());
        assertEquals(SamplingState.IDLE, e.state());
    }

    @Test
    void interruptingAWindowClosesItAndLeavesTheSamplerIdle() throws Exception {
        // What stopping periodic sampling does to the scheduler thread while the guest sits in a window that
        // cannot reach its length: the window is kept (closed where the guest is), the sampler is IDLE at
        // once instead of after the replay timeout.
        TestVm vm = vm(List.of(new Exit(new VmExit.Hlt(true)), new Retire(7), new Exit(new VmExit.Hlt(true))));
        SamplingEngine e = engine(vm, List.of(new Recording.Ranked(new ExactTestPositionService(), 0)),
                settings(10_000, 60_000, 60_000));
        java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
        Thread scheduler = new Thread(() -> {
            try {
                e.sampleNow(1_000_000, 60_000);
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        scheduler.start();
        awaitState(e, SamplingState.SAMPLING);
        String id = e.currentWindow().orElseThrow();
        for (int i = 0; i < 2000 && vm.cpu.retired < 9; i++) Thread.sleep(5);
        scheduler.interrupt();
        scheduler.join(10_000);
        assertFalse(scheduler.isAlive());
        assertInstanceOf(SamplingException.class, failure.get());
        assertEquals(SamplingState.IDLE, e.state());
        assertEquals(8, e.window(id).orElseThrow().end().position(), "7 retired plus the HLT");
    }

    @Test
    void damagedSnapshotFilesAreTypedErrors() throws Exception {
        TestVm vm = vm(program());
        SamplingEngine e = engine(vm, List.of(new Recording.Ranked(new ExactTestPositionService(), 0)), settings(10_000, 30_000, 10_000));
        String id = e.sampleNow(50, 30_000);
        Path cpu = Files.list(dir).filter(p -> p.toString().endsWith("_cpu.bin")).findFirst().orElseThrow();
        byte[] good = Files.readAllBytes(cpu);

        byte[] bad = good.clone();
        bad[100] ^= 1;
        Files.write(cpu, bad);
        WindowDamagedException x = assertThrows(WindowDamagedException.class, () -> e.window(id));
        assertEquals(WindowDamagedException.Problem.CORRUPT, x.problem());
        assertEquals(cpu.getFileName().toString(), x.file());

        Files.write(cpu, java.util.Arrays.copyOf(good, good.length - 3));
        x = assertThrows(WindowDamagedException.class, () -> e.window(id));
        assertEquals(WindowDamagedException.Problem.TRUNCATED, x.problem());

        Files.delete(cpu);
        x = assertThrows(WindowDamagedException.class, () -> e.window(id));
        assertEquals(WindowDamagedException.Problem.MISSING, x.problem());
        assertEquals("FAILED", e.windows().get(0).state());

        assertTrue(e.window("w1").isEmpty());
    }

    private static void awaitState(SamplingEngine e, SamplingState s) throws InterruptedException {
        for (int i = 0; i < 2000 && e.state() != s; i++) Thread.sleep(5);
        assertEquals(s, e.state());
    }
}
