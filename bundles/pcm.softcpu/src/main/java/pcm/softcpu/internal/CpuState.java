package pcm.softcpu.internal;

import java.lang.foreign.ValueLayout;

import pcm.core.api.vm.VmExit;

/**
 * The bottom layer of the soft x86-64 CPU: architectural registers, lazy arithmetic flags and condition
 * codes, and the fault/exit signals. Layers above: {@link CpuMemory} (paging, TLB, memory access, fetch),
 * {@link CpuBase} (segments, exception delivery), {@link CpuDecode} (operand decoding) and the
 * instruction families (see {@link DecodeTable}).
 */
abstract class CpuState {

    static final int ES = 0, CS = 1, SS = 2, DS = 3, FS = 4, GS = 5;
    static final long CF = 1, PF = 4, AF = 0x10, ZF = 0x40, SF = 0x80, TF = 0x100, IF = 0x200, DF = 0x400, OF = 0x800,
            IOPL = 0x3000, NT = 0x4000, RF = 0x10000, VM = 0x20000, AC = 0x40000, VIF = 0x80000, VIP = 0x100000,
            ID = 0x200000;
    static final long ARITH = CF | PF | AF | ZF | SF | OF;

    static final long CR0_PE = 1, CR0_TS = 8, CR0_WP = 1 << 16, CR0_PG = 1L << 31;
    static final long EFER_SCE = 1, EFER_LME = 0x100, EFER_LMA = 0x400, EFER_NXE = 0x800;

    // vectors
    static final int DE = 0, DB = 1, BP = 3, UD = 6, NM = 7, DF_ = 8, TS = 10, NP = 11, SS_ = 12, GP = 13, PF_ = 14;

    static final ValueLayout.OfByte B = ValueLayout.JAVA_BYTE;
    static final ValueLayout.OfShort S16 = ValueLayout.JAVA_SHORT_UNALIGNED;
    static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED;
    static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED;

    static final java.lang.invoke.VarHandle INT_LE =
            java.lang.invoke.MethodHandles.byteArrayViewVarHandle(int[].class, java.nio.ByteOrder.LITTLE_ENDIAN);

    static final long[] MASK = {0, 0xFFL, 0xFFFFL, 0, 0xFFFFFFFFL, 0, 0, 0, -1L};
    static final long[] SIGN = {0, 0x80L, 0x8000L, 0, 0x80000000L, 0, 0, 0, Long.MIN_VALUE};

    // ---- registers ----
    final long[] r = new long[16];
    long rip;
    /** Next instruction pointer while an instruction executes. */
    long nip;
    /** RFLAGS without the arithmetic bits (those are lazy unless lop == OP_NONE, then they are here too). */
    long flags = 2;
    int cpl;
    /** 1 at CPL3 (user accesses), else 0: the low bit of TLB tags. */
    long ukey;
    long cr0, cr2, cr3, cr4, cr8, efer;
    final long[] dr = new long[8];
    final int[] segSel = new int[6];
    final long[] segBase = new long[6];
    final int[] segLimit = new int[6];
    /** Access rights: type | s<<4 | dpl<<5 | p<<7 | avl<<12 | l<<13 | db<<14 | g<<15 | unusable<<16. */
    final int[] segAttr = new int[6];
    int trSel, trLimit, trAttr, ldtSel, ldtLimit, ldtAttr;
    long trBase, ldtBase;
    long gdtBase, idtBase;
    int gdtLimit, idtLimit;
    long star, lstar, cstar, sfmask, kernelGsBase, tscAux, apicBase, sysenterCs, sysenterEsp, sysenterEip,
            pat = 0x0007040600070406L;
    /** Retired instructions. */
    long icount;
    /** Interrupts are blocked while icount == shadowAt (STI / MOV SS shadow). */
    long shadowAt = -1;

    // ---- lazy flags ----
    static final int OP_NONE = 0, OP_ADD = 1, OP_ADC = 2, OP_SUB = 3, OP_SBB = 4, OP_LOGIC = 5, OP_INC = 6, OP_DEC = 7,
            OP_SHL = 8, OP_SHR = 9, OP_SAR = 10, OP_MUL = 11; // the last four: CF (and MUL's OF) in lcf
    int lop;
    long lres, ldst, lsrc, lsign, lcf;

    /**
     * The vendor model for the architecturally undefined flags (see the module README): {@code true}
     * = Intel (measured natively on a Xeon), {@code false} = AMD (measured natively on an EPYC, Zen 4, family 0x19,
     * with {@code UndefFlagsProbe -Doracle=native}, issue 13 item 4). Chosen from the CPUID vendor ({@link #isIntel}).
     */
    boolean intelFlags = HOST_INTEL;

