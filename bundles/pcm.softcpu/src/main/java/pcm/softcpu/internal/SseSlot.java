package pcm.softcpu.internal;

import static pcm.softcpu.internal.DecodeTable.*;

import pcm.softcpu.internal.sse.SseFamilies;
import pcm.softcpu.internal.sse.SseOp;
import pcm.softcpu.internal.sse.SseTable;

/**
 * The SSE/SSE2 families in the decode table (issue 13 item 2): each encoding the package
 * {@code pcm.softcpu.internal.sse} declares ({@link SseFamilies}) becomes an entry of the 0F map with ModRM
 * ({@link DecodeTable#F_MODRM}, the imm8 counted for RIP-relative operands). The ModRM forms an encoding
 * lacks (the register form of MOVLPD, the memory form of MOVMSKPS, ...) raise #UD before anything else; then
 * {@link pcm.softcpu.internal.sse.SseUnit#begin} applies CR0.EM/CR4.OSFXSR (#UD) and CR0.TS (#NM). A LOCK
 * prefix is #UD (no entry is lockable).
 */
final class SseSlot implements SseTable {

    static final String FAMILY = "SSE";

    private final Builder t;

    private SseSlot(Builder t) { this.t = t; }

    static void register(Builder t) {
        SseFamilies.register(new SseSlot(t));
    }

    private static Handler handler(int forms, int flags, SseOp op) {
        boolean gated = (flags & UNGATED) == 0;
        return (c, b) -> {
            boolean reg = c.mod == 3;
            if ((forms & (reg ? SseTable.REG : SseTable.MEM)) == 0) throw c.ud();
            c.sse.begin(c.reg, reg ? c.rm : -1, c.ea, (c.rex & 8) != 0, gated);
            op.exec(c.sse);
        };
    }

    @Override
    public void op(int prefixes, int opcode, int forms, int flags, String mnemonic, SseOp op) {
        t.op(FAMILY, MAP_0F, opcode, prefixes, F_MODRM, (flags & IMM8) != 0 ? I_B : I_NONE, mnemonic, handler(forms, flags, op));
    }

    @Override
    public void group(int prefixes, int opcode, int reg, int forms, int flags, String mnemonic, SseOp op) {
        int mods = (forms & SseTable.MEM) != 0 ? DecodeTable.MEM : 0;
        if ((forms & SseTable.REG) != 0) mods |= DecodeTable.REG;
        t.group(FAMILY, MAP_0F, opcode, prefixes, reg, mods, (flags & IMM8) != 0 ? I_B : I_NONE, false, mnemonic,
                handler(forms, flags, op));
    }
}
