package pcm.softcpu.internal.x87;

/**
 * The x87 FPU of the soft CPU (issue 13 item 1): executes the escape opcodes D8-DF, WAIT/FWAIT, EMMS,
 * and FXSAVE/FXRSTOR on an {@link X87State}, through the narrow {@link X87Host} interface.
 *
 * <p>Every instruction follows the same order so that a fault leaves the FPU untouched: the #NM and
 * pending-#MF checks, memory operands read, the result computed with its exception flags
 * ({@link Arith}), memory written, and only then registers, TOP and the status word. Unmasked
 * invalid-operation, denormal and zero-divide exceptions suppress the result (and the pop); unmasked
 * overflow/underflow deliver the exponent-wrapped result to registers and nothing to memory; each
 * unmasked exception sets ES/B and is reported as #MF by the next waiting instruction (CR0.NE=1).
 *
 * <p>Absent: the transcendental instructions (FSIN, FCOS, FSINCOS, FPTAN, FPATAN, F2XM1, FYL2X,
 * FYL2XP1); each stops the vCPU through {@link X87Host#unsupported} naming it.
 */
public final class X87Unit {

    public final X87State s;
    final Arith a = new Arith();
    /** FISTTP exists (SSE3): without it the DB/DD/DF /1 memory forms are #UD. */
    public boolean sse3;

    private X87Host h;
    /** Stack fault of the current instruction: 0 none, 1 underflow (C1=0), 2 overflow (C1=1). */
    int stackFault;
    private final X87Env env = new X87Env(this);

    public X87Unit(X87State state) {
        this.s = state;
    }

    // =====================================================================================
    // entry points

    /** WAIT/FWAIT (9B). */
    public void fwait(X87Host host) {
        long cr0 = host.cr0();
        if ((cr0 & X87Host.CR0_TS) != 0 && (cr0 & X87Host.CR0_MP) != 0) throw host.fault(X87.NM, 0);
        pending(host);
    }

    /** EMMS (0F 77): every register empty. */
    public void emms(X87Host host) {
        long cr0 = host.cr0();
        if ((cr0 & X87Host.CR0_EM) != 0) throw host.fault(X87.UD, 0);
        if ((cr0 & X87Host.CR0_TS) != 0) throw host.fault(X87.NM, 0);
        pending(host);
        s.empty = 0xFF;
        s.top = 0; // as every MMX instruction (measured)
    }

    /** FXSAVE / FXSAVE64 (0F AE /0, REX.W: {@code wide}) to linear address {@code ea}. */
    public void fxsave(X87Host host, long ea, boolean wide) { env.fxsave(host, ea, wide); }

    /** FXRSTOR / FXRSTOR64 (0F AE /1). */
    public void fxrstor(X87Host host, long ea, boolean wide) { env.fxrstor(host, ea, wide); }

    /**
     * One escape instruction: {@code op} the opcode byte D8-DF, the ModRM fields ({@code reg} and
     * {@code rm} 0-7), {@code ea} the linear address of a memory operand (mod != 3), {@code offset} its
     * offset without segment base (FDP), {@code insnAddr} the instruction's RIP (FIP), {@code o16} an
     * operand-size prefix (the 14/94-byte FSTENV/FSAVE formats).
     */
    public void escape(X87Host host, int op, int mod, int reg, int rm, long ea, long offset, long insnAddr, boolean o16) {
        h = host;
        long cr0 = host.cr0();
        if ((cr0 & (X87Host.CR0_EM | X87Host.CR0_TS)) != 0) throw host.fault(X87.NM, 0);
        int modrm = mod << 6 | reg << 3 | rm;
        int kind = X87Env.kind(op, mod, reg, modrm);
        if (kind == X87Env.UNDEFINED) throw host.fault(X87.UD, 0);
        if (kind == X87Env.WAITING_CONTROL || kind == X87Env.ARITH) pending(host);
        a.begin(s.fcw);
        stackFault = 0;
        if (mod == 3) register(op, reg, rm, modrm);
        else memory(op, reg, ea, o16);
        if (kind == X87Env.ARITH) updatePointers(host, op, mod, modrm, offset, insnAddr);
    }

