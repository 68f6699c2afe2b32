package pcm.softcpu.internal.sse.fp;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Runs cases of one op on the host CPU and on {@link SseFloat} and compares: the result (when nothing
 * faulted) and the exception flags; an unmasked exception on the host must be one the library reports as
 * unmasked, and the reverse.
 */
final class SseFpCheck {

    /** The outcome for one op. */
    static final class Tally {
        final String op;
        long cases;
        long mismatches;
        final List<String> samples = new ArrayList<>();

        Tally(String op) {
            this.op = op;
        }
    }

    private SseFpCheck() {
    }

    static Tally check(SseFpOps.Op op, int[] mx, long[] a, long[] b) throws IOException, InterruptedException {
        SseFpOracle.Answer[] ans = SseFpOracle.run(op.name(), mx, a, b);
        Tally t = new Tally(op.name());
        FpFlags f = new FpFlags();
        for (int i = 0; i < a.length; i++) {
            f.clear();
            long mine = op.impl().apply(a[i], b[i], mx[i], f) & op.mask();
            SseFpOracle.Answer h = ans[i];
            boolean myFault = f.unmasked(mx[i]) != 0;
            boolean ok = myFault == h.faulted() && f.bits == (h.mxcsr() & FpFlags.ALL)
                    && (h.faulted() || mine == (h.result() & op.mask()));
            t.cases++;
            if (!ok) {
                t.mismatches++;
                if (t.samples.size() < 12) {
                    t.samples.add(String.format("%s mxcsr=%04x a=%x b=%x: host %x flags %s%s, lib %x flags %s%s",
                            op.name(), mx[i], a[i], b[i], h.result() & op.mask(), name(h.mxcsr() & FpFlags.ALL),
                            h.faulted() ? " #XM" : "", mine, f, myFault ? " #XM" : ""));
                }
            }
        }
        return t;
    }

    static String name(int bits) {
        FpFlags f = new FpFlags();
        f.bits = bits;
        return f.toString();
    }

    /** Edge x edge (unary: edges) under the 16 masked modes plus {@code unmaskedPerEdge} random-mask modes. */
    static Tally edges(SseFpOps.Op op, int unmaskedModes, long seed) throws IOException, InterruptedException {
        long[] e = SseFpCases.edges(op.dom());
        int[] modes = SseFpCases.maskedModes();
        SplittableRandom r = new SplittableRandom(seed);
        int[] extra = new int[unmaskedModes];
        for (int i = 0; i < extra.length; i++) extra[i] = (r.nextInt(16) << 11 & 0x7800) | 0x40 * r.nextInt(2) | r.nextInt(64) << 7 | 0x8000 * r.nextInt(2);
        int nb = op.arity() == 2 ? e.length : 1;
        int n = e.length * nb * (modes.length + extra.length);
        int[] mx = new int[n];
        long[] a = new long[n], b = new long[n];
        int k = 0;
        for (long x : e) {
            for (int j = 0; j < nb; j++) {
                for (int m : modes) { mx[k] = m; a[k] = x; b[k++] = e[j]; }
                for (int m : extra) { mx[k] = m; a[k] = x; b[k++] = e[j]; }
            }
        }
        return check(op, mx, a, b);
    }

    /** {@code n} random cases (structured operands, related second operands, random modes). */
    static Tally random(SseFpOps.Op op, int n, long seed) throws IOException, InterruptedException {
        SplittableRandom r = new SplittableRandom(seed);
        int[] mx = new int[n];
        long[] a = new long[n], b = new long[n];
        for (int i = 0; i < n; i++) {
            mx[i] = SseFpCases.randomMode(r);
            a[i] = SseFpCases.random(op.dom(), r);
            b[i] = r.nextBoolean() ? SseFpCases.related(a[i], op.dom(), r) : SseFpCases.random(op.dom(), r);
            if (r.nextInt(8) == 0) { long t = a[i]; a[i] = b[i]; b[i] = t; }
        }
        return check(op, mx, a, b);
    }
}
