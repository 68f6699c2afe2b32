package pcm.softcpu.internal.sse;

import static pcm.softcpu.internal.sse.SseTable.*;

/**
 * The bitwise operations: PAND/PANDN/POR/PXOR (66) and their FP twins ANDPS/ANDNPS/ORPS/XORPS (no prefix)
 * and ANDPD/ANDNPD/ORPD/XORPD (66). Bits are bits: no FP exception, no denormal handling. m128 aligned.
 */
final class SseLogic {

    private SseLogic() {}

    static final int AND = 0, ANDN = 1, OR = 2, XOR = 3;

    static void register(SseTable t) {
        bin(t, P_66, 0xDB, AND, "PAND");
        bin(t, P_66, 0xDF, ANDN, "PANDN");
        bin(t, P_66, 0xEB, OR, "POR");
        bin(t, P_66, 0xEF, XOR, "PXOR");
        bin(t, P_NONE | P_66, 0x54, AND, "ANDPS/ANDPD");
        bin(t, P_NONE | P_66, 0x55, ANDN, "ANDNPS/ANDNPD");
        bin(t, P_NONE | P_66, 0x56, OR, "ORPS/ORPD");
        bin(t, P_NONE | P_66, 0x57, XOR, "XORPS/XORPD");
    }

    private static void bin(SseTable t, int prefixes, int opcode, int op, String mnemonic) {
        t.op(prefixes, opcode, EITHER, 0, mnemonic, u -> {
            u.src128(true);
            int d = u.reg;
            u.result(apply(op, u.lo(d), u.srcLo), apply(op, u.hi(d), u.srcHi));
        });
    }

    static long apply(int op, long a, long b) {
        switch (op) {
            case AND: return a & b;
            case ANDN: return ~a & b;
            case OR: return a | b;
            default: return a ^ b;
        }
    }
}
