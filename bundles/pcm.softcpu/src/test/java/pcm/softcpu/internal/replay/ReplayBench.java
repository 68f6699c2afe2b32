package pcm.softcpu.internal.replay;

import java.util.ArrayList;
import java.util.List;

import pcm.core.api.verify.Verdict;
import pcm.core.api.verify.Window;

/**
 * Replay speed of the soft RCP: records one window covering most of a guest run (param, default 256) and
 * replays it; prints instructions/s of recording and replay and their ratio, plus the localisation cost
 * (a corrupted byte at the middle, full and checkpoint strategies). {@code ReplayBench [param] [rounds]}.
 */
public final class ReplayBench {
    public static void main(String[] a) throws Exception {
        long param = a.length > 0 ? Long.parseLong(a[0]) : 256;
        int rounds = a.length > 1 ? Integer.parseInt(a[1]) : 5;
        // the same windows replayed by the soft RCP with and without the block compiler (on by default), in one JVM
        SoftReplayVerifier[] rcps = {new SoftReplayVerifier(true, false), new SoftReplayVerifier(true, true)};
        String[] names = {"interpreted", "compiled"};
        double[] sum = new double[2];
        for (int r = 0; r < rounds; r++) {
            List<Window> ws = new ArrayList<>();
            long len = param * 12_000;
            long t0, t1;
            try (TestWindows t = new TestWindows(param, 8 << 20, 1000, 20_000, r)) {
                t0 = System.nanoTime();
                t.record(List.of(new TestWindows.Plan(10_000, len)), ws::add);
                t1 = System.nanoTime();
            }
            Window w = ws.get(0);
            long n = w.events().get(w.events().size() - 1).position();
            double rec = (t1 - t0) / 1e9;
            double[] rep = new double[2];
            for (int m = 0; m < 2; m++) {
                SoftReplayVerifier rcp = rcps[m];
                long t2 = System.nanoTime();
                Verdict v = rcp.verify(w, ReplayTest.FULL, p -> { });
                long t3 = System.nanoTime();
                Window bad = FaultInjectionTest.memoryByte(w, n / 2, 7L << 20, (byte) 1);
                long t4 = System.nanoTime();
                Verdict vf = rcp.verify(bad, ReplayTest.FULL, p -> { });
                long t5 = System.nanoTime();
                Verdict vc = rcp.verify(bad, ReplayTest.every(100_000), p -> { });
                long t6 = System.nanoTime();
                rep[m] = (t3 - t2) / 1e9;
                if (r > 0) sum[m] += rep[m]; // round 0 warms up
                System.out.printf("round %d %s: %d insns, %d events, %s; record (compiled, whole guest run %d insns incl. 2 snapshots)"
                        + " %.3f s; replay %.3f s = %.1f M insn/s; replay/record %.2f; localise full %.3f s (%s@%d), checkpoint/100k"
                        + " %.3f s (@%d)%n", r, names[m], n, w.events().size(), v.outcome(), n + 10_000, rec, rep[m], n / rep[m] / 1e6,
                        rep[m] / rec, (t5 - t4) / 1e9, vf.outcome(), vf.divergence().map(d -> d.position()).orElse(-1L),
                        (t6 - t5) / 1e9, vc.divergence().map(d -> d.position()).orElse(-1L));
            }
        }
        if (rounds > 1) System.out.printf("replay compiled/interpreted speed (rounds 1..%d): %.2fx%n", rounds - 1, sum[0] / sum[1]);
    }
}
