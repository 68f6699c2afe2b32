package pcm.softcpu.internal;

import static pcm.softcpu.internal.DecodeTable.*;

/**
 * Data movement: MOV in all forms (incl. segment registers and moffs), MOVZX/MOVSX/MOVSXD, LEA, XCHG,
 * CMOVcc, SETcc, CBW/CWDE/CDQE and CWD/CDQ/CQO, XLAT, PUSH/POP (registers, r/m, immediates, FS/GS,
 * RFLAGS), LAHF/SAHF and the flag instructions CMC/CLC/STC/CLD/STD.
 */
abstract class DataMovement extends ShiftsAndBits {

    static final String FAMILY = "data movement";

    DataMovement(PhysicalMemory mem) {
        super(mem);
    }

    static void register(Builder t) {
        t.range(FAMILY, MAP_PRIMARY, 0x50, 0x57, ANY, F_NONE, I_NONE, "PUSH r", (c, b) -> c.push(c.r[(b & 7) | ((c.rex & 1) << 3)], c.stackSize()));
        t.range(FAMILY, MAP_PRIMARY, 0x58, 0x5F, ANY, F_NONE, I_NONE, "POP r", (c, b) -> c.popReg(b));
        t.op(FAMILY, MAP_PRIMARY, 0x63, ANY, F_MODRM, I_NONE, "MOVSXD Gv,Ed", (c, b) -> c.movsxdOp());
        t.op(FAMILY, MAP_PRIMARY, 0x68, ANY, F_NONE, I_NONE, "PUSH Iz", (c, b) -> c.push(c.imm(immSize(c.osz)), c.stackSize()));
        t.op(FAMILY, MAP_PRIMARY, 0x6A, ANY, F_NONE, I_NONE, "PUSH Ib", (c, b) -> c.push(c.imm(1), c.stackSize()));
        t.op(FAMILY, MAP_PRIMARY, 0x86, ANY, F_MODRM, I_NONE, true, "XCHG Eb,Gb", (c, b) -> c.xchg(1));
        t.op(FAMILY, MAP_PRIMARY, 0x87, ANY, F_MODRM, I_NONE, true, "XCHG Ev,Gv", (c, b) -> c.xchg(c.osz));
        t.op(FAMILY, MAP_PRIMARY, 0x88, ANY, F_MODRM, I_NONE, "MOV Eb,Gb", (c, b) -> c.rmWrite(1, c.getReg(c.reg, 1)));
        t.op(FAMILY, MAP_PRIMARY, 0x89, ANY, F_MODRM, I_NONE, "MOV Ev,Gv", (c, b) -> c.rmWrite(c.osz, c.r[c.reg]));
        t.op(FAMILY, MAP_PRIMARY, 0x8A, ANY, F_MODRM, I_NONE, "MOV Gb,Eb", (c, b) -> c.setReg(c.reg, 1, c.rmRead(1)));
        t.op(FAMILY, MAP_PRIMARY, 0x8B, ANY, F_MODRM, I_NONE, "MOV Gv,Ev", (c, b) -> c.setReg(c.reg, c.osz, c.rmRead(c.osz)));
        t.op(FAMILY, MAP_PRIMARY, 0x8C, ANY, F_MODRM, I_NONE, "MOV Ev,Sw", (c, b) -> c.movFromSreg());
        t.op(FAMILY, MAP_PRIMARY, 0x8D, ANY, F_MODRM, I_NONE, "LEA Gv,M", (c, b) -> c.lea());
        t.op(FAMILY, MAP_PRIMARY, 0x8E, ANY, F_MODRM, I_NONE, "MOV Sw,Ew", (c, b) -> c.movToSreg());
        t.group(FAMILY, MAP_PRIMARY, 0x8F, ANY, 0, EITHER, I_NONE, false, "POP Ev", (c, b) -> c.popRm());
        t.range(FAMILY, MAP_PRIMARY, 0x90, 0x97, ANY, F_NONE, I_NONE, "XCHG r,rAX / NOP / PAUSE", (c, b) -> c.xchgAx(b));
        t.op(FAMILY, MAP_PRIMARY, 0x98, ANY, F_NONE, I_NONE, "CBW/CWDE/CDQE", (c, b) -> c.cbw());
        t.op(FAMILY, MAP_PRIMARY, 0x99, ANY, F_NONE, I_NONE, "CWD/CDQ/CQO", (c, b) -> c.cwd());
        t.op(FAMILY, MAP_PRIMARY, 0x9C, ANY, F_NONE, I_NONE, "PUSHF", (c, b) -> c.push(c.rflags() & ~(RF | VM), c.stackSize()));
        t.op(FAMILY, MAP_PRIMARY, 0x9D, ANY, F_NONE, I_NONE, "POPF", (c, b) -> { int sz = c.stackSize(); c.popFlags(c.pop(sz), sz); });
        t.op(FAMILY, MAP_PRIMARY, 0x9E, ANY, F_NONE, I_NONE, "SAHF", (c, b) -> c.sahf());
        t.op(FAMILY, MAP_PRIMARY, 0x9F, ANY, F_NONE, I_NONE, "LAHF", (c, b) -> c.r[0] = (c.r[0] & ~0xFF00L) | (((c.rflags() & 0xD5) | 2) << 8));
        t.range(FAMILY, MAP_PRIMARY, 0xA0, 0xA3, ANY, F_NONE, I_NONE, "MOV moffs", (c, b) -> c.movMoffs(b));
        t.range(FAMILY, MAP_PRIMARY, 0xB0, 0xB7, ANY, F_NONE, I_NONE, "MOV r8,Ib", (c, b) -> c.setReg((b & 7) | ((c.rex & 1) << 3), 1, c.fetch8()));
        t.range(FAMILY, MAP_PRIMARY, 0xB8, 0xBF, ANY, F_NONE, I_NONE, "MOV r,Iv", (c, b) -> c.movRegImm(b));
        t.group(FAMILY, MAP_PRIMARY, 0xC6, ANY, 0, EITHER, I_B, false, "MOV Eb,Ib", (c, b) -> c.rmWrite(1, c.imm(1)));
        t.group(FAMILY, MAP_PRIMARY, 0xC7, ANY, 0, EITHER, I_Z, false, "MOV Ev,Iz", (c, b) -> c.rmWrite(c.osz, c.imm(immSize(c.osz))));
        t.op(FAMILY, MAP_PRIMARY, 0xD7, ANY, F_NONE, I_NONE, "XLAT", (c, b) -> c.xlat());
        t.op(FAMILY, MAP_PRIMARY, 0xF5, ANY, F_NONE, I_NONE, "CMC", (c, b) -> { c.materialize(); c.flags ^= CF; });
        t.op(FAMILY, MAP_PRIMARY, 0xF8, ANY, F_NONE, I_NONE, "CLC", (c, b) -> c.setCf(false));
        t.op(FAMILY, MAP_PRIMARY, 0xF9, ANY, F_NONE, I_NONE, "STC", (c, b) -> c.setCf(true));
        t.op(FAMILY, MAP_PRIMARY, 0xFC, ANY, F_NONE, I_NONE, "CLD", (c, b) -> c.flags &= ~DF);
        t.op(FAMILY, MAP_PRIMARY, 0xFD, ANY, F_NONE, I_NONE, "STD", (c, b) -> c.flags |= DF);
        t.group(FAMILY, MAP_PRIMARY, 0xFF, ANY, 6, EITHER, I_NONE, false, "PUSH Ev", (c, b) -> { int sz = c.stackSize(); c.push(c.rmRead(sz), sz); });
        t.op(FAMILY, MAP_0F, 0xA0, ANY, F_NONE, I_NONE, "PUSH FS", (c, b) -> c.push(c.segSel[FS], c.stackSize()));
        t.op(FAMILY, MAP_0F, 0xA8, ANY, F_NONE, I_NONE, "PUSH GS", (c, b) -> c.push(c.segSel[GS], c.stackSize()));
        t.op(FAMILY, MAP_0F, 0xA1, ANY, F_NONE, I_NONE, "POP FS", (c, b) -> c.popSreg(FS));
        t.op(FAMILY, MAP_0F, 0xA9, ANY, F_NONE, I_NONE, "POP GS", (c, b) -> c.popSreg(GS));
        t.range(FAMILY, MAP_0F, 0x40, 0x4F, ANY, F_MODRM, I_NONE, "CMOVcc Gv,Ev", (c, b) -> c.cmovcc(b & 0xF));
        t.range(FAMILY, MAP_0F, 0x90, 0x9F, ANY, F_MODRM, I_NONE, "SETcc Eb", (c, b) -> c.rmWrite(1, c.cond(b & 0xF) ? 1 : 0));
        t.op(FAMILY, MAP_0F, 0xB6, ANY, F_MODRM, I_NONE, "MOVZX Gv,Eb", (c, b) -> c.setReg(c.reg, c.osz, c.rmRead(1)));
        t.op(FAMILY, MAP_0F, 0xB7, ANY, F_MODRM, I_NONE, "MOVZX Gv,Ew", (c, b) -> c.setReg(c.reg, c.osz, c.rmRead(2)));
        t.op(FAMILY, MAP_0F, 0xBE, ANY, F_MODRM, I_NONE, "MOVSX Gv,Eb", (c, b) -> c.setReg(c.reg, c.osz, (byte) c.rmRead(1)));
        t.op(FAMILY, MAP_0F, 0xBF, ANY, F_MODRM, I_NONE, "MOVSX Gv,Ew", (c, b) -> c.setReg(c.reg, c.osz, (short) c.rmRead(2)));
    }

