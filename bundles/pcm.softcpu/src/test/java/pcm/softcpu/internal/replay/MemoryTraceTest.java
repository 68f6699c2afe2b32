package pcm.softcpu.internal.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import pcm.core.api.tracer.MemoryTrace;
import pcm.core.api.tracer.Trace;
import pcm.core.api.verify.Outcome;
import pcm.core.api.verify.Verdict;
import pcm.core.api.verify.Window;

/**
 * Issue 15 item 3: the soft RCP uses a window's memory trace. A wrong store the guest overwrites before anything
 * reads it leaves the registers, fingerprints and final memory as they should be — invisible to replay — but the
 * memory tracer saw it: with the trace the window is DIVERGED at exactly that instruction.
 */
@Timeout(value = 300, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class MemoryTraceTest {

    static final SoftReplayVerifier RCP = new SoftReplayVerifier();
    static final int BUFFER = 10_400_000;

    private static List<Window> record(List<TestWindows.Plan> plans, TestWindows.StoreFault fault, int buffer) throws Exception {
        List<Window> out = new ArrayList<>();
        try (TestWindows t = new TestWindows(32, 8 << 20, 1000, 4_000, 11)) {
            t.fingerprints = true;
            t.checkpointEvery = 1024;
            t.memoryTraceBytes = buffer;
            t.storeFault = fault;
            t.record(plans, out::add);
        }
        return out;
    }

    private static Window withoutTraces(Window w) {
        return new TestWindows.TestWindow(w.id(), w.backend(), w.cpu(), w.initial(), w.events(), w.end(), List.of());
    }

    /** A store whose bytes the guest stores again (same address and size) before any other access touches them. */
    record DeadStore(int index, MemoryTrace.Access store, MemoryTrace.Access overwrite) {}

    static List<DeadStore> deadStores(List<MemoryTrace.Access> a) {
        List<DeadStore> out = new ArrayList<>();
        for (int i = 0; i < a.size(); i++) {
            MemoryTrace.Access s = a.get(i);
            if (!s.write()) continue;
            for (int j = i + 1; j < a.size(); j++) {
                MemoryTrace.Access x = a.get(j);
                boolean overlaps = x.gpa() < s.gpa() + s.size() && s.gpa() < x.gpa() + x.size();
                if (!overlaps) continue;
                if (x.write() && x.gpa() == s.gpa() && x.size() == s.size() && x.position() > s.position()) out.add(new DeadStore(i, s, x));
                break;
            }
        }
        return out;
    }

    @Test
    void aWrongStoreOverwrittenBeforeTheEndIsDivergedAtItsInstructionWithTheTrace() throws Exception {
        List<TestWindows.Plan> plans = new ArrayList<>();
        for (int i = 0; i < 16; i++) plans.add(new TestWindows.Plan(3_000 + i * 11_000L, 5_000));
        List<Window> clean = record(plans, null, BUFFER);
        assertEquals(plans.size(), clean.size());

        int injected = 0, hiddenWithoutTrace = 0;
        List<String> table = new ArrayList<>();
        for (int k = 0; k < clean.size(); k++) {
            Window w = clean.get(k);
            Trace t = w.traces().getFirst();
            assertFalse(t.overflowed());
            // no false alarm: the clean window matches, every access equal to the trace
            Verdict ok = RCP.verify(w, ReplayTest.FULL, p -> { });
            assertEquals(Outcome.MATCH, ok.outcome(), ok::toString);
            assertTrue(ok.detail().contains(t.records() + " memory accesses equal to the trace"), ok::toString);

            List<MemoryTrace.Access> accesses = MemoryTrace.decode(t.data());
            List<DeadStore> dead = deadStores(accesses);
            // up to three per window (first, middle, last), each injected into its own recording of the window
            List<DeadStore> picked = dead.isEmpty() ? List.of()
                    : java.util.stream.Stream.of(dead.getFirst(), dead.get(dead.size() / 2), dead.getLast()).distinct().toList();
            for (DeadStore d : picked) {
            int[] seen = {0};
            // the recording CPU stores a wrong byte: the access at that index lands with its low byte flipped
            TestWindows.StoreFault wrongStore = (pos, gpa, write, size, data, ram) -> {
                if (seen[0]++ != d.index()) return data;
                long bad = data ^ 0x5A;
                for (int b = 0; b < size; b++) ram.set(ValueLayout.JAVA_BYTE, gpa + b, (byte) (bad >>> (8 * b)));
                return bad;
            };
            Window faulty = record(List.of(plans.get(k)), wrongStore, BUFFER).getFirst();
            injected++;

            Verdict with = RCP.verify(faulty, ReplayTest.FULL, p -> { });
            assertEquals(Outcome.DIVERGED, with.outcome(), with::toString);
            assertEquals(d.store().position(), with.divergence().orElseThrow().position(), with::toString);
            assertTrue(with.divergence().get().differences().getFirst().contains("wrong store"), with::toString);

            Verdict without = RCP.verify(withoutTraces(faulty), ReplayTest.FULL, p -> { });
            boolean hidden = without.outcome() == Outcome.MATCH;
            if (hidden) hiddenWithoutTrace++;
            else assertTrue(without.divergence().orElseThrow().position() > d.store().position(), without::toString);
            table.add(w.id() + ": store at " + d.store().position() + " overwritten at " + d.overwrite().position()
                    + " -> with trace DIVERGED at " + with.divergence().get().position() + ", without " + without.outcome()
                    + without.divergence().map(x -> " at " + x.position()).orElse(""));
            }
        }
        System.out.println("memory trace fault table:\n" + String.join("\n", table));
        assertTrue(injected >= 6, "dead stores injected: " + injected);
        assertEquals(injected, hiddenWithoutTrace, "an overwritten wrong store is invisible without the trace: " + table);
    }

    @Test
    void anOverflowedTraceIsComparedUpToItsLastRecord() throws Exception {
        List<Window> ws = record(List.of(new TestWindows.Plan(3_000, 2_000)), null, 500);
        Trace t = ws.getFirst().traces().getFirst();
        assertTrue(t.overflowed(), t.summary());
        Verdict v = RCP.verify(ws.getFirst(), ReplayTest.FULL, p -> { });
        assertEquals(Outcome.MATCH, v.outcome(), v::toString);
        assertTrue(v.detail().contains(t.records() + " memory accesses equal"), v::toString);
    }

    /**
     * Tracing is transparent: with the memory-access hook set (no data TLB entries, every access on the slow path) the
     * guest computes exactly what it computes without — the same events, registers and memory at every window's end.
     */
    @Test
    void aTracedRunComputesTheSameAsAnUntracedOne() throws Exception {
        List<TestWindows.Plan> plans = List.of(new TestWindows.Plan(3_000, 20_000), new TestWindows.Plan(60_000, 50_000));
        List<Window> traced = record(plans, null, BUFFER), plain = record(plans, null, 0);
        assertEquals(plain.size(), traced.size());
        for (int i = 0; i < plain.size(); i++) {
            Window a = plain.get(i), b = traced.get(i);
            assertEquals(List.of(), a.traces());
            assertTrue(b.traces().getFirst().records() > 0);
            assertEquals(a.events().size(), b.events().size());
            for (int e = 0; e < a.events().size(); e++) {
                assertEquals(a.events().get(e).kind() + "@" + a.events().get(e).position() + "=" + a.events().get(e).value(),
                        b.events().get(e).kind() + "@" + b.events().get(e).position() + "=" + b.events().get(e).value());
            }
            assertEquals(a.end().registers(), b.end().registers());
            assertEquals(a.end().specialRegisters(), b.end().specialRegisters());
            long size = a.end().memory().size();
            byte[] x = new byte[(int) size], y = new byte[(int) size];
            a.end().memory().read(0, x, 0, x.length);
            b.end().memory().read(0, y, 0, y.length);
            assertTrue(java.util.Arrays.equals(x, y), "final memory of window " + i);
        }
    }

    /**
     * The I/O trace: what the guest wrote to ports is in no log (an OUT is no input), only the I/O tracer saw it. A
     * port write whose value differs from the trace — a device got a wrong byte — is DIVERGED at that OUT with the
     * trace, invisible without it.
     */
    @Test
    void aWrongPortWriteIsDivergedAtItsInstructionWithTheIoTrace() throws Exception {
        List<Window> ws;
        try (TestWindows t = new TestWindows(32, 8 << 20, 1000, 4_000, 11)) {
            t.fingerprints = true;
            t.checkpointEvery = 1024;
            t.ioTraceBytes = BUFFER;
            List<Window> out = new ArrayList<>();
            t.record(List.of(new TestWindows.Plan(500, 30_000)), out::add);
            ws = out;
        }
        Window w = ws.getFirst();
        Trace io = w.traces().getFirst();
        List<pcm.core.api.tracer.IoTrace.Transaction> tx = pcm.core.api.tracer.IoTrace.decode(io.data());
        long outs = tx.stream().filter(x -> x.type() == pcm.core.api.tracer.IoTransactionListener.Type.PORT_OUT).count();
        assertTrue(outs >= 10, "port writes in the window: " + outs);
        Verdict ok = RCP.verify(w, ReplayTest.FULL, p -> { });
        assertEquals(Outcome.MATCH, ok.outcome(), ok::toString);
        assertTrue(ok.detail().contains(outs + " port writes equal to the I/O trace"), ok::toString);

        int checked = 0;
        for (int n : new int[] {0, (int) outs / 2, (int) outs - 1}) {
            pcm.core.api.tracer.IoTrace.Writer bad = new pcm.core.api.tracer.IoTrace.Writer(BUFFER);
            int seen = 0;
            long at = -1;
            for (pcm.core.api.tracer.IoTrace.Transaction x : tx) {
                long v = x.value();
                if (x.type() == pcm.core.api.tracer.IoTransactionListener.Type.PORT_OUT && seen++ == n) {
                    v ^= 0x01;
                    at = x.position();
                }
                bad.transaction(x.type(), x.position(), x.address(), x.size(), v, x.data());
            }
            pcm.core.api.tracer.TraceData d = bad.drain();
            Window faulty = new TestWindows.TestWindow(w.id() + "+out" + n, w.backend(), w.cpu(), w.initial(), w.events(), w.end(),
                    List.of(new Trace("itr", pcm.core.api.tracer.Tracer.Kind.IO, Trace.Status.COMPLETE, "", d.format(), d.records(), 0, d.data())));
            Verdict v = RCP.verify(faulty, ReplayTest.FULL, p -> { });
            assertEquals(Outcome.DIVERGED, v.outcome(), v::toString);
            assertEquals(at, v.divergence().orElseThrow().position(), v::toString);
            assertTrue(v.divergence().get().differences().getFirst().contains("port write differs"), v::toString);
            assertEquals(Outcome.MATCH, RCP.verify(withoutTraces(faulty), ReplayTest.FULL, p -> { }).outcome());
            checked++;
        }
        assertEquals(3, checked);
    }
}
