package pcm.softcpu.internal.sse;

import static pcm.softcpu.internal.sse.SseTable.*;

/**
 * SSE/SSE2 data movement: full-register loads and stores (aligned MOVAPS/MOVAPD/MOVDQA and the unaligned
 * MOVUPS/MOVUPD/MOVDQU), the scalar moves MOVSS/MOVSD (a register source merges into the low lane, a
 * memory source zeroes the rest), the half moves MOVLPS/MOVHPS/MOVLPD/MOVHPD/MOVHLPS/MOVLHPS, MOVD/MOVQ
 * between XMM and GPR or memory, MOVQ xmm (zeroes the high quadword), MOVMSKPS/PD, the non-temporal stores
 * MOVNTPS/MOVNTPD/MOVNTDQ/MOVNTI (no cache here: plain stores with the same alignment rules) and MASKMOVDQU.
 */
final class SseMoves {

    private SseMoves() {}

    static void register(SseTable t) {
        // full registers
        t.op(P_NONE | P_66, 0x10, EITHER, 0, "MOVUPS/MOVUPD load", u -> load128(u, false));
        t.op(P_NONE | P_66, 0x11, EITHER, 0, "MOVUPS/MOVUPD store", u -> store128(u, false));
        t.op(P_NONE | P_66, 0x28, EITHER, 0, "MOVAPS/MOVAPD load", u -> load128(u, true));
        t.op(P_NONE | P_66, 0x29, EITHER, 0, "MOVAPS/MOVAPD store", u -> store128(u, true));
        t.op(P_66, 0x6F, EITHER, 0, "MOVDQA load", u -> load128(u, true));
        t.op(P_F3, 0x6F, EITHER, 0, "MOVDQU load", u -> load128(u, false));
        t.op(P_66, 0x7F, EITHER, 0, "MOVDQA store", u -> store128(u, true));
        t.op(P_F3, 0x7F, EITHER, 0, "MOVDQU store", u -> store128(u, false));
        // scalar
        t.op(P_F3, 0x10, EITHER, 0, "MOVSS load", SseMoves::movssLoad);
        t.op(P_F3, 0x11, EITHER, 0, "MOVSS store", SseMoves::movssStore);
        t.op(P_F2, 0x10, EITHER, 0, "MOVSD load", SseMoves::movsdLoad);
        t.op(P_F2, 0x11, EITHER, 0, "MOVSD store", SseMoves::movsdStore);
        // halves
        t.op(P_NONE, 0x12, EITHER, 0, "MOVLPS/MOVHLPS", u -> u.setLo(u.reg, u.memory() ? u.h.read(u.ea, 8) : u.hi(u.rm)));
        t.op(P_66, 0x12, MEM, 0, "MOVLPD load", u -> u.setLo(u.reg, u.h.read(u.ea, 8)));
        t.op(P_NONE | P_66, 0x13, MEM, 0, "MOVLPS/MOVLPD store", u -> u.h.write(u.ea, 8, u.lo(u.reg)));
        t.op(P_NONE, 0x16, EITHER, 0, "MOVHPS/MOVLHPS", u -> u.setHi(u.reg, u.memory() ? u.h.read(u.ea, 8) : u.lo(u.rm)));
        t.op(P_66, 0x16, MEM, 0, "MOVHPD load", u -> u.setHi(u.reg, u.h.read(u.ea, 8)));
        t.op(P_NONE | P_66, 0x17, MEM, 0, "MOVHPS/MOVHPD store", u -> u.h.write(u.ea, 8, u.hi(u.reg)));
        // XMM <-> GPR / m64
        t.op(P_66, 0x6E, EITHER, 0, "MOVD/MOVQ xmm, r/m", u -> u.set(u.reg, u.srcGpr(u.w ? 8 : 4), 0));
        t.op(P_66, 0x7E, EITHER, 0, "MOVD/MOVQ r/m, xmm", SseMoves::movdToGpr);
        t.op(P_F3, 0x7E, EITHER, 0, "MOVQ xmm, xmm/m64", u -> u.set(u.reg, u.src64(), 0));
        t.op(P_66, 0xD6, EITHER, 0, "MOVQ xmm/m64, xmm", SseMoves::movqStore);
        t.op(P_NONE, 0x50, REG, 0, "MOVMSKPS", u -> movmsk(u, false));
        t.op(P_66, 0x50, REG, 0, "MOVMSKPD", u -> movmsk(u, true));
        // non-temporal
        t.op(P_NONE | P_66, 0x2B, MEM, 0, "MOVNTPS/MOVNTPD", u -> u.store128(u.lo(u.reg), u.hi(u.reg), true));
        t.op(P_66, 0xE7, MEM, 0, "MOVNTDQ", u -> u.store128(u.lo(u.reg), u.hi(u.reg), true));
        t.op(P_NONE, 0xC3, MEM, UNGATED, "MOVNTI", u -> u.h.write(u.ea, u.w ? 8 : 4, u.h.gpr(u.reg)));
        t.op(P_66, 0xF7, REG, 0, "MASKMOVDQU", SseMoves::maskmovdqu);
    }

