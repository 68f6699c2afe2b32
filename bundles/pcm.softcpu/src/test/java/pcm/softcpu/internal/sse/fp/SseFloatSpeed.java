package pcm.softcpu.internal.sse.fp;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Prints the fast path's cost against plain Java arithmetic (round to nearest, masked, normal operands: the
 * case of almost every guest instruction), and the slow path's (round down). A benchmark, not a test (timings are not
 * behaviour): run it from the test class path, {@code java -cp <test classes>:<classes> pcm.softcpu.internal.sse.fp.SseFloatSpeed}.
 */
public final class SseFloatSpeed {

    private SseFloatSpeed() {}


    private static final int N = 1 << 14;
    private static final double[] X = new double[N], Y = new double[N];
    private static final long[] XB = new long[N], YB = new long[N];
    private static final int[] XF = new int[N], YF = new int[N];
    private static final FpFlags F = new FpFlags();

    static {
        SplittableRandom r = new SplittableRandom(42);
        for (int i = 0; i < N; i++) {
            X[i] = r.nextDouble(0.5, 1e6);
            Y[i] = r.nextDouble(0.5, 1e6);
            XB[i] = Double.doubleToRawLongBits(X[i]);
            YB[i] = Double.doubleToRawLongBits(Y[i]);
            XF[i] = Float.floatToRawIntBits((float) X[i]);
            YF[i] = Float.floatToRawIntBits((float) Y[i]);
        }
    }

    static double javaAdd() { double s = 0; for (int i = 0; i < N; i++) s += X[i] + Y[i]; return s; }
    static double javaMul() { double s = 0; for (int i = 0; i < N; i++) s += X[i] * Y[i]; return s; }
    static double javaDiv() { double s = 0; for (int i = 0; i < N; i++) s += X[i] / Y[i]; return s; }
    static double javaSqrt() { double s = 0; for (int i = 0; i < N; i++) s += Math.sqrt(X[i]); return s; }
    static long libAdd(int mx) { long s = 0; for (int i = 0; i < N; i++) s += SseFloat.addF64(XB[i], YB[i], mx, F); return s; }
    static long libMul(int mx) { long s = 0; for (int i = 0; i < N; i++) s += SseFloat.mulF64(XB[i], YB[i], mx, F); return s; }
    static long libDiv(int mx) { long s = 0; for (int i = 0; i < N; i++) s += SseFloat.divF64(XB[i], YB[i], mx, F); return s; }
    static long libSqrt(int mx) { long s = 0; for (int i = 0; i < N; i++) s += SseFloat.sqrtF64(XB[i], mx, F); return s; }
    static long libAdd32(int mx) { long s = 0; for (int i = 0; i < N; i++) s += SseFloat.addF32(XF[i], YF[i], mx, F); return s; }
    static long libMul32(int mx) { long s = 0; for (int i = 0; i < N; i++) s += SseFloat.mulF32(XF[i], YF[i], mx, F); return s; }

    public static void main(String[] args) {
        String[] names = {"add", "mul", "div", "sqrt", "addss", "mulss"};
        double[] plain = new double[names.length], fast = new double[names.length], slow = new double[names.length];
        Arrays.fill(plain, Double.MAX_VALUE);
        Arrays.fill(fast, Double.MAX_VALUE);
        Arrays.fill(slow, Double.MAX_VALUE);
        long sink = 0;
        for (int round = 0; round < 60; round++) { // the first 20 rounds warm up
            for (int op = 0; op < names.length; op++) {
                long t0 = System.nanoTime();
                sink += switch (op) {
                    case 0 -> (long) javaAdd();
                    case 1 -> (long) javaMul();
                    case 2 -> (long) javaDiv();
                    case 3 -> (long) javaSqrt();
                    default -> 0;
                };
                long t1 = System.nanoTime();
                sink += lib(op, 0x1F80);
                long t2 = System.nanoTime();
                sink += lib(op, 0x3F80); // round down: the exact slow path
                long t3 = System.nanoTime();
                if (round >= 20) { // the best round: the machine is shared, noise only adds
                    plain[op] = Math.min(plain[op], (t1 - t0) / (double) N);
                    fast[op] = Math.min(fast[op], (t2 - t1) / (double) N);
                    slow[op] = Math.min(slow[op], (t3 - t2) / (double) N);
                }
            }
        }
        StringBuilder out = new StringBuilder("SSE fp ns/op, fast path (RN) / plain Java / slow path (RD):");
        for (int op = 0; op < names.length; op++) {
            out.append(String.format(" %s %.2f / %s / %.2f;", names[op], fast[op], op < 4 ? String.format("%.2f", plain[op]) : "-", slow[op]));
        }
        System.out.println(out);
        if (sink == 42) System.out.println(); // uses the sums: the loops cannot be removed as dead code
    }

    private static long lib(int op, int mx) {
        return switch (op) {
            case 0 -> libAdd(mx);
            case 1 -> libMul(mx);
            case 2 -> libDiv(mx);
            case 3 -> libSqrt(mx);
            case 4 -> libAdd32(mx);
            default -> libMul32(mx);
        };
    }
}
