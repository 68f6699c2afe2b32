package pcm.softcpu.internal.sse;

import static pcm.softcpu.internal.sse.SseTable.*;

import pcm.softcpu.internal.sse.fp.SseFloat;

/**
 * SSE/SSE2 conversions and the ordered/unordered scalar compares: CVTSI2SS/SD (r/m32, REX.W r/m64),
 * CVT(T)SS2SI/CVT(T)SD2SI (r32/r64), CVTPS2PD/CVTPD2PS/CVTSS2SD/CVTSD2SS, CVTDQ2PS/CVTPS2DQ/CVTTPS2DQ,
 * CVTDQ2PD/CVTPD2DQ/CVTTPD2DQ, and COMISS/UCOMISS/COMISD/UCOMISD (ZF PF CF from the compare, OF SF AF
 * cleared). The conversions with an MMX operand (CVTPI2PS/PD, CVT(T)PS2PI/PD2PI) are {@link SseMmxConvert}.
 */
final class SseConvert {

    private SseConvert() {}

    private static final long ARITH = 0x8D5; // CF PF AF ZF SF OF

    static void register(SseTable t) {
        t.op(P_F3, 0x2A, EITHER, 0, "CVTSI2SS", u -> {
            long v = u.srcGpr(u.w ? 8 : 4);
            boolean w = u.w;
            SseFpGlue.start(u);
            int r = w ? SseFloat.cvtI64ToF32(v, u.s.mxcsr, u.fpf) : SseFloat.cvtI32ToF32((int) v, u.s.mxcsr, u.fpf);
            SseFpGlue.lane(u);
            SseFpGlue.commit(u);
            u.setDword(u.reg, 0, r);
        });
        t.op(P_F2, 0x2A, EITHER, 0, "CVTSI2SD", u -> {
            long v = u.srcGpr(u.w ? 8 : 4);
            SseFpGlue.start(u);
            long r = u.w ? SseFloat.cvtI64ToF64(v, u.s.mxcsr, u.fpf) : SseFloat.cvtI32ToF64((int) v);
            SseFpGlue.lane(u);
            SseFpGlue.commit(u);
            u.setLo(u.reg, r);
        });
        for (boolean trunc : new boolean[] {true, false}) {
            int op = trunc ? 0x2C : 0x2D;
            String t2 = trunc ? "CVTT" : "CVT";
            t.op(P_F3, op, EITHER, 0, t2 + "SS2SI", u -> {
                int a = u.src32();
                SseFpGlue.start(u);
                long r = u.w ? SseFloat.cvtF32ToI64(a, trunc, u.s.mxcsr, u.fpf) : SseFloat.cvtF32ToI32(a, trunc, u.s.mxcsr, u.fpf) & 0xFFFFFFFFL;
                SseFpGlue.lane(u);
                SseFpGlue.commit(u);
                u.h.setGpr(u.reg, r);
            });
            t.op(P_F2, op, EITHER, 0, t2 + "SD2SI", u -> {
                long a = u.src64();
                SseFpGlue.start(u);
                long r = u.w ? SseFloat.cvtF64ToI64(a, trunc, u.s.mxcsr, u.fpf) : SseFloat.cvtF64ToI32(a, trunc, u.s.mxcsr, u.fpf) & 0xFFFFFFFFL;
                SseFpGlue.lane(u);
                SseFpGlue.commit(u);
                u.h.setGpr(u.reg, r);
            });
        }
        // float <-> double
        t.op(P_NONE, 0x5A, EITHER, 0, "CVTPS2PD", u -> {
            long s = u.src64();
            SseFpGlue.start(u);
            long r0 = SseFpGlue.lane64(u, (a, b, m, f) -> SseFloat.cvtF32ToF64((int) b, m, f), 0, s);
            long r1 = SseFpGlue.lane64(u, (a, b, m, f) -> SseFloat.cvtF32ToF64((int) b, m, f), 0, s >>> 32);
            SseFpGlue.commit(u);
            u.result(r0, r1);
        });
        t.op(P_66, 0x5A, EITHER, 0, "CVTPD2PS", u -> {
            u.src128(true);
            SseFpGlue.start(u);
            int r0 = f64ToF32(u, u.srcLo), r1 = f64ToF32(u, u.srcHi);
            SseFpGlue.commit(u);
            u.result(SseFpGlue.pack(r0, r1), 0);
        });
        t.op(P_F3, 0x5A, EITHER, 0, "CVTSS2SD", u -> {
            int s = u.src32();
            SseFpGlue.start(u);
            long r = SseFpGlue.lane64(u, (a, b, m, f) -> SseFloat.cvtF32ToF64((int) b, m, f), 0, s);
            SseFpGlue.commit(u);
            u.setLo(u.reg, r);
        });
        t.op(P_F2, 0x5A, EITHER, 0, "CVTSD2SS", u -> {
            long s = u.src64();
            SseFpGlue.start(u);
            int r = f64ToF32(u, s);
            SseFpGlue.commit(u);
            u.setDword(u.reg, 0, r);
        });
        // int32 <-> float
        t.op(P_NONE, 0x5B, EITHER, 0, "CVTDQ2PS", u -> {
            u.src128(true);
            SseFpGlue.F32 cvt = (a, b, m, f) -> SseFloat.cvtI32ToF32(b, m, f);
            fourLanes(u, cvt);
        });
        t.op(P_66, 0x5B, EITHER, 0, "CVTPS2DQ", u -> {
            u.src128(true);
            fourLanes(u, (a, b, m, f) -> SseFloat.cvtF32ToI32(b, false, m, f));
        });
        t.op(P_F3, 0x5B, EITHER, 0, "CVTTPS2DQ", u -> {
            u.src128(true);
            fourLanes(u, (a, b, m, f) -> SseFloat.cvtF32ToI32(b, true, m, f));
        });
        // int32 <-> double
        t.op(P_F3, 0xE6, EITHER, 0, "CVTDQ2PD", u -> {
            long s = u.src64();
            u.result(SseFloat.cvtI32ToF64((int) s), SseFloat.cvtI32ToF64((int) (s >>> 32)));
        });
        t.op(P_F2, 0xE6, EITHER, 0, "CVTPD2DQ", u -> pd2dq(u, false));
        t.op(P_66, 0xE6, EITHER, 0, "CVTTPD2DQ", u -> pd2dq(u, true));
        // compares into RFLAGS
        t.op(P_NONE, 0x2E, EITHER, 0, "UCOMISS", u -> comi(u, SseFloat.ucomiF32(u.dword(u.reg, 0), u.src32(), u.s.mxcsr, clear(u))));
        t.op(P_NONE, 0x2F, EITHER, 0, "COMISS", u -> comi(u, SseFloat.comiF32(u.dword(u.reg, 0), u.src32(), u.s.mxcsr, clear(u))));
        t.op(P_66, 0x2E, EITHER, 0, "UCOMISD", u -> comi(u, SseFloat.ucomiF64(u.lo(u.reg), u.src64(), u.s.mxcsr, clear(u))));
        t.op(P_66, 0x2F, EITHER, 0, "COMISD", u -> comi(u, SseFloat.comiF64(u.lo(u.reg), u.src64(), u.s.mxcsr, clear(u))));
    }

