package pcm.softcpu.internal.sse.fp;

/**
 * Field access for both formats on raw bits held in a {@code long} (a float32 in the low 32 bits, upper bits
 * zero), selected by {@code dbl}. Finite non-zero values are seen as {@code sig * 2^exp} with an integer
 * significand, so the slow path can treat both formats with one piece of code.
 */
final class FpBits {

    private FpBits() {
    }

    static final int ZERO = 0, DENORMAL = 1, NORMAL = 2, INF = 3, QNAN = 4, SNAN = 5;

    static int fracBits(boolean dbl) {
        return dbl ? 52 : 23;
    }

    static int bias(boolean dbl) {
        return dbl ? 1023 : 127;
    }

    static int maxExpField(boolean dbl) {
        return dbl ? 0x7FF : 0xFF;
    }

    static long signBit(boolean dbl) {
        return dbl ? 1L << 63 : 1L << 31;
    }

    static long quietBit(boolean dbl) {
        return dbl ? 1L << 51 : 1L << 22;
    }

    static boolean neg(long bits, boolean dbl) {
        return (bits & signBit(dbl)) != 0;
    }

    static int expField(long bits, boolean dbl) {
        return (int) (bits >>> fracBits(dbl)) & maxExpField(dbl);
    }

    static long frac(long bits, boolean dbl) {
        return bits & ((1L << fracBits(dbl)) - 1);
    }

    static int kind(long bits, boolean dbl) {
        int e = expField(bits, dbl);
        long f = frac(bits, dbl);
        if (e == 0) return f == 0 ? ZERO : DENORMAL;
        if (e != maxExpField(dbl)) return NORMAL;
        if (f == 0) return INF;
        return (f & quietBit(dbl)) != 0 ? QNAN : SNAN;
    }

    static boolean isNan(int kind) {
        return kind >= QNAN;
    }

    /** Integer significand of a finite value (implicit bit included for a normal one). */
    static long sig(long bits, boolean dbl) {
        long f = frac(bits, dbl);
        return expField(bits, dbl) == 0 ? f : f | 1L << fracBits(dbl);
    }

    /** Exponent of the significand's unit: value = sig * 2^exp. */
    static int exp(long bits, boolean dbl) {
        int e = expField(bits, dbl);
        return (e == 0 ? 1 : e) - bias(dbl) - fracBits(dbl);
    }

    static long zero(boolean neg, boolean dbl) {
        return neg ? signBit(dbl) : 0;
    }

    static long inf(boolean neg, boolean dbl) {
        return zero(neg, dbl) | (long) maxExpField(dbl) << fracBits(dbl);
    }

    static long maxFinite(boolean neg, boolean dbl) {
        return inf(neg, dbl) - 1;
    }

    static long indefinite(boolean dbl) {
        return dbl ? SseFloat.F64_INDEFINITE : SseFloat.F32_INDEFINITE & 0xFFFFFFFFL;
    }

    static long quiet(long bits, boolean dbl) {
        return bits | quietBit(dbl);
    }

    static long abs(long bits, boolean dbl) {
        return bits & ~signBit(dbl);
    }
}
