package pcm.softcpu.internal.sse.fp;

/**
 * RCPPS/RSQRTPS of the AMD CPUs measured (module README, "RCPPS/RSQRTPS"): a 12-bit result read from a table by
 * the 12 leading fraction bits of the operand (its last 11 fraction bits never matter), with the exponent
 * computed apart; MXCSR (rounding, DAZ, FTZ, masks) changes nothing. Measured on every one of the 2^32 operands
 * of both instructions under five MXCSR values (default; DAZ|FTZ|round-up; round-toward-zero; every exception
 * unmasked with the flags set; DAZ with round-down) on an AMD EPYC family 1Ah model 02h: 0 differences, no flag,
 * no exception.
 * <p>
 * Special operands (measured): zero or denormal (whatever DAZ) gives the signed infinity; an SNaN is quieted, a
 * QNaN returned; RCP of an infinity is the signed zero, and a result below the normal range (biased exponent 253
 * and 254) is flushed to the signed zero (whatever FTZ); RSQRT of +infinity is +0, of any negative non-zero
 * operand (-infinity included) the default NaN 0xFFC00000, and its results never leave the normal range.
 * <p>
 * The tables are {@link AmdRecipTables}: each function is a 4096-entry table of 12-bit values stored as 256 base
 * values (every 16th entry) and, for each run of 256 entries, the 16 offsets of an entry from its base, the
 * pattern the hardware's table has (a base and a slope per interval, as interpolating tables do).
 */
public final class AmdRecip implements RecipModel {

    public static final AmdRecip INSTANCE = new AmdRecip();

    private AmdRecip() {}

    @Override
    public String describe() { return "AMD (measured on family 1Ah model 02h)"; }

    /** Entry {@code i} (0-4095) of a table: the 12 result fraction bits for the operand fraction's leading 12. */
    static int entry(short[] base, byte[] offset, int i) {
        return base[i >> 4] - offset[(i >> 8) << 4 | (i & 15)];
    }

    @Override
    public int rcp(int x, int mxcsr) {
        int s = x & 0x80000000, e = (x >>> 23) & 0xFF, f = x & 0x7FFFFF;
        if (e == 0xFF) return f != 0 ? x | 0x400000 : s; // NaN quieted; 1/inf = signed zero
        if (e == 0) return s | 0x7F800000; // zero and denormals (DAZ or not): signed infinity
        int oe = 253 - e;
        if (oe <= 0) return s; // the reciprocal is below the normal range: flushed whatever FTZ
        return s | oe << 23 | entry(AmdRecipTables.RCP_BASE, AmdRecipTables.RCP_OFFSET, f >>> 11) << 11;
    }

    @Override
    public int rsqrt(int x, int mxcsr) {
        int s = x & 0x80000000, e = (x >>> 23) & 0xFF, f = x & 0x7FFFFF;
        if (e == 0xFF) {
            if (f != 0) return x | 0x400000;
            return s != 0 ? SseFloat.F32_INDEFINITE : 0;
        }
        if (e == 0) return s | 0x7F800000; // -0 and negative denormals give -infinity, not the NaN
        if (s != 0) return SseFloat.F32_INDEFINITE;
        int oe = 126 - ((e - 127) >> 1);
        int t = (e & 1) != 0 ? entry(AmdRecipTables.RSQRT_ODD_BASE, AmdRecipTables.RSQRT_ODD_OFFSET, f >>> 11)
                : entry(AmdRecipTables.RSQRT_EVEN_BASE, AmdRecipTables.RSQRT_EVEN_OFFSET, f >>> 11);
        return oe << 23 | t << 11;
    }
}
