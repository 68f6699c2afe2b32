package pcm.softcpu.internal.sse.fp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static pcm.softcpu.internal.sse.fp.FpFlags.DE;
import static pcm.softcpu.internal.sse.fp.FpFlags.IE;
import static pcm.softcpu.internal.sse.fp.FpFlags.OE;
import static pcm.softcpu.internal.sse.fp.FpFlags.PE;
import static pcm.softcpu.internal.sse.fp.FpFlags.UE;
import static pcm.softcpu.internal.sse.fp.FpFlags.ZE;

import org.junit.jupiter.api.Test;

/**
 * Known answers (each checked on the host CPU by {@link SseFloatOracleTest}), so the rules stay pinned where
 * no gcc is available.
 */
class SseFloatTest {

    static final int MASKED = 0x1F80, DOWN = 0x3F80, UP = 0x5F80, ZERO = 0x7F80, DAZ = 0x40, FTZ = 0x8000;
    final FpFlags f = new FpFlags();

    private int flags() {
        int b = f.bits;
        f.clear();
        return b;
    }

    @Test
    void tieRoundsPerMode() {
        int one = 0x3F800000, halfUlp = 0x33800000; // 1 + 2^-24: a tie
        assertEquals(0x3F800000, SseFloat.addF32(one, halfUlp, MASKED, f));
        assertEquals(PE, flags());
        assertEquals(0x3F800001, SseFloat.addF32(one, halfUlp, UP, f));
        assertEquals(0x3F800000, SseFloat.addF32(one, halfUlp, DOWN, f));
        assertEquals(0xBF800000, SseFloat.subF32(0xBF800000, halfUlp, ZERO, f));
        assertEquals(0xBF800001, SseFloat.subF32(0xBF800000, halfUlp, DOWN, f));
        assertEquals(PE, flags());
    }

    @Test
    void overflowDependsOnTheRoundingMode() {
        long max = 0x7FEFFFFFFFFFFFFFL;
        assertEquals(0x7FF0000000000000L, SseFloat.mulF64(max, 0x4000000000000000L, MASKED, f));
        assertEquals(OE | PE, flags());
        assertEquals(max, SseFloat.mulF64(max, 0x4000000000000000L, ZERO, f));
        assertEquals(max, SseFloat.mulF64(max, 0x4000000000000000L, DOWN, f));
        assertEquals(0xFFEFFFFFFFFFFFFFL, SseFloat.mulF64(max | Long.MIN_VALUE, 0x4000000000000000L, UP, f));
        assertEquals(OE | PE, flags());
        SseFloat.mulF64(max, 0x4000000000000000L, MASKED & ~0x400, f); // OE unmasked, exact when unbounded
        assertEquals(OE, flags());
    }

    @Test
    void underflowFtzAndDaz() {
        int minNormal = 0x00800000, half = 0x3F000000, denormal = 0x00000001;
        assertEquals(0x00400000, SseFloat.mulF32(minNormal, half, MASKED, f));
        assertEquals(0, flags(), "exact tiny result: no UE when masked");
        SseFloat.mulF32(minNormal, half, MASKED & ~0x800, f);
        assertEquals(UE, flags(), "unmasked UE: tiny is enough");
        assertEquals(0, SseFloat.mulF32(minNormal, half, MASKED | FTZ, f));
        assertEquals(UE | PE, flags());
        assertEquals(0x3F800000, SseFloat.addF32(0x3F800000, denormal, MASKED, f));
        assertEquals(DE | PE, flags());
        assertEquals(0x3F800000, SseFloat.addF32(0x3F800000, denormal, MASKED | DAZ, f));
        assertEquals(0, flags());
        assertEquals(0x00800000, SseFloat.mulF32(0x007FFFFF, 0x3F800001, UP, f), "rounds up to min normal: not tiny");
        assertEquals(DE | PE, flags());
    }