    final void popReg(int b) {
        int i = (b & 7) | ((rex & 1) << 3);
        int sz = stackSize();
        long v = pop(sz);
        setReg(i, sz, v);
    }

    final void movsxdOp() {
        long v = rmRead(4);
        if (osz == 8) r[reg] = (int) v;
        else setReg(reg, osz, v);
    }

    final void xchg(int size) {
        long d = rmReadW(size);
        long s = getReg(reg, size);
        rmWrite(size, s);
        setReg(reg, size, d);
    }

    final void movFromSreg() {
        int s = reg & 7;
        if (s > 5) throw ud();
        if (mod == 3) setReg(rm, osz, segSel[s]);
        else wr16(ea, segSel[s]);
    }

    final void lea() {
        if (mod == 3) throw ud();
        setReg(reg, osz, ea - sbase);
    }

    final void movToSreg() {
        int s = reg & 7;
        if (s == CS || s > 5) throw ud();
        loadDataSegment(s, (int) rmRead(2), true);
        if (s == SS) shadowAt = icount + 1;
    }

    /** 8F /0. */
    final void popRm() {
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
    }

    final void xchgAx(int b) {
        int i = (b & 7) | ((rex & 1) << 3);
        if (i == 0) return; // NOP / PAUSE
        long t = getReg(i, osz);
        setReg(i, osz, getReg(0, osz));
        setReg(0, osz, t);
    }

