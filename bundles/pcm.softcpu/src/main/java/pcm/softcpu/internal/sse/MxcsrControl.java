package pcm.softcpu.internal.sse;

import static pcm.softcpu.internal.sse.SseTable.*;

import pcm.softcpu.internal.x87.SimdState;

/**
 * MXCSR: LDMXCSR and STMXCSR (0F AE /2, /3), and how SIMD floating-point exceptions are signalled. LDMXCSR
 * with a bit outside the vendor model's {@link SimdState#mxcsrMask} set raises #GP(0) and loads nothing (AMD's
 * mask has bit 17, MM, the misaligned-SSE mask {@link SseUnit#src128} honours).
 * <p>
 * An instruction's exception flags (IE DE ZE OE UE PE, MXCSR bits 0-5) are ORed into MXCSR; when any of
 * them is unmasked (mask bits 7-12 clear) the instruction raises #XM if CR4.OSXMMEXCPT = 1, else #UD, and
 * its destination is not written (SDM vol. 1 §11.5.1; vol. 3 §2.5: CR4.OSXMMEXCPT).
 */
final class MxcsrControl {

    private MxcsrControl() {}

    static void register(SseTable t) {
        t.group(P_NONE, 0xAE, 2, MEM, 0, "LDMXCSR", MxcsrControl::ldmxcsr);
        t.group(P_NONE, 0xAE, 3, MEM, 0, "STMXCSR", u -> u.h.write(u.ea, 4, u.s.mxcsr & 0xFFFFFFFFL));
    }

    static void ldmxcsr(SseUnit u) {
        int v = (int) u.h.read(u.ea, 4);
        if ((v & ~u.s.mxcsrMask) != 0) throw u.gp0();
        u.s.mxcsr = v;
    }

    /**
     * Accounts an instruction's exception {@code flags}: sets them in MXCSR and raises #XM/#UD when one is
     * unmasked. Call before writing the destination.
     */
    static void signal(SseUnit u, int flags) {
        flags &= 0x3F;
        if (flags == 0) return;
        int mx = u.s.mxcsr;
        u.s.mxcsr = mx | flags;
        if ((flags & ~(mx >>> 7)) != 0) {
            throw u.h.fault((u.h.cr4() & SseHost.CR4_OSXMMEXCPT) != 0 ? SseUnit.XM : SseUnit.UD, 0);
        }
    }
}
