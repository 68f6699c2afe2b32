package pcm.softcpu.internal;

/**
 * One pre-decoded instruction of a cached code page ({@link CpuBase.CodePage#ops}, indexed by the
 * offset of its first byte in the page). Only common forms without legacy prefixes that lie entirely
 * inside the page are decoded ({@link Cpu#runDecoded}); everything else is {@link #SLOW} and runs
 * through the byte-by-byte decoder ({@link Cpu#stepDecode}). Decoding depends only on the page's
 * bytes (64-bit mode is the only mode), so an entry stays valid until those bytes change: CPU writes
 * to the page ({@link CpuBase#patchCode}) and the per-run comparison with RAM
 * ({@link CpuBase.CodePage#validate}) drop the affected entries.
 */
final class DecodedInsn {

    // ---- handlers (op) ----
    static final int SLOW = 0, NOP = 1,
            MOV_RR64 = 2, MOV_RR32 = 3, MOV_RR8 = 4, MOV_LD64 = 5, MOV_LD = 6, MOV_ST64 = 7, MOV_ST = 8,
            MOV_RI = 9, MOV_RI8 = 10, MOV_MI = 11,
            ALU_RR = 12, ALU_RR8 = 13, ALU_RI = 14, ALU_RI8 = 15, ALU_RM = 16, ALU_MR = 17, ALU_MI = 18,
            TEST_RR = 19, TEST_RI = 20, TEST_MR = 21, TEST_MI = 22,
            SHIFT_R = 23, SHIFT_M = 24,
            IMUL_RR = 25, IMUL_RM = 26, IMUL3_R = 27, IMUL3_M = 28,
            JCC = 29, JMP = 30, CALL = 31, RET = 32, PUSH_R = 33, POP_R = 34, PUSH_I = 35, LEA = 36,
            MOVX_R = 37, MOVX_M = 38, MOVSXD_R = 39, MOVSXD_M = 40, CMOV_R = 41, CMOV_M = 42, SETCC_R = 43,
            SETCC_M = 44, INCDEC_R = 45, INCDEC_M = 46, CALL_R = 47, CALL_M = 48, JMP_R = 49, JMP_M = 50,
            PUSH_M = 51, LEAVE = 52, CDQE = 53, CQO = 54,
            ALU_RR64 = 55, ALU_RI64 = 56, SHIFT_RI64 = 57, IMUL_RR64 = 58, ALU_RM64 = 59;
    /**
     * ADD/OR/AND/SUB/XOR/CMP (not ADC/SBB) with the operation in the handler: base + ALU operation
     * (0..7), for 64-bit reg,reg / reg,imm / reg,mem and 32-bit reg,reg / reg,imm.
     */
    static final int A_RR64 = 64, A_RI64 = 72, A_RM64 = 80, A_RR32 = 88, A_RI32 = 96;

    /** The shared "not pre-decoded" marker. */
    static final DecodedInsn SLOW_INSN = new DecodedInsn();

    /** Memory operand base: a register 0..15, {@link #NO_BASE} or {@link #RIP_BASE} (disp then includes the length). */
    static final int NO_BASE = -1, RIP_BASE = -2;

    int op;
    /** Instruction length in bytes. */
    int len;
    /** Operand size 1, 2, 4 or 8. */
    int size;
    /** The REX byte (0 if none): byte registers 4..7 are AH..BH without it. */
    int rex;
    /** Destination and source registers (ModRM reg/rm, full 0..15). */
    int dst, src;
    /** ALU operation (0..7), shift operation, condition code, MOVX kind, INC(0)/DEC(1). */
    int sub;
    /** Shift count in CL instead of {@link #imm}. */
    boolean cl;
    int base = NO_BASE, index = -1, scale;
    long disp;
    /** Immediate (sign-extended as the instruction defines) or relative branch displacement. */
    long imm;

    // ---- block compiler (BlockCompiler): this instruction as a block head ----
    /** The translation of the block starting here, or null. Dropped with this entry when the page's bytes change. */
    pcm.softcpu.internal.jit.CompiledBlock jit;
    /** Runs as a block head while the compiler is on (translated at its threshold; negative: never). */
    int jitHits;

    /** Ops after which the next instruction starts a block (control transfers). */
    static final boolean[] ENDS_BLOCK = new boolean[128];
    static {
        for (int o : new int[] {JCC, JMP, CALL, RET, CALL_R, CALL_M, JMP_R, JMP_M}) ENDS_BLOCK[o] = true;
    }

