package pcm.softcpu.internal;

/**
 * The pre-decoded fast path: runs instructions of cached code pages from their {@link DecodedInsn} entries
 * ({@link #runDecoded}) with the semantics of the family layers, and the single-step trap both paths share.
 * The byte decoder and the run loop are in {@link Cpu}.
 */
abstract class PredecodedPath extends SystemInsns {

    /** The VMM asked for an exit as soon as an interrupt can be injected. */
    boolean windowRequested;
    /** A TF single-step #DB owed to the guest after an exit the trapping instruction produced. */
    boolean tfTrapPending;
    /**
     * Translated blocks may run in this execute() (the compiler is on, no VMM single-step, no memory tracer):
     * set by {@link Cpu#execute}, cleared while a block runs one instruction through {@link #jitStep}.
     */
    boolean jitActive;

    PredecodedPath(PhysicalMemory mem) {
        super(mem);
    }

    boolean interruptible() {
        return (flags & IF) != 0 && icount != shadowAt && !mmioValid && completion == C_NONE;
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
        boolean head = true; // the first instruction and those after a control transfer start blocks
        for (int k = 0; k < max; k++) {
            long pc = rip;
            if (pc < fetchLo || pc >= fetchHi) return;
            DecodedInsn[] ops = fetchOps;
            int off = (int) (pc - fetchLo);
            DecodedInsn d = ops[off];
            if (d == null) ops[off] = d = DecodedInsn.decode(fetchCode, off);
            int op = d.op;
            if (op == DecodedInsn.SLOW) return;
            if (head && jitActive) {
                int n = enterBlock(d, off, max - k);
                if (n > 0) {
                    k += n - 1;
                    if (pendingExit != null) return;
                    continue;
                }
            }
            head = DecodedInsn.ENDS_BLOCK[op];
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
                case DecodedInsn.SHIFT_RI64: r[d.dst] = shiftImm64(d.sub, r[d.dst], (int) d.imm & 0x3F); break sw;
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
                case DecodedInsn.IMUL_RR64: r[d.dst] = imul64(r[d.dst], r[d.src]); break sw;
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

    /**
     * SHL/SHR/SAR r64, imm with a non-zero masked count {@code cnt} (op 4, 5, 7): the result, flags set, the undefined
     * ones recorded at this position. Shared by the pre-decoded path and translated blocks (which set the exact count
     * first).
     */
    final long shiftImm64(int op, long v, int cnt) {
        undefinedFlags(cnt > 1 ? OF | AF : AF); // as shift(): SDM SAL/SAR/SHL/SHR, OF for counts > 1; AF
        long res;
        switch (op) {
            case 4: lcf = (v >>> (64 - cnt)) & 1; res = v << cnt; lazy(OP_SHL, v, 0, res, 8); break;
            case 5: lcf = (v >>> (cnt - 1)) & 1; res = v >>> cnt; lazy(OP_SHR, v, 0, res, 8); break;
            default: lcf = (v >> (cnt - 1)) & 1; res = v >> cnt; lazy(OP_SAR, v, 0, res, 8); break;
        }
        return res;
    }

    /**
     * IMUL r64, r64: the product, flags set by the vendor model, the undefined ones recorded at this position.
     * Shared by the pre-decoded path and translated blocks (which set the exact count first).
     */
    final long imul64(long a, long b) {
        undefinedFlags(SF | ZF | AF | PF); // SDM IMUL
        long res = a * b;
        boolean overflow = Math.multiplyHigh(a, b) != (res >> 63);
        if (amdHardwareFlags()) {
            amdMulFlags(overflow);
        } else { // Intel ZF = 0, TCG ZF from the result (zf())
            lcf = overflow ? 1 : 0;
            lazy(OP_MUL, 0, 0, res, 8);
        }
        return res;
    }

    /**
     * At a block head: runs its translation when it has one, fits in the {@code remaining} budget and nothing
     * asks for instruction-by-instruction control (TF, RF, an interrupt-window request); else counts the head
     * towards translation. Returns the instructions retired (0: nothing ran, interpret as usual).
     */
    private int enterBlock(DecodedInsn d, int off, int remaining) {
        pcm.softcpu.internal.jit.CompiledBlock b = d.jit;
        BlockCompiler c = jit;
        if (b == null) {
            if (++d.jitHits == c.threshold) c.compile(this, fetchPage, off, d);
            return 0;
        }
        if (b.length() > remaining || (flags & (TF | RF)) != 0 || windowRequested) return 0;
        long before = icount;
        c.stats.entries++;
        try {
            return b.code().run(this, remaining);
        } finally { // also when the block ends in a fault or an exit signal
            c.stats.instructions += icount - before;
        }
    }

    /** One pre-decoded instruction for a translated block ({@link pcm.softcpu.internal.jit.Kind#OTHER}); false if none ran. */
    final boolean jitStep() {
        long before = icount;
        jitActive = false;
        try {
            runDecoded(1);
        } finally {
            jitActive = true;
        }
        return icount != before;
    }

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
    final void singleStepTrap() {
        dr[6] |= 0x4000;
        if (pendingExit != null) tfTrapPending = true;
        else deliver(DB, 0, false, false, rip);
    }
}
