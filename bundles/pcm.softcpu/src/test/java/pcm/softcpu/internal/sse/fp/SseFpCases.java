package pcm.softcpu.internal.sse.fp;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Operands and MXCSR values for the oracle comparison: edge values, crafted boundary cases and random ones. */
final class SseFpCases {

    private SseFpCases() {
    }

    /** Positive edge values of float32 (each also used negated). */
    static final int[] F32_EDGES = {
        0, 1, 2, 0x00400000, 0x007FFFFF, 0x00800000, 0x00800001, 0x00FFFFFF, 0x01000000, // zero, denormals, min normal
        0x3F800000, 0x3F800001, 0x3FFFFFFF, 0x40000000, 0x3FC00000, 0x3F000000, 0x33800000, 0x33800001, 0x34000000,
        0x3EAAAAAB, 0x40490FDB, 0x4B000000, 0x4B7FFFFF, 0x4B800001, 0x4EFFFFFF, 0x4F000000, 0x4F000001, 0x5EFFFFFF,
        0x5F000000, 0x3F000001, 0x3FC00001, 0x4F7FFFFF,                                      // integer boundaries
        0x7F7FFFFF, 0x7F7FFFFE, 0x7F000000, 0x1F800000, 0x20000000, 0x1F7FFFFF, 0x5F800000, 0x5F7FFFFF,
        0x7F800000, 0x7FC00000, 0x7FC12345, 0x7FFFFFFF, 0x7F800001, 0x7FA00005, 0x7FBFFFFF,     // inf, QNaN, SNaN
    };

    static final long[] F64_EDGES = {
        0, 1, 2, 0x0008000000000000L, 0x000FFFFFFFFFFFFFL, 0x0010000000000000L, 0x0010000000000001L,
        0x001FFFFFFFFFFFFFL, 0x0020000000000000L,
        0x3FF0000000000000L, 0x3FF0000000000001L, 0x3FFFFFFFFFFFFFFFL, 0x4000000000000000L, 0x3FF8000000000000L,
        0x3FE0000000000000L, 0x3CA0000000000000L, 0x3CA0000000000001L, 0x3CB0000000000000L, 0x3FD5555555555555L,
        0x400921FB54442D18L, 0x4330000000000000L, 0x41DFFFFFFFC00000L, 0x41E0000000000000L, 0x41DFFFFFFFE00000L,
        0x41E0000000100000L, 0xC1E0000000100000L, 0x43DFFFFFFFFFFFFFL, 0x43E0000000000000L, 0x3FE0000000000001L,
        0x3FF8000000000001L, 0x41EFFFFFFFFFFFFFL, 0x4330000000000001L,
        0x7FEFFFFFFFFFFFFFL, 0x7FEFFFFFFFFFFFFEL, 0x7FE0000000000000L, 0x1FF0000000000000L, 0x2000000000000000L,
        0x5FF0000000000000L, 0x5FEFFFFFFFFFFFFFL,
        0x47EFFFFFE0000000L, 0x47EFFFFFF0000000L, 0x47EFFFFFEFFFFFFFL, 0x3810000000000000L, 0x380FFFFFF0000000L,
        0x380FFFFFE0000000L, 0x3800000000000000L, 0x36A0000000000000L, 0x3690000000000000L, 0x3690000000000001L,
        0x7FF0000000000000L, 0x7FF8000000000000L, 0x7FF8123456789ABCL, 0x7FFFFFFFFFFFFFFFL, 0x7FF0000000000001L,
        0x7FF4000000000005L, 0x7FF7FFFFFFFFFFFFL,
    };

    static final int[] I32_EDGES = {0, 1, -1, 0x00FFFFFF, 0x01000000, 0x01000001, 0x01000003, 0x7FFFFFFF, 0x80000000,
        0x7FFFFF80, 0x7FFFFFC0, 0x7FFFFF7F, 0xFEFFFFFF, 0x12345678};

    static final long[] I64_EDGES = {0, 1, -1, 0x00FFFFFFL, 0x01000001L, 0x001FFFFFFFFFFFFFL, 0x0020000000000001L,
        0x0020000000000003L, Long.MAX_VALUE, Long.MIN_VALUE, 0x7FFFFFFFFFFFFC00L, 0x7FFFFFFFFFFFFE00L,
        0x7FFFFFFFFFFFFDFFL, 0x7FFFFF8000000000L, 0x7FFFFFC000000000L, 0x123456789ABCDEF0L, 0xFFFFFFFF80000000L};

    static long[] edges(SseFpOps.Dom d) {
        List<Long> v = new ArrayList<>();
        switch (d) {
            case F32 -> { for (int x : F32_EDGES) { v.add(x & 0xFFFFFFFFL); v.add((x | 0x80000000) & 0xFFFFFFFFL); } }
            case F64 -> { for (long x : F64_EDGES) { v.add(x); v.add(x | Long.MIN_VALUE); } }
            case I32 -> { for (int x : I32_EDGES) { v.add((long) x); v.add((long) -x); } }
            case I64 -> { for (long x : I64_EDGES) { v.add(x); v.add(-x); } }
            case F32X2 -> { // each edge in lane 0 beside a rotating other edge in lane 1
                long[] f = edges(SseFpOps.Dom.F32);
                for (int i = 0; i < f.length; i++) v.add(f[i] | f[(i * 7 + 3) % f.length] << 32);
            }
        }
        return v.stream().distinct().mapToLong(Long::longValue).toArray();
    }