    private static final boolean[] PREFIX = new boolean[256];
    static {
        for (int p : new int[] {0x66, 0x67, 0xF2, 0xF3, 0xF0, 0x2E, 0x36, 0x3E, 0x26, 0x64, 0x65}) PREFIX[p] = true;
    }

    /** Thrown internally when decoding would read past the page. */
    private static final class End extends RuntimeException {
        private static final long serialVersionUID = 1L;
        End() { super(null, null, false, false); }
    }

    private static final End END = new End();

    // ---- decoder (not thread-safe: one per call) ----
    private byte[] code;
    private int p;
    private int mod;
    private int reg;
    private int rm;
    private boolean mem;

    private int u8() {
        if (p >= 4096) throw END;
        return code[p++] & 0xFF;
    }

    private int s32() {
        int v = u8();
        v |= u8() << 8;
        v |= u8() << 16;
        return v | u8() << 24;
    }

    private long imm(int size) {
        switch (size) {
            case 1: return (byte) u8();
            case 2: return (short) (u8() | u8() << 8);
            default: return s32();
        }
    }

    /** ModRM (+SIB, displacement) as the interpreter's modrm(immBytes). */
    private void modrm(int immBytes) {
        int m = u8();
        mod = m >>> 6;
        reg = ((m >> 3) & 7) | ((rex & 4) << 1);
        int low = m & 7;
        if (mod == 3) {
            rm = low | ((rex & 1) << 3);
            mem = false;
            return;
        }
        mem = true;
        rm = -1;
        long d = 0;
        if (low == 4) {
            int sib = u8();
            int b = sib & 7;
            int idx = ((sib >> 3) & 7) | ((rex & 2) << 2);
            if (idx != 4) {
                index = idx;
                scale = sib >>> 6;
            }
            if (b == 5 && mod == 0) d += s32();
            else base = b | ((rex & 1) << 3);
        } else if (low == 5 && mod == 0) {
            int dd = s32();
            base = RIP_BASE;
            d = (long) (p - start) + immBytes + dd; // rip + this = nip + imm + disp
        } else {
            base = low | ((rex & 1) << 3);
        }
        if (mod == 1) d += (byte) u8();
        else if (mod == 2) d += s32();
        disp = d;
    }

    private int start;

    /** Decodes the instruction at {@code off} of a 4 KiB code page. */
    static DecodedInsn decode(byte[] page, int off) {
        DecodedInsn d = new DecodedInsn();
        d.code = page;
        d.p = off;
        d.start = off;
        try {
            if (!d.decode()) return SLOW_INSN;
        } catch (End e) {
            return SLOW_INSN;
        }
        d.len = d.p - off;
        d.code = null;
        if (d.sub != 2 && d.sub != 3) {
            switch (d.op) {
                case ALU_RR64: d.op = A_RR64 + d.sub; break;
                case ALU_RI64: d.op = A_RI64 + d.sub; break;
                case ALU_RM64: d.op = A_RM64 + d.sub; break;
                case ALU_RR: if (d.size == 4) d.op = A_RR32 + d.sub; break;
                case ALU_RI: if (d.size == 4) d.op = A_RI32 + d.sub; break;
                default: break;
            }
        }
        return d;
    }

    private static int immSize(int osz) { return osz == 2 ? 2 : 4; }

