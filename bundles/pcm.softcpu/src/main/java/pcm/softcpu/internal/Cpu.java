package pcm.softcpu.internal;

import java.math.BigInteger;

import pcm.core.api.vm.VmExit;

/**
 * The x86-64 interpreter: executes instructions from pre-decoded code pages ({@link #runDecoded}) or
 * through the byte decoder ({@link #stepDecode}) (64-bit mode only), and the run loop with exits,
 * injected interrupts, single-step and kicks.
 */
final class Cpu extends CpuBase {

    // ---- decode state of the current instruction ----
    int rex, osz, rep;
    boolean a32;
    long sbase;
    int mod, reg, rm;
    long ea;
    /** Whether the last memory operand's address used RSP as its base (POP r/m adds the pop's increment). */
    boolean eaRspBase;
    /** The last ModRM byte as fetched (the x87's FOP). */
    int modrmByte;

    // ---- x87 hook (issue 13 item 1): the unit lives in pcm.softcpu.internal.x87, behind X87Host ----
    final pcm.softcpu.internal.x87.X87State x87State = new pcm.softcpu.internal.x87.X87State();
    final pcm.softcpu.internal.x87.X87Unit x87 = new pcm.softcpu.internal.x87.X87Unit(x87State);
    private final X87Bridge x87Host = new X87Bridge(this);

    // ---- exit completion ----
    static final int C_NONE = 0, C_IN = 1, C_INS = 2, C_CPUID = 3, C_EDXEAX = 4, C_RDTSCP = 5, C_RAND = 6,
            C_HYPERCALL = 7;
    int completion;
    int complReg, complSize;
    long complNext;
    boolean complRep;

    // ---- run control ----
    static final int BATCH = 4096;
    volatile boolean kicked;
    boolean singleStep;
    boolean windowRequested;
    int injectVector = -1;
    boolean debugPending;
    /** RFLAGS.TF was set when the current instruction started (single-step trap after it retires). */
    boolean stepTf;
    /** A TF single-step #DB owed to the guest after an exit the trapping instruction produced. */
    boolean tfTrapPending;
    /**
     * The instruction being executed (IRET) loaded RFLAGS.RF = 1 from its image: RF then applies to the next
     * instruction and is not cleared when this one completes (SDM vol. 3 §18.3.1.1).
     */
    boolean rfLoaded;
    UnsupportedInstructionException lastError;

    private static final boolean[] PREFIX = new boolean[256];
    static {
        for (int p : new int[] {0x66, 0x67, 0xF2, 0xF3, 0xF0, 0x2E, 0x36, 0x3E, 0x26, 0x64, 0x65}) PREFIX[p] = true;
    }

    Cpu(PhysicalMemory mem) {
        super(mem);
    }

    // =====================================================================================
    // run loop

    boolean interruptible() {
        return (flags & IF) != 0 && icount != shadowAt && !mmioValid && completion == C_NONE;
    }

    VmExit run() {
        if (kicked) {
            kicked = false;
            return new VmExit.Interrupted();
        }
        if (mem.dirtyGeneration != seenDirtyGeneration) {
            seenDirtyGeneration = mem.dirtyGeneration;
            flushWriteTlb();
        }
        completion = C_NONE;
        runEpoch++;
        fetchLo = fetchHi = 0;
        if (debugPending) {
            debugPending = false;
            return new VmExit.Debug(rip, 0x4000, 1);
        }
        if (tfTrapPending) {
            tfTrapPending = false;
            try {
                deliver(DB, 0, false, false, rip);
            } catch (Fault f) {
                VmExit e = handleFault();
                if (e != null) return e;
            } catch (UnsupportedInstructionException u) {
                return internalError(u);
            }
        }
        if (injectVector >= 0) {
            int v = injectVector;
            injectVector = -1;
            try {
                deliver(v, 0, false, false, rip);
            } catch (Fault f) {
                VmExit e = handleFault();
                if (e != null) return e;
            } catch (UnsupportedInstructionException u) {
                return internalError(u);
            }
        }
        if (singleStep) {
            long before = icount;
            VmExit e = execute(1);
            if (e != null) {
                if (icount != before) debugPending = true;
                return e;
            }
            return new VmExit.Debug(rip, 0x4000, 1);
        }
        while (true) {
            if (windowRequested && interruptible()) return new VmExit.InterruptWindow();
            VmExit e = execute(BATCH);
            if (e != null) return e;
            if (kicked) {
                kicked = false;
                return new VmExit.Interrupted();
            }
        }
    }

    /** Runs up to {@code n} instructions; returns an exit or null. */
    VmExit execute(int n) {
        int k = 0;
        while (k < n) {
            long before = icount;
            try {
                // a run of pre-decoded instructions (each retires: icount counts them), else one step
                runDecoded(n - k);
                int done = (int) (icount - before);
                if (done == 0) {
                    stepDecode();
                    k++;
                } else {
                    k += done;
                }
            } catch (Fault f) {
                k += (int) (icount - before) + 1; // the faulting step counts, as one step
                VmExit e = handleFault();
                if (e != null) return e;
                continue;
            } catch (ExitSignal s) {
                VmExit e = pendingExit;
                pendingExit = null;
                return e;
            } catch (UnsupportedInstructionException u) {
                pendingExit = null;
                return internalError(u);
            }
            if (pendingExit != null) {
                VmExit e = pendingExit;
                pendingExit = null;
                return e;
            }
            if (windowRequested && interruptible()) return null;
        }
        return null;
    }

    private VmExit internalError(UnsupportedInstructionException u) {
        lastError = u;
        return new VmExit.InternalError(1, u.getMessage());
    }

