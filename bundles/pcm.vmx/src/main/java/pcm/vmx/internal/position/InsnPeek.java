package pcm.vmx.internal.position;

/**
 * The few instruction shapes the step counter must recognise from their bytes: the inputs that do not
 * exit (RDTSC, RDTSCP, RDRAND, RDSEED, CPUID, RDPMC), REP string instructions (count once, when RIP
 * moves past them), HLT, IRETQ, POPF (both load RFLAGS, and with it may clear the step TF on hardware) and MOV to SS
 * (whose length it decodes: on hardware the single-step trap skips the instruction after it). Everything else is
 * {@link #OTHER}; INT3 and INT n ({@link #INT_N}, with vector and length: the counter delivers them itself on hardware).
 * Not a length decoder otherwise.
 */
public final class InsnPeek {

    static final int OTHER = 0, RDTSC = 1, RDTSCP = 2, RDRAND = 3, RDSEED = 4, CPUID = 5, RDPMC = 6, REP_STRING = 7,
            HLT = 8, IRETQ = 9, MOV_SS = 10, POPF = 11, INT_N = 12, STI = 13, PUSHF = 14, SYSCALL = 15, SYSRET = 16;

    /** x86 register number (rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi, r8..) to the index of {@code Registers.toArray()}. */
    private static final int[] X86_TO_ARRAY = {0, 2, 3, 1, 6, 7, 4, 5, 8, 9, 10, 11, 12, 13, 14, 15};

    private InsnPeek() {}

    /**
     * The index in {@link pcm.core.api.cpu.Registers#toArray()} of the general register with x86 number
     * {@code x86} (0-15, as ModRM and REX encode it).
     */
    public static int registerIndex(int x86) {
        return X86_TO_ARRAY[x86];
    }

    /**
     * Classifies the instruction at the start of {@code b} (64-bit mode). For RDRAND/RDSEED the result also
     * carries the destination: {@code kind | reg << 8 | opsizeBytes << 16}; for MOV_SS the instruction's length:
     * {@code kind | length << 8}.
     */
    /** Bytes of ModRM, SIB and displacement starting at {@code m} (64-bit addressing; 0x67 is not considered). */
    static int modrmLength(byte[] b, int m, int n) {
        int modrm = b[m] & 0xFF, mod = modrm >> 6, rm = modrm & 7;
        if (mod == 3) {
            return 1;
        }
        int len = 1;
        if (rm == 4) {
            len++;
            if (mod == 0 && m + 1 < n && (b[m + 1] & 7) == 5) {
                len += 4;
            }
        } else if (mod == 0 && rm == 5) {
            len += 4; // RIP-relative
        }
        return len + (mod == 1 ? 1 : mod == 2 ? 4 : 0);
    }

    static int classify(byte[] b, int n) {
        int i = 0;
        boolean rep = false, opsize = false, f3 = false;
        int rex = 0;
        while (i < n) {
            int x = b[i] & 0xFF;
            if (x == 0xF3 || x == 0xF2) {
                rep = true;
                f3 |= x == 0xF3;
                rex = 0;
            } else if (x == 0x66) {
                opsize = true;
                rex = 0;
            } else if (x == 0x67 || x == 0xF0 || x == 0x2E || x == 0x36 || x == 0x3E || x == 0x26 || x == 0x64 || x == 0x65) {
                rex = 0;
            } else if ((x & 0xF0) == 0x40) {
                rex = x; // only effective if it is the last prefix
            } else {
                break;
            }
            i++;
        }
        if (i >= n) {
            return OTHER;
        }
        int op = b[i] & 0xFF;
        if (op == 0xF4) {
            return HLT;
        }
        if (op == 0xFB) {
            return STI | (i + 1) << 8; // with its length, as MOV_SS: the step after it may cover the next one too
        }
        if (op == 0xCF && (rex & 8) != 0) {
            return IRETQ;
        }
        if (op == 0x9D) {
            return POPF;
        }
        if (op == 0x9C) {
            return PUSHF | (i + 1) << 8; // with its length: the step must have retired it to fix what it pushed
        }
        if (op == 0xCC) {
            return INT_N | 3 << 8 | (i + 1) << 16;
        }
        if (op == 0xCD && i + 1 < n) {
            return INT_N | (b[i + 1] & 0xFF) << 8 | (i + 2) << 16;
        }
        if (op == 0x8E && i + 1 < n && ((b[i + 1] & 0xFF) >> 3 & 7) == 2) {
            return MOV_SS | modrmLength(b, i + 1, n) + i + 1 << 8;
        }
        if (op != 0x0F) {
            boolean string = (op >= 0xA4 && op <= 0xA7) || (op >= 0xAA && op <= 0xAF) || (op >= 0x6C && op <= 0x6F);
            return string && rep ? REP_STRING : OTHER;
        }
        if (i + 1 >= n) {
            return OTHER;
        }
        int op2 = b[i + 1] & 0xFF;
        switch (op2) {
            case 0x05:
                return SYSCALL;
            case 0x07:
                return SYSRET;
            case 0x31:
                return RDTSC;
            case 0xA2:
                return CPUID;
            case 0x33:
                return RDPMC;
            case 0x01:
                return i + 2 < n && (b[i + 2] & 0xFF) == 0xF9 ? RDTSCP : OTHER;
            case 0xC7: {
                if (i + 2 >= n || f3) {
                    return OTHER; // F3 0F C7 /7 is RDPID
                }
                int modrm = b[i + 2] & 0xFF;
                int reg = modrm >> 3 & 7;
                if ((modrm >> 6) != 3 || (reg != 6 && reg != 7)) {
                    return OTHER;
                }
                int dst = (modrm & 7) | ((rex & 1) << 3);
                int size = (rex & 8) != 0 ? 8 : opsize ? 2 : 4;
                return (reg == 6 ? RDRAND : RDSEED) | dst << 8 | size << 16;
            }
            default:
                return OTHER;
        }
    }
}
