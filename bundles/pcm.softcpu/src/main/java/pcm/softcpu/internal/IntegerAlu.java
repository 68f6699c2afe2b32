package pcm.softcpu.internal;

import static pcm.softcpu.internal.DecodeTable.*;

import java.math.BigInteger;

/**
 * Integer arithmetic and logic: ADD/OR/ADC/SBB/AND/SUB/XOR/CMP in all forms, TEST, INC/DEC, NOT/NEG,
 * MUL/IMUL (1, 2 and 3 operands), DIV/IDIV, CMPXCHG, XADD, CMPXCHG8B/16B. The semantic methods
 * ({@link #alu}, {@link #incDec}, {@link #mul}, {@link #imul2}, {@link #div}) take decoded operands and
 * are shared with the pre-decoded path ({@link Cpu#runDecoded}).
 */
abstract class IntegerAlu extends CpuDecode {

    static final String FAMILY = "integer ALU";

    IntegerAlu(PhysicalMemory mem) {
        super(mem);
    }

    static void register(Builder t) {
        String[] names = {"ADD", "OR", "ADC", "SBB", "AND", "SUB", "XOR", "CMP"};
        for (int op = 0; op < 8; op++) {
            boolean lockable = op != 7; // CMP writes nothing
            int base = op << 3;
            String name = names[op];
            t.op(FAMILY, MAP_PRIMARY, base, ANY, F_MODRM, I_NONE, lockable, name + " Eb,Gb", (c, b) -> c.aluEbGb(b >> 3));
            t.op(FAMILY, MAP_PRIMARY, base + 1, ANY, F_MODRM, I_NONE, lockable, name + " Ev,Gv", (c, b) -> c.aluEvGv(b >> 3));
            t.op(FAMILY, MAP_PRIMARY, base + 2, ANY, F_MODRM, I_NONE, name + " Gb,Eb", (c, b) -> c.aluGbEb(b >> 3));
            t.op(FAMILY, MAP_PRIMARY, base + 3, ANY, F_MODRM, I_NONE, name + " Gv,Ev", (c, b) -> c.aluGvEv(b >> 3));
            t.op(FAMILY, MAP_PRIMARY, base + 4, ANY, F_NONE, I_NONE, name + " AL,Ib", (c, b) -> c.aluAlIb(b >> 3));
            t.op(FAMILY, MAP_PRIMARY, base + 5, ANY, F_NONE, I_NONE, name + " rAX,Iz", (c, b) -> c.aluAxIz(b >> 3));
            t.group(FAMILY, MAP_PRIMARY, 0x80, ANY, op, EITHER, I_B, lockable, name + " Eb,Ib", (c, b) -> c.aluGroup1(b));
            t.group(FAMILY, MAP_PRIMARY, 0x81, ANY, op, EITHER, I_Z, lockable, name + " Ev,Iz", (c, b) -> c.aluGroup1(b));
            t.group(FAMILY, MAP_PRIMARY, 0x83, ANY, op, EITHER, I_B, lockable, name + " Ev,Ib", (c, b) -> c.aluGroup1(b));
        }
        t.op(FAMILY, MAP_PRIMARY, 0x84, ANY, F_MODRM, I_NONE, "TEST Eb,Gb", (c, b) -> c.testRm(1));
        t.op(FAMILY, MAP_PRIMARY, 0x85, ANY, F_MODRM, I_NONE, "TEST Ev,Gv", (c, b) -> c.testRm(c.osz));
        t.op(FAMILY, MAP_PRIMARY, 0xA8, ANY, F_NONE, I_NONE, "TEST AL,Ib", (c, b) -> c.testAccImm(1));
        t.op(FAMILY, MAP_PRIMARY, 0xA9, ANY, F_NONE, I_NONE, "TEST rAX,Iz", (c, b) -> c.testAccImm(c.osz));
        t.op(FAMILY, MAP_PRIMARY, 0x69, ANY, F_MODRM, I_Z, "IMUL Gv,Ev,Iz", (c, b) -> c.imul3(immSize(c.osz)));
        t.op(FAMILY, MAP_PRIMARY, 0x6B, ANY, F_MODRM, I_B, "IMUL Gv,Ev,Ib", (c, b) -> c.imul3(1));
        t.op(FAMILY, MAP_0F, 0xAF, ANY, F_MODRM, I_NONE, "IMUL Gv,Ev", (c, b) -> c.imulGvEv());
        for (int w = 0; w < 2; w++) {
            int opc = 0xF6 + w;
            String v = w == 0 ? "Eb" : "Ev";
            int immForm = w == 0 ? I_B : I_Z;
            t.group(FAMILY, MAP_PRIMARY, opc, ANY, 0, EITHER, immForm, false, "TEST " + v + ",I", (c, b) -> c.testImm(b == 0xF6 ? 1 : c.osz));
            t.group(FAMILY, MAP_PRIMARY, opc, ANY, 1, EITHER, immForm, false, "TEST " + v + ",I (alias)", (c, b) -> c.testImm(b == 0xF6 ? 1 : c.osz));
            t.group(FAMILY, MAP_PRIMARY, opc, ANY, 2, EITHER, I_NONE, true, "NOT " + v, (c, b) -> c.not(b == 0xF6 ? 1 : c.osz));
            t.group(FAMILY, MAP_PRIMARY, opc, ANY, 3, EITHER, I_NONE, true, "NEG " + v, (c, b) -> c.neg(b == 0xF6 ? 1 : c.osz));
            t.group(FAMILY, MAP_PRIMARY, opc, ANY, 4, EITHER, I_NONE, false, "MUL " + v, (c, b) -> { int s = b == 0xF6 ? 1 : c.osz; c.mul(false, c.rmRead(s), s); });
            t.group(FAMILY, MAP_PRIMARY, opc, ANY, 5, EITHER, I_NONE, false, "IMUL " + v, (c, b) -> { int s = b == 0xF6 ? 1 : c.osz; c.mul(true, c.rmRead(s), s); });
            t.group(FAMILY, MAP_PRIMARY, opc, ANY, 6, EITHER, I_NONE, false, "DIV " + v, (c, b) -> { int s = b == 0xF6 ? 1 : c.osz; c.div(false, c.rmRead(s), s); });
            t.group(FAMILY, MAP_PRIMARY, opc, ANY, 7, EITHER, I_NONE, false, "IDIV " + v, (c, b) -> { int s = b == 0xF6 ? 1 : c.osz; c.div(true, c.rmRead(s), s); });
        }
        t.group(FAMILY, MAP_PRIMARY, 0xFE, ANY, 0, EITHER, I_NONE, true, "INC Eb", (c, b) -> c.rmWrite(1, c.incDec(c.rmReadW(1), 1, false)));
        t.group(FAMILY, MAP_PRIMARY, 0xFE, ANY, 1, EITHER, I_NONE, true, "DEC Eb", (c, b) -> c.rmWrite(1, c.incDec(c.rmReadW(1), 1, true)));
        t.group(FAMILY, MAP_PRIMARY, 0xFF, ANY, 0, EITHER, I_NONE, true, "INC Ev", (c, b) -> c.rmWrite(c.osz, c.incDec(c.rmReadW(c.osz), c.osz, false)));
        t.group(FAMILY, MAP_PRIMARY, 0xFF, ANY, 1, EITHER, I_NONE, true, "DEC Ev", (c, b) -> c.rmWrite(c.osz, c.incDec(c.rmReadW(c.osz), c.osz, true)));
        t.op(FAMILY, MAP_0F, 0xB0, ANY, F_MODRM, I_NONE, true, "CMPXCHG Eb,Gb", (c, b) -> c.cmpxchg(1));
        t.op(FAMILY, MAP_0F, 0xB1, ANY, F_MODRM, I_NONE, true, "CMPXCHG Ev,Gv", (c, b) -> c.cmpxchg(c.osz));
        t.op(FAMILY, MAP_0F, 0xC0, ANY, F_MODRM, I_NONE, true, "XADD Eb,Gb", (c, b) -> c.xadd(1));
        t.op(FAMILY, MAP_0F, 0xC1, ANY, F_MODRM, I_NONE, true, "XADD Ev,Gv", (c, b) -> c.xadd(c.osz));
        t.group(FAMILY, MAP_0F, 0xC7, ANY, 1, MEM, I_NONE, true, "CMPXCHG8B/16B", (c, b) -> c.cmpxchg8b16b());
    }