    /**
     * With {@link #intelFlags} false: the model of QEMU's TCG instead of AMD hardware. TCG (the CPU of the emulated SVM
     * host, bin/svm-host, whose vendor string says AuthenticAMD) computes the undefined flags its own way: MUL/IMUL SF,
     * ZF, PF from the result and AF = 0, DIV/IDIV leave every flag, shifts clear AF, TZCNT/LZCNT as Intel, BSF/BSR
     * SF/PF from the source, RCL/RCR OF = MSB(source XOR result). Measured with {@code UndefFlagsProbe} against the
     * native runner under {@code qemu-x86_64} (-Dpcm.native.emulator, module README).
     */
    boolean tcgFlags = HOST_TCG;

    /** The AMD hardware model (neither Intel nor TCG). */
    final boolean amdHardwareFlags() { return !intelFlags && !tcgFlags; }

    /** Whether the host's /proc/cpuinfo vendor is Intel (also when unreadable: "GenuineIntel" is the default). */
    static final boolean HOST_INTEL = isIntel(CpuidTable.hostVendor());

    /** Whether this host's CPU is QEMU's TCG (CpuIdentity: its /proc/cpuinfo model name), read once like HOST_INTEL. */
    static final boolean HOST_TCG = pcm.core.api.cpu.CpuIdentity.TCG_FLAGS.equals(pcm.core.api.cpu.CpuIdentity.host().undefinedFlags());

    /** The flag model for a CPUID vendor string: everything except "AuthenticAMD"/"HygonGenuine" is Intel. */
    static boolean isIntel(String vendor) {
        return vendor == null || !(vendor.equals("AuthenticAMD") || vendor.equals("HygonGenuine"));
    }


    final PhysicalMemory mem;
    /** Set when an interrupt/exception was delivered (during the current instruction). */
    boolean delivered;

    // ---- control-flow signals (preallocated, no stack traces) ----
    static final class Fault extends RuntimeException {
        private static final long serialVersionUID = 1L;
        Fault() { super(null, null, false, false); }
    }

    static final class ExitSignal extends RuntimeException {
        private static final long serialVersionUID = 1L;
        ExitSignal() { super(null, null, false, false); }
    }

    final Fault fault = new Fault();
    final ExitSignal exitSignal = new ExitSignal();
    int faultVec, faultErr;
    boolean faultHasErr;
    /** An exit produced by the current instruction (returned after it commits, or thrown with exitSignal). */
    VmExit pendingExit;

    // MMIO read completion (the instruction is restarted and consumes the value)
    boolean mmioValid;
    long mmioAddr, mmioValue;
    int mmioSize;

    CpuState(PhysicalMemory mem) {
        this.mem = mem;
    }

    // =====================================================================================
    // flags

    final void lazy(int op, long d, long s, long res, int size) {
        lop = op;
        ldst = d;
        lsrc = s;
        lres = res;
        lsign = SIGN[size];
    }

    final boolean cf() {
        switch (lop) {
            case OP_NONE: return (flags & CF) != 0;
            case OP_ADD: return Long.compareUnsigned(lres, ldst) < 0;
            case OP_ADC: return lcf != 0 ? Long.compareUnsigned(lres, ldst) <= 0 : Long.compareUnsigned(lres, ldst) < 0;
            case OP_SUB: return Long.compareUnsigned(ldst, lsrc) < 0;
            case OP_SBB: return lcf != 0 ? Long.compareUnsigned(ldst, lsrc) <= 0 : Long.compareUnsigned(ldst, lsrc) < 0;
            case OP_LOGIC: return false;
            default: return lcf != 0; // INC, DEC (carry kept), shifts, MUL
        }
    }

    final boolean zf() { return lop == OP_NONE ? (flags & ZF) != 0 : lres == 0 && !(lop == OP_MUL && intelFlags); }

    final boolean sf() { return lop == OP_NONE ? (flags & SF) != 0 : (lres & lsign) != 0; }

    final boolean pf() { return lop == OP_NONE ? (flags & PF) != 0 : parity(lres); }

    static boolean parity(long v) { return (Integer.bitCount((int) v & 0xFF) & 1) == 0; }

    final boolean of() {
        switch (lop) {
            case OP_NONE: return (flags & OF) != 0;
            case OP_ADD: case OP_ADC: case OP_INC: return ((ldst ^ lres) & (lsrc ^ lres) & lsign) != 0;
            case OP_SUB: case OP_SBB: case OP_DEC: return ((ldst ^ lsrc) & (ldst ^ lres) & lsign) != 0;
            case OP_SHL: // Intel: OF of the first 1-bit step for any count (equal to the AMD form for count 1)
                return intelFlags ? ((ldst ^ (ldst << 1)) & lsign) != 0 : ((lres & lsign) != 0) ^ (lcf != 0);
            // Intel: the OF of the first 1-bit step (the original MSB); AMD: MSB(result) XOR bit n-2 of the result,
            // which is the same for a count of 1 and 0 for larger counts
            case OP_SHR: return intelFlags ? (ldst & lsign) != 0 : (lres & (lsign >>> 1)) != 0;
            case OP_MUL: return lcf != 0;
            default: return false;
        }
    }

