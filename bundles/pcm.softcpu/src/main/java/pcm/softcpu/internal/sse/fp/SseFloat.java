package pcm.softcpu.internal.sse.fp;

/**
 * One lane of an SSE/SSE2 floating-point operation, exactly as the hardware computes it: float32 as the raw
 * bits in an {@code int}, float64 in a {@code long}. Every method takes the MXCSR value in force — rounding
 * control (bits 13-14: nearest-even, down, up, toward zero), FTZ (bit 15), DAZ (bit 6) and the exception masks
 * (bits 7-12, which decide what is reported when an exception is unmasked) — and ORs the exception flags it
 * raises into {@code flags} ({@link FpFlags}; the MXCSR flag bits themselves are not read). The value returned
 * is the masked response (the one written when the exceptions raised are masked); when an exception is
 * unmasked the caller raises #XM and writes nothing, and the value returned is meaningless.
 *
 * <p>Rules, common to all: DAZ turns denormal operands into zero of the same sign without DE; otherwise a
 * denormal operand sets DE (arithmetic, compares, min/max, float-to-float conversions; not float-to-integer).
 * A NaN result of a binary arithmetic operation is the first operand if it is a NaN, else the second, quieted
 * (quiet bit set, payload kept) with IE when it was signalling; invalid operations (inf-inf, 0*inf, 0/0,
 * inf/inf, sqrt of a negative non-zero) give the default NaN ("real indefinite" 0xFFC00000 /
 * 0xFFF8000000000000) with IE. x/0 with x finite non-zero is ZE and a signed infinity. Tininess is detected
 * after rounding; a tiny result sets UE when inexact (UE masked) or always (UE unmasked); FTZ with UE masked
 * flushes a tiny result to a signed zero with UE and PE. Overflow gives infinity or the largest finite number
 * by rounding mode and sign, with OE and PE.
 *
 * <p>Fast path: round-to-nearest with normal operands and a normal result is plain Java arithmetic plus an
 * exact error term (TwoSum, FMA, or exact products in double for float32) for PE; everything else takes the
 * exact slow path ({@code SoftFp}, {@code FpRound}). PE is ORed in without a branch: whether a sum is exact
 * is data-random, and a mispredicted branch costs more than the operation.
 */
public final class SseFloat {

    private SseFloat() {
    }

    private static final long M32 = 0xFFFFFFFFL;

    /** Below this magnitude an FMA error term or remainder of doubles could underflow, so it is not exact. */
    private static final double EXACT_ERROR_MIN = 0x1p-968;

    /**
     * Round to nearest: the host's arithmetic gives the result. The fast paths take only normal operands (so
     * DAZ and DE do not matter) and normal results (so FTZ, underflow and overflow do not): the only flag they
     * can raise is PE, reported the same whether masked or not.
     */
    private static boolean fastMode(int mxcsr) {
        return (mxcsr & 0x6000) == 0;
    }

    private static boolean normal32(int a) {
        int e = (a >>> 23) & 0xFF;
        return e != 0 && e != 0xFF;
    }

    private static boolean normal64(long a) {
        int e = (int) (a >>> 52) & 0x7FF;
        return e != 0 && e != 0x7FF;
    }

    // ---- MXCSR fields ----

    public static final int MXCSR_DAZ = 0x40;
    public static final int MXCSR_FTZ = 0x8000;
    public static final int MXCSR_RC_SHIFT = 13;
    public static final int RC_NEAREST = 0, RC_DOWN = 1, RC_UP = 2, RC_ZERO = 3;

    /** The default NaN ("real indefinite") of each format. */
    public static final int F32_INDEFINITE = 0xFFC00000;
    public static final long F64_INDEFINITE = 0xFFF8000000000000L;
    /** The integer indefinite a failed float-to-integer conversion returns. */
    public static final int I32_INDEFINITE = 0x80000000;
    public static final long I64_INDEFINITE = 0x8000000000000000L;

    /** RFLAGS bits {@link #comiF32} and friends return (OF, SF, AF are cleared by the instruction). */
    public static final int RFLAGS_CF = 0x01, RFLAGS_PF = 0x04, RFLAGS_ZF = 0x40;

    /** Compare predicates (imm8 bits 0-2) of CMPPS/CMPSS/CMPPD/CMPSD. */
    public static final int CMP_EQ = 0, CMP_LT = 1, CMP_LE = 2, CMP_UNORD = 3, CMP_NEQ = 4, CMP_NLT = 5,
            CMP_NLE = 6, CMP_ORD = 7;

    // ---- arithmetic: ADDSS/ADDPS, ADDSD/ADDPD and the SUB/MUL/DIV/SQRT forms ----