    private boolean decode() {
        int b = u8();
        if (PREFIX[b]) return false;
        if ((b & 0xF0) == 0x40) {
            rex = b;
            b = u8();
            if ((b & 0xF0) == 0x40 || PREFIX[b]) return false;
        }
        int osz = (rex & 8) != 0 ? 8 : 4;
        if (b == 0x0F) return decode0F(u8(), osz);
        if (b < 0x40) {
            int form = b & 7;
            if (form >= 6) return false;
            sub = b >> 3;
            switch (form) {
                case 0: case 1: { // r/m op= r
                    size = form == 0 ? 1 : osz;
                    modrm(0);
                    src = reg;
                    if (mem) op = ALU_MR;
                    else {
                        dst = rm;
                        op = size == 1 ? ALU_RR8 : size == 8 ? ALU_RR64 : ALU_RR;
                    }
                    return true;
                }
                case 2: case 3: { // r op= r/m
                    size = form == 2 ? 1 : osz;
                    modrm(0);
                    dst = reg;
                    if (mem) op = size == 8 ? ALU_RM64 : ALU_RM;
                    else {
                        src = rm;
                        op = size == 1 ? ALU_RR8 : size == 8 ? ALU_RR64 : ALU_RR;
                    }
                    return true;
                }
                case 4:
                    size = 1;
                    dst = 0;
                    imm = imm(1);
                    op = ALU_RI8;
                    return true;
                default:
                    size = osz;
                    dst = 0;
                    imm = imm(immSize(osz));
                    op = size == 8 ? ALU_RI64 : ALU_RI;
                    return true;
            }
        }
        if (b < 0x50) return false;
        if (b < 0x58) {
            src = (b & 7) | ((rex & 1) << 3);
            op = PUSH_R;
            return true;
        }
        if (b < 0x60) {
            dst = (b & 7) | ((rex & 1) << 3);
            op = POP_R;
            return true;
        }
        if (b >= 0x70 && b < 0x80) {
            sub = b & 0xF;
            imm = (byte) u8();
            op = JCC;
            return true;
        }
        switch (b) {
            case 0x63:
                size = osz;
                modrm(0);
                dst = reg;
                if (mem) op = MOVSXD_M;
                else {
                    src = rm;
                    op = MOVSXD_R;
                }
                return true;
            case 0x68: imm = imm(immSize(osz)); op = PUSH_I; return true;
            case 0x6A: imm = imm(1); op = PUSH_I; return true;
            case 0x69: case 0x6B: {
                int is = b == 0x6B ? 1 : immSize(osz);
                size = osz;
                modrm(is);
                dst = reg;
                imm = imm(is);
                if (mem) op = IMUL3_M;
                else {
                    src = rm;
                    op = IMUL3_R;
                }
                return true;
            }
            case 0x80: case 0x81: case 0x83: {
                size = b == 0x80 ? 1 : osz;
                int is = b == 0x81 ? immSize(osz) : 1;
                modrm(is);
                sub = reg & 7;
                imm = imm(is);
                if (mem) op = ALU_MI;
                else {
                    dst = rm;
                    op = size == 1 ? ALU_RI8 : size == 8 ? ALU_RI64 : ALU_RI;
                }
                return true;
            }
            case 0x84: case 0x85:
                size = b == 0x84 ? 1 : osz;
                modrm(0);
                src = reg;
                if (mem) op = TEST_MR;
                else {
                    dst = rm;
                    op = TEST_RR;
                }
                return true;
            case 0x88: case 0x89:
                size = b == 0x88 ? 1 : osz;
                modrm(0);
                src = reg;
                if (mem) op = size == 8 ? MOV_ST64 : MOV_ST;
                else {
                    dst = rm;
                    op = size == 1 ? MOV_RR8 : size == 8 ? MOV_RR64 : MOV_RR32;
                }
                return true;
            case 0x8A: case 0x8B:
                size = b == 0x8A ? 1 : osz;
                modrm(0);
                dst = reg;
                if (mem) op = size == 8 ? MOV_LD64 : MOV_LD;
                else {
                    src = rm;
                    op = size == 1 ? MOV_RR8 : size == 8 ? MOV_RR64 : MOV_RR32;
                }
                return true;
            case 0x8D:
                size = osz;
                modrm(0);
                if (!mem) return false; // #UD
                dst = reg;
                op = LEA;
                return true;
            case 0x90:
                if ((rex & 1) != 0) return false; // XCHG r8, rax
                op = NOP;
                return true;
            case 0x98: size = osz; op = CDQE; return true;
            case 0x99: size = osz; op = CQO; return true;
            case 0xA8: case 0xA9:
                size = b == 0xA8 ? 1 : osz;
                dst = 0;
                imm = imm(b == 0xA8 ? 1 : immSize(osz));
                op = TEST_RI;
                return true;
            case 0xB0: case 0xB1: case 0xB2: case 0xB3: case 0xB4: case 0xB5: case 0xB6: case 0xB7:
                size = 1;
                dst = (b & 7) | ((rex & 1) << 3);
                imm = u8();
                op = MOV_RI8;
                return true;
            case 0xB8: case 0xB9: case 0xBA: case 0xBB: case 0xBC: case 0xBD: case 0xBE: case 0xBF:
                size = osz;
                dst = (b & 7) | ((rex & 1) << 3);
                if (osz == 8) imm = (s32() & 0xFFFFFFFFL) | (long) s32() << 32;
                else imm = s32() & 0xFFFFFFFFL;
                op = MOV_RI;
                return true;
            case 0xC0: case 0xC1: case 0xD0: case 0xD1: case 0xD2: case 0xD3: {
                size = (b & 1) == 0 ? 1 : osz;
                modrm(b < 0xC2 ? 1 : 0);
                sub = reg & 7;
                if (b < 0xC2) imm = u8();
                else if (b < 0xD2) imm = 1;
                else cl = true;
                if (mem) op = SHIFT_M;
                else {
                    dst = rm;
                    op = size == 8 && !cl && (sub == 4 || sub == 5 || sub == 7) && (imm & 0x3F) != 0 ? SHIFT_RI64 : SHIFT_R;
                }
                return true;
            }
            case 0xC3: op = RET; return true;
            case 0xC6: case 0xC7: {
                size = b == 0xC6 ? 1 : osz;
                int is = b == 0xC6 ? 1 : immSize(osz);
                modrm(is);
                if ((reg & 7) != 0) return false;
                imm = imm(is);
                if (mem) op = MOV_MI;
                else {
                    dst = rm;
                    if (size == 1) op = MOV_RI8;
                    else {
                        if (size == 4) imm &= 0xFFFFFFFFL;
                        op = MOV_RI;
                    }
                }
                return true;
            }
            case 0xC9: op = LEAVE; return true;
            case 0xE8: imm = s32(); op = CALL; return true;
            case 0xE9: imm = s32(); op = JMP; return true;
            case 0xEB: imm = (byte) u8(); op = JMP; return true;
            case 0xF6: case 0xF7: {
                size = b == 0xF6 ? 1 : osz;
                int save = p;
                int peek = (u8() >> 3) & 7;
                p = save;
                if (peek > 1) return false;
                int is = size == 1 ? 1 : immSize(size);
                modrm(is);
                imm = imm(is);
                if (mem) op = TEST_MI;
                else {
                    dst = rm;
                    op = TEST_RI;
                }
                return true;
            }
            case 0xFE: case 0xFF: {
                size = b == 0xFE ? 1 : osz;
                modrm(0);
                int o = reg & 7;
                if (o <= 1) {
                    sub = o;
                    if (mem) op = INCDEC_M;
                    else {
                        dst = rm;
                        op = INCDEC_R;
                    }
                    return true;
                }
                if (b == 0xFE) return false;
                if (!mem) src = rm;
                switch (o) {
                    case 2: op = mem ? CALL_M : CALL_R; return true;
                    case 4: op = mem ? JMP_M : JMP_R; return true;
                    case 6: op = mem ? PUSH_M : 0; return mem;
                    default: return false;
                }
            }
            default: return false;
        }
    }

