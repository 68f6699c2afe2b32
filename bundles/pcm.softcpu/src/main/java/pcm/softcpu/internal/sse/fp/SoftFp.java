package pcm.softcpu.internal.sse.fp;

import static pcm.softcpu.internal.sse.fp.FpBits.DENORMAL;
import static pcm.softcpu.internal.sse.fp.FpBits.INF;
import static pcm.softcpu.internal.sse.fp.FpBits.SNAN;
import static pcm.softcpu.internal.sse.fp.FpBits.ZERO;
import static pcm.softcpu.internal.sse.fp.FpFlags.DE;
import static pcm.softcpu.internal.sse.fp.FpFlags.IE;
import static pcm.softcpu.internal.sse.fp.FpFlags.ZE;

/**
 * The exact slow path of the arithmetic for both formats (raw bits in a {@code long}, {@code dbl} selects
 * float64): special operands, then the exact result handed to {@link FpRound} once. Addition and
 * multiplication are exact on the integer significands; division and square root use the host's correctly
 * rounded double on significands scaled to [1,4) plus the exact remainder (by FMA) to know on which side the
 * true value lies, which is all rounding needs.
 */
final class SoftFp {

    private SoftFp() {
    }

    /** Result of the operand checks when the operation must stop: the value is returned as is. */
    private static final int GO = -1;

    static boolean daz(int mxcsr) {
        return (mxcsr & SseFloat.MXCSR_DAZ) != 0;
    }

    /** The DE response: flag it; true when DE is unmasked, so the operation stops before computing. */
    static boolean denormalStops(int mxcsr, FpFlags flags) {
        flags.bits |= DE;
        return (mxcsr & 0x100) == 0;
    }

    static boolean invalidStops(int mxcsr, FpFlags flags) {
        flags.bits |= IE;
        return (mxcsr & 0x80) == 0;
    }

    /** NaN result of a binary arithmetic operation: the first NaN operand, quieted; IE if either signals. */
    static long nanResult(long a, int ka, long b, int kb, boolean dbl, FpFlags flags) {
        if (ka == SNAN || kb == SNAN) flags.bits |= IE;
        return FpBits.quiet(FpBits.isNan(ka) ? a : b, dbl);
    }

    /** Operand kind after DAZ (a denormal becomes ZERO); DE for a denormal otherwise. */
    static int flushKind(int kind, int mxcsr, FpFlags flags) {
        if (kind != DENORMAL) return kind;
        if (daz(mxcsr)) return ZERO;
        flags.bits |= DE;
        return DENORMAL;
    }

    static boolean stopped(int mxcsr, FpFlags flags) {
        return (flags.bits & FpFlags.PRE_COMPUTATION & ~(mxcsr >>> 7)) != 0;
    }

    // ---- add / sub ----

    static long add(long a, long b, boolean dbl, boolean subtract, int mxcsr, FpFlags flags) {
        int ka = FpBits.kind(a, dbl), kb = FpBits.kind(b, dbl);
        if (FpBits.isNan(ka) || FpBits.isNan(kb)) return nanResult(a, ka, b, kb, dbl, flags);
        ka = flushKind(ka, mxcsr, flags);
        kb = flushKind(kb, mxcsr, flags);
        boolean na = FpBits.neg(a, dbl), nb = FpBits.neg(b, dbl) ^ subtract;
        if (ka == INF || kb == INF) {
            if (ka == INF && kb == INF && na != nb) {
                flags.bits |= IE;
                return FpBits.indefinite(dbl);
            }
            return FpBits.inf(ka == INF ? na : nb, dbl);
        }
        if (stopped(mxcsr, flags)) return 0;
        int rc = FpRound.rc(mxcsr);
        if (ka == ZERO && kb == ZERO) return FpBits.zero(na == nb ? na : rc == SseFloat.RC_DOWN, dbl);
        if (ka == ZERO) return FpRound.round(nb, FpBits.sig(b, dbl), FpBits.exp(b, dbl), dbl, mxcsr, flags);
        if (kb == ZERO) return FpRound.round(na, FpBits.sig(a, dbl), FpBits.exp(a, dbl), dbl, mxcsr, flags);
        // Both significands with their top bit at bit 61 (room for the carry), the smaller one aligned with
        // a sticky bit: at least 8 bits below a 53-bit significand, so the sticky never reaches a bit that
        // rounding examines.
        long sa = FpBits.sig(a, dbl), sb = FpBits.sig(b, dbl);
        int la = Long.numberOfLeadingZeros(sa) - 2, lb = Long.numberOfLeadingZeros(sb) - 2;
        sa <<= la;
        sb <<= lb;
        int ea = FpBits.exp(a, dbl) - la, eb = FpBits.exp(b, dbl) - lb;
        if (ea < eb || (ea == eb && Long.compareUnsigned(sa, sb) < 0)) {
            long t = sa; sa = sb; sb = t;
            int te = ea; ea = eb; eb = te;
            boolean tn = na; na = nb; nb = tn;
        }
        sb = shiftRightJam(sb, ea - eb);
        long s = na == nb ? sa + sb : sa - sb;
        if (s == 0) return FpBits.zero(rc == SseFloat.RC_DOWN, dbl);
        return FpRound.round(na, s, ea, dbl, mxcsr, flags);
    }

    static long shiftRightJam(long v, int n) {
        if (n == 0) return v;
        if (n >= 63) return v != 0 ? 1 : 0;
        return v >>> n | ((v & ((1L << n) - 1)) != 0 ? 1 : 0);
    }

    // ---- mul ----