    /**
     * The last-instruction pointers after a non-control instruction, by the vendor model ({@link FpuVendor}):
     * Intel updates FIP always, FOP and FDP only on an unmasked exception, FCS/FDS stay 0; AMD updates FOP,
     * FIP and FCS always, FDP and FDS with every memory operand.
     */
    private void updatePointers(X87Host host, int op, int mod, int modrm, long offset, long insnAddr) {
        s.fip = insnAddr;
        boolean amd = s.vendor() == FpuVendor.AMD;
        if (amd) s.fcs = host.codeSelector();
        if (amd || (a.exc & ~s.fcw & X87.EXC) != 0) {
            s.fop = (op & 7) << 8 | modrm;
            if (mod != 3) {
                s.fdp = offset;
                s.fds = amd ? host.dataSelector() : 0;
            }
        }
    }

    private void pending(X87Host host) {
        if ((s.fsw & X87.ES) == 0) return;
        if ((host.cr0() & X87Host.CR0_NE) == 0) {
            throw host.unsupported("x87 exception reporting through FERR#/IRQ 13 (CR0.NE=0)");
        }
        throw host.fault(X87.MF, 0);
    }

    // =====================================================================================
    // the stack

    int phys(int i) { return (s.top + i) & 7; }

    boolean isEmpty(int i) { return (s.empty >> phys(i) & 1) != 0; }

    /** ST(i); an empty register is a stack underflow (IE, SF, C1=0) and reads as the indefinite. */
    F80 st(int i) {
        if (isEmpty(i)) {
            a.exc |= X87.IE | X87.SF;
            stackFault = 1;
            return F80.INDEFINITE;
        }
        return s.reg[phys(i)];
    }

    void set(int i, F80 v) {
        int p = phys(i);
        s.reg[p] = v;
        s.empty &= ~(1 << p);
    }

    /** Before a push: ST(7) must be empty, else a stack overflow (IE, SF, C1=1); returns whether it was. */
    boolean roomToPush() {
        if (isEmpty(7)) return true;
        a.exc |= X87.IE | X87.SF;
        if (stackFault == 0) stackFault = 2; // an underflow found too wins: C1 = 0 (measured)
        return false;
    }

    void push(F80 v) {
        s.top = (s.top - 1) & 7;
        set(0, v);
    }

    void pop() {
        s.empty |= 1 << phys(0);
        s.top = (s.top + 1) & 7;
    }

    /** No unmasked invalid-operation, denormal or zero-divide exception: the result is delivered. */
    boolean ok() { return (a.exc & ~s.fcw & (X87.IE | X87.DE | X87.ZE)) == 0; }

    /** The result may be stored to memory (no unmasked IE, DE, ZE, OE or UE). */
    boolean okToMemory() { return (a.exc & ~s.fcw & (X87.IE | X87.DE | X87.ZE | X87.OE | X87.UE)) == 0; }

    /** Merges the instruction's exceptions into the status word, with C1 (round-up, or the stack fault's direction). */
    void status() {
        int f = s.fsw | (a.exc & (X87.EXC | X87.SF));
        boolean c1 = stackFault != 0 ? stackFault == 2 : a.up;
        f = c1 ? f | X87.C1 : f & ~X87.C1;
        if ((a.exc & ~s.fcw & X87.EXC) != 0) f |= X87.ES | X87.B;
        s.fsw = f;
    }

    void conditionCodes(int c3c2c0) {
        s.fsw = (s.fsw & ~(X87.C0 | X87.C2 | X87.C3)) | c3c2c0;
    }

    // =====================================================================================
    // register forms

