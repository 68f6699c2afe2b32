package pcm.softcpu.internal.x87;

import java.math.BigInteger;

/**
 * Exactly rounded double-extended arithmetic (the x87's operations, SDM vol. 1 ch. 4 and 8): each
 * operation computes the exact result (arbitrary-precision integers) and rounds once ({@link Rounding}).
 * Operand checks follow the x87: unsupported encodings are invalid operands (IE, result the real
 * indefinite), NaNs propagate by the x87 rule (a QNaN before an SNaN, else the larger significand, then
 * the positive one; SNaNs quieted with IE), denormal operands set DE.
 *
 * <p>One instance per FPU; {@link #begin} takes the control word and clears the flags; after an
 * operation {@link #exc} holds the exception flags raised and {@link #up} the C1 round-up bit.
 */
final class Arith {

    static final int EXT_EMIN = -16382, EXT_EMAX = 16383;

    final Rounding rnd = new Rounding();
    int exc;
    boolean up;
    int rc, prec, masks;

    void begin(int cw) {
        rc = (cw >> X87.RC_SHIFT) & 3;
        int pc = (cw >> X87.PC_SHIFT) & 3;
        prec = pc == 0 ? 24 : pc == 2 ? 53 : 64; // PC=1 is reserved: the FPU uses 64 bits
        masks = cw & X87.EXC;
        exc = 0;
        up = false;
        memDenormal = false;
    }

    /** The float/double memory operand of the current arithmetic instruction was a denormal (DE when it is used). */
    boolean memDenormal;

    // ---- operands ----

    static BigInteger mag(F80 x) { return new BigInteger(Long.toUnsignedString(x.m())); }

    /** Exponent of the significand's bit 0 (pseudo-denormals and denormals have the exponent of 1). */
    static int lsbExp(F80 x) { return Math.max(x.exp(), 1) - F80.BIAS - 63; }

    /** Checks shared by the two-operand operations: returns the result when it is decided by NaNs or invalid encodings. */
    private F80 pre(F80 a, F80 b) {
        if (a.isUnsupported() || b.isUnsupported()) {
            exc |= X87.IE;
            return F80.INDEFINITE;
        }
        if (a.isNaN() || b.isNaN()) return propagate(a, b);
        if (a.isDenormal() || b.isDenormal() || memDenormal) exc |= X87.DE;
        if (denormalAborts()) return F80.INDEFINITE;
        return null;
    }

    /** An unmasked denormal-operand exception stops the operation before anything else is detected (measured). */
    boolean denormalAborts() { return (exc & ~masks & X87.DE) != 0; }

    F80 propagate(F80 a, F80 b) {
        boolean an = a.isNaN(), bn = b.isNaN();
        if (a.isSNaN() || b.isSNaN()) exc |= X87.IE;
        if (an && bn) {
            if (a.isSNaN() != b.isSNaN()) return a.isSNaN() ? b : a;
            int c = Long.compareUnsigned(a.m() | 0x4000000000000000L, b.m() | 0x4000000000000000L);
            if (c < 0) return b.quiet();
            if (c > 0) return a.quiet();
            return (a.neg() ? b : a).quiet();
        }
        return (an ? a : b).quiet();
    }

    private F80 invalid() {
        exc |= X87.IE;
        return F80.INDEFINITE;
    }

    private F80 rounded(boolean neg, BigInteger mag, int exp, int p) {
        rnd.exc = 0;
        rnd.round(neg, mag, exp, p, EXT_EMIN, EXT_EMAX, rc, masks, true);
        exc |= rnd.exc;
        up = rnd.up;
        return rnd.toF80();
    }

    /** A finite nonzero exact value rounded to the precision control's width (the PC-controlled operations). */
    F80 roundPc(boolean neg, BigInteger mag, int exp) { return rounded(neg, mag, exp, prec); }

    /** A finite nonzero exact value rounded to 64 bits (operations precision control does not affect). */
    F80 round64(boolean neg, BigInteger mag, int exp) { return rounded(neg, mag, exp, 64); }

    // ---- arithmetic ----

    F80 add(F80 a, F80 b, boolean subtract) {
        F80 r = pre(a, b);
        if (r != null) return r;
        boolean sa = a.neg(), sb = b.neg() ^ subtract;
        if (a.isInf() || b.isInf()) {
            if (a.isInf() && b.isInf() && sa != sb) return invalid();
            return F80.inf(a.isInf() ? sa : sb);
        }
        if (a.isZero() && b.isZero()) return F80.zero(sa == sb ? sa : rc == Rounding.RD);
        if (a.isZero()) return roundPc(sb, mag(b), lsbExp(b));
        if (b.isZero()) return roundPc(sa, mag(a), lsbExp(a));
        BigInteger ma = mag(a), mb = mag(b);
        int ea = lsbExp(a), eb = lsbExp(b);
        if (ea < eb) { // a is the one with the higher bit-0 exponent
            BigInteger t = ma; ma = mb; mb = t;
            int te = ea; ea = eb; eb = te;
            boolean ts = sa; sa = sb; sb = ts;
        }
        int d = ea - eb;
        if (d > 230) { // b is below a's last bit by far more than any rounding sees: a sticky unit keeps it
            ma = ma.shiftLeft(230);
            mb = BigInteger.ONE;
            eb = ea - 230;
        } else {
            ma = ma.shiftLeft(d);
        }
        BigInteger sum = sa == sb ? ma.add(mb) : ma.subtract(mb);
        boolean neg = sa;
        if (sum.signum() < 0) {
            sum = sum.negate();
            neg = !neg;
        }
        if (sum.signum() == 0) return F80.zero(rc == Rounding.RD);
        return roundPc(neg, sum, eb);
    }

