package pcm.softcpu.internal.jit;

/**
 * One pre-decoded guest instruction as the translator sees it: the fields of the interpreter's
 * {@code DecodedInsn} (the same meaning) plus its byte offset in the block's code page.
 *
 * @param kind     what the translator emits
 * @param offset   offset of the first byte in the 4 KiB code page
 * @param len      length in bytes
 * @param size     operand size 1, 2, 4 or 8
 * @param rex      the REX byte (byte registers 4..7 are AH..BH without it)
 * @param rexWrite whether the interpreter's case stores {@code rex} into the CPU (kept for equal state)
 * @param dst      destination register (ModRM reg or rm)
 * @param src      source register
 * @param sub      ALU operation, shift operation, condition code, MOVX kind, INC(0)/DEC(1)
 * @param base     memory base register, {@link #NO_BASE} or {@link #RIP_BASE} (disp then includes the length)
 * @param index    index register or -1
 * @param scale    index scale (shift count)
 * @param disp     displacement
 * @param imm      immediate or relative branch displacement
 * @param cl       a shift counted by CL instead of {@code imm}
 */
public record GuestInsn(Kind kind, int offset, int len, int size, int rex, boolean rexWrite, int dst, int src, int sub,
        int base, int index, int scale, long disp, long imm, boolean cl) {

    public static final int NO_BASE = -1, RIP_BASE = -2;

    /** Whether the instruction has a memory operand. */
    boolean memory() {
        return switch (kind) {
            case MOV_LD, MOV_ST, MOV_MI, ALU_RM, ALU_MR, ALU_MI, TEST_MR, TEST_MI, MOVX_M, MOVSXD_M, INCDEC_M, CMOV_M,
                    SETCC_M -> true;
            default -> false;
        };
    }
}