    private void register(int op, int reg, int i, int modrm) {
        switch (op) {
            case 0xD8:
                if (reg == 2 || reg == 3) compare(st(0), st(i), false, reg - 2); // FCOM, FCOMP
                else arith(reg, 0, st(0), st(i), false, true);
                return;
            case 0xDC: arithReg(reg, i, false); return;
            case 0xDE:
                if (reg == 3) { // FCOMPP (DE D9) and its alias space
                    compare(st(0), st(1), false, 2);
                    return;
                }
                if (reg == 2) { compare(st(0), st(i), false, 1); return; } // FCOMP5 alias
                arithReg(reg, i, true);
                return;
            case 0xD9: d9(reg, i, modrm); return;
            case 0xDA:
                if (reg < 4) { fcmov(reg, false, i); return; }
                compare(st(0), st(1), true, 2); // FUCOMPP (DA E9)
                return;
            case 0xDB:
                if (reg < 4) { fcmov(reg, true, i); return; }
                if (reg == 5 || reg == 6) { comi(i, reg == 5, false); return; }
                switch (modrm) {
                    case 0xE2: s.fsw &= ~(X87.EXC | X87.SF | X87.ES | X87.B); return; // FNCLEX
                    case 0xE3: s.init(); return; // FNINIT
                    default: return; // FNENI, FNDISI, FNSETPM: no-ops since the 387
                }
            case 0xDD:
                switch (reg) {
                    case 0: s.empty |= 1 << phys(i); status(); return; // FFREE (C1 cleared, measured)
                    case 1: fxch(i); return; // FXCH4 alias
                    case 2: case 3: { // FST / FSTP ST(i)
                        F80 v = st(0);
                        if (ok()) {
                            set(i, v);
                            if (reg == 3) pop();
                        }
                        status();
                        return;
                    }
                    case 4: compare(st(0), st(i), true, 0); return; // FUCOM
                    default: compare(st(0), st(i), true, 1); return; // FUCOMP
                }
            default: // DF
                switch (reg) {
                    case 0: s.empty |= 1 << phys(i); pop(); status(); return; // FFREEP
                    case 1: fxch(i); return; // FXCH7 alias
                    case 2: case 3: { // FSTP8/FSTP9 aliases
                        F80 v = st(0);
                        if (ok()) {
                            set(i, v);
                            pop();
                        }
                        status();
                        return;
                    }
                    case 4: h.setGpr16(0, s.statusWord()); return; // FNSTSW AX
                    default: comi(i, reg == 5, true); return; // FUCOMIP / FCOMIP
                }
        }
    }

    /** DC/DE register arithmetic: ST(i) = ST(i) op ST(0) with the operand order of /4-/7 swapped as the SDM lists. */
    private void arithReg(int reg, int i, boolean pop) {
        if (reg == 2 || reg == 3) { // FCOM2/FCOMP3 aliases (DC D0+i, DC D8+i)
            compare(st(0), st(i), false, reg == 3 ? 1 : 0);
            return;
        }
        arith(reg, i, st(i), st(0), pop, false);
    }

    /**
     * ST(dest) = x op y for /0 add, /1 mul, /4 sub, /5 subr, /6 div, /7 divr, where for the D8 forms x is ST(0);
     * {@code st0First}: x is the operand the SDM names first (ST(0)), else the DC/DE forms (x = ST(i)).
     */
    private void arith(int reg, int dest, F80 x, F80 y, boolean pop, boolean st0First) {
        F80 r = F80.INDEFINITE; // a stack underflow: the indefinite, nothing else is checked (measured)
        boolean reverse = st0First ? (reg == 5 || reg == 7) : (reg == 4 || reg == 6);
        F80 p = reverse ? y : x, q = reverse ? x : y;
        if (stackFault == 0) switch (reg) {
            case 0: r = a.add(x, y, false); break;
            case 1: r = a.mul(x, y); break;
            case 4: case 5: r = a.add(p, q, true); break;
            case 6: case 7: r = a.div(p, q); break;
            default: throw new IllegalStateException("compare is not arithmetic");
        }
        if (ok()) {
            set(dest, r);
            if (pop) pop();
        }
        status();
    }

