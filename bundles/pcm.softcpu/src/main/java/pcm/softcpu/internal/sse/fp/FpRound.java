package pcm.softcpu.internal.sse.fp;

import static pcm.softcpu.internal.sse.fp.FpFlags.OE;
import static pcm.softcpu.internal.sse.fp.FpFlags.PE;
import static pcm.softcpu.internal.sse.fp.FpFlags.UE;

/**
 * Rounds an exact (or sticky-exact) value to float32/float64 once, as SSE does: rounding control from MXCSR,
 * tininess detected after rounding (with an unbounded exponent), FTZ, and the overflow/underflow/inexact flags
 * for masked and unmasked exceptions.
 */
final class FpRound {

    private FpRound() {
    }

    static final int UM = 0x800, OM = 0x400;

    static int rc(int mxcsr) {
        return (mxcsr >>> SseFloat.MXCSR_RC_SHIFT) & 3;
    }

    /**
     * Rounds {@code sig * 2^exp} ({@code sig} unsigned, non-zero) with sign {@code neg}. {@code sig} must be
     * exact, or have its lowest set bit below every bit the rounding looks at (a sticky bit), which every
     * caller guarantees by keeping at least two bits more than the target precision.
     */
    static long round(boolean neg, long sig, int exp, boolean dbl, int mxcsr, FpFlags flags) {
        int lz = Long.numberOfLeadingZeros(sig);
        sig <<= lz;
        int e = exp - lz + 63; // value in [2^e, 2^(e+1))
        int p = dbl ? 53 : 24;
        int emin = dbl ? -1022 : -126;
        int rc = rc(mxcsr);
        int drop = 64 - p;
        long sign = FpBits.zero(neg, dbl);
        if (e < emin) {
            boolean tiny = !(e == emin - 1 && roundSig(sig, drop, rc, neg) == 1L << p);
            if (tiny) {
                if ((mxcsr & UM) == 0) { // unmasked: UE, and PE when the unbounded-exponent rounding is inexact
                    flags.bits |= UE | ((sig << p) != 0 ? PE : 0);
                    return FpBits.zero(neg, dbl);
                }
                return tiny(neg, sig, drop + (emin - e), dbl, mxcsr, flags);
            }
        }
        long q = roundSig(sig, drop, rc, neg);
        boolean inexact = (sig << p) != 0;
        if (q == 1L << p) {
            q >>>= 1;
            e++;
        }
        if (e > (dbl ? 1023 : 127)) {
            if ((mxcsr & OM) == 0) { // unmasked: OE, and PE when the unbounded-exponent rounding is inexact
                flags.bits |= OE | (inexact ? PE : 0);
                return FpBits.inf(neg, dbl);
            }
            return overflow(neg, dbl, rc, mxcsr, flags);
        }
        if (inexact) flags.bits |= PE;
        return sign | ((long) (e + FpBits.bias(dbl) - 1) << (p - 1)) + q;
    }

    /** A result below the normal range with UE masked: denormal (or zero), or flushed to zero by FTZ. */
    private static long tiny(boolean neg, long sig, int drop, boolean dbl, int mxcsr, FpFlags flags) {
        long sign = FpBits.zero(neg, dbl);
        if ((mxcsr & SseFloat.MXCSR_FTZ) != 0) {
            flags.bits |= UE | PE;
            return sign;
        }
        boolean inexact = drop >= 64 || (sig << (64 - drop)) != 0;
        long q = roundSig(sig, drop, rc(mxcsr), neg);
        if (inexact) flags.bits |= UE | PE;
        return sign | q;
    }

    /** Masked overflow: infinity or the largest finite value by rounding direction, OE and PE. */
    static long overflow(boolean neg, boolean dbl, int rc, int mxcsr, FpFlags flags) {
        flags.bits |= OE | PE;
        boolean toInf = switch (rc) {
            case SseFloat.RC_NEAREST -> true;
            case SseFloat.RC_DOWN -> neg;
            case SseFloat.RC_UP -> !neg;
            default -> false;
        };
        return toInf ? FpBits.inf(neg, dbl) : FpBits.maxFinite(neg, dbl);
    }

    /**
     * {@code sig >>> drop} rounded by {@code rc} for a value of sign {@code neg}; {@code drop >= 1}, any size
     * (beyond 64 the value is below half a unit). The result may carry into the next bit.
     */
    static long roundSig(long sig, int drop, int rc, boolean neg) {
        long q, rem, half;
        if (drop >= 64) {
            q = 0;
            rem = drop == 64 ? sig : 1; // beyond 64: some non-zero fraction below one half
            half = drop == 64 ? 1L << 63 : Long.MIN_VALUE;
        } else {
            q = sig >>> drop;
            rem = sig & ((1L << drop) - 1);
            half = 1L << (drop - 1);
        }
        if (rem == 0) return q;
        return switch (rc) {
            case SseFloat.RC_NEAREST -> {
                int c = Long.compareUnsigned(rem, half);
                yield c > 0 || (c == 0 && (q & 1) != 0) ? q + 1 : q;
            }
            case SseFloat.RC_DOWN -> neg ? q + 1 : q;
            case SseFloat.RC_UP -> neg ? q : q + 1;
            default -> q;
        };
    }
}
