package pcm.softcpu.internal.sse.fp;

import static pcm.softcpu.internal.sse.fp.FpBits.DENORMAL;
import static pcm.softcpu.internal.sse.fp.FpBits.SNAN;
import static pcm.softcpu.internal.sse.fp.FpFlags.DE;
import static pcm.softcpu.internal.sse.fp.FpFlags.IE;

/** MIN/MAX, CMPcc and (U)COMIS for both formats on raw bits ({@code dbl} selects float64). */
final class FpCompare {

    private FpCompare() {
    }

    static final int LESS = -1, EQUAL = 0, GREATER = 1, UNORDERED = 2;

    /**
     * Orders a and b (after DAZ), with IE for an SNaN, or for any NaN when {@code signalQuiet}, and DE for a
     * denormal operand.
     */
    static int compare(long a, long b, boolean dbl, boolean signalQuiet, int mxcsr, FpFlags flags) {
        int ka = FpBits.kind(a, dbl), kb = FpBits.kind(b, dbl);
        if (FpBits.isNan(ka) || FpBits.isNan(kb)) {
            if (ka == SNAN || kb == SNAN || signalQuiet) flags.bits |= IE;
            return UNORDERED;
        }
        boolean daz = SoftFp.daz(mxcsr);
        if (ka == DENORMAL || kb == DENORMAL) {
            if (daz) {
                if (ka == DENORMAL) a &= FpBits.signBit(dbl);
                if (kb == DENORMAL) b &= FpBits.signBit(dbl);
            } else {
                flags.bits |= DE;
            }
        }
        double x = value(a, dbl), y = value(b, dbl);
        return x < y ? LESS : x > y ? GREATER : EQUAL;
    }

    static double value(long bits, boolean dbl) {
        return dbl ? Double.longBitsToDouble(bits) : Float.intBitsToFloat((int) bits);
    }

    static boolean predicate(int order, int predicate) {
        return switch (predicate & 7) {
            case SseFloat.CMP_EQ -> order == EQUAL;
            case SseFloat.CMP_LT -> order == LESS;
            case SseFloat.CMP_LE -> order == LESS || order == EQUAL;
            case SseFloat.CMP_UNORD -> order == UNORDERED;
            case SseFloat.CMP_NEQ -> order != EQUAL;
            case SseFloat.CMP_NLT -> order != LESS;
            case SseFloat.CMP_NLE -> order != LESS && order != EQUAL;
            default -> order != UNORDERED;
        };
    }

    /** LT, LE, NLT, NLE signal on a QNaN. */
    static boolean signalling(int predicate) {
        int p = predicate & 3;
        return p == SseFloat.CMP_LT || p == SseFloat.CMP_LE;
    }

    static boolean cmp(long a, long b, int predicate, boolean dbl, int mxcsr, FpFlags flags) {
        return predicate(compare(a, b, dbl, signalling(predicate), mxcsr, flags), predicate);
    }

    static int comi(long a, long b, boolean dbl, boolean ordered, int mxcsr, FpFlags flags) {
        return switch (compare(a, b, dbl, ordered, mxcsr, flags)) {
            case LESS -> SseFloat.RFLAGS_CF;
            case EQUAL -> SseFloat.RFLAGS_ZF;
            case GREATER -> 0;
            default -> SseFloat.RFLAGS_ZF | SseFloat.RFLAGS_PF | SseFloat.RFLAGS_CF;
        };
    }

    /** MIN (max false) / MAX: a when strictly less (greater), else b — also for NaNs and two zeros. */
    static long minMax(long a, long b, boolean dbl, boolean max, int mxcsr, FpFlags flags) {
        int order = compare(a, b, dbl, true, mxcsr, flags);
        boolean pickA = max ? order == GREATER : order == LESS;
        long r = pickA ? a : b;
        if (SoftFp.daz(mxcsr) && FpBits.kind(r, dbl) == DENORMAL) r &= FpBits.signBit(dbl);
        return r;
    }

}