    /** {@code a + b} (ADDSS/ADDPS lane). */
    public static int addF32(int a, int b, int mxcsr, FpFlags flags) {
        if (fastMode(mxcsr) && normal32(a) && normal32(b)) {
            float x = Float.intBitsToFloat(a), y = Float.intBitsToFloat(b), r = x + y;
            float m = Math.abs(r);
            if (m <= Float.MAX_VALUE && (m >= Float.MIN_NORMAL || m == 0)) { // a sum of normals below that is exact
                float yy = r - x, err = (x - (r - yy)) + (y - yy); // TwoSum: the exact rounding error
                flags.bits |= err != 0 ? FpFlags.PE : 0;
                return Float.floatToRawIntBits(r);
            }
        }
        return (int) SoftFp.add(a & M32, b & M32, false, false, mxcsr, flags);
    }

    /** {@code a + b} (ADDSD/ADDPD lane). */
    public static long addF64(long a, long b, int mxcsr, FpFlags flags) {
        if (fastMode(mxcsr) && normal64(a) && normal64(b)) {
            double x = Double.longBitsToDouble(a), y = Double.longBitsToDouble(b), r = x + y;
            double m = Math.abs(r);
            if (m <= Double.MAX_VALUE && (m >= Double.MIN_NORMAL || m == 0)) {
                double yy = r - x, err = (x - (r - yy)) + (y - yy);
                flags.bits |= err != 0 ? FpFlags.PE : 0;
                return Double.doubleToRawLongBits(r);
            }
        }
        return SoftFp.add(a, b, true, false, mxcsr, flags);
    }

    /** {@code a - b} (SUBSS/SUBPS lane). */
    public static int subF32(int a, int b, int mxcsr, FpFlags flags) {
        if (fastMode(mxcsr) && normal32(a) && normal32(b)) {
            float x = Float.intBitsToFloat(a), y = -Float.intBitsToFloat(b), r = x + y;
            float m = Math.abs(r);
            if (m <= Float.MAX_VALUE && (m >= Float.MIN_NORMAL || m == 0)) { // a sum of normals below that is exact
                float yy = r - x, err = (x - (r - yy)) + (y - yy);
                flags.bits |= err != 0 ? FpFlags.PE : 0;
                return Float.floatToRawIntBits(r);
            }
        }
        return (int) SoftFp.add(a & M32, b & M32, false, true, mxcsr, flags);
    }

    /** {@code a - b} (SUBSD/SUBPD lane). */
    public static long subF64(long a, long b, int mxcsr, FpFlags flags) {
        if (fastMode(mxcsr) && normal64(a) && normal64(b)) {
            double x = Double.longBitsToDouble(a), y = -Double.longBitsToDouble(b), r = x + y;
            double m = Math.abs(r);
            if (m <= Double.MAX_VALUE && (m >= Double.MIN_NORMAL || m == 0)) {
                double yy = r - x, err = (x - (r - yy)) + (y - yy);
                flags.bits |= err != 0 ? FpFlags.PE : 0;
                return Double.doubleToRawLongBits(r);
            }
        }
        return SoftFp.add(a, b, true, true, mxcsr, flags);
    }

    /** {@code a * b} (MULSS/MULPS lane). */
    public static int mulF32(int a, int b, int mxcsr, FpFlags flags) {
        if (fastMode(mxcsr) && normal32(a) && normal32(b)) {
            double p = (double) Float.intBitsToFloat(a) * Float.intBitsToFloat(b); // exact: 48 bits
            float r = (float) p;
            float m = Math.abs(r);
            if (m > Float.MIN_NORMAL && m <= Float.MAX_VALUE) {
                flags.bits |= r != p ? FpFlags.PE : 0;
                return Float.floatToRawIntBits(r);
            }
        }
        return (int) SoftFp.mul(a & M32, b & M32, false, mxcsr, flags);
    }

    /** {@code a * b} (MULSD/MULPD lane). */
    public static long mulF64(long a, long b, int mxcsr, FpFlags flags) {
        if (fastMode(mxcsr) && normal64(a) && normal64(b)) {
            double x = Double.longBitsToDouble(a), y = Double.longBitsToDouble(b), r = x * y;
            double m = Math.abs(r);
            if (m >= EXACT_ERROR_MIN && m <= Double.MAX_VALUE) { // error term representable: exact by FMA
                flags.bits |= Math.fma(x, y, -r) != 0 ? FpFlags.PE : 0;
                return Double.doubleToRawLongBits(r);
            }
        }
        return SoftFp.mul(a, b, true, mxcsr, flags);
    }