    // ---- opcode handlers (ModRM decoded by the table's form) ----

    final void aluEbGb(int op) { long res = alu(op, op != 7 ? rmReadW(1) : rmRead(1), getReg(reg, 1), 1); if (op != 7) rmWrite(1, res); }

    final void aluEvGv(int op) { long res = alu(op, op != 7 ? rmReadW(osz) : rmRead(osz), r[reg], osz); if (op != 7) rmWrite(osz, res); }

    final void aluGbEb(int op) { long res = alu(op, getReg(reg, 1), rmRead(1), 1); if (op != 7) setReg(reg, 1, res); }

    final void aluGvEv(int op) { long res = alu(op, r[reg], rmRead(osz), osz); if (op != 7) setReg(reg, osz, res); }

    final void aluAlIb(int op) { long res = alu(op, r[0], imm(1), 1); if (op != 7) setReg(0, 1, res); }

    final void aluAxIz(int op) { long res = alu(op, r[0], imm(immSize(osz)), osz); if (op != 7) setReg(0, osz, res); }

    /** 80/81/83 /op. */
    final void aluGroup1(int b) {
        int size = b == 0x80 ? 1 : osz;
        int is = b == 0x81 ? immSize(osz) : 1;
        int op = reg & 7;
        long d = op != 7 ? rmReadW(size) : rmRead(size);
        long res = alu(op, d, imm(is), size);
        if (op != 7) rmWrite(size, res);
    }

