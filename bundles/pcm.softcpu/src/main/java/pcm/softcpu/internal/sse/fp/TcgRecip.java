package pcm.softcpu.internal.sse.fp;

/**
 * RCPPS/RSQRTPS as QEMU's TCG computes them (target/i386/ops_sse.h, QEMU 7.2, the emulated SVM host's): not an
 * approximation but {@code float32_div(1, x)} and {@code float32_div(1, float32_sqrt(x))} in the SSE status, so
 * rounded by MXCSR.RC (twice for RSQRT), DAZ flushing denormal operands and FTZ tiny results; the helpers save and
 * restore the exception flags, so no flag is set and no exception raised. QEMU flushes with FZ whatever the UE mask
 * (its softfloat knows no masks), which is what {@link SseFloat} computes with every exception masked; QEMU decides
 * tininess before rounding where SseFloat decides after, which no reciprocal can tell apart (a float32 operand just
 * above 2^126 has a reciprocal at least one unit in the last place below 2^-126). Measured under
 * {@code qemu-x86_64} 7.2 ({@code RecipModelNativeTest} with {@code -Dpcm.native.emulator}).
 * One per CPU (its flags scratch is not shared).
 */
public final class TcgRecip implements RecipModel {

    private static final int ONE = 0x3F800000, ALL_MASKED = 0x1F80;

    /** The flags QEMU discards. */
    private final FpFlags discarded = new FpFlags();

    @Override
    public String describe() { return "QEMU TCG (1/x and 1/sqrt(x) rounded by MXCSR)"; }

    @Override
    public int rcp(int x, int mxcsr) {
        return SseFloat.divF32(ONE, x, mxcsr | ALL_MASKED, discarded);
    }

    @Override
    public int rsqrt(int x, int mxcsr) {
        int m = mxcsr | ALL_MASKED;
        return SseFloat.divF32(ONE, SseFloat.sqrtF32(x, m, discarded), m, discarded);
    }
}
