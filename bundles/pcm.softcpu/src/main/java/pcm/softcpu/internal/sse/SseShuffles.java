package pcm.softcpu.internal.sse;

import static pcm.softcpu.internal.sse.SseTable.*;

/**
 * SSE/SSE2 shuffles and lane rearrangement: PUNPCKL/H{BW,WD,DQ,QDQ} (and their FP names UNPCKL/HPS/PD),
 * PACKSSWB/PACKSSDW/PACKUSWB, PSHUFD/PSHUFHW/PSHUFLW, SHUFPS/SHUFPD, PEXTRW/PINSRW and PMOVMSKB. Memory
 * sources are m128 and 16-aligned, except PINSRW's m16.
 */
final class SseShuffles {

    private SseShuffles() {}

    static void register(SseTable t) {
        unpack(t, P_66, 0x60, 8, false, "PUNPCKLBW");
        unpack(t, P_66, 0x61, 16, false, "PUNPCKLWD");
        unpack(t, P_66, 0x62, 32, false, "PUNPCKLDQ");
        unpack(t, P_66, 0x6C, 64, false, "PUNPCKLQDQ");
        unpack(t, P_66, 0x68, 8, true, "PUNPCKHBW");
        unpack(t, P_66, 0x69, 16, true, "PUNPCKHWD");
        unpack(t, P_66, 0x6A, 32, true, "PUNPCKHDQ");
        unpack(t, P_66, 0x6D, 64, true, "PUNPCKHQDQ");
        unpack(t, P_NONE, 0x14, 32, false, "UNPCKLPS");
        unpack(t, P_NONE, 0x15, 32, true, "UNPCKHPS");
        unpack(t, P_66, 0x14, 64, false, "UNPCKLPD");
        unpack(t, P_66, 0x15, 64, true, "UNPCKHPD");
        t.op(P_66, 0x63, EITHER, 0, "PACKSSWB", u -> pack(u, 16, true));
        t.op(P_66, 0x6B, EITHER, 0, "PACKSSDW", u -> pack(u, 32, true));
        t.op(P_66, 0x67, EITHER, 0, "PACKUSWB", u -> pack(u, 16, false));
        t.op(P_66, 0x70, EITHER, IMM8, "PSHUFD", SseShuffles::pshufd);
        t.op(P_F3, 0x70, EITHER, IMM8, "PSHUFHW", u -> {
            u.src128(true);
            int imm = u.imm8();
            u.result(u.srcLo, shuffleWords(u.srcHi, imm));
        });
        t.op(P_F2, 0x70, EITHER, IMM8, "PSHUFLW", u -> {
            u.src128(true);
            int imm = u.imm8();
            u.result(shuffleWords(u.srcLo, imm), u.srcHi);
        });
        t.op(P_NONE, 0xC6, EITHER, IMM8, "SHUFPS", SseShuffles::shufps);
        t.op(P_66, 0xC6, EITHER, IMM8, "SHUFPD", u -> {
            u.src128(true);
            int imm = u.imm8();
            int d = u.reg;
            u.result((imm & 1) == 0 ? u.lo(d) : u.hi(d), (imm & 2) == 0 ? u.srcLo : u.srcHi);
        });
        t.op(P_66, 0xC5, REG, IMM8, "PEXTRW", u -> {
            int imm = u.imm8() & 7;
            long q = imm < 4 ? u.lo(u.rm) : u.hi(u.rm);
            u.h.setGpr(u.reg, q >>> (16 * (imm & 3)) & 0xFFFF);
        });
        t.op(P_66, 0xC4, EITHER, IMM8, "PINSRW", u -> {
            long v = u.srcGpr(2) & 0xFFFF;
            int imm = u.imm8() & 7, sh = 16 * (imm & 3);
            long q = imm < 4 ? u.lo(u.reg) : u.hi(u.reg);
            q = q & ~(0xFFFFL << sh) | v << sh;
            if (imm < 4) u.setLo(u.reg, q);
            else u.setHi(u.reg, q);
        });
        t.op(P_66, 0xD7, REG, 0, "PMOVMSKB", u -> u.h.setGpr(u.reg, byteSigns(u.lo(u.rm)) | byteSigns(u.hi(u.rm)) << 8));
    }