    static void load128(SseUnit u, boolean aligned) {
        if (aligned) u.src128Aligned();
        else u.src128(false);
        u.result(u.srcLo, u.srcHi);
    }

    static void store128(SseUnit u, boolean aligned) {
        u.dest128(u.lo(u.reg), u.hi(u.reg), aligned);
    }

    static void movssLoad(SseUnit u) {
        if (u.memory()) u.set(u.reg, u.h.read(u.ea, 4), 0);
        else u.setDword(u.reg, 0, u.dword(u.rm, 0));
    }

    static void movssStore(SseUnit u) {
        if (u.memory()) u.h.write(u.ea, 4, u.dword(u.reg, 0));
        else u.setDword(u.rm, 0, u.dword(u.reg, 0));
    }

    static void movsdLoad(SseUnit u) {
        if (u.memory()) u.set(u.reg, u.h.read(u.ea, 8), 0);
        else u.setLo(u.reg, u.lo(u.rm));
    }

    static void movsdStore(SseUnit u) {
        if (u.memory()) u.h.write(u.ea, 8, u.lo(u.reg));
        else u.setLo(u.rm, u.lo(u.reg));
    }

    static void movdToGpr(SseUnit u) {
        long v = u.lo(u.reg);
        int size = u.w ? 8 : 4;
        if (u.memory()) u.h.write(u.ea, size, v);
        else u.h.setGpr(u.rm, size == 8 ? v : v & 0xFFFFFFFFL);
    }

    static void movqStore(SseUnit u) {
        if (u.memory()) u.h.write(u.ea, 8, u.lo(u.reg));
        else u.set(u.rm, u.lo(u.reg), 0);
    }

    /** MOVMSKPS (no prefix: 4 dword signs) / MOVMSKPD (66: 2 qword signs) into a GPR, zero-extended. */
    static void movmsk(SseUnit u, boolean pd) {
        long lo = u.lo(u.rm), hi = u.hi(u.rm);
        long m = pd ? (lo >>> 63) | (hi >>> 63) << 1
                : (lo >>> 31 & 1) | (lo >>> 63) << 1 | (hi >>> 31 & 1) << 2 | (hi >>> 63) << 3;
        u.h.setGpr(u.reg, m);
    }

    /**
     * MASKMOVDQU: the bytes of XMM[reg] whose mask byte in XMM[rm] has its top bit set go to DS:RDI, the
     * others are not written. The whole 16-byte destination is checked writable first (masked bytes included, as
     * the AMD host does, even for an all-zero mask, which the SDM leaves open), so a #PF writes nothing.
     */
    static void maskmovdqu(SseUnit u) {
        long mlo = u.lo(u.rm), mhi = u.hi(u.rm);
        long dlo = u.lo(u.reg), dhi = u.hi(u.reg);
        int first = -1, last = -1;
        for (int i = 0; i < 16; i++) {
            long m = i < 8 ? mlo >>> (8 * i) : mhi >>> (8 * (i - 8));
            if ((m & 0x80) != 0) {
                if (first < 0) first = i;
                last = i;
            }
        }
        long base = u.h.implicitRdi();
        u.h.checkWritable(base, 16); // all 16 bytes, masked ones too, even with an all-zero mask (measured on AMD)
        if (first < 0) return;
        for (int i = first; i <= last; i++) {
            long m = i < 8 ? mlo >>> (8 * i) : mhi >>> (8 * (i - 8));
            if ((m & 0x80) == 0) continue;
            long d = i < 8 ? dlo >>> (8 * i) : dhi >>> (8 * (i - 8));
            u.h.write(base + i, 1, d & 0xFF);
        }
    }
}