    /** FCOM-class: {@code pops} 0-2; {@code quiet} for FUCOM. C3/C2/C0 from the result, C1 = 0. */
    void compare(F80 x, F80 y, boolean quiet, int pops) {
        int c = stackFault != 0 ? Arith.UN : a.compare(x, y, quiet);
        // the condition codes are set even when the invalid operation is unmasked (measured); the pops are not done
        conditionCodes(c == Arith.LT ? X87.C0 : c == Arith.EQ ? X87.C3 : c == Arith.GT ? 0 : X87.C0 | X87.C2 | X87.C3);
        if (ok()) {
            for (int k = 0; k < pops; k++) pop();
        }
        a.up = false;
        status();
    }

    /** FCOMI/FUCOMI(P): ZF, PF, CF from the compare; OF, SF, AF cleared. */
    private void comi(int i, boolean quiet, boolean pop) {
        F80 x = st(0), y = st(i);
        int c = stackFault != 0 ? Arith.UN : a.compare(x, y, quiet);
        long f = c == Arith.LT ? X87Host.RFLAGS_CF : c == Arith.EQ ? X87Host.RFLAGS_ZF : c == Arith.GT ? 0
                : X87Host.RFLAGS_ZF | X87Host.RFLAGS_PF | X87Host.RFLAGS_CF;
        // RFLAGS are set even when the invalid operation is unmasked (measured); the pop is not done
        h.setRflags(X87Host.RFLAGS_CF | X87Host.RFLAGS_PF | X87Host.RFLAGS_AF | X87Host.RFLAGS_ZF | X87Host.RFLAGS_SF
                | X87Host.RFLAGS_OF, f);
        if (ok() && pop) pop();
        keepC1();
    }

    /** The status update of instructions that leave C1 alone unless the stack faulted (FCOMI, FCMOV; measured). */
    private void keepC1() {
        int c1 = s.fsw & X87.C1;
        status();
        if (stackFault == 0) s.fsw = (s.fsw & ~X87.C1) | c1;
    }

    private void fcmov(int cc, boolean negate, int i) {
        long f = h.rflags();
        boolean cond = switch (cc) {
            case 0 -> (f & X87Host.RFLAGS_CF) != 0;
            case 1 -> (f & X87Host.RFLAGS_ZF) != 0;
            case 2 -> (f & (X87Host.RFLAGS_CF | X87Host.RFLAGS_ZF)) != 0;
            default -> (f & X87Host.RFLAGS_PF) != 0;
        };
        if (negate) cond = !cond;
        F80 v = st(i);
        if (isEmpty(0)) v = st(0); // an empty destination is an underflow too: the indefinite
        if (ok() && (cond || stackFault != 0)) set(0, v);
        keepC1();
    }

    private void fxch(int i) {
        F80 x = st(0), y = st(i);
        if (ok()) {
            set(0, y);
            set(i, x);
        }
        status();
    }

