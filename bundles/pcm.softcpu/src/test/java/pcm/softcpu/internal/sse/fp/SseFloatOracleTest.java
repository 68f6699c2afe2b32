package pcm.softcpu.internal.sse.fp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The bounded differential run of {@link SseFloat} against the host CPU ({@link SseFpOracle}): for every op,
 * its edge operands (pairs for binary ops) under the rounding/DAZ/FTZ modes with every exception masked,
 * some random unmasked masks, and random operands. The soak is {@link SseFloatSoak}. Skipped, with the
 * reason, where the oracle cannot be built.
 */
class SseFloatOracleTest {

    @Test
    void everyOpMatchesTheHostCpu() throws Exception {
        String why = SseFpOracle.unavailable();
        Assumptions.assumeTrue(why == null, why);
        int perOp = Integer.getInteger("ssefp.random", 4000);
        long cases = 0, bad = 0;
        List<String> report = new ArrayList<>();
        for (SseFpOps.Op op : SseFpOps.all()) {
            for (SseFpCheck.Tally t : List.of(edgeSample(op), SseFpCheck.random(op, perOp, 0x5E_13L ^ op.name().hashCode()))) {
                cases += t.cases;
                bad += t.mismatches;
                report.addAll(t.samples);
            }
        }
        System.out.printf("SSE fp oracle (%s): %d ops, %d cases, %d mismatches%n", SseFpOracle.vendor(), SseFpOps.all().size(),
                cases, bad);
        assertEquals(0, bad, () -> String.join("\n", report));
    }

    /**
     * Unary ops: every edge under all 16 masked modes and 4 unmasked ones; binary ops: every edge pair under
     * 3 of the 16 masked modes (rotating, so each pair class sees every mode across the table) and 1 random
     * unmasked mode.
     */
    private static SseFpCheck.Tally edgeSample(SseFpOps.Op op) throws Exception {
        if (op.arity() == 1) return SseFpCheck.edges(op, 4, 7);
        long[] e = SseFpCases.edges(op.dom());
        int[] modes = SseFpCases.maskedModes();
        SplittableRandom r = new SplittableRandom(0x13);
        int n = e.length * e.length * 4;
        int[] mx = new int[n];
        long[] a = new long[n], b = new long[n];
        int k = 0;
        for (int i = 0; i < e.length; i++) {
            for (int j = 0; j < e.length; j++) {
                for (int m = 0; m < 4; m++) {
                    mx[k] = m < 3 ? modes[(i + j * 3 + m * 5) & 15] : SseFpCases.randomMode(r) & ~0x1F80 | r.nextInt(64) << 7;
                    a[k] = e[i];
                    b[k++] = e[j];
                }
            }
        }
        return SseFpCheck.check(op, mx, a, b);
    }
}
