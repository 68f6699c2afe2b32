package pcm.core.internal.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import pcm.core.api.sampling.SamplingState;
import pcm.core.api.sampling.WindowDamagedException;
import pcm.core.api.sampling.WindowInfo;
import pcm.core.api.tracer.IoTransactionListener;
import pcm.core.api.tracer.Trace;
import pcm.core.api.tracer.TraceData;
import pcm.core.api.tracer.TraceWindow;
import pcm.core.api.tracer.Tracer;
import pcm.core.api.tracer.TracerUnavailableException;
import pcm.core.api.verify.Window;
import pcm.core.internal.vm.SamplingTarget;

/**
 * Tracers wired into the sampler (issue 15 item 3): armed at each window's open, drained at its close, stored as
 * trace files bound by the CPU file; a tracer that throws, returns garbage, leaves or arrives mid-window never loses
 * the window.
 */
class TracerWiringTest {

    @TempDir
    Path dir;

    private final List<AutoCloseable> closing = new ArrayList<>();
    /** The registered tracers, as the sampler's dynamic reference holds them. */
    private final List<Tracer> registered = new CopyOnWriteArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : closing.reversed()) c.close();
    }

    private SamplingEngine engine(SamplingTarget target) {
        return ScriptedWindows.engine(dir, target, closing, new Recording.Tracers() {
            @Override public List<Tracer> armable() { return List.copyOf(registered); }
            @Override public boolean registered(Tracer t) { return registered.stream().anyMatch(x -> x == t); }
        });
    }

    private TestVm vm() {
        TestVm vm = new TestVm(SamplingEngineTest.program());
        closing.add(vm);
        return vm;
    }

    /** An I/O tracer: each transaction as a text line; {@code onArm} runs at arming (tests change the registry there). */
    static class IoLines implements Tracer {
        final String id;
        final List<String> lines = new ArrayList<>();
        Runnable onArm = () -> { };
        int armed, drained;

        IoLines(String id) { this.id = id; }

        @Override public String id() { return id; }
        @Override public Kind kind() { return Kind.IO; }
        @Override public void arm(String windowId) { throw new AssertionError("the TraceWindow form is called"); }
        @Override public byte[] drain(String windowId) { throw new AssertionError("the TraceData form is called"); }

        @Override
        public void arm(TraceWindow w) {
            armed++;
            lines.clear();
            w.onIoTransaction((type, pos, addr, size, value, data) ->
                    lines.add(type + "@" + pos + ":" + Long.toHexString(addr) + "=" + Long.toHexString(value)));
            onArm.run();
        }

        @Override
        public TraceData drainTrace(TraceWindow w) {
            drained++;
            return new TraceData("test-lines/1.0", lines.size(), 0, String.join("\n", lines).getBytes());
        }
    }

    @Test
    void armedTracersAreDrainedAndStoredWithTheWindowAndListed() throws Exception {
        IoLines io = new IoLines("io-test");
        registered.add(io);
        SamplingEngine e = engine(vm());

        String id = e.sampleNow(50, 30_000);

        assertEquals(1, io.armed);
        assertEquals(1, io.drained);
        Window w = e.window(id).orElseThrow();
        assertEquals(1, w.traces().size());
        Trace t = w.traces().getFirst();
        assertEquals("io-test", t.tracerId());
        assertEquals(Trace.Status.COMPLETE, t.status());
        assertEquals("test-lines/1.0", t.format());
        // the scripted program's port read at 10, its OUT at 21 (whose handler DMAs 8 bytes to 0x2000 first)
        assertEquals(List.of("PORT_IN@10:60=42", "DMA_WRITE@21:2000=0", "PORT_OUT@21:80=0"), List.of(new String(t.data()).split("\n")));
        assertEquals(3, t.records());
        assertFalse(t.overflowed());
        assertTrue(Files.exists(traceFile(id, "io-test")), "trace-<tracer id>.bin beside the window's files");

        WindowInfo info = e.windows().getFirst();
        assertEquals(List.of(new WindowInfo.TraceInfo("io-test", "IO", "COMPLETE", 3, t.data().length, 0, "")), info.traces());
        assertEquals("io-test: 3 records, " + t.data().length + " bytes, overflow none", info.traces().getFirst().summary());
    }

    @Test
    void aTracerThatThrowsOrReturnsGarbageIsMarkedFailedAndTheWindowIsStored() throws Exception {
        Tracer throwsOnArm = new Failing("arm-throws", true, false, null);
        Tracer throwsOnDrain = new Failing("drain-throws", false, true, null);
        Tracer nullData = new Failing("null-data", false, false, new TraceData("x/1", 1, 0, null));
        Tracer negative = new Failing("negative", false, false, new TraceData("x/1", 1, -5, new byte[1]));
        IoLines good = new IoLines("good");
        registered.addAll(List.of(throwsOnArm, throwsOnDrain, nullData, negative, good));
        SamplingEngine e = engine(vm());

        String id = e.sampleNow(50, 30_000);

        assertEquals(SamplingState.IDLE, e.state());
        Window w = e.window(id).orElseThrow();
        List<String> got = w.traces().stream().map(t -> t.tracerId() + " " + t.status()).toList();
        assertEquals(List.of("arm-throws FAILED", "drain-throws FAILED", "null-data FAILED", "negative FAILED", "good COMPLETE"), got);
        assertTrue(w.traces().get(0).reason().contains("arm threw java.lang.IllegalStateException: broken arm"), w.traces().get(0).reason());
        assertTrue(w.traces().get(1).reason().contains("drain threw"), w.traces().get(1).reason());
        assertTrue(w.traces().get(2).reason().contains("no data"), w.traces().get(2).reason());
        assertTrue(w.traces().get(3).reason().contains("dropped -5"), w.traces().get(3).reason());
        assertFalse(Files.exists(traceFile(id, "arm-throws")), "a failed trace has no file, only its record in the CPU file");
        assertEquals(3, w.traces().get(4).records());
        // the next window arms them all again
        String next = e.sampleNow(50, 300); // the scripted guest idles after the first window: closed at the timeout
        assertEquals(5, e.window(next).orElseThrow().traces().size());
    }

    @Test
    void aTracerThatLeavesMidWindowIsFailedAndOneThatArrivesIsArmedFromTheNextWindow() throws Exception {
        IoLines leaving = new IoLines("leaving");
        IoLines arriving = new IoLines("arriving");
        leaving.onArm = () -> {
            registered.remove(leaving); // its bundle stops while the window records
            registered.add(arriving);   // another tracer bundle is installed meanwhile
        };
        registered.add(leaving);
        SamplingEngine e = engine(vm());

        Window first = e.window(e.sampleNow(50, 30_000)).orElseThrow();

        assertEquals(0, leaving.drained, "a tracer that left is not called again");
        assertEquals(0, arriving.armed);
        assertEquals(1, first.traces().size());
        assertEquals(Trace.Status.FAILED, first.traces().getFirst().status());
        assertTrue(first.traces().getFirst().reason().contains("removed while the window recorded"));

        Window second = e.window(e.sampleNow(50, 300)).orElseThrow();
        assertEquals(List.of("arriving"), second.traces().stream().map(Trace::tracerId).toList());
        assertEquals(Trace.Status.COMPLETE, second.traces().getFirst().status());

        registered.clear();
        Window third = e.window(e.sampleNow(50, 300)).orElseThrow();
        assertEquals(List.of(), third.traces(), "no tracer: nothing recorded, the window as before");
    }

    @Test
    void aMemoryTracerOnABackendWithoutTheHookIsRecordedUnavailable() throws Exception {
        Tracer mtr = new Tracer() {
            @Override public String id() { return "mtr"; }
            @Override public Kind kind() { return Kind.MEMORY; }
            @Override public void arm(String windowId) { }
            @Override public byte[] drain(String windowId) { throw new AssertionError("an unavailable tracer is not drained"); }
            @Override public void arm(TraceWindow w) throws TracerUnavailableException {
                if (!w.onMemoryAccess((p, a, wr, s, d) -> { })) throw new TracerUnavailableException("no memory-access hook");
            }
        };
        registered.add(mtr);
        SamplingEngine e = engine(vm());

        Window w = e.window(e.sampleNow(50, 30_000)).orElseThrow();

        Trace t = w.traces().getFirst();
        assertEquals(Trace.Status.UNAVAILABLE, t.status());
        assertEquals("no memory-access hook (backend scripted)", t.reason());
        assertEquals("mtr: UNAVAILABLE (no memory-access hook (backend scripted))", e.windows().getFirst().traces().getFirst().summary());
    }

    @Test
    void anOverflowIsRecordedAsTheHardwaresIs() throws Exception {
        registered.add(new Failing("full", false, false, new TraceData("x/1", 4, 996, new byte[64])));
        SamplingEngine e = engine(vm());

        String id = e.sampleNow(50, 30_000);

        Trace t = e.window(id).orElseThrow().traces().getFirst();
        assertTrue(t.overflowed());
        assertEquals(4, t.records());
        assertEquals(996, t.dropped());
        assertEquals("full: 4 records, 64 bytes, overflow 996 dropped", e.windows().getFirst().traces().getFirst().summary());
    }

    @Test
    void aDamagedTraceIsATypedErrorNamingTheWindowAndTheFile() throws Exception {
        IoLines io = new IoLines("io-test");
        registered.add(io);
        SamplingEngine e = engine(vm());
        String id = e.sampleNow(50, 30_000);
        Path f = traceFile(id, "io-test");
        byte[] good = Files.readAllBytes(f);

        byte[] flipped = good.clone();
        flipped[flipped.length - 10] ^= 1;
        Files.write(f, flipped);
        WindowDamagedException corrupt = assertThrows(WindowDamagedException.class, () -> e.window(id));
        assertEquals(id, corrupt.windowId());
        assertEquals(f.getFileName().toString(), corrupt.file());
        assertEquals(WindowDamagedException.Problem.CORRUPT, corrupt.problem());

        Files.write(f, java.util.Arrays.copyOf(good, good.length - 3));
        assertEquals(WindowDamagedException.Problem.TRUNCATED, assertThrows(WindowDamagedException.class, () -> e.window(id)).problem());

        Files.delete(f);
        WindowDamagedException missing = assertThrows(WindowDamagedException.class, () -> e.window(id));
        assertEquals(WindowDamagedException.Problem.MISSING, missing.problem());
        assertEquals(f.getFileName().toString(), missing.file());

        // the trace file of another recording of the same tracer: intact, but not the one the CPU file names
        Files.write(f, good);
        e.window(id).orElseThrow();
        String other = e.sampleNow(50, 300);
        Files.copy(traceFile(other, "io-test"), f, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertEquals(WindowDamagedException.Problem.MISMATCHED, assertThrows(WindowDamagedException.class, () -> e.window(id)).problem());
    }

    @Test
    void theCpuFileListsTracesFromMinor4AndOlderCpuFilesLoadWithout() throws Exception {
        List<TraceFiles.TraceRef> refs = List.of(new TraceFiles.TraceRef("mtr", Tracer.Kind.MEMORY, Trace.Status.COMPLETE, 10, 2, 300, 0x1234, ""),
                new TraceFiles.TraceRef("itr", Tracer.Kind.IO, Trace.Status.UNAVAILABLE, -1, 0, 0, 0, "why"));
        ByteBuffer b = TraceFiles.putRefs(ByteBuffer.allocate(4).order(java.nio.ByteOrder.LITTLE_ENDIAN), refs);
        b.flip();
        assertEquals(refs, TraceFiles.getRefs(b));
        // a window recorded without tracers (and every window before them) loads with no traces
        SamplingEngine e = engine(vm());
        assertEquals(List.of(), e.window(e.sampleNow(50, 30_000)).orElseThrow().traces());
    }

    private Path traceFile(String id, String tracer) throws Exception {
        try (var s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().contains("_" + id + "_trace-" + tracer + ".bin"))
                    .findFirst().orElse(dir.resolve("none_" + id + "_trace-" + tracer + ".bin"));
        }
    }

    /** A tracer that fails on arm or drain, or drains {@code drained}. */
    record Failing(String id, boolean armThrows, boolean drainThrows, TraceData drained) implements Tracer {
        @Override public Kind kind() { return Kind.MEMORY; }
        @Override public void arm(String windowId) {
            if (armThrows) throw new IllegalStateException("broken arm");
        }
        @Override public byte[] drain(String windowId) { return null; }
        @Override public TraceData drainTrace(TraceWindow w) {
            if (drainThrows) throw new IllegalStateException("broken drain");
            return drained;
        }
    }
}
