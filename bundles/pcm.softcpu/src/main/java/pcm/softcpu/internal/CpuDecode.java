package pcm.softcpu.internal;

/**
 * Operand decoding shared by the instruction families: the prefix state of the current instruction,
 * ModRM/SIB/displacement ({@link #modrm}), register and r/m operand access, immediates, the stack, and
 * the exit-completion bookkeeping (an instruction that leaves as an exit is finished by
 * {@link SoftVcpu#complete}).
 */
abstract class CpuDecode extends CpuBase {

    // ---- decode state of the current instruction ----
    int rex, osz, rep;
    boolean a32;
    long sbase;
    int mod, reg, rm;
    long ea;
    /** Whether the last memory operand's address used RSP as its base (POP r/m adds the pop's increment). */
    boolean eaRspBase;
    /** The memory operand's base is RSP or RBP (default segment SS; the AMD x87 model's FDS). */
    boolean eaStackBase;
    /** FS or GS from a segment-override prefix of the current instruction, else -1. */
    int segOverride = -1;
    /** The last ModRM byte as fetched (the x87 engine's FOP and register fields without REX). */
    int modrmByte;
    /** A LOCK prefix (F0) came with the current instruction. */
    boolean lock;

    // ---- exit completion ----
    static final int C_NONE = 0, C_IN = 1, C_INS = 2, C_CPUID = 3, C_EDXEAX = 4, C_RDTSCP = 5, C_RAND = 6,
            C_HYPERCALL = 7;
    int completion;
    int complReg, complSize;
    long complNext;
    boolean complRep;

    /** RFLAGS.TF was set when the current instruction started (single-step trap after it retires). */
    boolean stepTf;
    /**
     * The instruction being executed (IRET) loaded RFLAGS.RF = 1 from its image: RF then applies to the next
     * instruction and is not cleared when this one completes (SDM vol. 3 §18.3.1.1).
     */
    boolean rfLoaded;

    CpuDecode(PhysicalMemory mem) {
        super(mem);
    }

    // =====================================================================================
    // decode helpers

    final long getReg(int i, int size) {
        switch (size) {
            case 8: return r[i];
            case 4: return r[i] & 0xFFFFFFFFL;
            case 2: return r[i] & 0xFFFFL;
            default:
                if (rex == 0 && i >= 4 && i < 8) return (r[i - 4] >>> 8) & 0xFF;
                return r[i] & 0xFF;
        }
    }

    final void setReg(int i, int size, long v) {
        switch (size) {
            case 8: r[i] = v; break;
            case 4: r[i] = v & 0xFFFFFFFFL; break;
            case 2: r[i] = (r[i] & ~0xFFFFL) | (v & 0xFFFFL); break;
            default:
                if (rex == 0 && i >= 4 && i < 8) r[i - 4] = (r[i - 4] & ~0xFF00L) | ((v & 0xFF) << 8);
                else r[i] = (r[i] & ~0xFFL) | (v & 0xFF);
        }
    }

    /** Decodes ModRM (+SIB, displacement); {@code imm} is the number of immediate bytes that follow (RIP-relative). */
    final void modrm(int imm) {
        int m = fetch8();
        modrmByte = m;
        mod = m >>> 6;
        reg = ((m >> 3) & 7) | ((rex & 4) << 1);
        int low = m & 7;
        if (mod == 3) {
            rm = low | ((rex & 1) << 3);
            return;
        }
        long a;
        boolean rspBase = false, stackBase = false;
        if (low == 4) {
            int sib = fetch8();
            int base = sib & 7;
            int idx = ((sib >> 3) & 7) | ((rex & 2) << 2);
            a = idx == 4 ? 0 : r[idx] << (sib >>> 6);
            if (base == 5 && mod == 0) a += fetch32();
            else a += r[base | ((rex & 1) << 3)];
            rspBase = base == 4 && (rex & 1) == 0;
            stackBase = (rex & 1) == 0 && (base == 4 || (base == 5 && mod != 0));
        } else if (low == 5 && mod == 0) {
            int d = fetch32();
            a = nip + imm + d;
        } else {
            a = r[low | ((rex & 1) << 3)];
            stackBase = low == 5 && (rex & 1) == 0;
        }
        if (mod == 1) a += (byte) fetch8();
        else if (mod == 2) a += fetch32();
        if (a32) a &= 0xFFFFFFFFL;
        ea = a + sbase;
        eaRspBase = rspBase;
        eaStackBase = stackBase;
        rm = -1;
    }

    final long rmRead(int size) { return mod == 3 ? getReg(rm, size) : read(ea, size); }

    /** {@link #rmRead} of a destination the instruction writes back: a memory fault reports a write. */
    final long rmReadW(int size) { return mod == 3 ? getReg(rm, size) : readRmw(ea, size); }

    final void rmWrite(int size, long v) {
        if (mod == 3) setReg(rm, size, v);
        else write(ea, size, v);
    }

    final long imm(int size) {
        switch (size) {
            case 1: return (byte) fetch8();
            case 2: return (short) fetch16();
            default: return fetch32();
        }
    }

    static int immSize(int osz) { return osz == 2 ? 2 : 4; }

    final int stackSize() { return osz == 2 ? 2 : 8; }

    final void push(long v, int size) {
        long sp = r[4] - size;
        write(sp, size, v);
        r[4] = sp;
    }

    final long pop(int size) {
        long v = read(r[4], size);
        r[4] += size;
        return v;
    }

    final UnsupportedInstructionException unsupported(String what) {
        return new UnsupportedInstructionException(rip, fetchBytesQuietly(rip), what);
    }

    @Override
    byte[] fetchBytesQuietly(long at) {
        long savedCr2 = cr2;
        int n = 0;
        byte[] buf = new byte[15];
        try {
            for (; n < 15; n++) {
                long pa = translate(at + n, acc() | ACC_FETCH);
                PhysicalMemory.Region reg = mem.find(pa);
                if (reg == null) break;
                buf[n] = reg.host.get(B, pa - reg.gpa);
            }
        } catch (Fault | UnsupportedInstructionException e) {
            // stop at the first byte we cannot read
        }
        cr2 = savedCr2;
        return java.util.Arrays.copyOf(buf, n);
    }

    /** The reg field of the ModRM byte at nip, without consuming it. */
    final int regPeek() {
        long save = nip;
        int m = fetch8();
        nip = save;
        return (m >> 3) & 7;
    }

    /** MOV to/from CR/DR: the ModRM always names a register (mod is ignored). */
    final void regModrm() {
        int m = fetch8();
        mod = 3;
        reg = ((m >> 3) & 7) | ((rex & 4) << 1);
        rm = (m & 7) | ((rex & 1) << 3);
    }

    /**
     * The processor clears RFLAGS.RF when an instruction completes, except when the instruction (IRET) loaded
     * RF = 1 itself (SDM vol. 3 §18.3.1.1): a trap (#DB single step) or interrupt delivered after it pushes
     * that value.
     */
    final void completedRf() {
        if (rfLoaded) rfLoaded = false;
        else flags &= ~RF;
    }
}
