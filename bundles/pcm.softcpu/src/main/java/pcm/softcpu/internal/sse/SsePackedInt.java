package pcm.softcpu.internal.sse;

import static pcm.softcpu.internal.sse.SseTable.*;

/**
 * SSE2 packed-integer arithmetic on XMM registers (66 prefix): add/subtract (wrapping, signed and unsigned
 * saturating), the multiplies (PMULLW, PMULHW, PMULHUW, PMULUDQ, PMADDWD), PSADBW, PAVGB/W, PMINUB/PMAXUB,
 * PMINSW/PMAXSW and the compares PCMPEQ/PCMPGT. The memory operand is m128 and must be 16-aligned. The
 * MMX-register forms (no prefix) are not registered: MMX is not advertised, they raise #UD.
 */
final class SsePackedInt {

    private SsePackedInt() {}

    static final int ADD = 0, SUB = 1, ADDS = 2, SUBS = 3, ADDUS = 4, SUBUS = 5, MINU = 6, MAXU = 7, MINS = 8, MAXS = 9,
            CMPEQ = 10, CMPGT = 11, AVG = 12, MULLO = 13, MULHI = 14, MULHU = 15;

    static void register(SseTable t) {
        bin(t, 0xFC, ADD, 8, "PADDB");
        bin(t, 0xFD, ADD, 16, "PADDW");
        bin(t, 0xFE, ADD, 32, "PADDD");
        bin(t, 0xD4, ADD, 64, "PADDQ");
        bin(t, 0xF8, SUB, 8, "PSUBB");
        bin(t, 0xF9, SUB, 16, "PSUBW");
        bin(t, 0xFA, SUB, 32, "PSUBD");
        bin(t, 0xFB, SUB, 64, "PSUBQ");
        bin(t, 0xEC, ADDS, 8, "PADDSB");
        bin(t, 0xED, ADDS, 16, "PADDSW");
        bin(t, 0xE8, SUBS, 8, "PSUBSB");
        bin(t, 0xE9, SUBS, 16, "PSUBSW");
        bin(t, 0xDC, ADDUS, 8, "PADDUSB");
        bin(t, 0xDD, ADDUS, 16, "PADDUSW");
        bin(t, 0xD8, SUBUS, 8, "PSUBUSB");
        bin(t, 0xD9, SUBUS, 16, "PSUBUSW");
        bin(t, 0xDA, MINU, 8, "PMINUB");
        bin(t, 0xDE, MAXU, 8, "PMAXUB");
        bin(t, 0xEA, MINS, 16, "PMINSW");
        bin(t, 0xEE, MAXS, 16, "PMAXSW");
        bin(t, 0x74, CMPEQ, 8, "PCMPEQB");
        bin(t, 0x75, CMPEQ, 16, "PCMPEQW");
        bin(t, 0x76, CMPEQ, 32, "PCMPEQD");
        bin(t, 0x64, CMPGT, 8, "PCMPGTB");
        bin(t, 0x65, CMPGT, 16, "PCMPGTW");
        bin(t, 0x66, CMPGT, 32, "PCMPGTD");
        bin(t, 0xE0, AVG, 8, "PAVGB");
        bin(t, 0xE3, AVG, 16, "PAVGW");
        bin(t, 0xD5, MULLO, 16, "PMULLW");
        bin(t, 0xE5, MULHI, 16, "PMULHW");
        bin(t, 0xE4, MULHU, 16, "PMULHUW");
        t.op(P_66, 0xF4, EITHER, 0, "PMULUDQ", u -> {
            u.src128(true);
            u.result((u.lo(u.reg) & 0xFFFFFFFFL) * (u.srcLo & 0xFFFFFFFFL), (u.hi(u.reg) & 0xFFFFFFFFL) * (u.srcHi & 0xFFFFFFFFL));
        });
        t.op(P_66, 0xF5, EITHER, 0, "PMADDWD", u -> {
            u.src128(true);
            u.result(maddwd(u.lo(u.reg), u.srcLo), maddwd(u.hi(u.reg), u.srcHi));
        });
        t.op(P_66, 0xF6, EITHER, 0, "PSADBW", u -> {
            u.src128(true);
            u.result(sadbw(u.lo(u.reg), u.srcLo), sadbw(u.hi(u.reg), u.srcHi));
        });
    }

    private static void bin(SseTable t, int opcode, int op, int width, String mnemonic) {
        t.op(P_66, opcode, EITHER, 0, mnemonic, u -> binary(u, op, width));
    }

    /** XMM[reg] = XMM[reg] op xmm/m128, lane by lane. */
    static void binary(SseUnit u, int op, int width) {
        u.src128(true);
        int d = u.reg;
        u.result(lanes(op, width, u.lo(d), u.srcLo), lanes(op, width, u.hi(d), u.srcHi));
    }

    /** Applies {@code op} to each {@code width}-bit lane of two quadwords. */
    static long lanes(int op, int width, long a, long b) {
        if (width == 64) return lane(op, 64, a, b);
        long mask = (1L << width) - 1, r = 0;
        for (int sh = 0; sh < 64; sh += width) r |= (lane(op, width, a >>> sh & mask, b >>> sh & mask) & mask) << sh;
        return r;
    }

    /** One lane: {@code x} and {@code y} zero-extended (width < 64). */
    static long lane(int op, int width, long x, long y) {
        int sh = 64 - width;
        long umax = width == 64 ? -1L : (1L << width) - 1, smax = umax >>> 1, smin = ~smax;
        switch (op) {
            case ADD: return x + y;
            case SUB: return x - y;
            case ADDS: return Math.clamp((x << sh >> sh) + (y << sh >> sh), smin, smax);
            case SUBS: return Math.clamp((x << sh >> sh) - (y << sh >> sh), smin, smax);
            case ADDUS: return Math.min(x + y, umax);
            case SUBUS: return Math.max(x - y, 0);
            case MINU: return Math.min(x, y);
            case MAXU: return Math.max(x, y);
            case MINS: return Math.min(x << sh >> sh, y << sh >> sh);
            case MAXS: return Math.max(x << sh >> sh, y << sh >> sh);
            case CMPEQ: return x == y ? -1 : 0;
            case CMPGT: return (x << sh >> sh) > (y << sh >> sh) ? -1 : 0;
            case AVG: return (x + y + 1) >>> 1;
            case MULLO: return x * y;
            case MULHI: return ((x << sh >> sh) * (y << sh >> sh)) >> width;
            case MULHU: return (x * y) >>> width;
            default: throw new IllegalArgumentException("lane op " + op);
        }
    }

    /** PMADDWD on one quadword: two dwords, each the sum of two signed word products (wrapping at 2^32). */
    static long maddwd(long a, long b) {
        long r = 0;
        for (int k = 0; k < 2; k++) {
            int sh = 32 * k;
            int p = (short) (a >>> sh) * (short) (b >>> sh) + (short) (a >>> sh + 16) * (short) (b >>> sh + 16);
            r |= (p & 0xFFFFFFFFL) << sh;
        }
        return r;
    }

    /** PSADBW on one quadword: the sum of the 8 absolute byte differences in the low word, the rest zero. */
    static long sadbw(long a, long b) {
        long sum = 0;
        for (int sh = 0; sh < 64; sh += 8) sum += Math.abs((a >>> sh & 0xFF) - (b >>> sh & 0xFF));
        return sum;
    }
}