    F80 mul(F80 a, F80 b) {
        F80 r = pre(a, b);
        if (r != null) return r;
        boolean neg = a.neg() ^ b.neg();
        if (a.isInf() || b.isInf()) {
            if (a.isZero() || b.isZero()) return invalid();
            return F80.inf(neg);
        }
        if (a.isZero() || b.isZero()) return F80.zero(neg);
        return roundPc(neg, mag(a).multiply(mag(b)), lsbExp(a) + lsbExp(b));
    }

    F80 div(F80 a, F80 b) {
        if (b.isZero() && a.isFiniteNonZero()) { // zero divide is found before a denormal dividend (measured)
            exc |= X87.ZE;
            return F80.inf(a.neg() ^ b.neg());
        }
        F80 r = pre(a, b);
        if (r != null) return r;
        boolean neg = a.neg() ^ b.neg();
        if (a.isInf()) return b.isInf() ? invalid() : F80.inf(neg);
        if (b.isInf()) return F80.zero(neg);
        if (b.isZero()) {
            if (a.isZero()) return invalid();
            exc |= X87.ZE;
            return F80.inf(neg);
        }
        if (a.isZero()) return F80.zero(neg);
        BigInteger[] qr = mag(a).shiftLeft(130).divideAndRemainder(mag(b));
        BigInteger q = qr[0].shiftLeft(1);
        if (qr[1].signum() != 0) q = q.setBit(0);
        return roundPc(neg, q, lsbExp(a) - lsbExp(b) - 131);
    }

    F80 sqrt(F80 a) {
        if (a.isUnsupported()) return invalid();
        if (a.isNaN()) return propagate(a, a);
        if (a.isZero()) return a;
        if (a.neg()) return invalid();
        if (a.isInf()) return a;
        if (a.isDenormal()) exc |= X87.DE;
        if (denormalAborts()) return F80.INDEFINITE;
        BigInteger m = mag(a);
        int e = lsbExp(a);
        int k = 160 - m.bitLength();
        if (((e - k) & 1) != 0) k++;
        m = m.shiftLeft(k);
        BigInteger s = m.sqrt();
        BigInteger q = s.shiftLeft(1);
        if (!s.multiply(s).equals(m)) q = q.setBit(0);
        return roundPc(false, q, (e - k) / 2 - 1);
    }

    /** FRNDINT: to an integer by the rounding control. */
    F80 roundInt(F80 a) {
        if (a.isUnsupported()) return invalid();
        if (a.isNaN()) return propagate(a, a);
        if (a.isZero() || a.isInf()) return a;
        if (a.isDenormal()) exc |= X87.DE;
        if (denormalAborts()) return F80.INDEFINITE;
        int e = lsbExp(a);
        if (e >= 0) return a;
        rnd.neg = a.neg();
        BigInteger v = toInteger(a, rc);
        if (v.signum() == 0) return F80.zero(a.neg());
        return exact(a.neg(), v, 0);
    }

    /** |a| rounded to an integer by {@code mode}; PE and C1 as the rounding went. */
    BigInteger toInteger(F80 a, int mode) {
        BigInteger m = mag(a);
        int e = lsbExp(a);
        if (e >= 0) return m.shiftLeft(e);
        int shift = -e;
        BigInteger t = m.shiftRight(shift);
        int low = m.getLowestSetBit();
        if (low >= shift) return t;
        exc |= X87.PE;
        boolean inc;
        switch (mode) {
            case Rounding.RN: inc = m.testBit(shift - 1) && (low < shift - 1 || t.testBit(0)); break;
            case Rounding.RU: inc = !a.neg(); break;
            case Rounding.RD: inc = a.neg(); break;
            default: inc = false;
        }
        up = inc;
        return inc ? t.add(BigInteger.ONE) : t;
    }

    /** An exactly representable value (at most 64 significant bits) as a register value. */
    static F80 exact(boolean neg, BigInteger mag, int exp) {
        int len = mag.bitLength();
        long sig = mag.shiftLeft(64 - len).longValue();
        int e = exp + len - 1 + F80.BIAS;
        return new F80((neg ? 0x8000 : 0) | e, sig);
    }

    static F80 fromLong(long v) {
        if (v == 0) return F80.POS_ZERO;
        boolean neg = v < 0;
        long a = neg ? -v : v; // Long.MIN_VALUE stays 2^63 as an unsigned magnitude
        int lz = Long.numberOfLeadingZeros(a);
        return new F80((neg ? 0x8000 : 0) | (F80.BIAS + 63 - lz), a << lz);
    }

