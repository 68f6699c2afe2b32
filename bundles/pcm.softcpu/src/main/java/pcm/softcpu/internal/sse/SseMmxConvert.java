package pcm.softcpu.internal.sse;

import static pcm.softcpu.internal.sse.SseTable.*;

import pcm.softcpu.internal.sse.fp.SseFloat;
import pcm.softcpu.internal.x87.F80;
import pcm.softcpu.internal.x87.X87;
import pcm.softcpu.internal.x87.X87State;

/**
 * The SSE/SSE2 conversions with an MMX operand: CVTPI2PS xmm, mm/m64 (0F 2A: two int32 to the low two floats, rounded
 * by MXCSR, the upper two lanes kept), CVTPI2PD xmm, mm/m64 (66 0F 2A: exact), CVT(T)PS2PI mm, xmm/m64 (0F 2D/2C) and
 * CVT(T)PD2PI mm, xmm/m128 (66 0F 2D/2C: m128 16-aligned, as the other packed-double operands), with the integer
 * indefinite 0x80000000 and IE for NaNs and values out of range, #XM/#UD and no write when an exception is unmasked.
 * <p>
 * The MMX registers are the low 64 bits of the x87 data registers R0-R7 (physical, whatever TOP; REX.R/REX.B do not
 * reach them). A form with an MMX register operand is an MMX instruction (SDM vol. 1 §9.5, §11.6.5): a pending x87
 * exception (FSW.ES) raises #MF before it executes, and it sets TOP = 0 and every tag valid; an MMX register written
 * gets the exponent and sign bits 79:64 all ones. CVTPI2PS/CVTPI2PD with a memory operand are SSE instructions and
 * leave the x87 state alone. The transition happens once the memory operand is read: a #GP or #PF leaves the x87
 * state as it was, an #XM does not (measured natively on AMD).
 */
final class SseMmxConvert {

    private SseMmxConvert() {}

    static void register(SseTable t) {
        t.op(P_NONE, 0x2A, EITHER, 0, "CVTPI2PS", u -> {
            long s = mmxOrM64(u);
            SseFpGlue.start(u);
            int r0 = SseFpGlue.lane32(u, (a, b, m, f) -> SseFloat.cvtI32ToF32(b, m, f), 0, (int) s);
            int r1 = SseFpGlue.lane32(u, (a, b, m, f) -> SseFloat.cvtI32ToF32(b, m, f), 0, (int) (s >>> 32));
            SseFpGlue.commit(u);
            u.setLo(u.reg, SseFpGlue.pack(r0, r1));
        });
        t.op(P_66, 0x2A, EITHER, 0, "CVTPI2PD", u -> {
            long s = mmxOrM64(u);
            u.result(SseFloat.cvtI32ToF64((int) s), SseFloat.cvtI32ToF64((int) (s >>> 32)));
        });
        for (boolean trunc : new boolean[] {true, false}) {
            int op = trunc ? 0x2C : 0x2D;
            String tt = trunc ? "CVTT" : "CVT";
            t.op(P_NONE, op, EITHER, 0, tt + "PS2PI", u -> {
                pendingX87(u);
                long s = u.src64();
                transition(u);
                SseFpGlue.start(u);
                int r0 = SseFpGlue.lane32(u, (a, b, m, f) -> SseFloat.cvtF32ToI32(b, trunc, m, f), 0, (int) s);
                int r1 = SseFpGlue.lane32(u, (a, b, m, f) -> SseFloat.cvtF32ToI32(b, trunc, m, f), 0, (int) (s >>> 32));
                SseFpGlue.commit(u);
                writeMmx(u, u.reg & 7, SseFpGlue.pack(r0, r1));
            });
            t.op(P_66, op, EITHER, 0, tt + "PD2PI", u -> {
                pendingX87(u);
                u.src128(true);
                transition(u);
                writeMmx(u, u.reg & 7, SseConvert.pd2i32Pair(u, trunc));
            });
        }
    }

    /** The mm/m64 source of CVTPI2PS/PD: an MMX register (an MMX instruction: #MF, transition) or 8 bytes of memory. */
    private static long mmxOrM64(SseUnit u) {
        if (u.memory()) return u.h.read(u.ea, 8);
        pendingX87(u);
        transition(u);
        return u.x87.reg[u.rm & 7].m();
    }

    private static final long CR0_NE = 0x20;

    /** #MF for a pending unmasked x87 exception, before an MMX instruction executes (as WAIT would). */
    private static void pendingX87(SseUnit u) {
        if ((u.x87.fsw & X87.ES) == 0) return;
        if ((u.h.cr0() & CR0_NE) == 0) throw u.h.unsupported("x87 exception reporting through FERR#/IRQ 13 (CR0.NE=0)");
        throw u.h.fault(X87.MF, 0);
    }

    /** MMi: the significand field of physical register Ri. */
    private static long mmx(SseUnit u, int i) { return u.x87.reg[i].m(); }

    /**
     * The x87-to-MMX transition of an MMX instruction, TOP = 0 and every register valid: after its memory operand is
     * read (a #GP or #PF leaves the x87 state as it was), before its result is computed (an #XM leaves the transition
     * made). Measured on AMD.
     */
    private static void transition(SseUnit u) {
        X87State x = u.x87;
        x.top = 0;
        x.empty = 0;
    }

    /** Writes MMi (bits 79:64 of Ri all ones). */
    private static void writeMmx(SseUnit u, int i, long v) {
        u.x87.reg[i] = new F80(0xFFFF, v);
    }
}