    private static void unpack(SseTable t, int prefix, int opcode, int width, boolean high, String mnemonic) {
        t.op(prefix, opcode, EITHER, 0, mnemonic, u -> {
            u.src128(true);
            long a = high ? u.hi(u.reg) : u.lo(u.reg), b = high ? u.srcHi : u.srcLo;
            if (width == 64) {
                u.result(a, b);
                return;
            }
            u.result(interleave(a, b, width, 0), interleave(a, b, width, 32));
        });
    }

    /** Interleaves the lanes of {@code a} and {@code b} starting at bit {@code from} (0: low half, 32: high half). */
    static long interleave(long a, long b, int width, int from) {
        long mask = (1L << width) - 1, r = 0;
        int out = 0;
        for (int sh = from; sh < from + 32; sh += width) {
            r |= (a >>> sh & mask) << out;
            r |= (b >>> sh & mask) << (out + width);
            out += 2 * width;
        }
        return r;
    }

    /** PACKSS/PACKUS: the lanes of destination then source, each saturated to half its width. */
    static void pack(SseUnit u, int width, boolean signed) {
        u.src128(true);
        int d = u.reg;
        long lo = narrow(u.lo(d), width, signed) | narrow(u.hi(d), width, signed) << 32;
        long hi = narrow(u.srcLo, width, signed) | narrow(u.srcHi, width, signed) << 32;
        u.result(lo, hi);
    }

    private static long narrow(long q, int width, boolean signed) {
        int half = width / 2, ext = 64 - width;
        long max = signed ? (1L << (half - 1)) - 1 : (1L << half) - 1, min = signed ? -(1L << (half - 1)) : 0;
        long r = 0, mask = (1L << half) - 1;
        int out = 0;
        for (int sh = 0; sh < 64; sh += width) {
            long v = Math.clamp(q >>> sh << ext >> ext, min, max);
            r |= (v & mask) << out;
            out += half;
        }
        return r;
    }

    static void pshufd(SseUnit u) {
        u.src128(true);
        int imm = u.imm8();
        long[] src = {u.srcLo, u.srcHi};
        long r0 = 0, r1 = 0;
        for (int i = 0; i < 4; i++) {
            int sel = imm >> (2 * i) & 3;
            long dw = src[sel >> 1] >>> (32 * (sel & 1)) & 0xFFFFFFFFL;
            if (i < 2) r0 |= dw << (32 * i);
            else r1 |= dw << (32 * (i - 2));
        }
        u.result(r0, r1);
    }

    static long shuffleWords(long q, int imm) {
        long r = 0;
        for (int i = 0; i < 4; i++) r |= (q >>> (16 * (imm >> (2 * i) & 3)) & 0xFFFF) << (16 * i);
        return r;
    }

    /** SHUFPS: the low two dwords picked from the destination, the high two from the source. */
    static void shufps(SseUnit u) {
        u.src128(true);
        int imm = u.imm8();
        int d = u.reg;
        long dl = u.lo(d), dh = u.hi(d);
        long r0 = pick(dl, dh, imm & 3) | pick(dl, dh, imm >> 2 & 3) << 32;
        long r1 = pick(u.srcLo, u.srcHi, imm >> 4 & 3) | pick(u.srcLo, u.srcHi, imm >> 6 & 3) << 32;
        u.result(r0, r1);
    }

    private static long pick(long lo, long hi, int sel) {
        return (sel < 2 ? lo : hi) >>> (32 * (sel & 1)) & 0xFFFFFFFFL;
    }

    static long byteSigns(long q) {
        long m = 0;
        for (int i = 0; i < 8; i++) m |= (q >>> (8 * i + 7) & 1) << i;
        return m;
    }
}