    private boolean decode0F(int b, int osz) {
        if (b >= 0x80 && b <= 0x8F) {
            sub = b & 0xF;
            imm = s32();
            op = JCC;
            return true;
        }
        if (b >= 0x40 && b <= 0x4F) {
            sub = b & 0xF;
            size = osz;
            modrm(0);
            dst = reg;
            if (mem) op = CMOV_M;
            else {
                src = rm;
                op = CMOV_R;
            }
            return true;
        }
        if (b >= 0x90 && b <= 0x9F) {
            sub = b & 0xF;
            size = 1;
            modrm(0);
            if (mem) op = SETCC_M;
            else {
                dst = rm;
                op = SETCC_R;
            }
            return true;
        }
        switch (b) {
            case 0x0D: case 0x18: case 0x19: case 0x1A: case 0x1B: case 0x1C: case 0x1D: case 0x1E: case 0x1F:
                modrm(0);
                op = NOP;
                return true;
            case 0xAF:
                size = osz;
                modrm(0);
                dst = reg;
                if (mem) op = IMUL_RM;
                else {
                    src = rm;
                    op = osz == 8 ? IMUL_RR64 : IMUL_RR;
                }
                return true;
            case 0xB6: case 0xB7: case 0xBE: case 0xBF:
                size = osz;
                sub = (b & 1) | (b >= 0xBE ? 2 : 0); // 0 zx8, 1 zx16, 2 sx8, 3 sx16
                modrm(0);
                dst = reg;
                if (mem) op = MOVX_M;
                else {
                    src = rm;
                    op = MOVX_R;
                }
                return true;
            default:
                return false;
        }
    }
}