    final boolean af() {
        if (lop == OP_NONE) return (flags & AF) != 0;
        if (lop == OP_LOGIC || lop == OP_MUL) return false;
        if (lop >= OP_SHL) return amdHardwareFlags(); // SHL/SHR/SAR: AMD sets AF, Intel and TCG clear it (measured)
        return ((ldst ^ lsrc ^ lres) & 0x10) != 0;
    }

    /** The full RFLAGS. */
    final long rflags() {
        if (lop == OP_NONE) return flags;
        long f = flags & ~ARITH;
        if (cf()) f |= CF;
        if (pf()) f |= PF;
        if (af()) f |= AF;
        if (zf()) f |= ZF;
        if ((lres & lsign) != 0) f |= SF;
        if (of()) f |= OF;
        return f;
    }

    final void setRflags(long v) {
        flags = (v & 0x3F7FD7L) | 2;
        lop = OP_NONE;
    }

    // ---- architecturally undefined flags ----
    /** RFLAGS bits the instruction at position {@link #undefinedAt} left undefined (SDM), for the replay to adopt. */
    long undefinedMask;
    long undefinedAt = -1;

    /** The executing instruction (position {@link #icount}) leaves {@code mask} undefined; its value is the vendor model's. */
    final void undefinedFlags(long mask) {
        if (undefinedAt == icount) {
            undefinedMask |= mask;
        } else {
            undefinedMask = mask;
            undefinedAt = icount;
        }
    }

    /**
     * Replay, at a register checkpoint right after an instruction: the flags that instruction left architecturally
     * undefined take the recording's values. No architecture defines them, so a verifier cannot hold a CPU to them, and
     * one pushed later (an interrupt frame, PUSHF) must not show as a divergence; the vendor model (intelFlags) stays
     * the answer where no checkpoint follows. Returns the bits changed.
     */
    final long adoptUndefinedFlags(long recordedRflags) {
        if (undefinedAt != icount - 1 || undefinedMask == 0) return 0;
        long f = rflags();
        long changed = (f ^ recordedRflags) & undefinedMask;
        if (changed != 0) setRflags(f ^ changed);
        return changed;
    }

    /**
     * The AMD model of MUL/IMUL (measured on Zen 4): CF = OF = the overflow, SF, ZF, AF and PF as they were before
     * the instruction (Intel computes SF and PF from the result and clears ZF and AF: the lazy OP_MUL).
     */
    final void amdMulFlags(boolean overflow) {
        materialize();
        flags = (flags & ~(CF | OF)) | (overflow ? CF | OF : 0);
    }

    /** Materialises the flags so single bits can be changed in {@link #flags}. */
    final void materialize() {
        if (lop != OP_NONE) {
            flags = rflags();
            lop = OP_NONE;
        }
    }

    /** Sets the arithmetic flags from a result (SF, ZF, PF) plus explicit CF, OF, AF. */
    final void setResultFlags(long res, int size, boolean c, boolean o, boolean a) {
        long m = MASK[size];
        res &= m;
        long f = flags & ~ARITH;
        if (c) f |= CF;
        if (o) f |= OF;
        if (a) f |= AF;
        if (res == 0) f |= ZF;
        if ((res & SIGN[size]) != 0) f |= SF;
        if (parity(res)) f |= PF;
        flags = f;
        lop = OP_NONE;
    }

    final boolean cond(int cc) {
        if (lop == OP_SUB) { // fast path after CMP/SUB
            switch (cc) {
                case 2: return Long.compareUnsigned(ldst, lsrc) < 0;
                case 3: return Long.compareUnsigned(ldst, lsrc) >= 0;
                case 4: return lres == 0;
                case 5: return lres != 0;
                case 6: return Long.compareUnsigned(ldst, lsrc) <= 0;
                case 7: return Long.compareUnsigned(ldst, lsrc) > 0;
                default: break;
            }
        }
        return condSlow(cc);
    }

    private boolean condSlow(int cc) {
        boolean v;
        switch (cc >> 1) {
            case 0: v = of(); break;
            case 1: v = cf(); break;
            case 2: v = zf(); break;
            case 3: v = cf() || zf(); break;
            case 4: v = sf(); break;
            case 5: v = pf(); break;
            case 6: v = sf() != of(); break;
            default: v = zf() || (sf() != of()); break;
        }
        return (cc & 1) != 0 ? !v : v;
    }

    // =====================================================================================
    // exceptions

    final Fault raise(int vec, int err) {
        faultVec = vec;
        faultErr = err;
        faultHasErr = vec == DF_ || (vec >= TS && vec <= PF_) || vec == 17 || vec == 21;
        return fault;
    }

    final Fault gp(int err) { return raise(GP, err); }

    final Fault ud() { return raise(UD, 0); }
}