    /** {@code a / b} (DIVSS/DIVPS lane). */
    public static int divF32(int a, int b, int mxcsr, FpFlags flags) {
        if (fastMode(mxcsr) && normal32(a) && normal32(b)) {
            float x = Float.intBitsToFloat(a), y = Float.intBitsToFloat(b);
            float r = (float) ((double) x / y); // double rounding is innocuous: 53 >= 2*24+2
            float m = Math.abs(r);
            if (m > Float.MIN_NORMAL && m <= Float.MAX_VALUE) {
                flags.bits |= (double) r * y != x ? FpFlags.PE : 0; // r*y exact in double
                return Float.floatToRawIntBits(r);
            }
        }
        return (int) SoftFp.div(a & M32, b & M32, false, mxcsr, flags);
    }

    /** {@code a / b} (DIVSD/DIVPD lane). */
    public static long divF64(long a, long b, int mxcsr, FpFlags flags) {
        if (fastMode(mxcsr) && normal64(a) && normal64(b)) {
            double x = Double.longBitsToDouble(a), y = Double.longBitsToDouble(b), r = x / y;
            double m = Math.abs(r);
            if (m > Double.MIN_NORMAL && m <= Double.MAX_VALUE && Math.abs(x) >= EXACT_ERROR_MIN) {
                flags.bits |= Math.fma(-r, y, x) != 0 ? FpFlags.PE : 0; // the exact remainder
                return Double.doubleToRawLongBits(r);
            }
        }
        return SoftFp.div(a, b, true, mxcsr, flags);
    }

    /** Square root (SQRTSS/SQRTPS lane); a NaN operand is returned quieted, sqrt(-0) = -0. */
    public static int sqrtF32(int a, int mxcsr, FpFlags flags) {
        if (fastMode(mxcsr) && a > 0 && normal32(a)) {
            float x = Float.intBitsToFloat(a);
            float r = (float) Math.sqrt(x);
            flags.bits |= (double) r * r != x ? FpFlags.PE : 0;
            return Float.floatToRawIntBits(r);
        }
        return (int) SoftFp.sqrt(a & M32, false, mxcsr, flags);
    }

    /** Square root (SQRTSD/SQRTPD lane). */
    public static long sqrtF64(long a, int mxcsr, FpFlags flags) {
        if (fastMode(mxcsr) && a > 0 && normal64(a)) {
            double x = Double.longBitsToDouble(a);
            if (x >= EXACT_ERROR_MIN) {
                double r = Math.sqrt(x);
                flags.bits |= Math.fma(-r, r, x) != 0 ? FpFlags.PE : 0;
                return Double.doubleToRawLongBits(r);
            }
        }
        return SoftFp.sqrt(a, true, mxcsr, flags);
    }

    // ---- MIN/MAX: not IEEE minNum; b is returned as is (not quieted) when either is a NaN or both are zero ----

    /** MINSS/MINPS lane: {@code a < b ? a : b}; IE on any SNaN (and on QNaN, as MIN is a signalling compare). */
    public static int minF32(int a, int b, int mxcsr, FpFlags flags) {
        return (int) FpCompare.minMax(a & M32, b & M32, false, false, mxcsr, flags);
    }

    /** MINSD/MINPD lane. */
    public static long minF64(long a, long b, int mxcsr, FpFlags flags) {
        return FpCompare.minMax(a, b, true, false, mxcsr, flags);
    }

    /** MAXSS/MAXPS lane: {@code a > b ? a : b}, else b. */
    public static int maxF32(int a, int b, int mxcsr, FpFlags flags) {
        return (int) FpCompare.minMax(a & M32, b & M32, false, true, mxcsr, flags);
    }

    /** MAXSD/MAXPD lane. */
    public static long maxF64(long a, long b, int mxcsr, FpFlags flags) {
        return FpCompare.minMax(a, b, true, true, mxcsr, flags);
    }

    // ---- compares ----

    /**
     * CMPSS/CMPPS lane with predicate 0-7 ({@link #CMP_EQ}...{@link #CMP_ORD}; the glue takes imm8 & 7):
     * true means the lane becomes all ones. IE on an SNaN operand, and on a QNaN for the signalling
     * predicates LT, LE, NLT, NLE.
     */
    public static boolean cmpF32(int a, int b, int predicate, int mxcsr, FpFlags flags) {
        return FpCompare.cmp(a & M32, b & M32, predicate, false, mxcsr, flags);
    }

    /** CMPSD/CMPPD lane. */
    public static boolean cmpF64(long a, long b, int predicate, int mxcsr, FpFlags flags) {
        return FpCompare.cmp(a, b, predicate, true, mxcsr, flags);
    }

