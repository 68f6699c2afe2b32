package pcm.softcpu.internal;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

import pcm.core.api.vm.VmExit;

/**
 * Architectural state of the soft x86-64 CPU, lazy flags, the TLB and linear/physical memory
 * access with 4-level paging, and exception/interrupt delivery. The decoder/executor is {@link Cpu}.
 */
abstract class CpuBase {

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
     * = Intel (measured on the recording host, a Xeon), {@code false} = AMD (the interpreter's earlier
     * behaviour; not measured on AMD hardware). Chosen from the CPUID vendor ({@link #isIntel}).
     */
    boolean intelFlags = HOST_INTEL;

    /** Whether the host's /proc/cpuinfo vendor is Intel (also when unreadable: "GenuineIntel" is the default). */
    static final boolean HOST_INTEL = isIntel(CpuidTable.hostVendor());

    /** The flag model for a CPUID vendor string: everything except "AuthenticAMD"/"HygonGenuine" is Intel. */
    static boolean isIntel(String vendor) {
        return vendor == null || !(vendor.equals("AuthenticAMD") || vendor.equals("HygonGenuine"));
    }

    // ---- TLB: direct mapped, 4 KiB entries, tag = vpn << 1 | ukey ----
    static final int TLB_BITS = 12, TLB_SIZE = 1 << TLB_BITS, TLB_MASK = TLB_SIZE - 1;
    final long[] rTag = new long[TLB_SIZE], wTag = new long[TLB_SIZE], xTag = new long[TLB_SIZE];
    final long[] rOff = new long[TLB_SIZE], wOff = new long[TLB_SIZE], xOff = new long[TLB_SIZE];
    final MemorySegment[] rSeg = new MemorySegment[TLB_SIZE], wSeg = new MemorySegment[TLB_SIZE],
            xSeg = new MemorySegment[TLB_SIZE];
    int seenDirtyGeneration;

    // fetch window: [fetchLo, fetchHi) linear, bytes in fetchCode (a copy of the code page)
    long fetchLo, fetchHi;
    byte[] fetchCode;
    /** The pre-decoded instructions of the fetch window's page (valid while the window is). */
    DecodedInsn[] fetchOps;
    /** Copies of the physical pages instructions were fetched from, by page number. */
    final java.util.HashMap<Long, CodePage> codePages = new java.util.HashMap<>();
    /** Per execute-TLB entry: the code page copy. */
    final CodePage[] xCode = new CodePage[TLB_SIZE];
    /**
     * Bumped at every run(): a code page is compared with RAM once per run before use, so writes made
     * outside this vCPU between runs (VMM, devices) are seen.
     */
    int runEpoch;

    static final class CodePage {
        final byte[] bytes = new byte[4096];
        /** Pre-decoded instructions by offset of their first byte (null: not decoded yet). */
        final DecodedInsn[] ops = new DecodedInsn[4096];
        final MemorySegment seg;
        final long off;
        int epoch;

        CodePage(MemorySegment seg, long off, int epoch) {
            this.seg = seg;
            this.off = off;
            this.epoch = epoch;
            MemorySegment.copy(seg, B, off, bytes, 0, 4096);
        }

        void validate(int now) {
            if (epoch == now) return;
            epoch = now;
            if (MemorySegment.mismatch(seg, off, off + 4096, MemorySegment.ofArray(bytes), 0, 4096) != -1) {
                MemorySegment.copy(seg, B, off, bytes, 0, 4096);
                Arrays.fill(ops, null);
            }
        }
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

    CpuBase(PhysicalMemory mem) {
        this.mem = mem;
        flushTlb();
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
            case OP_SHR: return (ldst & lsign) != 0;
            case OP_MUL: return lcf != 0;
            default: return false;
        }
    }

    final boolean af() {
        if (lop == OP_NONE) return (flags & AF) != 0;
        if (lop == OP_LOGIC || lop >= OP_SHL) return false;
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

    // =====================================================================================
    // TLB and paging

    final void flushTlb() {
        Arrays.fill(rTag, -1L);
        Arrays.fill(wTag, -1L);
        Arrays.fill(xTag, -1L);
        Arrays.fill(rSeg, null);
        Arrays.fill(wSeg, null);
        Arrays.fill(xSeg, null);
        fetchLo = fetchHi = 0;
        fetchCode = null;
        fetchOps = null;
        Arrays.fill(xCode, null);
    }

    final void flushWriteTlb() {
        Arrays.fill(wTag, -1L);
        Arrays.fill(wSeg, null);
    }

    final void setCpl(int newCpl) {
        cpl = newCpl;
        ukey = newCpl == 3 ? 1 : 0;
        fetchLo = fetchHi = 0;
    }

    static final int ACC_WRITE = 1, ACC_USER = 2, ACC_FETCH = 4;

    private MemorySegment walkSeg;
    private long walkOff;

    static boolean canonical(long a) { return (a << 16 >> 16) == a; }

    /**
     * Translates a linear address for an access ({@link #ACC_WRITE} etc.), setting accessed/dirty bits,
     * raising #PF/#GP; returns the physical address. Fills the TLB when the page is RAM.
     */
    final long translate(long lin, int acc) {
        if (!canonical(lin)) throw gp(0);
        long pa;
        boolean writable = true, user = true;
        if ((cr0 & CR0_PG) == 0) {
            pa = lin & 0xFFFFFFFFL;
        } else {
            boolean nx = false;
            long tableAddr = cr3 & 0x000FFFFFFFFFF000L;
            long e = 0;
            long eAddr = 0;
            int level = 4;
            long pageMask = 0;
            while (true) {
                int shift = 12 + 9 * (level - 1);
                eAddr = tableAddr + ((lin >>> shift) & 0x1FF) * 8;
                e = physRead64(eAddr);
                if ((e & 1) == 0) throw pageFault(lin, acc, false);
                if ((e & 2) == 0) writable = false;
                if ((e & 4) == 0) user = false;
                if (e < 0) nx = true;
                boolean leaf = level == 1 || (level <= 3 && (e & 0x80) != 0);
                if (leaf) {
                    pageMask = (1L << shift) - 1;
                    break;
                }
                if ((e & 0x20) == 0) physWrite64(eAddr, e | 0x20);
                tableAddr = e & 0x000FFFFFFFFFF000L;
                level--;
            }
            boolean isUser = (acc & ACC_USER) != 0;
            if (isUser && !user) throw pageFault(lin, acc, true);
            if ((acc & ACC_WRITE) != 0 && !writable && (isUser || (cr0 & CR0_WP) != 0)) throw pageFault(lin, acc, true);
            if ((acc & ACC_FETCH) != 0 && nx && (efer & EFER_NXE) != 0) throw pageFault(lin, acc, true);
            long ne = e | 0x20 | ((acc & ACC_WRITE) != 0 ? 0x40 : 0);
            if (ne != e) physWrite64(eAddr, ne);
            pa = ((e & 0x000FFFFFFFFFF000L) & ~pageMask) | (lin & pageMask);
        }
        PhysicalMemory.Region reg = mem.find(pa);
        if (reg != null) {
            long off = (pa & ~0xFFFL) - reg.gpa;
            walkSeg = reg.host;
            walkOff = off;
            long vpn = lin >>> 12;
            int i = (int) vpn & TLB_MASK;
            long key = vpn << 1 | ukey;
            boolean tagUser = ukey == 1;
            // entries are keyed by the current CPL; only fill for accesses made at that privilege
            if (((acc & ACC_USER) != 0) == tagUser) {
                if ((acc & ACC_FETCH) != 0) {
                    xTag[i] = key; xOff[i] = off; xSeg[i] = reg.host; xCode[i] = null;
                } else if ((acc & ACC_WRITE) != 0) {
                    if (reg.logDirty) reg.markDirty(pa);
                    // pages holding cached code are never write-mapped: their writes patch the copy (slow path)
                    if (codePages.isEmpty() || !codePages.containsKey(pa >>> 12)) {
                        wTag[i] = key; wOff[i] = off; wSeg[i] = reg.host;
                    }
                    rTag[i] = key; rOff[i] = off; rSeg[i] = reg.host;
                } else {
                    rTag[i] = key; rOff[i] = off; rSeg[i] = reg.host;
                }
            } else if ((acc & ACC_WRITE) != 0 && reg.logDirty) {
                reg.markDirty(pa);
            }
        } else {
            walkSeg = null;
        }
        return pa;
    }

    private Fault pageFault(long lin, int acc, boolean present) {
        cr2 = lin;
        int err = (present ? 1 : 0) | ((acc & ACC_WRITE) != 0 ? 2 : 0) | ((acc & ACC_USER) != 0 ? 4 : 0)
                | ((acc & ACC_FETCH) != 0 && (efer & EFER_NXE) != 0 ? 16 : 0);
        return raise(PF_, err);
    }

    final long physRead64(long pa) {
        PhysicalMemory.Region reg = mem.find(pa);
        if (reg == null || pa - reg.gpa > reg.size - 8) {
            throw new UnsupportedInstructionException(rip, fetchBytesQuietly(rip),
                    "page-table access outside RAM at gpa 0x" + Long.toHexString(pa));
        }
        return reg.host.get(I64, pa - reg.gpa);
    }

    final void physWrite64(long pa, long v) {
        PhysicalMemory.Region reg = mem.find(pa);
        if (reg == null || pa - reg.gpa > reg.size - 8) {
            throw new UnsupportedInstructionException(rip, fetchBytesQuietly(rip),
                    "page-table access outside RAM at gpa 0x" + Long.toHexString(pa));
        }
        reg.host.set(I64, pa - reg.gpa, v);
        if (reg.logDirty) reg.markDirty(pa);
        patchCode(pa, 8, v);
    }

    /** Keeps a cached code page in step with a write to it (self-modifying code). */
    final void patchCode(long pa, int size, long v) {
        if (codePages.isEmpty()) return;
        CodePage cp = codePages.get(pa >>> 12);
        if (cp == null) return;
        boolean changed = false;
        for (int k = 0; k < size; k++) {
            int o = (int) ((pa + k) & 0xFFF);
            byte nb = (byte) (v >>> (8 * k));
            if (cp.bytes[o] != nb) {
                cp.bytes[o] = nb;
                changed = true;
            }
        }
        if (changed) { // drop the pre-decoded instructions that may contain the changed bytes (up to 15 long)
            int o = (int) (pa & 0xFFF);
            Arrays.fill(cp.ops, Math.max(0, o - 14), Math.min(4096, o + size), null);
        }
    }

    abstract byte[] fetchBytesQuietly(long at);

    // =====================================================================================
    // linear memory access: fast path through the TLB, slow path translates / MMIO

    final int acc() { return cpl == 3 ? ACC_USER : 0; }

    final int rd8(long a) {
        long vpn = a >>> 12;
        int i = (int) vpn & TLB_MASK;
        if (rTag[i] == (vpn << 1 | ukey)) return rSeg[i].get(B, rOff[i] + (a & 0xFFF)) & 0xFF;
        return (int) readSlow(a, 1, acc());
    }

    final int rd16(long a) {
        long vpn = a >>> 12;
        int i = (int) vpn & TLB_MASK;
        if (rTag[i] == (vpn << 1 | ukey) && (a & 0xFFF) <= 0xFFE) return rSeg[i].get(S16, rOff[i] + (a & 0xFFF)) & 0xFFFF;
        return (int) readSlow(a, 2, acc());
    }

    final long rd32(long a) {
        long vpn = a >>> 12;
        int i = (int) vpn & TLB_MASK;
        if (rTag[i] == (vpn << 1 | ukey) && (a & 0xFFF) <= 0xFFC) return rSeg[i].get(I32, rOff[i] + (a & 0xFFF)) & 0xFFFFFFFFL;
        return readSlow(a, 4, acc());
    }

    final long rd64(long a) {
        long vpn = a >>> 12;
        int i = (int) vpn & TLB_MASK;
        if (rTag[i] == (vpn << 1 | ukey) && (a & 0xFFF) <= 0xFF8) return rSeg[i].get(I64, rOff[i] + (a & 0xFFF));
        return readSlow(a, 8, acc());
    }

    final long read(long a, int size) {
        switch (size) {
            case 1: return rd8(a);
            case 2: return rd16(a);
            case 4: return rd32(a);
            default: return rd64(a);
        }
    }

    final void wr8(long a, long v) {
        long vpn = a >>> 12;
        int i = (int) vpn & TLB_MASK;
        if (wTag[i] == (vpn << 1 | ukey)) wSeg[i].set(B, wOff[i] + (a & 0xFFF), (byte) v);
        else writeSlow(a, 1, v, acc());
    }

    final void wr16(long a, long v) {
        long vpn = a >>> 12;
        int i = (int) vpn & TLB_MASK;
        if (wTag[i] == (vpn << 1 | ukey) && (a & 0xFFF) <= 0xFFE) wSeg[i].set(S16, wOff[i] + (a & 0xFFF), (short) v);
        else writeSlow(a, 2, v, acc());
    }

    final void wr32(long a, long v) {
        long vpn = a >>> 12;
        int i = (int) vpn & TLB_MASK;
        if (wTag[i] == (vpn << 1 | ukey) && (a & 0xFFF) <= 0xFFC) wSeg[i].set(I32, wOff[i] + (a & 0xFFF), (int) v);
        else writeSlow(a, 4, v, acc());
    }

    final void wr64(long a, long v) {
        long vpn = a >>> 12;
        int i = (int) vpn & TLB_MASK;
        if (wTag[i] == (vpn << 1 | ukey) && (a & 0xFFF) <= 0xFF8) wSeg[i].set(I64, wOff[i] + (a & 0xFFF), v);
        else writeSlow(a, 8, v, acc());
    }

    final void write(long a, int size, long v) {
        switch (size) {
            case 1: wr8(a, v); break;
            case 2: wr16(a, v); break;
            case 4: wr32(a, v); break;
            default: wr64(a, v); break;
        }
    }

    /** Supervisor (implicit) accesses: descriptor tables, TSS, interrupt frames at CPL0. */
    final long sysRead(long a, int size) { return readSlow(a, size, 0); }

    final void sysWrite(long a, int size, long v) { writeSlow(a, size, v, 0); }

    final long readSlow(long a, int size, int acc) {
        if ((a & 0xFFF) + size > 0x1000) { // crosses a page: byte by byte (both pages checked first)
            translate(a, acc);
            translate(a + size - 1, acc);
            long v = 0;
            for (int k = 0; k < size; k++) v |= readSlow(a + k, 1, acc) << (8 * k);
            return v;
        }
        long pa = translate(a, acc);
        if (walkSeg != null) {
            long off = walkOff + (a & 0xFFF);
            switch (size) {
                case 1: return walkSeg.get(B, off) & 0xFF;
                case 2: return walkSeg.get(S16, off) & 0xFFFF;
                case 4: return walkSeg.get(I32, off) & 0xFFFFFFFFL;
                default: return walkSeg.get(I64, off);
            }
        }
        return mmioRead(pa, size);
    }

    final void writeSlow(long a, int size, long v, int acc) {
        if ((a & 0xFFF) + size > 0x1000) {
            translate(a, acc | ACC_WRITE);
            translate(a + size - 1, acc | ACC_WRITE);
            for (int k = 0; k < size; k++) writeSlow(a + k, 1, v >>> (8 * k), acc);
            return;
        }
        long pa = translate(a, acc | ACC_WRITE);
        if (walkSeg != null) {
            long off = walkOff + (a & 0xFFF);
            switch (size) {
                case 1: walkSeg.set(B, off, (byte) v); break;
                case 2: walkSeg.set(S16, off, (short) v); break;
                case 4: walkSeg.set(I32, off, (int) v); break;
                default: walkSeg.set(I64, off, v); break;
            }
            patchCode(pa, size, v);
            return;
        }
        mmioWrite(pa, size, v);
    }

    /**
     * Reads the destination of a read-modify-write instruction: the access is checked as a write first, so
     * that a fault reports W=1 as on hardware (which translates it for writing before the read; issue 13
     * item 4: the native oracle saw error code 6 where the interpreter gave 4).
     */
    final long readRmw(long a, int size) {
        long vpn = a >>> 12;
        int i = (int) vpn & TLB_MASK;
        if (wTag[i] != (vpn << 1 | ukey) || (a & 0xFFF) + size > 0x1000) probeWrite(a, size);
        return read(a, size);
    }

    /** Checks that a write would succeed (so that an exit can be taken before committing). */
    final void probeWrite(long a, int size) {
        translate(a, acc() | ACC_WRITE);
        if ((a & 0xFFF) + size > 0x1000) translate(a + size - 1, acc() | ACC_WRITE);
    }

    final long mmioRead(long pa, int size) {
        if (mmioValid && mmioAddr == pa && mmioSize == size) {
            mmioValid = false;
            return mmioValue & MASK[size];
        }
        if (pendingExit != null) {
            throw new UnsupportedInstructionException(rip, fetchBytesQuietly(rip), "two MMIO accesses in one instruction");
        }
        pendingExit = new VmExit.MmioRead(pa, size);
        throw exitSignal;
    }

    final void mmioWrite(long pa, int size, long v) {
        if (pendingExit != null) {
            throw new UnsupportedInstructionException(rip, fetchBytesQuietly(rip), "two MMIO accesses in one instruction");
        }
        pendingExit = new VmExit.MmioWrite(pa, size, v & MASK[size]);
    }

    // =====================================================================================
    // instruction fetch

    final int fetch8() {
        long a = nip;
        if (a >= fetchLo && a < fetchHi) {
            nip = a + 1;
            return fetchCode[(int) (a - fetchLo)] & 0xFF;
        }
        return fetchSlow();
    }

    private int fetchSlow() {
        long a = nip;
        long vpn = a >>> 12;
        int i = (int) vpn & TLB_MASK;
        CodePage page;
        if (xTag[i] == (vpn << 1 | ukey) && xCode[i] != null) {
            page = xCode[i];
            page.validate(runEpoch);
        } else {
            long pa = translate(a, acc() | ACC_FETCH);
            if (walkSeg == null) {
                throw new UnsupportedInstructionException(rip, new byte[0],
                        "instruction fetch from MMIO at gpa 0x" + Long.toHexString(pa));
            }
            page = codePages.get(pa >>> 12);
            if (page == null) {
                page = new CodePage(walkSeg, walkOff, runEpoch);
                codePages.put(pa >>> 12, page);
                flushWriteTlb(); // writes to this page must now take the slow path
            } else {
                page.validate(runEpoch);
            }
            if (xTag[i] == (vpn << 1 | ukey)) xCode[i] = page;
        }
        fetchLo = a & ~0xFFFL;
        fetchHi = fetchLo + 0x1000;
        fetchCode = page.bytes;
        fetchOps = page.ops;
        nip = a + 1;
        return fetchCode[(int) (a - fetchLo)] & 0xFF;
    }

    final int fetch16() {
        int lo = fetch8();
        return lo | fetch8() << 8;
    }

    final int fetch32() {
        long a = nip;
        if (a >= fetchLo && a + 4 <= fetchHi) {
            nip = a + 4;
            return (int) INT_LE.get(fetchCode, (int) (a - fetchLo));
        }
        int v = fetch8();
        v |= fetch8() << 8;
        v |= fetch8() << 16;
        return v | fetch8() << 24;
    }

    final long fetch64() {
        long lo = fetch32() & 0xFFFFFFFFL;
        return lo | (long) fetch32() << 32;
    }

    // =====================================================================================
    // descriptors, segments, TSS

    /** Reads the 8-byte descriptor of a selector (GDT or LDT); #GP(sel) when outside the table. */
    final long descriptor(int sel) {
        int idx = sel & ~7;
        long base;
        int limit;
        if ((sel & 4) != 0) {
            base = ldtBase;
            limit = ldtLimit;
        } else {
            base = gdtBase;
            limit = gdtLimit;
        }
        if (idx + 7 > limit) throw gp(sel & 0xFFFC);
        return sysRead(base + idx, 8);
    }

    static int descAttr(long d) {
        int type = (int) (d >>> 40) & 0xF;
        int s = (int) (d >>> 44) & 1;
        int dpl = (int) (d >>> 45) & 3;
        int p = (int) (d >>> 47) & 1;
        int avl = (int) (d >>> 52) & 1;
        int l = (int) (d >>> 53) & 1;
        int db = (int) (d >>> 54) & 1;
        int g = (int) (d >>> 55) & 1;
        return type | s << 4 | dpl << 5 | p << 7 | avl << 12 | l << 13 | db << 14 | g << 15;
    }

    static long descBase(long d) {
        return ((d >>> 16) & 0xFFFFFFL) | ((d >>> 32) & 0xFF000000L);
    }

    static int descLimit(long d) {
        int lim = (int) (d & 0xFFFF) | (int) ((d >>> 32) & 0xF0000);
        if (((d >>> 55) & 1) != 0) lim = lim << 12 | 0xFFF;
        return lim;
    }

    /**
     * MOV/POP to a data segment register (not CS), or SS from a far return / IRET frame. {@code markAccessed}:
     * set the descriptor's accessed bit (false for IRET: see {@link #markAccessed}).
     */
    final void loadDataSegment(int sreg, int sel, boolean markAccessed) {
        if ((sel & 0xFFFC) == 0) {
            if (sreg == SS && cpl == 3) throw gp(0);
            segSel[sreg] = sel;
            segAttr[sreg] = 1 << 16; // unusable
            if (sreg != FS && sreg != GS) segBase[sreg] = 0;
            return;
        }
        long d = descriptor(sel);
        int attr = descAttr(d);
        if ((attr & 0x10) == 0) throw gp(sel & 0xFFFC);
        int dpl = (attr >> 5) & 3;
        if (sreg == SS) {
            if ((attr & 0xA) != 2 || (sel & 3) != cpl || dpl != cpl) throw gp(sel & 0xFFFC);
            if ((attr & 0x80) == 0) throw raise(SS_, sel & 0xFFFC);
        } else {
            if ((attr & 0xA) == 8) throw gp(sel & 0xFFFC); // execute-only code
            if ((attr & 0x80) == 0) throw raise(NP, sel & 0xFFFC);
        }
        if (markAccessed) markAccessed(sel, d);
        segSel[sreg] = sel;
        segAttr[sreg] = attr;
        segLimit[sreg] = descLimit(d);
        segBase[sreg] = descBase(d);
    }

    /**
     * Sets the accessed bit (type bit 0) of a code or data descriptor that is loaded into a segment register, in
     * the GDT/LDT in memory, as the processor does (SDM vol. 3 §3.4.5.1). KVM-recorded windows hold the bit
     * (the boot's gdt_load set 0x9a to 0x9b); without it the soft replay diverged there. Not for IRET and
     * interrupt delivery (their {@link #loadCs} / {@link #loadDataSegment} pass {@code markAccessed} false): the
     * PVM host this was measured on leaves the bit clear there (enter_user's IRETQ left the user descriptors at
     * 0xf2/0xfa), and windows recorded there are the reference.
     */
    final void markAccessed(int sel, long d) {
        if (((d >>> 44) & 1) == 0 || ((d >>> 40) & 1) != 0) return;
        long base = (sel & 4) != 0 ? ldtBase : gdtBase;
        sysWrite(base + (sel & ~7) + 5, 1, ((d >>> 40) & 0xFF) | 1);
    }

    /** Loads CS from its descriptor {@code d}; {@code markAccessed}: false for IRET and event delivery (see markAccessed). */
    final void loadCs(int sel, long d, boolean markAccessed) {
        if (markAccessed) markAccessed(sel, d);
        segSel[CS] = sel;
        segAttr[CS] = descAttr(d);
        segLimit[CS] = descLimit(d);
        segBase[CS] = 0;
        setCpl(sel & 3);
    }

    final long tssRead64(int off) {
        if (trLimit < off + 7) throw raise(TS, trSel & 0xFFFC);
        return sysRead(trBase + off, 8);
    }

    /** TSS I/O-permission check for CPL > IOPL. */
    final void checkIo(int port, int size) {
        int iopl = (int) (flags >> 12) & 3;
        if (cpl <= iopl) return;
        if ((trAttr & 0xF) != 0xB && (trAttr & 0xF) != 0x9) throw gp(0);
        if (trLimit < 0x67) throw gp(0);
        int base = (int) sysRead(trBase + 0x66, 2);
        int off = base + (port >> 3);
        if (off + 1 > trLimit) throw gp(0);
        int bits = (int) sysRead(trBase + off, 2);
        int mask = ((1 << size) - 1) << (port & 7);
        if ((bits & mask) != 0) throw gp(0);
    }

    // =====================================================================================
    // interrupt / exception delivery (64-bit IDT gates)

    /**
     * Delivers vector {@code vec} through the IDT. {@code soft}: INT n / INT3 (gate DPL checked);
     * {@code ret} is the RIP pushed. The RFLAGS image holds RF as it is: an interrupt or a trap (#DB single
     * step) comes between instructions, where RF is 0 unless IRET just loaded 1; a software interrupt
     * completes its instruction, so it pushes RF = 0 (SDM vol. 3 §18.3.1.1, §6.13).
     */
    final void deliver(int vec, int err, boolean hasErr, boolean soft, long ret) {
        deliver(vec, err, hasErr, soft, ret, soft ? 0 : -1);
    }

    /**
     * Delivers the fault-class exception {@code vec} raised by the instruction at RIP (pushed as the return
     * address): the processor sets RF in the pushed RFLAGS image for every fault except an instruction
     * breakpoint #DB (which this CPU does not raise), so that the handler's IRET does not fault again on an
     * instruction breakpoint (SDM vol. 3 §18.3.1.1).
     */
    final void deliverFault(int vec, int err, boolean hasErr) {
        deliver(vec, err, hasErr, false, rip, 1);
    }

    /** {@code rfImage}: -1 pushes RF as it is, 0 or 1 pushes that value. */
    private void deliver(int vec, int err, boolean hasErr, boolean soft, long ret, int rfImage) {
        delivered = true;
        int ext = soft ? 0 : 1;
        if (vec * 16 + 15 > idtLimit) throw gp(vec * 8 + 2 + ext);
        long lo = sysRead(idtBase + vec * 16L, 8);
        long hi = sysRead(idtBase + vec * 16L + 8, 8);
        int type = (int) (lo >>> 40) & 0xF;
        int gdpl = (int) (lo >>> 45) & 3;
        if (type != 0xE && type != 0xF) throw gp(vec * 8 + 2 + ext);
        if (soft && gdpl < cpl) throw gp(vec * 8 + 2);
        if (((lo >>> 47) & 1) == 0) throw raise(NP, vec * 8 + 2 + ext);
        int sel = (int) (lo >>> 16) & 0xFFFF;
        long target = (lo & 0xFFFF) | ((lo >>> 32) & 0xFFFF0000L) | (hi << 32);
        int ist = (int) (lo >>> 32) & 7;
        if ((sel & 0xFFFC) == 0) throw gp(ext);
        long d = descriptor(sel);
        int attr = descAttr(d);
        if ((attr & 0x18) != 0x18 || ((attr >> 13) & 1) == 0) throw gp((sel & 0xFFFC) + ext);
        if ((attr & 0x80) == 0) throw raise(NP, (sel & 0xFFFC) + ext);
        int dpl = (attr >> 5) & 3;
        if ((attr & 4) != 0) dpl = cpl; // conforming
        if (dpl > cpl) throw gp((sel & 0xFFFC) + ext);
        long oldRsp = r[4];
        int oldSs = segSel[SS];
        long oldFlags = rflags();
        if (rfImage == 0) oldFlags &= ~RF;
        else if (rfImage == 1) oldFlags |= RF;
        int oldCs = segSel[CS];
        int oldCpl = cpl;
        long sp;
        if (dpl < cpl) sp = tssRead64(4 + dpl * 8);
        else sp = oldRsp;
        if (ist != 0) sp = tssRead64(0x24 + (ist - 1) * 8);
        sp &= ~0xFL;
        if (!canonical(sp)) throw raise(SS_, ext);
        long frame = sp - (hasErr ? 48 : 40);
        // the frame is written with the new privilege (supervisor for dpl < 3)
        int wacc = dpl == 3 ? ACC_USER : 0;
        writeSlow(sp - 8, 8, oldSs, wacc);
        writeSlow(sp - 16, 8, oldRsp, wacc);
        writeSlow(sp - 24, 8, oldFlags, wacc);
        writeSlow(sp - 32, 8, oldCs, wacc);
        writeSlow(sp - 40, 8, ret, wacc);
        if (hasErr) writeSlow(sp - 48, 8, err & 0xFFFFFFFFL, wacc);
        r[4] = frame;
        if (dpl != oldCpl) {
            segSel[SS] = dpl;
            segAttr[SS] = 1 << 16 | dpl << 5;
            segBase[SS] = 0;
        }
        loadCs((sel & 0xFFFC) | dpl, d, false);
        rip = target;
        nip = target;
        flags &= ~(TF | NT | RF | VM);
        if (type == 0xE) flags &= ~IF;
    }
}
