package pcm.softcpu.internal.sse;

/**
 * How the SSE families declare their encodings (the interpreter's {@code SseSlot} puts them into its decode
 * table): an opcode of the {@code 0F} map under a set of mandatory prefixes, which ModRM forms exist (the
 * others raise #UD), whether an imm8 follows the operand, and whether the SSE availability checks
 * ({@link SseUnit#begin}: CR0.EM, CR4.OSFXSR, CR0.TS) apply.
 */
public interface SseTable {

    /** Mandatory-prefix sets (bit masks, as the decode table's): none, 66, F3, F2. */
    int P_NONE = 1, P_66 = 2, P_F3 = 4, P_F2 = 8;

    /** ModRM forms: memory operand, register operand, both. */
    int MEM = 1, REG = 2, EITHER = 3;

    /** Flags: an imm8 follows the ModRM operand; the instruction is not gated by CR0.EM/TS and CR4.OSFXSR (MOVNTI). */
    int IMM8 = 1, UNGATED = 2;

    /** A plain entry: {@code 0F opcode} with ModRM, for each prefix in {@code prefixes}. */
    void op(int prefixes, int opcode, int forms, int flags, String mnemonic, SseOp handler);

    /** A group member: {@code 0F opcode /reg} (ModRM reg field) in the given forms. */
    void group(int prefixes, int opcode, int reg, int forms, int flags, String mnemonic, SseOp handler);
}