    final void cbw() {
        if (osz == 8) r[0] = (int) r[0];
        else if (osz == 4) r[0] = ((short) r[0]) & 0xFFFFFFFFL;
        else setReg(0, 2, (byte) r[0]);
    }

    final void cwd() {
        if (osz == 8) r[2] = r[0] >> 63;
        else if (osz == 4) r[2] = (((int) r[0]) >> 31) & 0xFFFFFFFFL;
        else setReg(2, 2, ((short) r[0]) >> 15);
    }

    final void sahf() {
        materialize();
        long mask = SF | ZF | AF | PF | CF;
        flags = (flags & ~mask) | ((r[0] >>> 8) & mask);
    }

    final void movMoffs(int b) {
        long addr = (a32 ? fetch32() & 0xFFFFFFFFL : fetch64()) + sbase;
        int size = (b & 1) == 0 ? 1 : osz;
        if (b < 0xA2) setReg(0, size, read(addr, size));
        else write(addr, size, r[0]);
    }

    final void movRegImm(int b) {
        int i = (b & 7) | ((rex & 1) << 3);
        if (osz == 8) r[i] = fetch64();
        else if (osz == 4) r[i] = fetch32() & 0xFFFFFFFFL;
        else setReg(i, 2, fetch16());
    }

    final void xlat() {
        setReg(0, 1, rd8(((a32 ? r[3] & 0xFFFFFFFFL : r[3]) + (r[0] & 0xFF)) + sbase));
    }

    final void popSreg(int s) {
        int sz = stackSize();
        long v = read(r[4], sz);
        loadDataSegment(s, (int) v & 0xFFFF, true);
        r[4] += sz;
    }

    final void cmovcc(int cc) {
        long v = rmRead(osz);
        if (cond(cc)) setReg(reg, osz, v);
        else if (osz == 4) r[reg] &= 0xFFFFFFFFL;
    }

    final void popFlags(long v, int sz) {
        long mask = CF | PF | AF | ZF | SF | TF | DF | OF | NT | AC | ID;
        int iopl = (int) (flags >> 12) & 3;
        if (cpl == 0) mask |= IOPL | IF;
        else if (cpl <= iopl) mask |= IF;
        if (sz == 2) mask &= 0xFFFF;
        long nf = (rflags() & ~mask) | (v & mask);
        setRflags(nf & ~(RF | VM));
    }
}