    final void testRm(int size) {
        long m = MASK[size];
        long d = rmRead(size) & m;
        long s = getReg(reg, size) & m;
        lazy(OP_LOGIC, d, s, d & s, size);
    }

    final void testAccImm(int size) {
        long m = MASK[size];
        long d = r[0] & m, s = imm(size == 1 ? 1 : immSize(size)) & m;
        lazy(OP_LOGIC, d, s, d & s, size);
    }

    /** F6/F7 /0 (and its alias /1). */
    final void testImm(int size) {
        long m = MASK[size];
        long d = rmRead(size) & m;
        long s = imm(size == 1 ? 1 : immSize(size)) & m;
        lazy(OP_LOGIC, d, s, d & s, size);
    }

    final void not(int size) { rmWrite(size, ~rmReadW(size)); }

    final void neg(int size) {
        long m = MASK[size];
        long d = rmReadW(size) & m;
        long res = (-d) & m;
        lazy(OP_SUB, 0, d, res, size);
        rmWrite(size, res);
    }

    final void imul3(int is) {
        long a = rmRead(osz);
        long c = imm(is);
        setReg(reg, osz, imul2(a, c, osz));
    }

    final void imulGvEv() { long v = rmRead(osz); setReg(reg, osz, imul2(getReg(reg, osz), v, osz)); }

    final void cmpxchg(int size) {
        long d = rmReadW(size);
        long acc = getReg(0, size);
        alu(7, acc, d, size);
        if ((acc & MASK[size]) == (d & MASK[size])) {
            rmWrite(size, getReg(reg, size));
        } else {
            if (mod != 3) write(ea, size, d);
            setReg(0, size, d);
        }
    }

    final void xadd(int size) {
        long d = rmReadW(size);
        long s = getReg(reg, size);
        long res = alu(0, d, s, size);
        setReg(reg, size, d);
        rmWrite(size, res);
    }

    /** 0F C7 /1 (memory). */
    final void cmpxchg8b16b() {
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

    // ---- semantics ----

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

    final void mul(boolean signed, long v, int size) {
        undefinedFlags(SF | ZF | AF | PF); // SDM MUL/IMUL
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
        if (amdHardwareFlags()) {
            amdMulFlags(c);
            return;
        }
        setResultFlags(lo & m, size, c, c, false);
        if (intelFlags) flags &= ~ZF; // Intel clears ZF after MUL/IMUL; TCG has it from the result
    }

    final long imul2(long a, long b, int size) {
        undefinedFlags(SF | ZF | AF | PF); // SDM IMUL
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
        if (amdHardwareFlags()) {
            amdMulFlags(c);
            return res;
        }
        lcf = c ? 1 : 0; // Intel: ZF = 0 (zf()); TCG: ZF from the result
        lazy(OP_MUL, 0, 0, res, size);
        return res;
    }

    final void div(boolean signed, long v, int size) {
        undefinedFlags(ARITH); // SDM DIV/IDIV: CF, OF, SF, ZF, AF, PF undefined
        divide(signed, v, size);
        if (amdHardwareFlags()) { // AMD (measured on Zen 4): PF, ZF, SF cleared, AF set, CF and OF as they were; TCG: all kept
            materialize();
            flags = (flags & ~(PF | ZF | SF)) | AF;
        }
    }

    /** DIV/IDIV without the flags; #DE leaves everything as it was. */
    private void divide(boolean signed, long v, int size) {
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
}
