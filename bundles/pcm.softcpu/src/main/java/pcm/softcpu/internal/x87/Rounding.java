package pcm.softcpu.internal.x87;

import java.math.BigInteger;

/**
 * Exact rounding of a value {@code (-1)^neg * mag * 2^exp} ({@code mag} an exact, arbitrarily long
 * integer) to a binary format of {@code p} significand bits and exponent range {@code emin..emax}, the
 * way the x87 does it (SDM vol. 1 §4.8.4, §4.9.1.4-6, §8.5.4-5): tininess is detected after rounding
 * with an unbounded exponent; a masked underflow is reported only when the denormalised result is
 * inexact, an unmasked one always; register destinations with an unmasked overflow/underflow get the
 * exponent wrapped by 24576; C1 ("round up") says whether the magnitude was increased.
 *
 * <p>The result is left in {@link #q} (the significand, an integer of at most {@code p} bits) and
 * {@link #e}/{@link #kind}; the packers turn it into a format's bits.
 */
final class Rounding {

    static final int RN = 0, RD = 1, RU = 2, RZ = 3;
    static final int FINITE = 0, TINY = 1, INF = 2;
    static final int WRAP = 24576;

    /** Exception flags raised (status word bits 0-5). */
    int exc;
    /** The magnitude was rounded up (C1). */
    boolean up;

    boolean neg;
    long q;
    /** FINITE: exponent of the leading bit (bit p-1 of q); TINY: value q * 2^(emin-p+1) (q may reach 2^(p-1): the smallest normal). */
    int e;
    int kind;
    int p, emin;

    private boolean lastInexact;

    /** Rounds a nonzero exact value; {@code masks} are the control word's exception masks (bits 0-5). */
    void round(boolean negative, BigInteger mag, int exp, int prec, int eMin, int eMax, int rc, int masks, boolean register) {
        neg = negative;
        up = false;
        p = prec;
        emin = eMin;
        int len = mag.bitLength();
        int lead = exp + len - 1;
        BigInteger r = shiftRound(mag, len - prec, rc);
        boolean inexact = lastInexact, roundedUp = upFlag;
        if (r.bitLength() > prec) {
            r = r.shiftRight(1);
            lead++;
        }
        // unmasked, beyond even the wrapped range (only FSCALE gets there): infinity or a signed zero whatever
        // the rounding control (measured); masked, the usual responses below
        if (register && lead - WRAP > eMax && (masks & X87.OE) == 0) {
            exc |= X87.OE | X87.PE;
            set(INF, 0, 0, true);
            return;
        }
        if (register && lead + WRAP < eMin && (masks & X87.UE) == 0) {
            exc |= X87.UE | X87.PE;
            set(TINY, 0, 0, false);
            return;
        }
        if (lead > eMax) {
            // an unmasked overflow delivers the exponent wrapped by 24576 to a register
            if (register && (masks & X87.OE) == 0) {
                exc |= X87.OE | (inexact ? X87.PE : 0);
                set(FINITE, r.longValue(), lead - WRAP, roundedUp);
                return;
            }
            exc |= X87.OE;
            if ((masks & X87.OE) == 0 && !register) return; // memory destination: nothing stored
            exc |= X87.PE;
            boolean toInf = rc == RN || (rc == RU && !negative) || (rc == RD && negative);
            if (toInf) set(INF, 0, 0, true);
            else set(FINITE, mask(prec), eMax, false);
            return;
        }
        if (lead < eMin) {
            boolean unmasked = (masks & X87.UE) == 0;
            if (unmasked && !register) { // memory destination: nothing stored, UE alone (measured)
                exc |= X87.UE;
                return;
            }
            if (unmasked) {
                exc |= X87.UE | (inexact ? X87.PE : 0);
                set(FINITE, r.longValue(), lead + WRAP, roundedUp);
                return;
            }
            int lsb = eMin - prec + 1;
            BigInteger d = shiftRound(mag, lsb - exp, rc);
            if (lastInexact) exc |= X87.UE | X87.PE;
            set(TINY, d.longValue(), 0, upFlag);
            return;
        }
        if (inexact) exc |= X87.PE;
        set(FINITE, r.longValue(), lead, roundedUp);
    }

    private static long mask(int prec) { return prec == 64 ? -1L : (1L << prec) - 1; }

    private void set(int k, long sig, int exponent, boolean u) {
        kind = k;
        q = sig;
        e = exponent;
        up = u;
    }

    private boolean upFlag;

    /** {@code mag >> shift} rounded by {@code rc} (sign {@link #neg}); sets lastInexact and upFlag. */
    private BigInteger shiftRound(BigInteger mag, int shift, int rc) {
        if (shift <= 0) {
            lastInexact = false;
            upFlag = false;
            return mag.shiftLeft(-shift);
        }
        BigInteger t = mag.shiftRight(shift);
        int low = mag.getLowestSetBit();
        boolean inexact = low < shift;
        boolean inc = false;
        if (inexact) {
            switch (rc) {
                case RN: {
                    boolean half = mag.testBit(shift - 1);
                    boolean sticky = low < shift - 1;
                    inc = half && (sticky || t.testBit(0));
                    break;
                }
                case RU: inc = !neg; break;
                case RD: inc = neg; break;
                default: break;
            }
        }
        lastInexact = inexact;
        upFlag = inc;
        return inc ? t.add(BigInteger.ONE) : t;
    }

    /** The rounded result as a register value (p <= 64, extended exponent range). */
    F80 toF80() {
        int sign = neg ? 0x8000 : 0;
        switch (kind) {
            case INF: return new F80(sign | F80.EXP_MAX, F80.J);
            case TINY: {
                if (q == 0) return new F80(sign, 0);
                long sig = q << (64 - p);
                return new F80(sign | (sig < 0 ? 1 : 0), sig);
            }
            default: return new F80(sign | (e + F80.BIAS), q << (64 - p));
        }
    }

    /** The rounded result as IEEE bits of a format with {@code p} bits (24 or 53) and exponent bias {@code bias}. */
    long toIeee(int expBits) {
        int bias = (1 << (expBits - 1)) - 1;
        long sign = neg ? 1L << (expBits + p - 1) : 0;
        long frac = (1L << (p - 1)) - 1;
        switch (kind) {
            case INF: return sign | ((1L << expBits) - 1) << (p - 1);
            case TINY: return sign | q; // q == 2^(p-1) carries into exponent 1: the smallest normal
            default: return sign | (long) (e + bias) << (p - 1) | (q & frac);
        }
    }
}
