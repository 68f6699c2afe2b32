package pcm.softcpu.internal.sse.fp;

import static pcm.softcpu.internal.sse.fp.FpBits.DENORMAL;
import static pcm.softcpu.internal.sse.fp.FpBits.INF;
import static pcm.softcpu.internal.sse.fp.FpBits.SNAN;
import static pcm.softcpu.internal.sse.fp.FpBits.ZERO;
import static pcm.softcpu.internal.sse.fp.FpFlags.IE;
import static pcm.softcpu.internal.sse.fp.FpFlags.PE;

/** Integer/float and float/float conversions for both formats on raw bits ({@code dbl}: float64). */
final class FpConvert {

    private FpConvert() {
    }

    /** A signed integer to float32/float64, rounded per MXCSR (PE when inexact). */
    static long fromInt(long v, boolean dbl, int mxcsr, FpFlags flags) {
        if (v == 0) return 0;
        boolean neg = v < 0;
        return FpRound.round(neg, neg ? -v : v, 0, dbl, mxcsr, flags); // -MIN_VALUE is 2^63 unsigned: right
    }

    /**
     * Float to a signed integer of {@code width} bits (32 or 64), rounded per MXCSR or toward zero; NaN and
     * out-of-range values give the integer indefinite (the most negative value) with IE.
     */
    static long toInt(long bits, boolean dbl, boolean truncate, int width, int mxcsr, FpFlags flags) {
        long indefinite = width == 64 ? Long.MIN_VALUE : Integer.MIN_VALUE;
        int k = FpBits.kind(bits, dbl);
        if (FpBits.isNan(k) || k == INF) {
            flags.bits |= IE;
            return indefinite;
        }
        if (k == ZERO || (k == DENORMAL && SoftFp.daz(mxcsr))) return 0;
        boolean neg = FpBits.neg(bits, dbl);
        long sig = FpBits.sig(bits, dbl);
        int exp = FpBits.exp(bits, dbl);
        int rc = truncate ? SseFloat.RC_ZERO : FpRound.rc(mxcsr);
        long q; // magnitude, unsigned
        boolean inexact;
        if (exp >= 0) {
            if (exp + SoftFp.bitLength(sig) > width) {
                flags.bits |= IE;
                return indefinite;
            }
            q = sig << exp;
            inexact = false;
        } else {
            int drop = -exp;
            q = FpRound.roundSig(sig, drop, rc, neg);
            inexact = drop >= 64 || (sig << (64 - drop)) != 0;
        }
        long limit = 1L << (width - 1); // |min|; max is limit - 1 (unsigned compare for width 64)
        if (Long.compareUnsigned(q, neg ? limit : limit - 1) > 0) {
            flags.bits |= IE;
            return indefinite;
        }
        if (inexact) flags.bits |= PE;
        return neg ? -q : q;
    }

    /** float32 to float64: exact; SNaN quieted with IE; denormal: DE (or zero under DAZ). */
    static long widen(int a, int mxcsr, FpFlags flags) {
        long bits = a & 0xFFFFFFFFL;
        int k = FpBits.kind(bits, false);
        boolean neg = a < 0;
        if (FpBits.isNan(k)) {
            if (k == SNAN) flags.bits |= IE;
            return FpBits.zero(neg, true) | 0x7FF8000000000000L | (bits & 0x7FFFFFL) << 29;
        }
        if (k == INF) return FpBits.inf(neg, true);
        k = SoftFp.flushKind(k, mxcsr, flags);
        if (k == ZERO) return FpBits.zero(neg, true);
        long sig = FpBits.sig(bits, false);
        int exp = FpBits.exp(bits, false);
        int sh = Long.numberOfLeadingZeros(sig) - 11; // to bit 52
        return FpBits.zero(neg, true) | ((long) (exp - sh + 52 + 1023) << 52) | ((sig << sh) & 0xFFFFFFFFFFFFFL);
    }

    /** float64 to float32: rounded per MXCSR with overflow, underflow and FTZ; NaN keeps its top payload. */
    static int narrow(long a, int mxcsr, FpFlags flags) {
        int k = FpBits.kind(a, true);
        boolean neg = a < 0;
        if (FpBits.isNan(k)) {
            if (k == SNAN) flags.bits |= IE;
            return (int) (FpBits.zero(neg, false) | 0x7FC00000L | (a & 0xFFFFFFFFFFFFFL) >>> 29);
        }
        if (k == INF) return (int) FpBits.inf(neg, false);
        k = SoftFp.flushKind(k, mxcsr, flags);
        if (k == ZERO) return (int) FpBits.zero(neg, false);
        if (SoftFp.stopped(mxcsr, flags)) return 0;
        return (int) FpRound.round(neg, FpBits.sig(a, true), FpBits.exp(a, true), false, mxcsr, flags);
    }
}