    /**
     * FIST/FISTP/FISTTP: to a signed integer of {@code bits} by {@code mode}; out of range, NaN, infinity
     * or unsupported give IE and the integer indefinite (the most negative value).
     */
    long toInt(F80 a, int bits, int mode) {
        long indefinite = 1L << (bits - 1) | (bits == 64 ? 0 : 0);
        indefinite = bits == 64 ? Long.MIN_VALUE : -(1L << (bits - 1));
        if (a.isUnsupported() || a.isNaN() || a.isInf()) {
            exc |= X87.IE;
            return indefinite;
        }
        if (a.isZero()) return 0;
        if (a.exp() > F80.BIAS + 66) {
            exc |= X87.IE;
            return indefinite;
        }
        int savedExc = exc;
        boolean savedUp = up;
        BigInteger v = toInteger(a, mode);
        if (a.neg()) v = v.negate();
        if (v.bitLength() > bits - 1) {
            exc = savedExc | X87.IE;
            up = savedUp;
            return indefinite;
        }
        return v.longValue();
    }

    // ---- compare ----

    static final int LT = 0, EQ = 1, GT = 2, UN = 3;

    /** FCOM-class compare; {@code quiet}: only SNaNs (and unsupported encodings) are invalid (FUCOM). */
    int compare(F80 a, F80 b, boolean quiet) {
        if (a.isUnsupported() || b.isUnsupported()) {
            exc |= X87.IE;
            return UN;
        }
        if (a.isNaN() || b.isNaN()) {
            if (!quiet || a.isSNaN() || b.isSNaN()) exc |= X87.IE;
            return UN;
        }
        if (a.isDenormal() || b.isDenormal() || memDenormal) exc |= X87.DE;
        if (a.isZero() && b.isZero()) return EQ;
        if (a.neg() != b.neg()) {
            return a.isZero() ? (b.neg() ? GT : LT) : b.isZero() ? (a.neg() ? LT : GT) : a.neg() ? LT : GT;
        }
        int c = Integer.compare(Math.max(a.exp(), a.isZero() ? 0 : 1), Math.max(b.exp(), b.isZero() ? 0 : 1));
        if (c == 0) c = Long.compareUnsigned(a.m(), b.m());
        if (a.neg()) c = -c;
        return c < 0 ? LT : c > 0 ? GT : EQ;
    }

    // ---- conversions with memory formats ----

    /** FLD m32/m64: exact; SNaN quieted with IE, denormal sources set DE. */
    F80 fromIeee(long bits, int expBits, int fracBits) { return fromIeee(bits, expBits, fracBits, true); }

    /**
     * A float/double memory operand as an extended value; {@code load}: FLD (an SNaN is quieted with IE),
     * else an arithmetic operand (an SNaN stays signalling so that the NaN rule sees it).
     */
    F80 fromIeee(long bits, int expBits, int fracBits, boolean load) {
        boolean neg = (bits >>> (expBits + fracBits) & 1) != 0;
        int sign = neg ? 0x8000 : 0;
        int ex = (int) (bits >>> fracBits) & ((1 << expBits) - 1);
        long frac = bits & ((1L << fracBits) - 1);
        int bias = (1 << (expBits - 1)) - 1;
        if (ex == (1 << expBits) - 1) {
            if (frac == 0) return F80.inf(neg);
            F80 nan = new F80(sign | F80.EXP_MAX, F80.J | frac << (63 - fracBits));
            if (nan.isSNaN() && load) {
                exc |= X87.IE;
                nan = nan.quiet();
            }
            return nan;
        }
        if (ex == 0) {
            if (frac == 0) return F80.zero(neg);
            if (load) exc |= X87.DE;
            else memDenormal = true;
            return exact(neg, BigInteger.valueOf(frac), 1 - bias - fracBits);
        }
        return new F80(sign | (ex - bias + F80.BIAS), F80.J | frac << (63 - fracBits));
    }

    /** FST m32/m64: rounded by RC (not PC); the caller stores nothing when an unmasked exception says so. */
    long toIeee(F80 a, int expBits, int fracBits) {
        long signBit = a.neg() ? 1L << (expBits + fracBits) : 0;
        long expAll = ((1L << expBits) - 1) << fracBits;
        if (a.isUnsupported()) {
            exc |= X87.IE;
            return 1L << (expBits + fracBits) | expAll | 1L << (fracBits - 1);
        }
        if (a.isNaN()) {
            if (a.isSNaN()) exc |= X87.IE;
            return signBit | expAll | (a.m() << 1 >>> (64 - fracBits)) | 1L << (fracBits - 1);
        }
        if (a.isInf()) return signBit | expAll;
        if (a.isZero()) return signBit;
        int bias = (1 << (expBits - 1)) - 1;
        rnd.exc = 0;
        rnd.round(a.neg(), mag(a), lsbExp(a), fracBits + 1, 1 - bias, bias, rc, masks, false);
        exc |= rnd.exc;
        up = rnd.up;
        return rnd.toIeee(expBits);
    }
}