    private static pcm.softcpu.internal.sse.fp.FpFlags clear(SseUnit u) {
        SseFpGlue.start(u);
        u.fpf.clear();
        return u.fpf;
    }

    private static void comi(SseUnit u, int zpc) {
        SseFpGlue.lane(u);
        SseFpGlue.commit(u);
        u.h.setRflags(ARITH, zpc);
    }

    private static int f64ToF32(SseUnit u, long v) {
        u.fpf.clear();
        int r = SseFloat.cvtF64ToF32(v, u.s.mxcsr, u.fpf);
        SseFpGlue.lane(u);
        return r;
    }

    private static void fourLanes(SseUnit u, SseFpGlue.F32 op) {
        SseFpGlue.start(u);
        int r0 = SseFpGlue.lane32(u, op, 0, (int) u.srcLo);
        int r1 = SseFpGlue.lane32(u, op, 0, (int) (u.srcLo >>> 32));
        int r2 = SseFpGlue.lane32(u, op, 0, (int) u.srcHi);
        int r3 = SseFpGlue.lane32(u, op, 0, (int) (u.srcHi >>> 32));
        SseFpGlue.commit(u);
        u.result(SseFpGlue.pack(r0, r1), SseFpGlue.pack(r2, r3));
    }

    private static void pd2dq(SseUnit u, boolean trunc) {
        u.src128(true);
        u.result(pd2i32Pair(u, trunc), 0);
    }

    /** The two doubles of the source operand (read) as two int32 lanes, packed; CVT(T)PD2DQ and CVT(T)PD2PI. */
    static long pd2i32Pair(SseUnit u, boolean trunc) {
        SseFpGlue.start(u);
        u.fpf.clear();
        int r0 = SseFloat.cvtF64ToI32(u.srcLo, trunc, u.s.mxcsr, u.fpf);
        SseFpGlue.lane(u);
        int r1 = SseFloat.cvtF64ToI32(u.srcHi, trunc, u.s.mxcsr, u.fpf);
        SseFpGlue.lane(u);
        SseFpGlue.commit(u);
        return SseFpGlue.pack(r0, r1);
    }
}
