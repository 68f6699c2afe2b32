package pcm.softcpu.internal.sse;

import static pcm.softcpu.internal.sse.SseTable.*;

/**
 * SSE2 packed shifts: PSLLW/D/Q, PSRLW/D/Q, PSRAW/D by an xmm/m128 count (the whole low quadword, unsigned)
 * or by imm8 (groups 66 0F 71/72/73, register form only), and the byte shifts PSLLDQ/PSRLDQ. A count of
 * the lane width or more clears the lane (logical) or fills it with the sign (arithmetic); a byte count over
 * 15 clears the register.
 */
final class SseShifts {

    private SseShifts() {}

    static final int SRL = 0, SRA = 1, SLL = 2;

    static void register(SseTable t) {
        byXmm(t, 0xD1, SRL, 16, "PSRLW");
        byXmm(t, 0xD2, SRL, 32, "PSRLD");
        byXmm(t, 0xD3, SRL, 64, "PSRLQ");
        byXmm(t, 0xE1, SRA, 16, "PSRAW");
        byXmm(t, 0xE2, SRA, 32, "PSRAD");
        byXmm(t, 0xF1, SLL, 16, "PSLLW");
        byXmm(t, 0xF2, SLL, 32, "PSLLD");
        byXmm(t, 0xF3, SLL, 64, "PSLLQ");
        byImm(t, 0x71, 2, SRL, 16, "PSRLW imm");
        byImm(t, 0x71, 4, SRA, 16, "PSRAW imm");
        byImm(t, 0x71, 6, SLL, 16, "PSLLW imm");
        byImm(t, 0x72, 2, SRL, 32, "PSRLD imm");
        byImm(t, 0x72, 4, SRA, 32, "PSRAD imm");
        byImm(t, 0x72, 6, SLL, 32, "PSLLD imm");
        byImm(t, 0x73, 2, SRL, 64, "PSRLQ imm");
        byImm(t, 0x73, 6, SLL, 64, "PSLLQ imm");
        t.group(P_66, 0x73, 3, REG, IMM8, "PSRLDQ", u -> byteShift(u, u.rm, u.imm8(), false));
        t.group(P_66, 0x73, 7, REG, IMM8, "PSLLDQ", u -> byteShift(u, u.rm, u.imm8(), true));
    }

    private static void byXmm(SseTable t, int opcode, int kind, int width, String mnemonic) {
        t.op(P_66, opcode, EITHER, 0, mnemonic, u -> {
            u.src128(true);
            long n = u.srcLo;
            int count = n < 0 || n > 64 ? 64 : (int) n;
            shift(u, u.reg, kind, width, count);
        });
    }

    private static void byImm(SseTable t, int opcode, int reg, int kind, int width, String mnemonic) {
        t.group(P_66, opcode, reg, REG, IMM8, mnemonic, u -> shift(u, u.rm, kind, width, u.imm8()));
    }

    static void shift(SseUnit u, int x, int kind, int width, int count) {
        u.set(x, lanes(u.lo(x), kind, width, count), lanes(u.hi(x), kind, width, count));
    }

    static long lanes(long v, int kind, int width, int count) {
        if (count >= width) {
            if (kind != SRA) return 0;
            count = width - 1;
        }
        if (width == 64) return kind == SLL ? v << count : kind == SRL ? v >>> count : v >> count;
        long mask = (1L << width) - 1, r = 0;
        int ext = 64 - width;
        for (int sh = 0; sh < 64; sh += width) {
            long lane = v >>> sh & mask;
            long res = kind == SLL ? lane << count : kind == SRL ? lane >>> count : (lane << ext >> ext) >> count;
            r |= (res & mask) << sh;
        }
        return r;
    }

    /** PSLLDQ/PSRLDQ: the 128-bit register shifted by {@code bytes} whole bytes. */
    static void byteShift(SseUnit u, int x, int bytes, boolean left) {
        long lo = u.lo(x), hi = u.hi(x);
        if (bytes > 15) {
            u.set(x, 0, 0);
            return;
        }
        int n = bytes * 8;
        if (n == 0) return;
        if (left) {
            if (n >= 64) u.set(x, 0, lo << (n - 64));
            else u.set(x, lo << n, hi << n | lo >>> (64 - n));
        } else {
            if (n >= 64) u.set(x, hi >>> (n - 64), 0);
            else u.set(x, lo >>> n | hi << (64 - n), hi >>> n);
        }
    }
}
