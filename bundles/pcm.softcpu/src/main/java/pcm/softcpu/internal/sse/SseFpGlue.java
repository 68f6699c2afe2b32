package pcm.softcpu.internal.sse;

import pcm.softcpu.internal.sse.fp.FpFlags;

/**
 * How an FP instruction runs its lanes through {@link pcm.softcpu.internal.sse.fp.SseFloat} and reports
 * exceptions (SDM vol. 1 §11.5.2): each lane's flags are split into pre-computation (IE DE ZE) and
 * post-computation (OE UE PE) flags; if any lane has an unmasked pre-computation exception only the
 * pre-computation flags of all lanes are reported, otherwise all flags are. {@link #commit} sets them in MXCSR
 * and raises #XM (#UD without CR4.OSXMMEXCPT) on an unmasked one before the destination is written.
 */
final class SseFpGlue {

    private SseFpGlue() {}

    @FunctionalInterface
    interface F32 {
        int apply(int a, int b, int mxcsr, FpFlags f);
    }

    @FunctionalInterface
    interface F64 {
        long apply(long a, long b, int mxcsr, FpFlags f);
    }

    static void start(SseUnit u) {
        u.fpPre = 0;
        u.fpPost = 0;
    }

    /** Files the flags of the lane just computed (in {@code u.fpf}). */
    static void lane(SseUnit u) {
        int b = u.fpf.bits;
        u.fpPre |= b & FpFlags.PRE_COMPUTATION;
        u.fpPost |= b & FpFlags.POST_COMPUTATION;
        u.fpf.clear();
    }

    static int lane32(SseUnit u, F32 op, int a, int b) {
        u.fpf.clear();
        int r = op.apply(a, b, u.s.mxcsr, u.fpf);
        lane(u);
        return r;
    }

    static long lane64(SseUnit u, F64 op, long a, long b) {
        u.fpf.clear();
        long r = op.apply(a, b, u.s.mxcsr, u.fpf);
        lane(u);
        return r;
    }

    /** Reports the instruction's flags; throws #XM/#UD when one is unmasked (the destination stays as it is). */
    static void commit(SseUnit u) {
        int unmasked = ~(u.s.mxcsr >>> 7) & 0x3F;
        int flags = (u.fpPre & unmasked) != 0 ? u.fpPre : u.fpPre | u.fpPost;
        MxcsrControl.signal(u, flags);
    }

    static long pack(int lo, int hi) { return (lo & 0xFFFFFFFFL) | (long) hi << 32; }
}