    /** Delivers the pending fault, escalating to #DF and to a triple fault (shutdown). */
    VmExit handleFault() {
        int vec = faultVec;
        pendingExit = null;
        try {
            deliverFault(vec, faultErr, faultHasErr);
            return null;
        } catch (Fault f2) {
            if (vec == DF_) return new VmExit.Shutdown(-1, "triple fault");
            try {
                deliverFault(DF_, 0, true);
                return null;
            } catch (Fault f3) {
                return new VmExit.Shutdown(-1, "triple fault");
            }
        }
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
        boolean rspBase = false;
        if (low == 4) {
            int sib = fetch8();
            int base = sib & 7;
            int idx = ((sib >> 3) & 7) | ((rex & 2) << 2);
            a = idx == 4 ? 0 : r[idx] << (sib >>> 6);
            if (base == 5 && mod == 0) a += fetch32();
            else a += r[base | ((rex & 1) << 3)];
            rspBase = base == 4 && (rex & 1) == 0;
        } else if (low == 5 && mod == 0) {
            int d = fetch32();
            a = nip + imm + d;
        } else {
            a = r[low | ((rex & 1) << 3)];
        }
        if (mod == 1) a += (byte) fetch8();
        else if (mod == 2) a += fetch32();
        if (a32) a &= 0xFFFFFFFFL;
        ea = a + sbase;
        eaRspBase = rspBase;
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

    // =====================================================================================
    // ALU

    final long alu(int op, long d, long s, int size) {
        long m = MASK[size];
        d &= m;
        s &= m;
        long res;
        switch (op) {
            case 0: res = (d + s) & m; lazy(OP_ADD, d, s, res, size); return res;
            case 1: res = d | s; lazy(OP_LOGIC, d, s, res, size); return res;
            case 2: {
                long c = cf() ? 1 : 0;
                res = (d + s + c) & m;
                lcf = c;
                lazy(OP_ADC, d, s, res, size);
                return res;
            }
            case 3: {
                long c = cf() ? 1 : 0;
                res = (d - s - c) & m;
                lcf = c;
                lazy(OP_SBB, d, s, res, size);
                return res;
            }
            case 4: res = d & s; lazy(OP_LOGIC, d, s, res, size); return res;
            case 5: res = (d - s) & m; lazy(OP_SUB, d, s, res, size); return res;
            case 6: res = d ^ s; lazy(OP_LOGIC, d, s, res, size); return res;
            default: res = (d - s) & m; lazy(OP_SUB, d, s, res, size); return d;
        }
    }

    final long incDec(long d, int size, boolean dec) {
        long m = MASK[size];
        d &= m;
        long c = cf() ? 1 : 0;
        long res = (dec ? d - 1 : d + 1) & m;
        lcf = c;
        lazy(dec ? OP_DEC : OP_INC, d, 1, res, size);
        return res;
    }

    final void setCfOf(boolean c, boolean o) {
        materialize();
        long f = flags & ~(CF | OF);
        if (c) f |= CF;
        if (o) f |= OF;
        flags = f;
    }

    final void setCf(boolean c) {
        materialize();
        flags = c ? flags | CF : flags & ~CF;
    }

    /**
     * {@code immReg}: register destination with an immediate count (Intel: ROL/ROR r, imm with a count
     * above 1 keep OF; the memory and CL forms compute the OF of the first 1-bit step).
     */
    final long shift(int op, long d, int count, int size, boolean immReg) {
        int bits = size * 8;
        int cnt = count & (size == 8 ? 0x3F : 0x1F);
        long m = MASK[size];
        d &= m;
        if (cnt == 0) return d;
        long res;
        boolean c, o;
        switch (op) {
            case 0: { // ROL
                int n = cnt & (bits - 1);
                res = n == 0 ? d : ((d << n) | (d >>> (bits - n))) & m;
                c = (res & 1) != 0;
                o = !intelFlags ? (((res >>> (bits - 1)) & 1) != 0) ^ c
                        : immReg && cnt > 1 ? of() : (((d ^ (d << 1)) >>> (bits - 1)) & 1) != 0;
                setCfOf(c, o);
                return res;
            }
            case 1: { // ROR
                int n = cnt & (bits - 1);
                res = n == 0 ? d : ((d >>> n) | (d << (bits - n))) & m;
                c = ((res >>> (bits - 1)) & 1) != 0;
                o = !intelFlags ? c ^ (((res >>> (bits - 2)) & 1) != 0)
                        : immReg && cnt > 1 ? of() : (((d >>> (bits - 1)) ^ d) & 1) != 0;
                setCfOf(c, o);
                return res;
            }
            case 2: { // RCL
                int n = size == 1 ? cnt % 9 : size == 2 ? cnt % 17 : cnt;
                if (n == 0) return d;
                long carry = cf() ? 1 : 0;
                res = d;
                for (int i = 0; i < n; i++) {
                    long out = (res >>> (bits - 1)) & 1;
                    res = ((res << 1) | carry) & m;
                    carry = out;
                }
                setCfOf(carry != 0, intelFlags ? (((d ^ (d << 1)) >>> (bits - 1)) & 1) != 0
                        : (((res >>> (bits - 1)) & 1) ^ carry) != 0);
                return res;
            }
            case 3: { // RCR
                int n = size == 1 ? cnt % 9 : size == 2 ? cnt % 17 : cnt;
                if (n == 0) return d;
                long carry = cf() ? 1 : 0, cin = carry;
                res = d;
                for (int i = 0; i < n; i++) {
                    long out = res & 1;
                    res = (res >>> 1) | (carry << (bits - 1));
                    carry = out;
                }
                res &= m;
                setCfOf(carry != 0, intelFlags ? ((cin ^ (d >>> (bits - 1))) & 1) != 0
                        : (((res >>> (bits - 1)) ^ (res >>> (bits - 2))) & 1) != 0);
                return res;
            }
            case 4: case 6: { // SHL/SAL
                if (size == 8) {
                    c = ((d >>> (64 - cnt)) & 1) != 0;
                    res = d << cnt;
                } else {
                    long full = d << cnt;
                    c = ((full >>> bits) & 1) != 0;
                    res = full & m;
                }
                lcf = c ? 1 : 0;
                lazy(OP_SHL, d, 0, res, size);
                return res;
            }
            case 5: { // SHR
                c = ((d >>> (cnt - 1)) & 1) != 0;
                res = d >>> cnt;
                lcf = c ? 1 : 0;
                lazy(OP_SHR, d, 0, res, size);
                return res;
            }
            default: { // SAR
                long sx = (d << (64 - bits)) >> (64 - bits);
                c = ((sx >> (cnt - 1)) & 1) != 0;
                res = (sx >> cnt) & m;
                lcf = c ? 1 : 0;
                lazy(OP_SAR, d, 0, res, size);
                return res;
            }
        }
    }

    final long shiftDouble(boolean left, long d, long s, int count, int size) {
        int bits = size * 8;
        int cnt = count & (size == 8 ? 0x3F : 0x1F);
        long m = MASK[size];
        d &= m;
        s &= m;
        if (cnt == 0) return d;
        long res;
        boolean c;
        if (cnt > bits) return shiftDouble16Wide(left, d, s, cnt);
        if (left) {
            res = cnt == bits ? s : ((d << cnt) | (s >>> (bits - cnt))) & m;
            c = ((d >>> (bits - cnt)) & 1) != 0;
        } else {
            res = cnt == bits ? s : ((d >>> cnt) | (s << (bits - cnt))) & m;
            c = ((d >>> (cnt - 1)) & 1) != 0;
        }
        boolean o = !intelFlags ? (((res ^ d) >>> (bits - 1)) & 1) != 0 // Intel: OF of the first 1-bit step
                : left ? (((d ^ (d << 1)) >>> (bits - 1)) & 1) != 0 : (((d >>> (bits - 1)) ^ s) & 1) != 0;
        setResultFlags(res, size, c, o, false);
        return res;
    }

    /**
     * 16-bit SHLD/SHRD with a masked count of 17..31, where the SDM leaves result and flags undefined. Intel
     * P6 and later shift the 48-bit dest:src:dest (QEMU and Bochs model the same; differential test against
     * KVM on an Intel host in DiffFixedTest): SHLD keeps bits 32..47 of the value shifted left, SHRD bits 0..15
     * of it shifted right; CF is the last bit shifted out, SF/ZF/PF follow the result, OF as for a count of
     * 1 on the same value (measured). The AMD model (CpuBase.intelFlags false) has not been measured on AMD
     * hardware: it computes the same value so a soft-recorded window replays identically on the soft RCP.
     */
    private long shiftDouble16Wide(boolean left, long d, long s, int cnt) {
        long v = d << 32 | s << 16 | d;
        long res;
        boolean c;
        if (left) {
            res = (v << cnt) >>> 32 & 0xFFFF;
            c = ((v >>> (48 - cnt)) & 1) != 0;
        } else {
            res = (v >>> cnt) & 0xFFFF;
            c = ((v >>> (cnt - 1)) & 1) != 0;
        }
        boolean o = !intelFlags ? (((res ^ d) >>> 15) & 1) != 0 // the AMD rule of SHLD/SHRD's OF, as for counts <= 16
                : left ? (((d ^ (d << 1)) >>> 15) & 1) != 0 : (((d >>> 15) ^ s) & 1) != 0;
        setResultFlags(res, 2, c, o, false);
        return res;
    }

    // =====================================================================================
    // the instruction

    /** Decodes (byte by byte) and executes one instruction. */
    final void stepDecode() {
        nip = rip;
        stepTf = (flags & TF) != 0;
        delivered = false;
        rfLoaded = false;
        int b = fetch8();
        boolean o16 = false;
        a32 = false;
        rep = 0;
        sbase = 0;
        int rx = 0;
        if (PREFIX[b]) {
            while (true) {
                switch (b) {
                    case 0x66: o16 = true; break;
                    case 0x67: a32 = true; break;
                    case 0xF2: case 0xF3: rep = b; break;
                    case 0x64: sbase = segBase[FS]; break;
                    case 0x65: sbase = segBase[GS]; break;
                    case 0xF0: case 0x2E: case 0x36: case 0x3E: case 0x26: break;
                    default: break;
                }
                b = fetch8();
                if (!PREFIX[b]) break;
                if (nip - rip > 14) throw gp(0);
            }
        }
        if ((b & 0xF0) == 0x40) {
            rx = b;
            b = fetch8();
            // only a REX right before the opcode counts: more REX bytes replace it, a legacy prefix after it voids it
            while ((b & 0xF0) == 0x40 || PREFIX[b]) {
                if (nip - rip > 14) throw gp(0);
                if (PREFIX[b]) {
                    rx = 0;
                    switch (b) {
                        case 0x66: o16 = true; break;
                        case 0x67: a32 = true; break;
                        case 0xF2: case 0xF3: rep = b; break;
                        case 0x64: sbase = segBase[FS]; break;
                        case 0x65: sbase = segBase[GS]; break;
                        default: break;
                    }
                } else {
                    rx = b;
                }
                b = fetch8();
            }
        }
        rex = rx;
        osz = (rx & 8) != 0 ? 8 : o16 ? 2 : 4;
        if (b == 0x0F) exec0F(fetch8());
        else if (b < 0x80) execLow(b);
        else execHigh(b);
        rip = nip;
        icount++;
        completedRf();
        if (stepTf && !delivered) singleStepTrap();
    }

    /**
     * The processor clears RFLAGS.RF when an instruction completes, except when the instruction (IRET) loaded
     * RF = 1 itself (SDM vol. 3 §18.3.1.1): a trap (#DB single step) or interrupt delivered after it pushes
     * that value.
     */
    private void completedRf() {
        if (rfLoaded) rfLoaded = false;
        else flags &= ~RF;
    }

    // =====================================================================================
    // pre-decoded instructions (the same semantics as the byte decoder's paths for these forms)

    private long ea(DecodedInsn d) {
        long a = d.disp;
        int b = d.base;
        if (b >= 0) a += r[b];
        else if (b == DecodedInsn.RIP_BASE) a += rip;
        int x = d.index;
        if (x >= 0) a += r[x] << d.scale;
        return a;
    }

    /**
     * Executes up to {@code max} consecutive pre-decoded instructions from RIP, each exactly as one
     * {@link #stepDecode} of it would (RFLAGS.TF traps included); stops before an instruction that is
     * not pre-decoded or outside the fetch window, and after one that left an exit or opened the
     * requested interrupt window. Every instruction it runs retires (icount counts them); faults and
     * exit signals propagate with RIP at the faulting instruction.
     * <p>
     * Performance: the handlers are in this one loop so that C2 inlines the hot helpers at the hot
     * cases (call sites in a per-instruction method are all "cold"). Keep the method well below
     * HotSpot's HugeMethodLimit (8000 bytecodes; it is about 5200 now): above it, it is never compiled.
     */
    final void runDecoded(int max) {
        for (int k = 0; k < max; k++) {
            long pc = rip;
            if (pc < fetchLo || pc >= fetchHi) return;
            DecodedInsn[] ops = fetchOps;
            int off = (int) (pc - fetchLo);
            DecodedInsn d = ops[off];
            if (d == null) ops[off] = d = DecodedInsn.decode(fetchCode, off);
            int op = d.op;
            if (op == DecodedInsn.SLOW) return;
            boolean tf = (flags & TF) != 0;
            if (tf) {
                stepTf = true;
                delivered = false;
            }
            nip = pc + d.len;
            sw:
            switch (op) {
                case DecodedInsn.NOP: break sw;
                case DecodedInsn.MOV_RR64: r[d.dst] = r[d.src]; break sw;
                case DecodedInsn.MOV_RR32: r[d.dst] = r[d.src] & 0xFFFFFFFFL; break sw;
                case DecodedInsn.MOV_RR8: rex = d.rex; setReg(d.dst, 1, getReg(d.src, 1)); break sw;
                case DecodedInsn.MOV_LD64: r[d.dst] = rd64(ea(d)); break sw;
                case DecodedInsn.MOV_LD: { rex = d.rex; int sz = d.size; setReg(d.dst, sz, read(ea(d), sz)); break sw; }
                case DecodedInsn.MOV_ST64: wr64(ea(d), r[d.src]); break sw;
                case DecodedInsn.MOV_ST: { rex = d.rex; int sz = d.size; write(ea(d), sz, getReg(d.src, sz)); break sw; }
                case DecodedInsn.MOV_RI: r[d.dst] = d.imm; break sw;
                case DecodedInsn.MOV_RI8: rex = d.rex; setReg(d.dst, 1, d.imm); break sw;
                case DecodedInsn.MOV_MI: write(ea(d), d.size, d.imm); break sw;
                // ---- ADD/OR/AND/SUB/XOR/CMP, 64 bits (alu() for size 8, written out) ----
                case DecodedInsn.A_RR64: { long a = r[d.dst], b = r[d.src], res = a + b; lazy64(OP_ADD, a, b, res); r[d.dst] = res; break sw; }
                case DecodedInsn.A_RR64 + 1: { long a = r[d.dst], b = r[d.src], res = a | b; lazy64(OP_LOGIC, a, b, res); r[d.dst] = res; break sw; }
                case DecodedInsn.A_RR64 + 4: { long a = r[d.dst], b = r[d.src], res = a & b; lazy64(OP_LOGIC, a, b, res); r[d.dst] = res; break sw; }
                case DecodedInsn.A_RR64 + 5: { long a = r[d.dst], b = r[d.src], res = a - b; lazy64(OP_SUB, a, b, res); r[d.dst] = res; break sw; }
                case DecodedInsn.A_RR64 + 6: { long a = r[d.dst], b = r[d.src], res = a ^ b; lazy64(OP_LOGIC, a, b, res); r[d.dst] = res; break sw; }
                case DecodedInsn.A_RR64 + 7: { long a = r[d.dst], b = r[d.src]; lazy64(OP_SUB, a, b, a - b); break sw; }
                case DecodedInsn.A_RI64: { long a = r[d.dst], b = d.imm, res = a + b; lazy64(OP_ADD, a, b, res); r[d.dst] = res; break sw; }
                case DecodedInsn.A_RI64 + 1: { long a = r[d.dst], b = d.imm, res = a | b; lazy64(OP_LOGIC, a, b, res); r[d.dst] = res; break sw; }
                case DecodedInsn.A_RI64 + 4: { long a = r[d.dst], b = d.imm, res = a & b; lazy64(OP_LOGIC, a, b, res); r[d.dst] = res; break sw; }
                case DecodedInsn.A_RI64 + 5: { long a = r[d.dst], b = d.imm, res = a - b; lazy64(OP_SUB, a, b, res); r[d.dst] = res; break sw; }
                case DecodedInsn.A_RI64 + 6: { long a = r[d.dst], b = d.imm, res = a ^ b; lazy64(OP_LOGIC, a, b, res); r[d.dst] = res; break sw; }
                case DecodedInsn.A_RI64 + 7: { long a = r[d.dst], b = d.imm; lazy64(OP_SUB, a, b, a - b); break sw; }
                case DecodedInsn.A_RM64: { long b = rd64(ea(d)), a = r[d.dst], res = a + b; lazy64(OP_ADD, a, b, res); r[d.dst] = res; break sw; }
                case DecodedInsn.A_RM64 + 1: { long b = rd64(ea(d)), a = r[d.dst], res = a | b; lazy64(OP_LOGIC, a, b, res); r[d.dst] = res; break sw; }
                case DecodedInsn.A_RM64 + 4: { long b = rd64(ea(d)), a = r[d.dst], res = a & b; lazy64(OP_LOGIC, a, b, res); r[d.dst] = res; break sw; }
                case DecodedInsn.A_RM64 + 5: { long b = rd64(ea(d)), a = r[d.dst], res = a - b; lazy64(OP_SUB, a, b, res); r[d.dst] = res; break sw; }
                case DecodedInsn.A_RM64 + 6: { long b = rd64(ea(d)), a = r[d.dst], res = a ^ b; lazy64(OP_LOGIC, a, b, res); r[d.dst] = res; break sw; }
                case DecodedInsn.A_RM64 + 7: { long b = rd64(ea(d)), a = r[d.dst]; lazy64(OP_SUB, a, b, a - b); break sw; }
                // ---- the same, 32 bits (operands and result zero-extended) ----
                case DecodedInsn.A_RR32: { long a = r[d.dst] & M32, b = r[d.src] & M32, res = (a + b) & M32; lazy32(OP_ADD, a, b, res); r[d.dst] = res; break sw; }
                case DecodedInsn.A_RR32 + 1: { long a = r[d.dst] & M32, b = r[d.src] & M32, res = a | b; lazy32(OP_LOGIC, a, b, res); r[d.dst] = res; break sw; }
                case DecodedInsn.A_RR32 + 4: { long a = r[d.dst] & M32, b = r[d.src] & M32, res = a & b; lazy32(OP_LOGIC, a, b, res); r[d.dst] = res; break sw; }
                case DecodedInsn.A_RR32 + 5: { long a = r[d.dst] & M32, b = r[d.src] & M32, res = (a - b) & M32; lazy32(OP_SUB, a, b, res); r[d.dst] = res; break sw; }
                case DecodedInsn.A_RR32 + 6: { long a = r[d.dst] & M32, b = r[d.src] & M32, res = a ^ b; lazy32(OP_LOGIC, a, b, res); r[d.dst] = res; break sw; }
                case DecodedInsn.A_RR32 + 7: { long a = r[d.dst] & M32, b = r[d.src] & M32; lazy32(OP_SUB, a, b, (a - b) & M32); break sw; }
                case DecodedInsn.A_RI32: { long a = r[d.dst] & M32, b = d.imm & M32, res = (a + b) & M32; lazy32(OP_ADD, a, b, res); r[d.dst] = res; break sw; }
                case DecodedInsn.A_RI32 + 1: { long a = r[d.dst] & M32, b = d.imm & M32, res = a | b; lazy32(OP_LOGIC, a, b, res); r[d.dst] = res; break sw; }
                case DecodedInsn.A_RI32 + 4: { long a = r[d.dst] & M32, b = d.imm & M32, res = a & b; lazy32(OP_LOGIC, a, b, res); r[d.dst] = res; break sw; }
                case DecodedInsn.A_RI32 + 5: { long a = r[d.dst] & M32, b = d.imm & M32, res = (a - b) & M32; lazy32(OP_SUB, a, b, res); r[d.dst] = res; break sw; }
                case DecodedInsn.A_RI32 + 6: { long a = r[d.dst] & M32, b = d.imm & M32, res = a ^ b; lazy32(OP_LOGIC, a, b, res); r[d.dst] = res; break sw; }
                case DecodedInsn.A_RI32 + 7: { long a = r[d.dst] & M32, b = d.imm & M32; lazy32(OP_SUB, a, b, (a - b) & M32); break sw; }
                case DecodedInsn.ALU_RR64: {
                    int ao = d.sub;
                    long res = alu(ao, r[d.dst], r[d.src], 8);
                    if (ao != 7) r[d.dst] = res;
                    break sw;
                }
                case DecodedInsn.ALU_RI64: {
                    int ao = d.sub;
                    long res = alu(ao, r[d.dst], d.imm, 8);
                    if (ao != 7) r[d.dst] = res;
                    break sw;
                }
                case DecodedInsn.ALU_RM64: {
                    int ao = d.sub;
                    long s = rd64(ea(d));
                    long res = alu(ao, r[d.dst], s, 8);
                    if (ao != 7) r[d.dst] = res;
                    break sw;
                }
                case DecodedInsn.ALU_RR: {
                    int ao = d.sub, sz = d.size;
                    long res = alu(ao, r[d.dst], r[d.src], sz);
                    if (ao != 7) setReg(d.dst, sz, res);
                    break sw;
                }
                case DecodedInsn.ALU_RR8: {
                    rex = d.rex;
                    int ao = d.sub;
                    long res = alu(ao, getReg(d.dst, 1), getReg(d.src, 1), 1);
                    if (ao != 7) setReg(d.dst, 1, res);
                    break sw;
                }
                case DecodedInsn.ALU_RI: {
                    int ao = d.sub, sz = d.size;
                    long res = alu(ao, r[d.dst], d.imm, sz);
                    if (ao != 7) setReg(d.dst, sz, res);
                    break sw;
                }
                case DecodedInsn.ALU_RI8: {
                    rex = d.rex;
                    int ao = d.sub;
                    long res = alu(ao, getReg(d.dst, 1), d.imm, 1);
                    if (ao != 7) setReg(d.dst, 1, res);
                    break sw;
                }
                case DecodedInsn.ALU_RM: {
                    rex = d.rex;
                    int ao = d.sub, sz = d.size;
                    long s = read(ea(d), sz);
                    long res = alu(ao, getReg(d.dst, sz), s, sz);
                    if (ao != 7) setReg(d.dst, sz, res);
                    break sw;
                }
                case DecodedInsn.ALU_MR: {
                    rex = d.rex;
                    int ao = d.sub, sz = d.size;
                    long a = ea(d);
                    long v = read(a, sz);
                    long res = alu(ao, v, getReg(d.src, sz), sz);
                    if (ao != 7) write(a, sz, res);
                    break sw;
                }
                case DecodedInsn.ALU_MI: {
                    int ao = d.sub, sz = d.size;
                    long a = ea(d);
                    long v = read(a, sz);
                    long res = alu(ao, v, d.imm, sz);
                    if (ao != 7) write(a, sz, res);
                    break sw;
                }
                case DecodedInsn.TEST_RR: {
                    rex = d.rex;
                    int sz = d.size;
                    long m = MASK[sz];
                    long v = getReg(d.dst, sz) & m, s = getReg(d.src, sz) & m;
                    lazy(OP_LOGIC, v, s, v & s, sz);
                    break sw;
                }
                case DecodedInsn.TEST_RI: {
                    rex = d.rex;
                    int sz = d.size;
                    long m = MASK[sz];
                    long v = getReg(d.dst, sz) & m, s = d.imm & m;
                    lazy(OP_LOGIC, v, s, v & s, sz);
                    break sw;
                }
                case DecodedInsn.TEST_MR: {
                    rex = d.rex;
                    int sz = d.size;
                    long m = MASK[sz];
                    long v = read(ea(d), sz) & m, s = getReg(d.src, sz) & m;
                    lazy(OP_LOGIC, v, s, v & s, sz);
                    break sw;
                }
                case DecodedInsn.TEST_MI: {
                    int sz = d.size;
                    long m = MASK[sz];
                    long v = read(ea(d), sz) & m, s = d.imm & m;
                    lazy(OP_LOGIC, v, s, v & s, sz);
                    break sw;
                }
                case DecodedInsn.SHIFT_RI64: { // SHL/SHR/SAR r64, imm with a non-zero masked count
                    int cnt = (int) d.imm & 0x3F;
                    long v = r[d.dst];
                    long res;
                    switch (d.sub) {
                        case 4: lcf = (v >>> (64 - cnt)) & 1; res = v << cnt; lazy(OP_SHL, v, 0, res, 8); break;
                        case 5: lcf = (v >>> (cnt - 1)) & 1; res = v >>> cnt; lazy(OP_SHR, v, 0, res, 8); break;
                        default: lcf = (v >> (cnt - 1)) & 1; res = v >> cnt; lazy(OP_SAR, v, 0, res, 8); break;
                    }
                    r[d.dst] = res;
                    break sw;
                }
                case DecodedInsn.SHIFT_R: {
                    rex = d.rex;
                    int sz = d.size;
                    long v = getReg(d.dst, sz);
                    int cnt = d.cl ? (int) r[1] & 0xFF : (int) d.imm;
                    if ((cnt & (sz == 8 ? 0x3F : 0x1F)) == 0) {
                        if (sz == 4) r[d.dst] &= 0xFFFFFFFFL;
                        break sw;
                    }
                    setReg(d.dst, sz, shift(d.sub, v, cnt, sz, !d.cl));
                    break sw;
                }
                case DecodedInsn.SHIFT_M: {
                    int sz = d.size;
                    long a = ea(d);
                    long v = read(a, sz);
                    int cnt = d.cl ? (int) r[1] & 0xFF : (int) d.imm;
                    if ((cnt & (sz == 8 ? 0x3F : 0x1F)) == 0) break sw;
                    write(a, sz, shift(d.sub, v, cnt, sz, false));
                    break sw;
                }
                case DecodedInsn.IMUL_RR64: {
                    long a = r[d.dst], b = r[d.src];
                    long res = a * b;
                    lcf = Math.multiplyHigh(a, b) != (res >> 63) ? 1 : 0;
                    lazy(OP_MUL, 0, 0, res, 8);
                    r[d.dst] = res;
                    break sw;
                }
                case DecodedInsn.IMUL_RR: { int sz = d.size; setReg(d.dst, sz, imul2(getReg(d.dst, sz), getReg(d.src, sz), sz)); break sw; }
                case DecodedInsn.IMUL_RM: {
                    int sz = d.size;
                    long v = read(ea(d), sz);
                    setReg(d.dst, sz, imul2(getReg(d.dst, sz), v, sz));
                    break sw;
                }
                case DecodedInsn.IMUL3_R: { int sz = d.size; setReg(d.dst, sz, imul2(getReg(d.src, sz), d.imm, sz)); break sw; }
                case DecodedInsn.IMUL3_M: {
                    int sz = d.size;
                    long v = read(ea(d), sz);
                    setReg(d.dst, sz, imul2(v, d.imm, sz));
                    break sw;
                }
                case DecodedInsn.JCC: if (cond(d.sub)) nip += d.imm; break sw;
                case DecodedInsn.JMP: nip += d.imm; break sw;
                case DecodedInsn.CALL: push(nip, 8); nip += d.imm; break sw;
                case DecodedInsn.RET: nip = pop(8); break sw;
                case DecodedInsn.PUSH_R: push(r[d.src], 8); break sw;
                case DecodedInsn.POP_R: { long v = pop(8); r[d.dst] = v; break sw; }
                case DecodedInsn.PUSH_I: push(d.imm, 8); break sw;
                case DecodedInsn.LEA: setReg(d.dst, d.size, ea(d)); break sw;
                case DecodedInsn.MOVX_R: {
                    rex = d.rex;
                    long v;
                    switch (d.sub) {
                        case 0: v = getReg(d.src, 1); break;
                        case 1: v = getReg(d.src, 2); break;
                        case 2: v = (byte) getReg(d.src, 1); break;
                        default: v = (short) getReg(d.src, 2); break;
                    }
                    setReg(d.dst, d.size, v);
                    break sw;
                }
                case DecodedInsn.MOVX_M: {
                    long a = ea(d);
                    long v;
                    switch (d.sub) {
                        case 0: v = read(a, 1); break;
                        case 1: v = read(a, 2); break;
                        case 2: v = (byte) read(a, 1); break;
                        default: v = (short) read(a, 2); break;
                    }
                    setReg(d.dst, d.size, v);
                    break sw;
                }
                case DecodedInsn.MOVSXD_R: movsxd(d, getReg(d.src, 4)); break sw;
                case DecodedInsn.MOVSXD_M: movsxd(d, read(ea(d), 4)); break sw;
                case DecodedInsn.CMOV_R: cmov(d, getReg(d.src, d.size)); break sw;
                case DecodedInsn.CMOV_M: cmov(d, read(ea(d), d.size)); break sw;
                case DecodedInsn.SETCC_R: rex = d.rex; setReg(d.dst, 1, cond(d.sub) ? 1 : 0); break sw;
                case DecodedInsn.SETCC_M: { long a = ea(d); write(a, 1, cond(d.sub) ? 1 : 0); break sw; }
                case DecodedInsn.INCDEC_R: {
                    rex = d.rex;
                    int sz = d.size;
                    setReg(d.dst, sz, incDec(getReg(d.dst, sz), sz, d.sub == 1));
                    break sw;
                }
                case DecodedInsn.INCDEC_M: {
                    int sz = d.size;
                    long a = ea(d);
                    write(a, sz, incDec(read(a, sz), sz, d.sub == 1));
                    break sw;
                }
                case DecodedInsn.CALL_R: { long t = r[d.src]; push(nip, 8); nip = t; break sw; }
                case DecodedInsn.CALL_M: { long t = rd64(ea(d)); push(nip, 8); nip = t; break sw; }
                case DecodedInsn.JMP_R: nip = r[d.src]; break sw;
                case DecodedInsn.JMP_M: nip = rd64(ea(d)); break sw;
                case DecodedInsn.PUSH_M: push(rd64(ea(d)), 8); break sw;
                case DecodedInsn.LEAVE: {
                    long v = read(r[5], 8);
                    r[4] = r[5] + 8;
                    r[5] = v;
                    break sw;
                }
                case DecodedInsn.CDQE:
                    if (d.size == 8) r[0] = (int) r[0];
                    else r[0] = ((short) r[0]) & 0xFFFFFFFFL;
                    break sw;
                case DecodedInsn.CQO:
                    if (d.size == 8) r[2] = r[0] >> 63;
                    else r[2] = (((int) r[0]) >> 31) & 0xFFFFFFFFL;
                    break sw;
                default: throw new IllegalStateException("pre-decoded op " + op);
            }
            rip = nip;
            icount++;
            flags &= ~RF; // completed (no pre-decoded instruction loads RF)
            if (tf && !delivered) singleStepTrap();
            if (pendingExit != null) return;
            if (windowRequested && interruptible()) return;
        }
    }

    private static final long M32 = 0xFFFFFFFFL;

    private void lazy64(int op, long d, long s, long res) {
        lop = op;
        ldst = d;
        lsrc = s;
        lres = res;
        lsign = Long.MIN_VALUE;
    }

    private void lazy32(int op, long d, long s, long res) {
        lop = op;
        ldst = d;
        lsrc = s;
        lres = res;
        lsign = 0x80000000L;
    }

    private void movsxd(DecodedInsn d, long v) {
        if (d.size == 8) r[d.dst] = (int) v;
        else setReg(d.dst, d.size, v);
    }

    private void cmov(DecodedInsn d, long v) {
        if (cond(d.sub)) setReg(d.dst, d.size, v);
        else if (d.size == 4) r[d.dst] &= 0xFFFFFFFFL;
    }

    /**
     * RFLAGS.TF was set at the start of the instruction that just retired (or of one iteration of a REP
     * string instruction): a #DB trap with DR6.BS, delivered now or, when the instruction left an exit,
     * at the start of the next run.
     */
    private void singleStepTrap() {
        dr[6] |= 0x4000;
        if (pendingExit != null) tfTrapPending = true;
        else deliver(DB, 0, false, false, rip);
    }

    private void execLow(int b) {
        if (b < 0x40) {
            int form = b & 7;
            if (form < 6) {
                int op = b >> 3;
                switch (form) {
                    case 0: { modrm(0); long res = alu(op, op != 7 ? rmReadW(1) : rmRead(1), getReg(reg, 1), 1); if (op != 7) rmWrite(1, res); return; }
                    case 1: { modrm(0); long res = alu(op, op != 7 ? rmReadW(osz) : rmRead(osz), r[reg], osz); if (op != 7) rmWrite(osz, res); return; }
                    case 2: { modrm(0); long res = alu(op, getReg(reg, 1), rmRead(1), 1); if (op != 7) setReg(reg, 1, res); return; }
                    case 3: { modrm(0); long res = alu(op, r[reg], rmRead(osz), osz); if (op != 7) setReg(reg, osz, res); return; }
                    case 4: { long res = alu(op, r[0], imm(1), 1); if (op != 7) setReg(0, 1, res); return; }
                    default: { long res = alu(op, r[0], imm(immSize(osz)), osz); if (op != 7) setReg(0, osz, res); return; }
                }
            }
            throw ud(); // 0x06/07/0E/0F.. invalid in 64-bit mode (0x0F handled before)
        }
        if (b < 0x50) throw unsupported("REX"); // cannot happen
        if (b < 0x58) { push(r[(b & 7) | ((rex & 1) << 3)], stackSize()); return; }
        if (b < 0x60) {
            int i = (b & 7) | ((rex & 1) << 3);
            int sz = stackSize();
            long v = pop(sz);
            setReg(i, sz, v);
            return;
        }
        if (b >= 0x70) { // Jcc rel8
            long d = (byte) fetch8();
            if (cond(b & 0xF)) nip += d;
            return;
        }
        switch (b) {
            case 0x63: { // MOVSXD
                modrm(0);
                long v = rmRead(4);
                if (osz == 8) r[reg] = (int) v;
                else setReg(reg, osz, v);
                return;
            }
            case 0x68: push(imm(immSize(osz)), stackSize()); return;
            case 0x6A: push(imm(1), stackSize()); return;
            case 0x69: case 0x6B: {
                int is = b == 0x6B ? 1 : immSize(osz);
                modrm(is);
                long a = rmRead(osz);
                long c = imm(is);
                setReg(reg, osz, imul2(a, c, osz));
                return;
            }
            case 0x6C: case 0x6D: ins(b == 0x6C ? 1 : (osz == 8 ? 4 : osz)); return;
            case 0x6E: case 0x6F: outs(b == 0x6E ? 1 : (osz == 8 ? 4 : osz)); return;
            default: throw unsupported(null);
        }
    }

    private void execHigh(int b) {
        switch (b) {
            case 0x80: case 0x81: case 0x83: {
                int size = b == 0x80 ? 1 : osz;
                int is = b == 0x81 ? immSize(osz) : 1;
                modrm(is);
                int op = reg & 7;
                long d = op != 7 ? rmReadW(size) : rmRead(size);
                long res = alu(op, d, imm(is), size);
                if (op != 7) rmWrite(size, res);
                return;
            }
            case 0x84: case 0x85: {
                int size = b == 0x84 ? 1 : osz;
                modrm(0);
                long m = MASK[size];
                long d = rmRead(size) & m;
                long s = getReg(reg, size) & m;
                lazy(OP_LOGIC, d, s, d & s, size);
                return;
            }
            case 0x86: case 0x87: {
                int size = b == 0x86 ? 1 : osz;
                modrm(0);
                long d = rmReadW(size);
                long s = getReg(reg, size);
                rmWrite(size, s);
                setReg(reg, size, d);
                return;
            }
            case 0x88: modrm(0); rmWrite(1, getReg(reg, 1)); return;
            case 0x89: modrm(0); rmWrite(osz, r[reg]); return;
            case 0x8A: modrm(0); setReg(reg, 1, rmRead(1)); return;
            case 0x8B: modrm(0); setReg(reg, osz, rmRead(osz)); return;
            case 0x8C: {
                modrm(0);
                int s = reg & 7;
                if (s > 5) throw ud();
                if (mod == 3) setReg(rm, osz, segSel[s]);
                else wr16(ea, segSel[s]);
                return;
            }
            case 0x8D: {
                modrm(0);
                if (mod == 3) throw ud();
                setReg(reg, osz, ea - sbase);
                return;
            }
            case 0x8E: {
                modrm(0);
                int s = reg & 7;
                if (s == CS || s > 5) throw ud();
                loadDataSegment(s, (int) rmRead(2), true);
                if (s == SS) shadowAt = icount + 1;
                return;
            }
            case 0x8F: {
                modrm(0);
                if ((reg & 7) != 0) throw unsupported("8F /" + (reg & 7));
                int sz = stackSize();
                long v = read(r[4], sz);
                long old = r[4];
                r[4] += sz;
                if (mod != 3) { // SDM: an RSP-based address is computed after the pop's increment
                    long at = !eaRspBase ? ea : a32 ? ((ea - sbase + sz) & 0xFFFFFFFFL) + sbase : ea + sz;
                    try {
                        write(at, sz, v);
                    } catch (RuntimeException e) {
                        r[4] = old;
                        throw e;
                    }
                } else {
                    setReg(rm, sz, v);
                }
                return;
            }
            case 0x90: case 0x91: case 0x92: case 0x93: case 0x94: case 0x95: case 0x96: case 0x97: {
                int i = (b & 7) | ((rex & 1) << 3);
                if (i == 0) return; // NOP / PAUSE
                long t = getReg(i, osz);
                setReg(i, osz, getReg(0, osz));
                setReg(0, osz, t);
                return;
            }
            case 0x98:
                if (osz == 8) r[0] = (int) r[0];
                else if (osz == 4) r[0] = ((short) r[0]) & 0xFFFFFFFFL;
                else setReg(0, 2, (byte) r[0]);
                return;
            case 0x99:
                if (osz == 8) r[2] = r[0] >> 63;
                else if (osz == 4) r[2] = (((int) r[0]) >> 31) & 0xFFFFFFFFL;
                else setReg(2, 2, ((short) r[0]) >> 15);
                return;
            case 0x9C: push(rflags() & ~(RF | VM), stackSize()); return;
            case 0x9D: {
                int sz = stackSize();
                long v = pop(sz);
                popFlags(v, sz);
                return;
            }
            case 0x9E: { // SAHF
                materialize();
                long mask = SF | ZF | AF | PF | CF;
                flags = (flags & ~mask) | ((r[0] >>> 8) & mask);
                return;
            }
            case 0x9F: r[0] = (r[0] & ~0xFF00L) | (((rflags() & 0xD5) | 2) << 8); return;
            case 0xA0: case 0xA1: case 0xA2: case 0xA3: {
                long addr = (a32 ? fetch32() & 0xFFFFFFFFL : fetch64()) + sbase;
                int size = (b & 1) == 0 ? 1 : osz;
                if (b < 0xA2) setReg(0, size, read(addr, size));
                else write(addr, size, r[0]);
                return;
            }
            case 0xA4: case 0xA5: case 0xA6: case 0xA7: case 0xAA: case 0xAB: case 0xAC: case 0xAD: case 0xAE:
            case 0xAF:
                string(b);
                return;
            case 0xA8: {
                long d = r[0] & 0xFF, s = imm(1) & 0xFF;
                lazy(OP_LOGIC, d, s, d & s, 1);
                return;
            }
            case 0xA9: {
                long m = MASK[osz];
                long d = r[0] & m, s = imm(immSize(osz)) & m;
                lazy(OP_LOGIC, d, s, d & s, osz);
                return;
            }
            case 0xB0: case 0xB1: case 0xB2: case 0xB3: case 0xB4: case 0xB5: case 0xB6: case 0xB7:
                setReg((b & 7) | ((rex & 1) << 3), 1, fetch8());
                return;
            case 0xB8: case 0xB9: case 0xBA: case 0xBB: case 0xBC: case 0xBD: case 0xBE: case 0xBF: {
                int i = (b & 7) | ((rex & 1) << 3);
                if (osz == 8) r[i] = fetch64();
                else if (osz == 4) r[i] = fetch32() & 0xFFFFFFFFL;
                else setReg(i, 2, fetch16());
                return;
            }
            case 0xC0: case 0xC1: case 0xD0: case 0xD1: case 0xD2: case 0xD3: {
                int size = (b & 1) == 0 ? 1 : osz;
                modrm(b < 0xC2 ? 1 : 0);
                long d = rmReadW(size);
                int cnt = b < 0xC2 ? fetch8() : b < 0xD2 ? 1 : (int) r[1] & 0xFF;
                int c = cnt & (size == 8 ? 0x3F : 0x1F);
                if (c == 0) { // no flags change, but a 32-bit register destination is still zero-extended
                    if (size == 4 && mod == 3) r[rm] &= 0xFFFFFFFFL;
                    return;
                }
                long res = shift(reg & 7, d, cnt, size, b < 0xC2 && mod == 3);
                rmWrite(size, res);
                return;
            }
            case 0xC2: { int n = fetch16(); nip = pop(8); r[4] += n; return; }
            case 0xC3: nip = pop(8); return;
            case 0xC6: case 0xC7: {
                int size = b == 0xC6 ? 1 : osz;
                int is = b == 0xC6 ? 1 : immSize(osz);
                modrm(is);
                if ((reg & 7) != 0) throw unsupported(null);
                rmWrite(size, imm(is));
                return;
            }
            case 0xC8: enter(fetch16(), fetch8() & 0x1F); return;
            case 0xC9: {
                long v = read(r[5], 8);
                r[4] = r[5] + 8;
                r[5] = v;
                return;
            }
            case 0xCA: case 0xCB: farReturn(b == 0xCA ? fetch16() : 0); return;
            case 0xCC: deliver(BP, 0, false, true, nip); return;
            case 0xCD: { int v = fetch8(); deliver(v, 0, false, true, nip); return; }
            case 0xCF: iret(); return;
            case 0xD7: setReg(0, 1, rd8(((a32 ? r[3] & 0xFFFFFFFFL : r[3]) + (r[0] & 0xFF)) + sbase)); return;
            case 0xE0: case 0xE1: case 0xE2: case 0xE3: {
                long d = (byte) fetch8();
                long cnt = a32 ? r[1] & 0xFFFFFFFFL : r[1];
                boolean jump;
                if (b == 0xE3) {
                    jump = cnt == 0;
                } else {
                    cnt--;
                    if (a32) r[1] = cnt & 0xFFFFFFFFL;
                    else r[1] = cnt;
                    jump = (a32 ? cnt & 0xFFFFFFFFL : cnt) != 0;
                    if (b == 0xE0) jump &= !zf();
                    else if (b == 0xE1) jump &= zf();
                }
                if (jump) nip += d;
                return;
            }
            case 0xE4: case 0xE5: case 0xEC: case 0xED: {
                int port = b < 0xE8 ? fetch8() : (int) r[2] & 0xFFFF;
                int size = (b & 1) == 0 ? 1 : (osz == 8 ? 4 : osz);
                checkIo(port, size);
                pendingExit = new VmExit.PortIn(port, size);
                completion = C_IN;
                complSize = size;
                return;
            }
            case 0xE6: case 0xE7: case 0xEE: case 0xEF: {
                int port = b < 0xE8 ? fetch8() : (int) r[2] & 0xFFFF;
                int size = (b & 1) == 0 ? 1 : (osz == 8 ? 4 : osz);
                checkIo(port, size);
                pendingExit = new VmExit.PortOut(port, size, r[0] & MASK[size]);
                return;
            }
            case 0xE8: { long d = fetch32(); push(nip, 8); nip += d; return; }
            case 0xE9: { long d = fetch32(); nip += d; return; }
            case 0xEB: { long d = (byte) fetch8(); nip += d; return; }
            case 0xF4:
                if (cpl != 0) throw gp(0);
                pendingExit = new VmExit.Hlt((flags & IF) != 0);
                return;
            case 0xF5: materialize(); flags ^= CF; return;
            case 0xF6: case 0xF7: group3(b == 0xF6 ? 1 : osz); return;
            case 0xF8: setCf(false); return;
            case 0xF9: setCf(true); return;
            case 0xFA:
                if (cpl > ((flags >> 12) & 3)) throw gp(0);
                flags &= ~IF;
                return;
            case 0xFB:
                if (cpl > ((flags >> 12) & 3)) throw gp(0);
                if ((flags & IF) == 0) shadowAt = icount + 1;
                flags |= IF;
                return;
            case 0xFC: flags &= ~DF; return;
            case 0xFD: flags |= DF; return;
            case 0xFE: {
                modrm(0);
                int op = reg & 7;
                if (op > 1) throw unsupported(null);
                rmWrite(1, incDec(rmReadW(1), 1, op == 1));
                return;
            }
            case 0xFF: group5(); return;
            // ---- x87 hook (issue 13 item 1): ESC D8-DF and WAIT ----
            case 0xD8: case 0xD9: case 0xDA: case 0xDB: case 0xDC: case 0xDD: case 0xDE: case 0xDF:
                modrm(0);
                x87.escape(x87Host, b, mod, modrmByte >> 3 & 7, modrmByte & 7, ea, ea - sbase, rip, osz == 2);
                return;
            case 0x9B: x87.fwait(x87Host); return;
            // ---- end of x87 hook ----
            default: throw unsupported(null);
        }
    }

    private void group3(int size) {
        int peek = reg_peek();
        modrm(peek <= 1 ? (size == 1 ? 1 : immSize(size)) : 0);
        int op = reg & 7;
        long m = MASK[size];
        switch (op) {
            case 0: case 1: {
                long d = rmRead(size) & m;
                long s = imm(size == 1 ? 1 : immSize(size)) & m;
                lazy(OP_LOGIC, d, s, d & s, size);
                return;
            }
            case 2: rmWrite(size, ~rmReadW(size)); return;
            case 3: {
                long d = rmReadW(size) & m;
                long res = (-d) & m;
                lazy(OP_SUB, 0, d, res, size);
                rmWrite(size, res);
                return;
            }
            case 4: case 5: mul(op == 5, rmRead(size), size); return;
            default: div(op == 7, rmRead(size), size); return;
        }
    }

    /** The reg field of the ModRM byte at nip, without consuming it. */
    private int reg_peek() {
        long save = nip;
        int m = fetch8();
        nip = save;
        return (m >> 3) & 7;
    }

    private void group5() {
        modrm(0);
        int op = reg & 7;
        switch (op) {
            case 0: case 1: rmWrite(osz, incDec(rmReadW(osz), osz, op == 1)); return;
            case 2: { long t = rmRead(8); push(nip, 8); nip = t; return; }
            case 4: nip = rmRead(8); return;
            case 6: { int sz = stackSize(); push(rmRead(sz), sz); return; }
            default: throw unsupported("FF /" + op);
        }
    }

    private void mul(boolean signed, long v, int size) {
        long m = MASK[size];
        long a = r[0];
        boolean c;
        long lo;
        switch (size) {
            case 1: {
                long res = signed ? (long) (byte) a * (byte) v : (a & 0xFF) * (v & 0xFF);
                setReg(0, 2, res);
                lo = res & 0xFF;
                c = signed ? res != (byte) res : (res & 0xFF00) != 0;
                break;
            }
            case 2: {
                long res = signed ? (long) (short) a * (short) v : (a & 0xFFFF) * (v & 0xFFFF);
                setReg(0, 2, res);
                setReg(2, 2, res >> 16);
                lo = res & 0xFFFF;
                c = signed ? res != (short) res : ((res >>> 16) & 0xFFFF) != 0;
                break;
            }
            case 4: {
                long res = signed ? (long) (int) a * (int) v : (a & 0xFFFFFFFFL) * (v & 0xFFFFFFFFL);
                r[0] = res & 0xFFFFFFFFL;
                r[2] = (res >>> 32) & 0xFFFFFFFFL;
                lo = res & 0xFFFFFFFFL;
                c = signed ? res != (int) res : (res >>> 32) != 0;
                break;
            }
            default: {
                lo = a * v;
                long hi = signed ? Math.multiplyHigh(a, v) : Math.unsignedMultiplyHigh(a, v);
                r[0] = lo;
                r[2] = hi;
                c = signed ? hi != (lo >> 63) : hi != 0;
                break;
            }
        }
        setResultFlags(lo & m, size, c, c, false);
        if (intelFlags) flags &= ~ZF; // Intel clears ZF after MUL/IMUL
    }

    private long imul2(long a, long b, int size) {
        long res;
        boolean c;
        switch (size) {
            case 2: {
                long p = (long) (short) a * (short) b;
                res = p & 0xFFFF;
                c = p != (short) p;
                break;
            }
            case 4: {
                long p = (long) (int) a * (int) b;
                res = p & 0xFFFFFFFFL;
                c = p != (int) p;
                break;
            }
            default: {
                res = a * b;
                c = Math.multiplyHigh(a, b) != (res >> 63);
                break;
            }
        }
        lcf = c ? 1 : 0;
        lazy(OP_MUL, 0, 0, res, size);
        return res;
    }

    private void div(boolean signed, long v, int size) {
        switch (size) {
            case 1: {
                long dividend = signed ? (short) r[0] : r[0] & 0xFFFF;
                long d = signed ? (byte) v : v & 0xFF;
                if (d == 0) throw raise(DE, 0);
                long q = dividend / d, rem = dividend % d;
                if (signed ? q != (byte) q : q > 0xFF) throw raise(DE, 0);
                r[0] = (r[0] & ~0xFFFFL) | (q & 0xFF) | ((rem & 0xFF) << 8);
                return;
            }
            case 2: {
                long raw = ((r[2] & 0xFFFF) << 16) | (r[0] & 0xFFFF);
                long dividend = signed ? (int) raw : raw;
                long d = signed ? (short) v : v & 0xFFFF;
                if (d == 0) throw raise(DE, 0);
                long q = dividend / d, rem = dividend % d;
                if (signed ? q != (short) q : q > 0xFFFF) throw raise(DE, 0);
                setReg(0, 2, q);
                setReg(2, 2, rem);
                return;
            }
            case 4: {
                long raw = ((r[2] & 0xFFFFFFFFL) << 32) | (r[0] & 0xFFFFFFFFL);
                if (signed) {
                    long d = (int) v;
                    if (d == 0) throw raise(DE, 0);
                    if (raw == Long.MIN_VALUE && d == -1) throw raise(DE, 0);
                    long q = raw / d, rem = raw % d;
                    if (q != (int) q) throw raise(DE, 0);
                    r[0] = q & 0xFFFFFFFFL;
                    r[2] = rem & 0xFFFFFFFFL;
                } else {
                    long d = v & 0xFFFFFFFFL;
                    if (d == 0) throw raise(DE, 0);
                    long q = Long.divideUnsigned(raw, d), rem = Long.remainderUnsigned(raw, d);
                    if ((q >>> 32) != 0) throw raise(DE, 0);
                    r[0] = q;
                    r[2] = rem;
                }
                return;
            }
            default: {
                long hi = r[2], lo = r[0];
                if (v == 0) throw raise(DE, 0);
                if (signed) {
                    if (hi == (lo >> 63)) {
                        if (lo == Long.MIN_VALUE && v == -1) throw raise(DE, 0);
                        r[0] = lo / v;
                        r[2] = lo % v;
                    } else {
                        BigInteger n = BigInteger.valueOf(hi).shiftLeft(64).or(unsigned(lo));
                        BigInteger[] qr = n.divideAndRemainder(BigInteger.valueOf(v));
                        if (qr[0].bitLength() > 63) throw raise(DE, 0);
                        r[0] = qr[0].longValue();
                        r[2] = qr[1].longValue();
                    }
                } else {
                    if (hi == 0) {
                        r[0] = Long.divideUnsigned(lo, v);
                        r[2] = Long.remainderUnsigned(lo, v);
                    } else {
                        if (Long.compareUnsigned(hi, v) >= 0) throw raise(DE, 0);
                        BigInteger n = unsigned(hi).shiftLeft(64).or(unsigned(lo));
                        BigInteger[] qr = n.divideAndRemainder(unsigned(v));
                        r[0] = qr[0].longValue();
                        r[2] = qr[1].longValue();
                    }
                }
            }
        }
    }

    private static BigInteger unsigned(long v) {
        BigInteger b = BigInteger.valueOf(v & Long.MAX_VALUE);
        return v < 0 ? b.setBit(63) : b;
    }

    private void popFlags(long v, int sz) {
        long mask = CF | PF | AF | ZF | SF | TF | DF | OF | NT | AC | ID;
        int iopl = (int) (flags >> 12) & 3;
        if (cpl == 0) mask |= IOPL | IF;
        else if (cpl <= iopl) mask |= IF;
        if (sz == 2) mask &= 0xFFFF;
        long nf = (rflags() & ~mask) | (v & mask);
        setRflags(nf & ~(RF | VM));
    }

    private void enter(int size, int level) {
        push(r[5], 8);
        long frame = r[4];
        if (level > 0) {
            long bp = r[5];
            for (int i = 1; i < level; i++) {
                bp -= 8;
                push(read(bp, 8), 8);
            }
            push(frame, 8);
        }
        r[5] = frame;
        r[4] -= size;
    }

    // =====================================================================================
    // string instructions

    private long advance(long reg, long step) {
        return a32 ? (reg + step) & 0xFFFFFFFFL : reg + step;
    }

    private void string(int b) {
        int size = (b & 1) == 0 ? 1 : osz;
        long step = (flags & DF) != 0 ? -size : size;
        long amask = a32 ? 0xFFFFFFFFL : -1L;
        boolean repeat = rep != 0;
        int kind = b & 0xFE;
        for (int iter = 0;; iter++) {
            if (repeat && (r[1] & amask) == 0) return;
            long si = r[6] & amask, di = r[7] & amask;
            switch (kind) {
                case 0xA4: write(di, size, read(si + sbase, size)); r[6] = advance(r[6], step); r[7] = advance(r[7], step); break;
                case 0xAA: write(di, size, r[0]); r[7] = advance(r[7], step); break;
                case 0xAC: setReg(0, size, read(si + sbase, size)); r[6] = advance(r[6], step); break;
                case 0xA6: {
                    long a = read(si + sbase, size), c = read(di, size);
                    alu(7, a, c, size);
                    r[6] = advance(r[6], step);
                    r[7] = advance(r[7], step);
                    break;
                }
                default: { // 0xAE SCAS
                    long c = read(di, size);
                    alu(7, r[0], c, size);
                    r[7] = advance(r[7], step);
                    break;
                }
            }
            if (!repeat) return;
            r[1] = advance(r[1], -1);
            if (kind == 0xA6 || kind == 0xAE) {
                if (rep == 0xF3 && !zf()) return;
                if (rep == 0xF2 && zf()) return;
            }
            if ((r[1] & amask) == 0) return;
            if (pendingExit != null || iter >= 16383 || stepTf) { // yield: the instruction resumes on the next step
                nip = rip;
                icount--;
                return;
            }
        }
    }

    private void outs(int size) {
        int port = (int) r[2] & 0xFFFF;
        checkIo(port, size);
        long amask = a32 ? 0xFFFFFFFFL : -1L;
        if (rep != 0 && (r[1] & amask) == 0) return;
        long v = read((r[6] & amask) + sbase, size);
        r[6] = advance(r[6], (flags & DF) != 0 ? -size : size);
        pendingExit = new VmExit.PortOut(port, size, v);
        if (rep != 0) {
            r[1] = advance(r[1], -1);
            if ((r[1] & amask) != 0) {
                nip = rip;
                icount--;
            }
        }
    }

    private void ins(int size) {
        int port = (int) r[2] & 0xFFFF;
        checkIo(port, size);
        long amask = a32 ? 0xFFFFFFFFL : -1L;
        if (rep != 0 && (r[1] & amask) == 0) return;
        long di = r[7] & amask;
        probeWrite(di, size);
        pendingExit = new VmExit.PortIn(port, size);
        completion = C_INS;
        complSize = size;
        complNext = nip;
        complRep = rep != 0;
        complReg = a32 ? 1 : 0;
        nip = rip; // completed in complete()
        icount--;
    }

    /** Completes INS with the port value: stores it, advances RDI/RCX, retires when done. */
    void completeIns(long value) {
        boolean wasA32 = complReg == 1;
        a32 = wasA32;
        long amask = wasA32 ? 0xFFFFFFFFL : -1L;
        write(r[7] & amask, complSize, value);
        r[7] = advance(r[7], (flags & DF) != 0 ? -complSize : complSize);
        boolean done = true;
        if (complRep) {
            r[1] = advance(r[1], -1);
            done = (r[1] & amask) == 0;
        }
        if (done) {
            rip = complNext;
            icount++;
            completedRf();
        }
    }

    // =====================================================================================
    // far control transfers

    private long codeDescriptor(int sel) {
        if ((sel & 0xFFFC) == 0) throw gp(0);
        long d = descriptor(sel);
        int attr = descAttr(d);
        if ((attr & 0x18) != 0x18) throw gp(sel & 0xFFFC);
        if ((attr & 0x80) == 0) throw raise(NP, sel & 0xFFFC);
        if (((attr >> 13) & 1) == 0) throw unsupported("compatibility-mode code segment 0x" + Integer.toHexString(sel));
        return d;
    }

    private void farReturn(int extra) {
        int sz = osz == 8 ? 8 : osz == 2 ? 2 : 4;
        long sp = r[4];
        long newRip = read(sp, sz);
        int newCs = (int) read(sp + sz, sz) & 0xFFFF;
        int rpl = newCs & 3;
        if (rpl < cpl) throw gp(newCs & 0xFFFC);
        long d = codeDescriptor(newCs);
        if (rpl == cpl) {
            loadCs(newCs, d, true);
            r[4] = sp + 2L * sz + extra;
        } else {
            long newRsp = read(sp + 2L * sz + extra, sz);
            int newSs = (int) read(sp + 3L * sz + extra, sz) & 0xFFFF;
            loadCs(newCs, d, true);
            loadDataSegment(SS, newSs, true);
            r[4] = newRsp + extra;
            nullDataSegments();
        }
        nip = newRip;
    }

    private void nullDataSegments() {
        for (int s : new int[] {ES, DS, FS, GS}) {
            int attr = segAttr[s];
            if ((attr & (1 << 16)) != 0) continue;
            int dpl = (attr >> 5) & 3;
            boolean conformingCode = (attr & 0x1C) == 0x1C;
            if (dpl < cpl && !conformingCode) {
                segSel[s] = 0;
                segAttr[s] = 1 << 16;
            }
        }
    }

    private void iret() {
        int sz = osz == 8 ? 8 : osz == 2 ? 2 : 4;
        if ((flags & NT) != 0) throw unsupported("IRET with NT (task return)");
        long sp = r[4];
        long newRip = read(sp, sz);
        int newCs = (int) read(sp + sz, sz) & 0xFFFF;
        long newFl = read(sp + 2L * sz, sz);
        long newRsp = read(sp + 3L * sz, sz);
        int newSs = (int) read(sp + 4L * sz, sz) & 0xFFFF;
        int rpl = newCs & 3;
        if (rpl < cpl) throw gp(newCs & 0xFFFC);
        long d = codeDescriptor(newCs);
        long mask = CF | PF | AF | ZF | SF | TF | DF | OF | NT | RF | AC | ID | VIF | VIP;
        int iopl = (int) (flags >> 12) & 3;
        if (cpl == 0) mask |= IOPL | IF;
        else if (cpl <= iopl) mask |= IF;
        if (sz == 2) mask &= 0xFFFF;
        long nf = (rflags() & ~mask) | (newFl & mask);
        int oldCpl = cpl;
        try {
            loadCs(newCs, d, false);
            loadDataSegment(SS, newSs, false);
        } catch (Fault f) {
            setCpl(oldCpl);
            throw f;
        }
        setRflags(nf);
        rfLoaded = (nf & RF) != 0;
        r[4] = newRsp;
        if (rpl > oldCpl) nullDataSegments();
        nip = newRip;
    }

    // =====================================================================================
    // 0F xx

    private void exec0F(int b) {
        if (b >= 0x80 && b <= 0x8F) { // Jcc rel32
            long d = fetch32();
            if (cond(b & 0xF)) nip += d;
            return;
        }
        if (b >= 0x40 && b <= 0x4F) { // CMOVcc
            modrm(0);
            long v = rmRead(osz);
            if (cond(b & 0xF)) setReg(reg, osz, v);
            else if (osz == 4) r[reg] &= 0xFFFFFFFFL;
            return;
        }
        if (b >= 0x90 && b <= 0x9F) { // SETcc
            modrm(0);
            rmWrite(1, cond(b & 0xF) ? 1 : 0);
            return;
        }
        if (b >= 0xC8) { // BSWAP
            int i = (b & 7) | ((rex & 1) << 3);
            if (osz == 8) r[i] = Long.reverseBytes(r[i]);
            else if (osz == 4) r[i] = Integer.reverseBytes((int) r[i]) & 0xFFFFFFFFL;
            else throw unsupported("bswap r16");
            return;
        }
        switch (b) {
            case 0x00: group6(); return;
            case 0x01: group7(); return;
            case 0x05: syscall(); return;
            case 0x06: if (cpl != 0) throw gp(0); cr0 &= ~CR0_TS; return;
            case 0x07: sysret(); return;
            case 0x08: case 0x09: if (cpl != 0) throw gp(0); return; // INVD/WBINVD
            case 0x0B: throw ud();
            case 0x0D: case 0x18: case 0x19: case 0x1A: case 0x1B: case 0x1C: case 0x1D: case 0x1E: case 0x1F:
                modrm(0);
                return; // prefetch / hint NOPs
            case 0x20: case 0x22: movCr(b == 0x22); return;
            case 0x21: case 0x23: {
                regModrm();
                if (cpl != 0) throw gp(0);
                int n = reg & 7;
                if (b == 0x21) r[rm] = dr[n];
                else dr[n] = r[rm];
                return;
            }
            case 0x30: wrmsr(); return;
            case 0x31:
                pendingExit = new VmExit.Nondeterministic(VmExit.Insn.RDTSC, 0);
                completion = C_EDXEAX;
                return;
            case 0x32: rdmsr(); return;
            case 0x33:
                pendingExit = new VmExit.Nondeterministic(VmExit.Insn.RDPMC, (int) r[1]);
                completion = C_EDXEAX;
                return;
            case 0xA0: push(segSel[FS], stackSize()); return;
            case 0xA8: push(segSel[GS], stackSize()); return;
            case 0xA1: case 0xA9: {
                int s = b == 0xA1 ? FS : GS;
                int sz = stackSize();
                long v = read(r[4], sz);
                loadDataSegment(s, (int) v & 0xFFFF, true);
                r[4] += sz;
                return;
            }
            case 0xA2:
                pendingExit = new VmExit.Cpuid((int) r[0], (int) r[1]);
                completion = C_CPUID;
                return;
            case 0xA3: modrm(0); bitOp(0, r[reg], true); return;
            case 0xAB: modrm(0); bitOp(1, r[reg], true); return;
            case 0xB3: modrm(0); bitOp(2, r[reg], true); return;
            case 0xBB: modrm(0); bitOp(3, r[reg], true); return;
            case 0xBA: {
                modrm(1);
                int op = reg & 7;
                if (op < 4) throw ud();
                bitOp(op - 4, fetch8(), false);
                return;
            }
            case 0xA4: case 0xA5: case 0xAC: case 0xAD: {
                modrm((b & 1) == 0 ? 1 : 0);
                long d = rmReadW(osz);
                int cnt = (b & 1) == 0 ? fetch8() : (int) r[1] & 0xFF;
                if ((cnt & (osz == 8 ? 0x3F : 0x1F)) == 0) {
                    if (osz == 4 && mod == 3) r[rm] &= 0xFFFFFFFFL;
                    return;
                }
                rmWrite(osz, shiftDouble(b < 0xA8, d, getReg(reg, osz), cnt, osz));
                return;
            }
            case 0xAE: group15(); return;
            case 0xAF: { modrm(0); long v = rmRead(osz); setReg(reg, osz, imul2(getReg(reg, osz), v, osz)); return; }
            case 0xB0: case 0xB1: {
                int size = b == 0xB0 ? 1 : osz;
                modrm(0);
                long d = rmReadW(size);
                long acc = getReg(0, size);
                alu(7, acc, d, size);
                if ((acc & MASK[size]) == (d & MASK[size])) {
                    rmWrite(size, getReg(reg, size));
                } else {
                    if (mod != 3) write(ea, size, d);
                    setReg(0, size, d);
                }
                return;
            }
            case 0xB6: modrm(0); setReg(reg, osz, rmRead(1)); return;
            case 0xB7: modrm(0); setReg(reg, osz, rmRead(2)); return;
            case 0xBE: modrm(0); setReg(reg, osz, (byte) rmRead(1)); return;
            case 0xBF: modrm(0); setReg(reg, osz, (short) rmRead(2)); return;
            case 0xB8: {
                if (rep != 0xF3) throw unsupported(null);
                modrm(0);
                long v = rmRead(osz) & MASK[osz];
                setReg(reg, osz, Long.bitCount(v));
                materialize();
                flags = (flags & ~ARITH) | (v == 0 ? ZF : 0);
                return;
            }
            case 0xBC: case 0xBD: bitScan(b == 0xBD); return;
            case 0xC0: case 0xC1: {
                int size = b == 0xC0 ? 1 : osz;
                modrm(0);
                long d = rmReadW(size);
                long s = getReg(reg, size);
                long res = alu(0, d, s, size);
                setReg(reg, size, d);
                rmWrite(size, res);
                return;
            }
            case 0xC7: group9(); return;
            case 0x77: x87.emms(x87Host); return; // x87 hook (issue 13 item 1): EMMS
            default: throw unsupported(null);
        }
    }

    private void bitOp(int op, long offset, boolean regOffset) {
        int size = osz;
        int bits = size * 8;
        long v;
        int bit;
        long addr = 0;
        if (mod == 3) {
            v = getReg(rm, size);
            bit = (int) offset & (bits - 1);
        } else {
            addr = ea;
            if (regOffset) {
                long so = (offset << (64 - bits)) >> (64 - bits);
                addr += (so >> Integer.numberOfTrailingZeros(bits)) * size;
                bit = (int) so & (bits - 1);
            } else {
                bit = (int) offset & (bits - 1);
            }
            v = op != 0 ? readRmw(addr, size) : read(addr, size);
        }
        boolean c = ((v >>> bit) & 1) != 0;
        if (op != 0) {
            long nv = op == 1 ? v | (1L << bit) : op == 2 ? v & ~(1L << bit) : v ^ (1L << bit);
            if (mod == 3) setReg(rm, size, nv);
            else write(addr, size, nv);
        }
        setCf(c);
    }

    private void bitScan(boolean reverse) {
        modrm(0);
        long v = rmRead(osz) & MASK[osz];
        int bits = osz * 8;
        materialize();
        if (rep == 0xF3) { // TZCNT / LZCNT
            int n = reverse ? Long.numberOfLeadingZeros(v) - (64 - bits) : (v == 0 ? bits : Long.numberOfTrailingZeros(v));
            setReg(reg, osz, n);
            // Intel (measured natively, issue 13 item 4): OF, SF, AF, PF = 0; AMD: not measured, unchanged
            long f = flags & ~(intelFlags ? ARITH : CF | ZF);
            if (v == 0) f |= CF;
            if (n == 0) f |= ZF;
            flags = f;
            return;
        }
        if (v == 0) {
            // Intel: CF, OF, SF, AF = 0, PF = 1 (destination unchanged)
            flags = intelFlags ? (flags & ~ARITH) | ZF | PF : flags | ZF;
            return;
        }
        int n = reverse ? 63 - Long.numberOfLeadingZeros(v) : Long.numberOfTrailingZeros(v);
        // Intel: CF, OF, SF, AF = 0, PF from the index
        flags = intelFlags ? (flags & ~ARITH) | (parity(n) ? PF : 0) : flags & ~ZF;
        setReg(reg, osz, n);
    }

    private void group6() {
        modrm(0);
        int op = reg & 7;
        switch (op) {
            case 0: if (mod == 3) setReg(rm, osz, ldtSel); else wr16(ea, ldtSel); return;
            case 1: if (mod == 3) setReg(rm, osz, trSel); else wr16(ea, trSel); return;
            case 2: {
                if (cpl != 0) throw gp(0);
                int sel = (int) rmRead(2) & 0xFFFF;
                if ((sel & 0xFFFC) == 0) {
                    ldtSel = sel;
                    ldtAttr = 1 << 16;
                    return;
                }
                if ((sel & 4) != 0) throw gp(sel & 0xFFFC);
                long lo = descriptor(sel);
                long hi = sysRead(gdtBase + (sel & ~7) + 8, 8);
                int attr = descAttr(lo);
                if ((attr & 0x1F) != 2) throw gp(sel & 0xFFFC);
                if ((attr & 0x80) == 0) throw raise(NP, sel & 0xFFFC);
                ldtSel = sel;
                ldtAttr = attr;
                ldtLimit = descLimit(lo);
                ldtBase = descBase(lo) | (hi << 32);
                return;
            }
            case 3: {
                if (cpl != 0) throw gp(0);
                int sel = (int) rmRead(2) & 0xFFFF;
                if ((sel & 0xFFFC) == 0 || (sel & 4) != 0) throw gp(sel & 0xFFFC);
                long lo = descriptor(sel);
                long hi = sysRead(gdtBase + (sel & ~7) + 8, 8);
                int attr = descAttr(lo);
                if ((attr & 0x1F) != 9) throw gp(sel & 0xFFFC);
                if ((attr & 0x80) == 0) throw raise(NP, sel & 0xFFFC);
                sysWrite(gdtBase + (sel & ~7) + 5, 1, ((lo >>> 40) & 0xFF) | 2); // busy
                trSel = sel;
                trAttr = attr | 2;
                trLimit = descLimit(lo);
                trBase = descBase(lo) | (hi << 32);
                return;
            }
            default: throw unsupported("0F 00 /" + op);
        }
    }

    private void group7() {
        modrm(0);
        int op = reg & 7;
        if (mod == 3) {
            int full = 0xC0 | (op << 3) | (rm & 7);
            switch (full) {
                case 0xC1: // VMCALL
                    pendingExit = new VmExit.Hypercall(r[0], r[3], r[1], r[2], r[6]);
                    completion = C_HYPERCALL;
                    return;
                case 0xF8: { // SWAPGS
                    if (cpl != 0) throw ud();
                    long t = segBase[GS];
                    segBase[GS] = kernelGsBase;
                    kernelGsBase = t;
                    return;
                }
                case 0xF9: // RDTSCP
                    pendingExit = new VmExit.Nondeterministic(VmExit.Insn.RDTSCP, 0);
                    completion = C_RDTSCP;
                    return;
                default:
                    if (op == 4) { setReg(rm, osz, cr0 & 0xFFFF); return; } // SMSW
                    throw unsupported(null);
            }
        }
        switch (op) {
            case 0: wr16(ea, gdtLimit); wr64(ea + 2, gdtBase); return;
            case 1: wr16(ea, idtLimit); wr64(ea + 2, idtBase); return;
            case 2: case 3: {
                if (cpl != 0) throw gp(0);
                int limit = rd16(ea);
                long base = rd64(ea + 2);
                if (op == 2) {
                    gdtLimit = limit;
                    gdtBase = base;
                } else {
                    idtLimit = limit;
                    idtBase = base;
                }
                return;
            }
            case 4: wr16(ea, cr0 & 0xFFFF); return;
            case 7:
                if (cpl != 0) throw gp(0);
                flushTlb();
                return;
            default: throw unsupported("0F 01 /" + op);
        }
    }

    private void group9() {
        modrm(0);
        int op = reg & 7;
        if (mod == 3) {
            if (op == 6 || op == 7) {
                pendingExit = new VmExit.Nondeterministic(op == 6 ? VmExit.Insn.RDRAND : VmExit.Insn.RDSEED, 0);
                completion = C_RAND;
                complReg = rm;
                complSize = osz;
                return;
            }
            throw unsupported(null);
        }
        if (op != 1) throw unsupported(null);
        if (osz == 8) { // CMPXCHG16B
            if ((ea & 15) != 0) throw gp(0);
            probeWrite(ea, 16); // before the reads: a fault reports a write
            long lo = rd64(ea), hi = rd64(ea + 8);
            boolean eq = lo == r[0] && hi == r[2];
            if (eq) {
                wr64(ea, r[3]);
                wr64(ea + 8, r[1]);
            } else {
                wr64(ea, lo);
                wr64(ea + 8, hi);
                r[0] = lo;
                r[2] = hi;
            }
            materialize();
            flags = eq ? flags | ZF : flags & ~ZF;
        } else { // CMPXCHG8B
            long m = readRmw(ea, 8);
            long edxEax = ((r[2] & 0xFFFFFFFFL) << 32) | (r[0] & 0xFFFFFFFFL);
            boolean eq = m == edxEax;
            if (eq) {
                wr64(ea, ((r[1] & 0xFFFFFFFFL) << 32) | (r[3] & 0xFFFFFFFFL));
            } else {
                wr64(ea, m);
                r[0] = m & 0xFFFFFFFFL;
                r[2] = m >>> 32;
            }
            materialize();
            flags = eq ? flags | ZF : flags & ~ZF;
        }
    }

    private void group15() {
        modrm(0);
        int op = reg & 7;
        if (mod == 3) {
            if (op >= 5) return; // LFENCE, MFENCE, SFENCE
            throw unsupported(null);
        }
        if (op == 7) return; // CLFLUSH
        // x87 hook (issue 13 item 2): FXSAVE/FXRSTOR (REX.W: the 64-bit forms)
        if (op == 0) { x87.fxsave(x87Host, ea, (rex & 8) != 0); return; }
        if (op == 1) { x87.fxrstor(x87Host, ea, (rex & 8) != 0); return; }
        throw unsupported("0F AE /" + op + " (x87/SSE state is not implemented)");
    }

    /** MOV to/from CR/DR: the ModRM always names a register (mod is ignored). */
    private void regModrm() {
        int m = fetch8();
        mod = 3;
        reg = ((m >> 3) & 7) | ((rex & 4) << 1);
        rm = (m & 7) | ((rex & 1) << 3);
    }

    private void movCr(boolean write) {
        regModrm();
        if (cpl != 0) throw gp(0);
        int n = reg; // REX.R selects CR8
        if (!write) {
            long v;
            switch (n) {
                case 0: v = cr0; break;
                case 2: v = cr2; break;
                case 3: v = cr3; break;
                case 4: v = cr4; break;
                case 8: v = cr8; break;
                default: throw ud();
            }
            r[rm] = v;
            return;
        }
        long v = r[rm];
        switch (n) {
            case 0:
                if ((v & CR0_PG) == 0 && (efer & EFER_LMA) != 0) throw unsupported("leaving long mode");
                cr0 = v | 0x10;
                flushTlb();
                return;
            case 2: cr2 = v; return;
            case 3: cr3 = v; flushTlb(); return;
            case 4:
                if ((v & 0x20) == 0 && (efer & EFER_LMA) != 0) throw gp(0);
                cr4 = v;
                flushTlb();
                return;
            case 8: cr8 = v & 0xF; return;
            default: throw ud();
        }
    }

    private void syscall() {
        if ((efer & EFER_SCE) == 0) throw ud();
        r[1] = nip;
        r[11] = rflags() & ~RF;
        int sel = (int) (star >>> 32) & 0xFFFC;
        segSel[CS] = sel;
        segAttr[CS] = 0xB | 1 << 4 | 1 << 7 | 1 << 13 | 1 << 15;
        segBase[CS] = 0;
        segLimit[CS] = 0xFFFFFFFF;
        segSel[SS] = sel + 8;
        segAttr[SS] = 0x3 | 1 << 4 | 1 << 7 | 1 << 14 | 1 << 15;
        segBase[SS] = 0;
        segLimit[SS] = 0xFFFFFFFF;
        setRflags(rflags() & ~sfmask & ~RF);
        setCpl(0);
        nip = lstar;
    }

    private void sysret() {
        if ((efer & EFER_SCE) == 0) throw ud();
        if (cpl != 0) throw gp(0);
        if (osz != 8) throw unsupported("SYSRET to compatibility mode");
        if (!canonical(r[1])) throw gp(0);
        int sel = (int) (star >>> 48) & 0xFFFF;
        segSel[CS] = (sel + 16) | 3;
        segAttr[CS] = 0xB | 1 << 4 | 3 << 5 | 1 << 7 | 1 << 13 | 1 << 15;
        segBase[CS] = 0;
        segLimit[CS] = 0xFFFFFFFF;
        segSel[SS] = (sel + 8) | 3;
        segAttr[SS] = 0x3 | 1 << 4 | 3 << 5 | 1 << 7 | 1 << 14 | 1 << 15;
        segBase[SS] = 0;
        segLimit[SS] = 0xFFFFFFFF;
        setRflags((r[11] & 0x3C7FD7L) | 2);
        setCpl(3);
        nip = r[1];
    }

    // =====================================================================================
    // MSRs the CPU holds itself (like KVM does); others leave as exits

    static final int MSR_TSC = 0x10, MSR_APIC_BASE = 0x1B, MSR_SYSENTER_CS = 0x174, MSR_SYSENTER_ESP = 0x175,
            MSR_SYSENTER_EIP = 0x176, MSR_PAT = 0x277, MSR_EFER = 0xC0000080, MSR_STAR = 0xC0000081,
            MSR_LSTAR = 0xC0000082, MSR_CSTAR = 0xC0000083, MSR_SFMASK = 0xC0000084, MSR_FS_BASE = 0xC0000100,
            MSR_GS_BASE = 0xC0000101, MSR_KERNEL_GS_BASE = 0xC0000102, MSR_TSC_AUX = 0xC0000103;

    boolean isInternalMsr(int index) {
        switch (index) {
            case MSR_APIC_BASE: case MSR_SYSENTER_CS: case MSR_SYSENTER_ESP: case MSR_SYSENTER_EIP: case MSR_PAT:
            case MSR_EFER: case MSR_STAR: case MSR_LSTAR: case MSR_CSTAR: case MSR_SFMASK: case MSR_FS_BASE:
            case MSR_GS_BASE: case MSR_KERNEL_GS_BASE: case MSR_TSC_AUX:
                return true;
            default:
                return false;
        }
    }

    long readInternalMsr(int index) {
        switch (index) {
            case MSR_APIC_BASE: return apicBase;
            case MSR_SYSENTER_CS: return sysenterCs;
            case MSR_SYSENTER_ESP: return sysenterEsp;
            case MSR_SYSENTER_EIP: return sysenterEip;
            case MSR_PAT: return pat;
            case MSR_EFER: return efer;
            case MSR_STAR: return star;
            case MSR_LSTAR: return lstar;
            case MSR_CSTAR: return cstar;
            case MSR_SFMASK: return sfmask;
            case MSR_FS_BASE: return segBase[FS];
            case MSR_GS_BASE: return segBase[GS];
            case MSR_KERNEL_GS_BASE: return kernelGsBase;
            case MSR_TSC_AUX: return tscAux;
            default: throw new IllegalArgumentException("MSR 0x" + Integer.toHexString(index));
        }
    }

    /** Returns false when the value is invalid (the guest gets #GP). */
    boolean writeInternalMsr(int index, long v) {
        switch (index) {
            case MSR_APIC_BASE: apicBase = v; return true;
            case MSR_SYSENTER_CS: sysenterCs = v; return true;
            case MSR_SYSENTER_ESP: sysenterEsp = v; return true;
            case MSR_SYSENTER_EIP: sysenterEip = v; return true;
            case MSR_PAT: pat = v; return true;
            case MSR_EFER: {
                if ((v & ~(EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE)) != 0) return false;
                long lma = efer & EFER_LMA;
                efer = (v & ~EFER_LMA) | lma;
                flushTlb();
                return true;
            }
            case MSR_STAR: star = v; return true;
            case MSR_LSTAR: if (!canonical(v)) return false; lstar = v; return true;
            case MSR_CSTAR: if (!canonical(v)) return false; cstar = v; return true;
            case MSR_SFMASK: sfmask = v & 0xFFFFFFFFL; return true;
            case MSR_FS_BASE: if (!canonical(v)) return false; segBase[FS] = v; return true;
            case MSR_GS_BASE: if (!canonical(v)) return false; segBase[GS] = v; return true;
            case MSR_KERNEL_GS_BASE: if (!canonical(v)) return false; kernelGsBase = v; return true;
            case MSR_TSC_AUX: tscAux = v & 0xFFFFFFFFL; return true;
            default: return false;
        }
    }

    private void rdmsr() {
        if (cpl != 0) throw gp(0);
        int index = (int) r[1];
        if (isInternalMsr(index)) {
            long v = readInternalMsr(index);
            r[0] = v & 0xFFFFFFFFL;
            r[2] = v >>> 32;
            return;
        }
        pendingExit = new VmExit.MsrRead(index);
        completion = C_EDXEAX;
    }

    private void wrmsr() {
        if (cpl != 0) throw gp(0);
        int index = (int) r[1];
        long v = (r[0] & 0xFFFFFFFFL) | (r[2] << 32);
        if (isInternalMsr(index)) {
            if (!writeInternalMsr(index, v)) throw gp(0);
            return;
        }
        pendingExit = new VmExit.MsrWrite(index, v);
    }
}