    @Test
    void nansAndInvalid() {
        int qnan = 0x7FC12345, snan = 0x7FA00005;
        assertEquals(0x7FE00005, SseFloat.addF32(snan, qnan, MASKED, f), "first operand wins, quieted");
        assertEquals(IE, flags());
        assertEquals(qnan, SseFloat.mulF32(0x3F800000, qnan, MASKED, f));
        assertEquals(0, flags());
        assertEquals(SseFloat.F32_INDEFINITE, SseFloat.subF32(0x7F800000, 0x7F800000, MASKED, f));
        assertEquals(IE, flags());
        assertEquals(SseFloat.F64_INDEFINITE, SseFloat.sqrtF64(0xBFF0000000000000L, MASKED, f));
        assertEquals(IE, flags());
        assertEquals(0x8000000000000000L, SseFloat.sqrtF64(0x8000000000000000L, MASKED, f));
        assertEquals(0x7FF0000000000000L, SseFloat.divF64(0x3FF0000000000000L, 0, MASKED, f));
        assertEquals(ZE, flags());
        assertEquals(0x7FF0000000000000L, SseFloat.divF64(1, 0, MASKED, f), "x/0: ZE without DE");
        assertEquals(ZE, flags());
    }

    @Test
    void minMaxReturnTheSecondOperand() {
        assertEquals(0x80000000, SseFloat.minF32(0, 0x80000000, MASKED, f));
        assertEquals(0, SseFloat.maxF32(0x80000000, 0, MASKED, f));
        assertEquals(0, flags());
        assertEquals(0x7FA00000, SseFloat.minF32(0x3F800000, 0x7FA00000, MASKED, f), "not quieted");
        assertEquals(IE, flags());
        assertEquals(0x3F800000, SseFloat.maxF32(0x7FC00000, 0x3F800000, MASKED, f));
        assertEquals(IE, flags(), "QNaN signals too");
    }

    @Test
    void comparesSignalByPredicate() {
        int qnan = 0x7FC00000;
        assertFalse(SseFloat.cmpF32(qnan, 0, SseFloat.CMP_EQ, MASKED, f));
        assertEquals(0, flags());
        assertFalse(SseFloat.cmpF32(qnan, 0, SseFloat.CMP_LT, MASKED, f));
        assertEquals(IE, flags());
        assertTrue(SseFloat.cmpF32(qnan, 0, SseFloat.CMP_NLE, MASKED, f));
        assertEquals(IE, flags());
        assertEquals(0x45, SseFloat.ucomiF64(0x7FF8000000000000L, 0, MASKED, f));
        assertEquals(0, flags());
        assertEquals(0x45, SseFloat.comiF64(0x7FF8000000000000L, 0, MASKED, f));
        assertEquals(IE, flags());
        assertEquals(SseFloat.RFLAGS_CF, SseFloat.comiF32(0xBF800000, 0, MASKED, f));
        assertEquals(SseFloat.RFLAGS_ZF, SseFloat.comiF32(0x80000000, 0, MASKED, f));
    }

    @Test
    void conversions() {
        assertEquals(0x80000000, SseFloat.cvtF32ToI32(0x4F000000, false, MASKED, f), "2^31 overflows");
        assertEquals(IE, flags());
        assertEquals(-0x80000000, SseFloat.cvtF32ToI32(0xCF000000, false, MASKED, f), "-2^31 fits");
        assertEquals(0, flags());
        assertEquals(2, SseFloat.cvtF64ToI32(0x4004000000000000L, false, MASKED, f), "2.5 to even");
        assertEquals(3, SseFloat.cvtF64ToI32(0x4004000000000000L, false, UP, f));
        assertEquals(2, SseFloat.cvtF64ToI32(0x4006000000000000L, true, MASKED, f), "2.75 truncated");
        assertEquals(PE, flags());
        assertEquals(Long.MIN_VALUE, SseFloat.cvtF64ToI64(0x7FF8000000000000L, true, MASKED, f));
        assertEquals(IE, flags());
        assertEquals(0x5F000000, SseFloat.cvtI64ToF32(Long.MAX_VALUE, MASKED, f));
        assertEquals(PE, flags());
        assertEquals(0x5EFFFFFF, SseFloat.cvtI64ToF32(Long.MAX_VALUE, ZERO, f));
        assertEquals(PE, flags());
        assertEquals(0x7FF8000000000000L | 0x5L << 29, SseFloat.cvtF32ToF64(0x7F800005, MASKED, f), "SNaN quieted, payload kept");
        assertEquals(IE, flags());
        assertEquals(0x7F800000, SseFloat.cvtF64ToF32(0x47F0000000000000L, MASKED, f));
        assertEquals(OE | PE, flags());
        assertEquals(0, SseFloat.cvtF64ToF32(1, MASKED | DAZ, f));
        assertEquals(0, flags());
        assertEquals(0, SseFloat.cvtF64ToF32(1, MASKED, f));
        assertEquals(DE | UE | PE, flags());
    }
}
