package pcm.softcpu.internal.jit;

/**
 * What the translator does with one pre-decoded instruction. Each inline kind mirrors one case of the
 * interpreter's pre-decoded loop ({@code PredecodedPath.runDecoded}) operation for operation, calling the same
 * CPU helpers ({@code alu}, {@code incDec}, {@code lazy}, {@code cond}, {@code read}/{@code write}, ...) with the
 * guest registers held in JVM locals. {@link #OTHER} and {@link #OTHER_BRANCH} run the instruction through the
 * interpreter itself ({@code jitStep}: one pre-decoded step) with the registers written back first.
 */
public enum Kind {
    NOP, MOV_RR, MOV_LD, MOV_ST, MOV_RI, MOV_MI,
    ALU_RR, ALU_RI, ALU_RM, ALU_MR, ALU_MI,
    TEST_RR, TEST_RI, TEST_MR, TEST_MI,
    SHIFT_RI64, SHIFT_R, IMUL_RR64, LEA, PUSH_R, POP_R, PUSH_I,
    MOVX_R, MOVX_M, MOVSXD_R, MOVSXD_M, CDQE, CQO, INCDEC_R, INCDEC_M, CMOV_R, CMOV_M, SETCC_R, SETCC_M,
    JCC, JMP, CALL, RET, JMP_R, CALL_R,
    /** Run by the interpreter (one step), not a control transfer. */
    OTHER,
    /** Run by the interpreter (one step), a control transfer: ends the block. */
    OTHER_BRANCH;

    /** Whether the instruction ends a block (the block's last instruction). */
    public boolean endsBlock() {
        return switch (this) {
            case JCC, JMP, CALL, RET, JMP_R, CALL_R, OTHER_BRANCH -> true;
            default -> false;
        };
    }

    boolean interpreted() { return this == OTHER || this == OTHER_BRANCH; }
}
