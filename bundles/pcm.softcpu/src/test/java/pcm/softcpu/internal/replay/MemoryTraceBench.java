package pcm.softcpu.internal.replay;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;

import pcm.core.api.tracer.Trace;
import pcm.core.api.verify.Verdict;
import pcm.core.api.verify.Window;

/**
 * What the memory tracer costs on the soft CPU (issue 15 item 3): records the same window of the embedded guest with
 * the memory tracer armed and without, alternately in one JVM, and prints per window length the trace bytes and
 * records, the recording time ratio (thread CPU time: traced / untraced) and the replay time ratio (the soft RCP
 * comparing every access with the trace / a replay without a trace). Not a test (no wall-clock assertions):
 * {@code MemoryTraceBench [param=64] [rounds=3] [lengths=2000,500000]}.
 */
public final class MemoryTraceBench {

    static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();

    record Run(Window window, long recordNanos) { }

    static Run record(long param, long length, int traceBytes) throws Exception {
        List<Window> ws = new ArrayList<>();
        try (TestWindows t = new TestWindows(param, 8 << 20, 1000, 20_000, 3)) {
            t.fingerprints = true;
            t.checkpointEvery = 1024;
            t.memoryTraceBytes = traceBytes;
            long t0 = CPU.getCurrentThreadCpuTime();
            t.record(List.of(new TestWindows.Plan(10_000, length)), ws::add);
            return new Run(ws.getFirst(), CPU.getCurrentThreadCpuTime() - t0);
        }
    }

    static long replay(Window w) {
        long t0 = CPU.getCurrentThreadCpuTime();
        Verdict v = new SoftReplayVerifier().verify(w, ReplayTest.FULL, p -> { });
        long t = CPU.getCurrentThreadCpuTime() - t0;
        if (v.outcome() != pcm.core.api.verify.Outcome.MATCH) throw new IllegalStateException(v.toString());
        return t;
    }

    static double median(List<Double> v) {
        List<Double> s = v.stream().sorted().toList();
        return s.size() % 2 == 1 ? s.get(s.size() / 2) : (s.get(s.size() / 2 - 1) + s.get(s.size() / 2)) / 2;
    }

    public static void main(String[] a) throws Exception {
        long param = a.length > 0 ? Long.parseLong(a[0]) : 64;
        int rounds = a.length > 1 ? Integer.parseInt(a[1]) : 3;
        long[] lengths = a.length > 2 ? java.util.Arrays.stream(a[2].split(",")).mapToLong(Long::parseLong).toArray()
                : new long[] {2_000, 500_000};
        for (long length : lengths) {
            List<Double> recordRatios = new ArrayList<>(), replayRatios = new ArrayList<>();
            for (int r = 0; r < rounds; r++) {
                Run plain = r % 2 == 0 ? record(param, length, 0) : null;
                Run traced = record(param, length, 10_400_000);
                if (plain == null) plain = record(param, length, 0);
                Trace t = traced.window().traces().getFirst();
                long insns = traced.window().events().getLast().position();
                long replayPlain = replay(plain.window()), replayTraced = replay(traced.window());
                System.out.printf("window %d insns (recorded %d incl. 10,000 before it): mtr %d records, %d bytes (%.2f bytes/insn,"
                                + " %.1f bytes/record), dropped %d; record CPU %.3f s traced vs %.3f s plain = %.2fx;"
                                + " replay CPU %.3f s with the trace vs %.3f s = %.2fx%n",
                        insns, insns + 10_000, t.records(), t.data().length, t.data().length / (double) insns,
                        t.data().length / (double) Math.max(1, t.records()), t.dropped(), traced.recordNanos() / 1e9,
                        plain.recordNanos() / 1e9, traced.recordNanos() / (double) plain.recordNanos(), replayTraced / 1e9,
                        replayPlain / 1e9, replayTraced / (double) replayPlain);
                if (r >= 2) { // the first two rounds warm the JIT up
                    recordRatios.add(traced.recordNanos() / (double) plain.recordNanos());
                    replayRatios.add(replayTraced / (double) replayPlain);
                }
            }
            if (!recordRatios.isEmpty()) {
                System.out.printf("window %d insns, rounds 3..%d: record traced/plain median %.2f (%.2f-%.2f), replay with/without"
                                + " trace median %.2f (%.2f-%.2f)%n", length, rounds, median(recordRatios),
                        java.util.Collections.min(recordRatios), java.util.Collections.max(recordRatios), median(replayRatios),
                        java.util.Collections.min(replayRatios), java.util.Collections.max(replayRatios));
            }
        }
    }
}