    private void d9(int reg, int i, int modrm) {
        switch (reg) {
            case 0: { // FLD ST(i)
                boolean room = roomToPush();
                F80 v = st(i); // an empty source wins over a full stack: C1 = 0 (measured)
                if (!room) v = F80.INDEFINITE;
                if (ok()) push(v);
                status();
                return;
            }
            case 1: fxch(i); return;
            case 3: { // FSTP1 alias (D9 D8+i): an empty ST(0) is no underflow, it is just popped (measured)
                if (!isEmpty(0)) set(i, st(0));
                pop();
                status();
                return;
            }
            default: break;
        }
        switch (modrm) {
            case 0xD0: return; // FNOP: not even C1 changes (measured)
            case 0xE0: case 0xE1: { // FCHS, FABS
                F80 v = st(0);
                if (stackFault == 0) v = modrm == 0xE0 ? v.negate() : v.abs();
                if (ok()) set(0, v);
                status();
                return;
            }
            case 0xE4: compare(st(0), F80.POS_ZERO, false, 0); return; // FTST
            case 0xE5: fxam(); return;
            case 0xE8: constant(F80.ONE); return;
            case 0xE9: constant(Constants.L2T); return;
            case 0xEA: constant(Constants.L2E); return;
            case 0xEB: constant(Constants.PI); return;
            case 0xEC: constant(Constants.LG2); return;
            case 0xED: constant(Constants.LN2); return;
            case 0xEE: constant(F80.POS_ZERO); return;
            case 0xF4: X87Special.fxtract(this); return;
            case 0xF5: X87Special.fprem(this, true); return;
            case 0xF6: s.top = (s.top - 1) & 7; status(); return; // FDECSTP
            case 0xF7: s.top = (s.top + 1) & 7; status(); return; // FINCSTP
            case 0xF8: X87Special.fprem(this, false); return;
            case 0xFA: unary(a.sqrt(st(0))); return;
            case 0xFC: unary(a.roundInt(st(0))); return;
            case 0xFD: X87Special.fscale(this); return;
            case 0xF0: throw h.unsupported("F2XM1 (x87 transcendental, not implemented)");
            case 0xF1: throw h.unsupported("FYL2X (x87 transcendental, not implemented)");
            case 0xF2: throw h.unsupported("FPTAN (x87 transcendental, not implemented)");
            case 0xF3: throw h.unsupported("FPATAN (x87 transcendental, not implemented)");
            case 0xF9: throw h.unsupported("FYL2XP1 (x87 transcendental, not implemented)");
            case 0xFB: throw h.unsupported("FSINCOS (x87 transcendental, not implemented)");
            case 0xFE: throw h.unsupported("FSIN (x87 transcendental, not implemented)");
            case 0xFF: throw h.unsupported("FCOS (x87 transcendental, not implemented)");
            default: throw h.fault(X87.UD, 0);
        }
    }

    private void unary(F80 r) {
        if (ok()) set(0, r);
        status();
    }

    private void constant(Constants.Value c) { constant(c.rounded(a.rc)); }

    private void constant(F80 v) {
        if (roomToPush()) push(v);
        else if (ok()) push(F80.INDEFINITE);
        status();
    }

    private void fxam() {
        F80 v = s.reg[phys(0)];
        int c;
        if (isEmpty(0)) c = X87.C3 | X87.C0;
        else if (v.isUnsupported()) c = 0;
        else if (v.isNaN()) c = X87.C0;
        else if (v.isInf()) c = X87.C2 | X87.C0;
        else if (v.isZero()) c = X87.C3;
        else if (v.isDenormal()) c = X87.C3 | X87.C2;
        else c = X87.C2;
        conditionCodes(c);
        s.fsw = v.neg() ? s.fsw | X87.C1 : s.fsw & ~X87.C1;
    }

    // =====================================================================================
    // memory forms

