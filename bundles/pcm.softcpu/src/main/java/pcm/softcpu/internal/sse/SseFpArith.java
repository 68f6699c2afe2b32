package pcm.softcpu.internal.sse;

import static pcm.softcpu.internal.sse.SseTable.*;

import pcm.softcpu.internal.sse.fp.SseFloat;

/**
 * SSE/SSE2 floating-point arithmetic: ADD, SUB, MUL, DIV, MIN, MAX, SQRT and CMP in the packed single (no
 * prefix), packed double (66), scalar single (F3) and scalar double (F2) forms. Packed sources are m128 and
 * 16-aligned; scalar sources are m32/m64 (any alignment) and the destination's other lanes are kept. The lane
 * arithmetic is {@link SseFloat}'s; this is decode, lanes and flags ({@link SseFpGlue}). RCPPS/RSQRTPS and
 * their scalar forms (approximations whose exact bits differ between vendors) are {@link SseRecip}.
 */
final class SseFpArith {

    private SseFpArith() {}

    static void register(SseTable t) {
        binary(t, 0x58, "ADD", SseFloat::addF32, SseFloat::addF64);
        binary(t, 0x59, "MUL", SseFloat::mulF32, SseFloat::mulF64);
        binary(t, 0x5C, "SUB", SseFloat::subF32, SseFloat::subF64);
        binary(t, 0x5D, "MIN", SseFloat::minF32, SseFloat::minF64);
        binary(t, 0x5E, "DIV", SseFloat::divF32, SseFloat::divF64);
        binary(t, 0x5F, "MAX", SseFloat::maxF32, SseFloat::maxF64);
        binary(t, 0x51, "SQRT", (a, b, m, f) -> SseFloat.sqrtF32(b, m, f), (a, b, m, f) -> SseFloat.sqrtF64(b, m, f));
        t.op(P_NONE, 0xC2, EITHER, IMM8, "CMPPS", u -> {
            u.src128(true);
            int p = u.imm8() & 7;
            ps(u, (a, b, m, f) -> SseFloat.cmpF32(a, b, p, m, f) ? -1 : 0);
        });
        t.op(P_66, 0xC2, EITHER, IMM8, "CMPPD", u -> {
            u.src128(true);
            int p = u.imm8() & 7;
            pd(u, (a, b, m, f) -> SseFloat.cmpF64(a, b, p, m, f) ? -1L : 0);
        });
        t.op(P_F3, 0xC2, EITHER, IMM8, "CMPSS", u -> {
            int src = u.src32();
            int p = u.imm8() & 7;
            ss(u, src, (a, b, m, f) -> SseFloat.cmpF32(a, b, p, m, f) ? -1 : 0);
        });
        t.op(P_F2, 0xC2, EITHER, IMM8, "CMPSD", u -> {
            long src = u.src64();
            int p = u.imm8() & 7;
            sd(u, src, (a, b, m, f) -> SseFloat.cmpF64(a, b, p, m, f) ? -1L : 0);
        });
    }

    private static void binary(SseTable t, int opcode, String name, SseFpGlue.F32 f32, SseFpGlue.F64 f64) {
        t.op(P_NONE, opcode, EITHER, 0, name + "PS", u -> {
            u.src128(true);
            ps(u, f32);
        });
        t.op(P_66, opcode, EITHER, 0, name + "PD", u -> {
            u.src128(true);
            pd(u, f64);
        });
        t.op(P_F3, opcode, EITHER, 0, name + "SS", u -> ss(u, u.src32(), f32));
        t.op(P_F2, opcode, EITHER, 0, name + "SD", u -> sd(u, u.src64(), f64));
    }

    /** Four float lanes: XMM[reg] op src128. */
    static void ps(SseUnit u, SseFpGlue.F32 op) {
        int d = u.reg;
        long dl = u.lo(d), dh = u.hi(d);
        SseFpGlue.start(u);
        int r0 = SseFpGlue.lane32(u, op, (int) dl, (int) u.srcLo);
        int r1 = SseFpGlue.lane32(u, op, (int) (dl >>> 32), (int) (u.srcLo >>> 32));
        int r2 = SseFpGlue.lane32(u, op, (int) dh, (int) u.srcHi);
        int r3 = SseFpGlue.lane32(u, op, (int) (dh >>> 32), (int) (u.srcHi >>> 32));
        SseFpGlue.commit(u);
        u.result(SseFpGlue.pack(r0, r1), SseFpGlue.pack(r2, r3));
    }

    /** Two double lanes. */
    static void pd(SseUnit u, SseFpGlue.F64 op) {
        int d = u.reg;
        SseFpGlue.start(u);
        long r0 = SseFpGlue.lane64(u, op, u.lo(d), u.srcLo);
        long r1 = SseFpGlue.lane64(u, op, u.hi(d), u.srcHi);
        SseFpGlue.commit(u);
        u.result(r0, r1);
    }

    /** The low float lane; the other three are kept. */
    static void ss(SseUnit u, int src, SseFpGlue.F32 op) {
        SseFpGlue.start(u);
        int r = SseFpGlue.lane32(u, op, u.dword(u.reg, 0), src);
        SseFpGlue.commit(u);
        u.setDword(u.reg, 0, r);
    }

    /** The low double lane; the high one is kept. */
    static void sd(SseUnit u, long src, SseFpGlue.F64 op) {
        SseFpGlue.start(u);
        long r = SseFpGlue.lane64(u, op, u.lo(u.reg), src);
        SseFpGlue.commit(u);
        u.setLo(u.reg, r);
    }
}
