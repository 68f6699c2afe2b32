package pcm.softcpu.internal.x87;

/**
 * An x87 double-extended value as the registers hold it: sign and 15-bit biased exponent in {@code se}
 * (bit 15 the sign), 64-bit significand {@code m} with the explicit integer bit at bit 63. Immutable;
 * every encoding is representable, the unsupported ones (unnormals, pseudo-NaNs, pseudo-infinities) too,
 * so that loads and stores of 80-bit memory keep every bit.
 */
public record F80(int se, long m) {

    public static final long J = Long.MIN_VALUE;
    public static final int EXP_MAX = 0x7FFF, BIAS = 16383;

    public static final F80 POS_ZERO = new F80(0, 0), NEG_ZERO = new F80(0x8000, 0);
    public static final F80 ONE = new F80(BIAS, J);
    public static final F80 POS_INF = new F80(EXP_MAX, J), NEG_INF = new F80(0x8000 | EXP_MAX, J);
    /** The QNaN "real indefinite" the FPU returns for masked invalid operations. */
    public static final F80 INDEFINITE = new F80(0xFFFF, 0xC000000000000000L);

    public F80 {
        se &= 0xFFFF;
    }

    public boolean neg() { return (se & 0x8000) != 0; }

    public int exp() { return se & EXP_MAX; }

    public boolean isZero() { return exp() == 0 && m == 0; }

    /** Exponent 0, significand nonzero: a denormal or a pseudo-denormal (integer bit set). */
    public boolean isDenormal() { return exp() == 0 && m != 0; }

    /** An encoding the FPU rejects as an operand (invalid-operation exception): unnormal, pseudo-NaN/-infinity. */
    public boolean isUnsupported() { return exp() != 0 && (m & J) == 0; }

    public boolean isInf() { return exp() == EXP_MAX && m == J; }

    /** Any NaN with the integer bit set (pseudo-NaNs are {@link #isUnsupported}). */
    public boolean isNaN() { return exp() == EXP_MAX && (m & J) != 0 && (m << 1) != 0; }

    public boolean isSNaN() { return isNaN() && (m & 0x4000000000000000L) == 0; }

    /** Finite and nonzero, supported (normal, denormal or pseudo-denormal). */
    public boolean isFiniteNonZero() { return !isZero() && exp() != EXP_MAX && !isUnsupported(); }

    public F80 negate() { return new F80(se ^ 0x8000, m); }

    public F80 abs() { return new F80(se & EXP_MAX, m); }

    public F80 withSign(boolean negative) { return new F80(negative ? se | 0x8000 : se & EXP_MAX, m); }

    public F80 quiet() { return new F80(se, m | 0x4000000000000000L); }

    public static F80 zero(boolean negative) { return negative ? NEG_ZERO : POS_ZERO; }

    public static F80 inf(boolean negative) { return negative ? NEG_INF : POS_INF; }

    /** The tag the full tag word gives a non-empty register: 0 valid, 1 zero, 2 special. */
    public int tag() {
        int e = exp();
        if (e == 0) return m == 0 ? 1 : 2;
        if (e == EXP_MAX || (m & J) == 0) return 2;
        return 0;
    }

    @Override
    public String toString() { return String.format("%04x:%016x", se, m); }
}