    /** The 16 MXCSR values with every exception masked: RC x DAZ x FTZ. */
    static int[] maskedModes() {
        int[] m = new int[16];
        for (int i = 0; i < 16; i++) {
            m[i] = 0x1F80 | (i & 3) << 13 | ((i & 4) != 0 ? 0x40 : 0) | ((i & 8) != 0 ? 0x8000 : 0);
        }
        return m;
    }

    /** A random MXCSR: mostly all masked, sometimes random masks. */
    static int randomMode(SplittableRandom r) {
        int m = r.nextInt(4) << 13 | (r.nextBoolean() ? 0x40 : 0) | (r.nextBoolean() ? 0x8000 : 0);
        return m | (r.nextInt(4) == 0 ? r.nextInt(64) << 7 : 0x1F80);
    }

    /** A random operand of the domain, biased to interesting exponents and significands. */
    static long random(SseFpOps.Dom d, SplittableRandom r) {
        return switch (d) {
            case F32 -> structured(r, false) & 0xFFFFFFFFL;
            case F64 -> structured(r, true);
            case I32 -> (long) (int) randomInt(r, 32);
            case I64 -> randomInt(r, 64);
            case F32X2 -> (structured(r, false) & 0xFFFFFFFFL) | structured(r, false) << 32;
        };
    }

    private static long randomInt(SplittableRandom r, int bits) {
        long v = r.nextLong();
        int len = 1 + r.nextInt(bits);
        v = len == 64 ? v : v & ((1L << len) - 1);
        if (r.nextInt(4) == 0) v = v >> 8 << 8; // low zeros: exact or tie conversions
        return r.nextBoolean() ? -v : v;
    }

    static long structured(SplittableRandom r, boolean dbl) {
        int fracBits = dbl ? 52 : 23, maxE = dbl ? 0x7FF : 0xFF, bias = dbl ? 1023 : 127;
        int e = switch (r.nextInt(8)) {
            case 0 -> 0;                                 // zero / denormal
            case 1 -> 1 + r.nextInt(3);                   // just above min normal
            case 2 -> maxE - 1 - r.nextInt(3);            // near max
            case 3 -> r.nextInt(6) == 0 ? maxE : bias + r.nextInt(64) - 32; // inf/NaN, or near 1
            case 4 -> bias / 2 + r.nextInt(8) - 4;        // products/quotients near the min normal
            case 5 -> bias + bias / 2 + r.nextInt(8) - 4; // near overflow for products
            default -> r.nextInt(maxE + 1);
        };
        long frac = switch (r.nextInt(6)) {
            case 0 -> 0;
            case 1 -> (1L << fracBits) - 1 - r.nextInt(4);
            case 2 -> r.nextLong() & ((1L << fracBits) - 1) & (-1L << r.nextInt(fracBits)); // low zeros
            case 3 -> 1L << r.nextInt(fracBits);
            default -> r.nextLong() & ((1L << fracBits) - 1);
        };
        long sign = r.nextBoolean() ? 1L << (fracBits + (dbl ? 11 : 8)) : 0;
        return sign | (long) e << fracBits | frac;
    }

    /**
     * A second operand related to the first so results land on boundaries: close to it (cancellation,
     * ties), near its reciprocal/complement exponent (underflow/overflow of products and quotients).
     */
    static long related(long a, SseFpOps.Dom d, SplittableRandom r) {
        if (d == SseFpOps.Dom.I32 || d == SseFpOps.Dom.I64) return random(d, r);
        if (d == SseFpOps.Dom.F32X2) {
            return related(a & 0xFFFFFFFFL, SseFpOps.Dom.F32, r) | related(a >>> 32, SseFpOps.Dom.F32, r) << 32;
        }
        boolean dbl = d == SseFpOps.Dom.F64;
        int fracBits = dbl ? 52 : 23, maxE = dbl ? 0x7FF : 0xFF, bias = dbl ? 1023 : 127;
        long signBit = 1L << (fracBits + (dbl ? 11 : 8));
        int ea = (int) (a >>> fracBits) & maxE;
        return switch (r.nextInt(5)) {
            case 0 -> (a ^ (r.nextBoolean() ? signBit : 0)) + r.nextInt(5) - 2 & (dbl ? -1L : 0xFFFFFFFFL);
            case 1 -> { // half an ulp (or a few) of a: the sum is a tie or near one
                int e = Math.max(0, ea - fracBits - 1 + r.nextInt(3) - 1);
                long frac = r.nextInt(3) == 0 ? r.nextInt(4) : 0;
                yield (r.nextBoolean() ? signBit : 0) | (long) Math.min(e, maxE - 1) << fracBits | frac;
            }
            case 2 -> { // product near the normal/denormal boundary or overflow
                int target = r.nextBoolean() ? 1 : maxE - 1;
                int e = target + bias - ea + r.nextInt(5) - 2;
                e = Math.max(0, Math.min(maxE - 1, e));
                yield (r.nextBoolean() ? signBit : 0) | (long) e << fracBits | (structured(r, dbl) & ((1L << fracBits) - 1));
            }
            case 3 -> { // quotient near the boundaries
                int target = r.nextBoolean() ? 1 : maxE - 1;
                int e = ea - target + bias + r.nextInt(5) - 2;
                e = Math.max(0, Math.min(maxE - 1, e));
                yield (r.nextBoolean() ? signBit : 0) | (long) e << fracBits | (structured(r, dbl) & ((1L << fracBits) - 1));
            }
            default -> random(d, r);
        };
    }
}