    /**
     * COMISS: compares and returns ZF|PF|CF ({@link #RFLAGS_ZF} etc.: unordered 111, less 001, equal 100,
     * greater 000); IE on any NaN operand.
     */
    public static int comiF32(int a, int b, int mxcsr, FpFlags flags) {
        return FpCompare.comi(a & M32, b & M32, false, true, mxcsr, flags);
    }

    /** UCOMISS: as {@link #comiF32} but IE only on an SNaN. */
    public static int ucomiF32(int a, int b, int mxcsr, FpFlags flags) {
        return FpCompare.comi(a & M32, b & M32, false, false, mxcsr, flags);
    }

    /** COMISD. */
    public static int comiF64(long a, long b, int mxcsr, FpFlags flags) {
        return FpCompare.comi(a, b, true, true, mxcsr, flags);
    }

    /** UCOMISD. */
    public static int ucomiF64(long a, long b, int mxcsr, FpFlags flags) {
        return FpCompare.comi(a, b, true, false, mxcsr, flags);
    }

    // ---- integer to float: CVTSI2SS/SD (32 and 64-bit sources), CVTDQ2PS/PD, CVTPI2PS/PD lanes ----

    /** int32 to float32, rounded per MXCSR, PE when inexact (CVTSI2SS r32, CVTDQ2PS, CVTPI2PS lanes). */
    public static int cvtI32ToF32(int a, int mxcsr, FpFlags flags) {
        if (a == (a << 7) >> 7) return Float.floatToRawIntBits(a); // 25 bits: exact
        return (int) FpConvert.fromInt(a, false, mxcsr, flags);
    }

    /** int64 to float32 (CVTSI2SS r64). */
    public static int cvtI64ToF32(long a, int mxcsr, FpFlags flags) {
        if (a == (a << 39) >> 39) return Float.floatToRawIntBits(a);
        return (int) FpConvert.fromInt(a, false, mxcsr, flags);
    }

    /** int32 to float64: always exact (CVTSI2SD r32, CVTDQ2PD, CVTPI2PD lanes). */
    public static long cvtI32ToF64(int a) {
        return Double.doubleToRawLongBits(a);
    }

    /** int64 to float64 (CVTSI2SD r64). */
    public static long cvtI64ToF64(long a, int mxcsr, FpFlags flags) {
        if (a == (a << 10) >> 10) return Double.doubleToRawLongBits(a); // 54 bits: exact
        return FpConvert.fromInt(a, true, mxcsr, flags);
    }

    // ---- float to integer: CVTSS2SI/CVTSD2SI, CVTPS2DQ/CVTPD2DQ/CVTPS2PI/CVTPD2PI and the CVTT* forms ----

    /**
     * float32 to int32, rounded per MXCSR or, with {@code truncate} (CVTT*), toward zero. NaN or a result out
     * of range gives {@link #I32_INDEFINITE} with IE; otherwise PE when inexact. No DE.
     */
    public static int cvtF32ToI32(int a, boolean truncate, int mxcsr, FpFlags flags) {
        return (int) FpConvert.toInt(a & M32, false, truncate, 32, mxcsr, flags);
    }

    /** float32 to int64 (CVTSS2SI/CVTTSS2SI r64); {@link #I64_INDEFINITE} on NaN or overflow. */
    public static long cvtF32ToI64(int a, boolean truncate, int mxcsr, FpFlags flags) {
        return FpConvert.toInt(a & M32, false, truncate, 64, mxcsr, flags);
    }

    /** float64 to int32 (CVTSD2SI r32, CVTPD2DQ/CVTPD2PI lanes and the CVTT* forms). */
    public static int cvtF64ToI32(long a, boolean truncate, int mxcsr, FpFlags flags) {
        return (int) FpConvert.toInt(a, true, truncate, 32, mxcsr, flags);
    }

    /** float64 to int64 (CVTSD2SI/CVTTSD2SI r64). */
    public static long cvtF64ToI64(long a, boolean truncate, int mxcsr, FpFlags flags) {
        return FpConvert.toInt(a, true, truncate, 64, mxcsr, flags);
    }

    // ---- float to float: CVTSS2SD/CVTPS2PD, CVTSD2SS/CVTPD2PS lanes ----

    /** float32 to float64: exact; an SNaN is quieted with IE, a denormal sets DE (or is zero under DAZ). */
    public static long cvtF32ToF64(int a, int mxcsr, FpFlags flags) {
        if (normal32(a)) return Double.doubleToRawLongBits(Float.intBitsToFloat(a));
        return FpConvert.widen(a, mxcsr, flags);
    }

    /** float64 to float32, rounded per MXCSR with overflow/underflow/FTZ; a NaN keeps the top payload bits. */
    public static int cvtF64ToF32(long a, int mxcsr, FpFlags flags) {
        return FpConvert.narrow(a, mxcsr, flags);
    }
}