    private void memory(int op, int reg, long ea, boolean o16) {
        switch (op) {
            case 0xD8: memArith(reg, a.fromIeee(h.read(ea, 4), 8, 23, false)); return;
            case 0xDC: memArith(reg, a.fromIeee(h.read(ea, 8), 11, 52, false)); return;
            case 0xDA: memArith(reg, Arith.fromLong((int) h.read(ea, 4))); return;
            case 0xDE: memArith(reg, Arith.fromLong((short) h.read(ea, 2))); return;
            case 0xD9:
                switch (reg) {
                    case 0: load(() -> a.fromIeee(h.read(ea, 4), 8, 23)); return;
                    case 2: case 3: storeIeee(ea, 4, reg == 3); return;
                    case 4: env.fldenv(h, ea, o16); return;
                    case 5: s.fcw = (int) h.read(ea, 2) & 0x1F3F | 0x40; s.updateSummary(); return;
                    case 6: env.fnstenv(h, ea, o16); return;
                    default: h.write(ea, 2, s.fcw); return; // FNSTCW
                }
            case 0xDB:
                switch (reg) {
                    case 0: load(() -> Arith.fromLong((int) h.read(ea, 4))); return;
                    case 1: case 2: case 3: storeInt(ea, 4, reg); return;
                    case 5: {
                        long lo = h.read(ea, 8);
                        int hi = (int) h.read(ea + 8, 2);
                        load(() -> new F80(hi, lo));
                        return;
                    }
                    default: { // 7: FSTP m80
                        probeStore(ea, 10);
                        F80 v = st(0);
                        if (ok()) {
                            // Intel: the significand first, then the exponent word: a fault on the second page leaves
                            // the first part written (measured); AMD probed the whole destination above
                            h.write(ea, 8, v.m());
                            h.write(ea + 8, 2, v.se());
                            pop();
                        }
                        status();
                        return;
                    }
                }
            case 0xDD:
                switch (reg) {
                    case 0: load(() -> a.fromIeee(h.read(ea, 8), 11, 52)); return;
                    case 1: storeInt(ea, 8, 1); return;
                    case 2: case 3: storeIeee(ea, 8, reg == 3); return;
                    case 4: env.frstor(h, ea, o16); return;
                    case 6: env.fnsave(h, ea, o16); return;
                    default: h.write(ea, 2, s.statusWord()); return; // FNSTSW m16
                }
            default: // DF
                switch (reg) {
                    case 0: load(() -> Arith.fromLong((short) h.read(ea, 2))); return;
                    case 1: case 2: case 3: storeInt(ea, 2, reg); return;
                    case 4: {
                        long lo = h.read(ea, 8);
                        int hi = (int) h.read(ea + 8, 2);
                        load(() -> X87Special.fromBcd(lo, hi));
                        return;
                    }
                    case 5: load(() -> Arith.fromLong(h.read(ea, 8))); return;
                    case 6: X87Special.fbstp(this, h, ea); return;
                    default: storeInt(ea, 8, 3); return;
                }
        }
    }

    private void memArith(int reg, F80 m) {
        switch (reg) {
            case 2: compare(st(0), m, false, 0); return;
            case 3: compare(st(0), m, false, 1); return;
            default: arith(reg, 0, st(0), m, false, true);
        }
    }

    /** A value source read before the push (its conversion flags count only when there is room). */
    interface Source {
        F80 get();
    }

    private void load(Source src) {
        int before = a.exc;
        F80 v = src.get(); // reads memory (a fault comes first)
        int conversion = a.exc;
        a.exc = before;
        if (roomToPush()) a.exc |= conversion; // a stack overflow hides the conversion's exceptions (measured)
        else v = F80.INDEFINITE;
        if ((a.exc & ~s.fcw & X87.IE) == 0) push(v); // an unmasked denormal operand still loads (measured)
        status();
    }

    /**
     * AMD checks a store's whole destination before anything else: a #PF comes before an unmasked exception would
     * suppress the store, and before any byte of a page-crossing m80 is written (measured). Intel writes what it can
     * and suppresses without touching memory (measured).
     */
    void probeStore(long ea, int size) {
        if (s.vendor() == FpuVendor.AMD) h.checkWritable(ea, size);
    }

    private void storeIeee(long ea, int size, boolean pop) {
        probeStore(ea, size);
        F80 v = st(0);
        long bits = size == 4 ? a.toIeee(v, 8, 23) : a.toIeee(v, 11, 52);
        if (okToMemory()) {
            h.write(ea, size, bits);
            if (pop) pop();
        }
        status();
    }

    /** FISTTP (/1, truncating), FIST (/2), FISTP (/3). */
    private void storeInt(long ea, int size, int reg) {
        if (reg == 1 && !sse3) throw h.fault(X87.UD, 0);
        probeStore(ea, size);
        F80 v = st(0);
        long r = a.toInt(v, size * 8, reg == 1 ? Rounding.RZ : a.rc);
        if (okToMemory()) {
            h.write(ea, size, r);
            if (reg != 2) pop();
        }
        status();
    }
}