    static long mul(long a, long b, boolean dbl, int mxcsr, FpFlags flags) {
        int ka = FpBits.kind(a, dbl), kb = FpBits.kind(b, dbl);
        if (FpBits.isNan(ka) || FpBits.isNan(kb)) return nanResult(a, ka, b, kb, dbl, flags);
        ka = flushKind(ka, mxcsr, flags);
        kb = flushKind(kb, mxcsr, flags);
        boolean neg = FpBits.neg(a, dbl) ^ FpBits.neg(b, dbl);
        if ((ka == INF && kb == ZERO) || (ka == ZERO && kb == INF)) {
            flags.bits |= IE;
            return FpBits.indefinite(dbl);
        }
        if (ka == INF || kb == INF) return FpBits.inf(neg, dbl);
        if (stopped(mxcsr, flags)) return 0;
        if (ka == ZERO || kb == ZERO) return FpBits.zero(neg, dbl);
        long sa = FpBits.sig(a, dbl), sb = FpBits.sig(b, dbl);
        int la = Long.numberOfLeadingZeros(sa), lb = Long.numberOfLeadingZeros(sb);
        sa <<= la;
        sb <<= lb;
        long hi = Math.unsignedMultiplyHigh(sa, sb), lo = sa * sb;
        long s = hi | (lo != 0 ? 1 : 0);
        return FpRound.round(neg, s, FpBits.exp(a, dbl) - la + FpBits.exp(b, dbl) - lb + 64, dbl, mxcsr, flags);
    }

    // ---- div ----

    static long div(long a, long b, boolean dbl, int mxcsr, FpFlags flags) {
        int ka = FpBits.kind(a, dbl), kb = FpBits.kind(b, dbl);
        if (FpBits.isNan(ka) || FpBits.isNan(kb)) return nanResult(a, ka, b, kb, dbl, flags);
        boolean neg = FpBits.neg(a, dbl) ^ FpBits.neg(b, dbl);
        boolean daz = daz(mxcsr);
        if (kb == ZERO || (kb == DENORMAL && daz)) { // measured: x/0 reports ZE without DE for a denormal x
            if (ka == ZERO || (ka == DENORMAL && daz)) {
                flags.bits |= IE;
                return FpBits.indefinite(dbl);
            }
            if (ka != INF) flags.bits |= ZE;
            return FpBits.inf(neg, dbl);
        }
        ka = flushKind(ka, mxcsr, flags);
        kb = flushKind(kb, mxcsr, flags);
        if (ka == INF && kb == INF) {
            flags.bits |= IE;
            return FpBits.indefinite(dbl);
        }
        if (ka == INF) return FpBits.inf(neg, dbl);
        if (kb == INF) return FpBits.zero(neg, dbl);
        if (stopped(mxcsr, flags)) return 0;
        if (ka == ZERO) return FpBits.zero(neg, dbl);
        double ma = unit(FpBits.sig(a, dbl)), mb = unit(FpBits.sig(b, dbl));
        double q = ma / mb;
        double r = Math.fma(-q, mb, ma); // exact: the remainder of a correctly rounded quotient
        int exp = FpBits.exp(a, dbl) + bitLength(FpBits.sig(a, dbl)) - FpBits.exp(b, dbl) - bitLength(FpBits.sig(b, dbl));
        return roundDouble(neg, q, r, exp, dbl, mxcsr, flags);
    }

    // ---- sqrt ----

    static long sqrt(long a, boolean dbl, int mxcsr, FpFlags flags) {
        int ka = FpBits.kind(a, dbl);
        if (FpBits.isNan(ka)) {
            if (ka == SNAN) flags.bits |= IE;
            return FpBits.quiet(a, dbl);
        }
        boolean neg = FpBits.neg(a, dbl);
        if (ka == DENORMAL && daz(mxcsr)) ka = ZERO;
        if (ka == ZERO) return FpBits.zero(neg, dbl);
        if (neg) {
            flags.bits |= IE;
            return FpBits.indefinite(dbl);
        }
        if (ka == DENORMAL) flags.bits |= DE;
        if (ka == INF) return a;
        if (stopped(mxcsr, flags)) return 0;
        long sig = FpBits.sig(a, dbl);
        int e = FpBits.exp(a, dbl) + bitLength(sig) - 1; // a = m * 2^e, m in [1,2)
        double m = unit(sig);
        if ((e & 1) != 0) {
            m *= 2;
            e--;
        }
        double s = Math.sqrt(m);
        double r = Math.fma(-s, s, m);
        return roundDouble(false, s, r, e / 2, dbl, mxcsr, flags);
    }

    /** The significand as a double in [1,2) (exact: at most 53 bits). */
    static double unit(long sig) {
        return Math.scalb((double) sig, 1 - bitLength(sig));
    }

    static int bitLength(long v) {
        return 64 - Long.numberOfLeadingZeros(v);
    }

    /**
     * Rounds {@code (d + err) * 2^exp} where d is a positive normal double within half an ulp of the true
     * value and {@code err}'s sign says on which side the true value lies: d's significand with two more
     * bits, the lower one the sticky (minus one when the true value is below d).
     */
    static long roundDouble(boolean neg, double d, double err, int exp, boolean dbl, int mxcsr, FpFlags flags) {
        long bits = Double.doubleToRawLongBits(d);
        long m = (bits & 0xFFFFFFFFFFFFFL) | 1L << 52;
        int e = (int) (bits >>> 52) - 1075;
        long sig = (m << 2) + (err > 0 ? 1 : err < 0 ? -1 : 0);
        return FpRound.round(neg, sig, e - 2 + exp, dbl, mxcsr, flags);
    }
}
