package pcm.softcpu.internal;

import static pcm.softcpu.internal.DecodeTable.*;

/**
 * Control flow: Jcc, JMP, CALL and RET (near, relative and indirect), LOOP/LOOPE/LOOPNE/JRCXZ,
 * ENTER/LEAVE, INT3/INT n, far RET and IRET (64-bit code segments only).
 */
abstract class ControlFlow extends StringInsns {

    static final String FAMILY = "control flow";

    ControlFlow(PhysicalMemory mem) {
        super(mem);
    }

    static void register(Builder t) {
        t.range(FAMILY, MAP_PRIMARY, 0x70, 0x7F, ANY, F_NONE, I_NONE, "Jcc rel8", (c, b) -> { long d = (byte) c.fetch8(); if (c.cond(b & 0xF)) c.nip += d; });
        t.range(FAMILY, MAP_0F, 0x80, 0x8F, ANY, F_NONE, I_NONE, "Jcc rel32", (c, b) -> { long d = c.fetch32(); if (c.cond(b & 0xF)) c.nip += d; });
        t.range(FAMILY, MAP_PRIMARY, 0xE0, 0xE3, ANY, F_NONE, I_NONE, "LOOPNE/LOOPE/LOOP/JRCXZ", (c, b) -> c.loop(b));
        t.op(FAMILY, MAP_PRIMARY, 0xE8, ANY, F_NONE, I_NONE, "CALL rel32", (c, b) -> { long d = c.fetch32(); c.push(c.nip, 8); c.nip += d; });
        t.op(FAMILY, MAP_PRIMARY, 0xE9, ANY, F_NONE, I_NONE, "JMP rel32", (c, b) -> { long d = c.fetch32(); c.nip += d; });
        t.op(FAMILY, MAP_PRIMARY, 0xEB, ANY, F_NONE, I_NONE, "JMP rel8", (c, b) -> { long d = (byte) c.fetch8(); c.nip += d; });
        t.op(FAMILY, MAP_PRIMARY, 0xC2, ANY, F_NONE, I_NONE, "RET Iw", (c, b) -> { int n = c.fetch16(); c.nip = c.pop(8); c.r[4] += n; });
        t.op(FAMILY, MAP_PRIMARY, 0xC3, ANY, F_NONE, I_NONE, "RET", (c, b) -> c.nip = c.pop(8));
        t.op(FAMILY, MAP_PRIMARY, 0xC8, ANY, F_NONE, I_NONE, "ENTER Iw,Ib", (c, b) -> c.enter(c.fetch16(), c.fetch8() & 0x1F));
        t.op(FAMILY, MAP_PRIMARY, 0xC9, ANY, F_NONE, I_NONE, "LEAVE", (c, b) -> c.leave());
        t.op(FAMILY, MAP_PRIMARY, 0xCA, ANY, F_NONE, I_NONE, "RETF Iw", (c, b) -> c.farReturn(c.fetch16()));
        t.op(FAMILY, MAP_PRIMARY, 0xCB, ANY, F_NONE, I_NONE, "RETF", (c, b) -> c.farReturn(0));
        t.op(FAMILY, MAP_PRIMARY, 0xCC, ANY, F_NONE, I_NONE, "INT3", (c, b) -> c.deliver(BP, 0, false, true, c.nip));
        t.op(FAMILY, MAP_PRIMARY, 0xCD, ANY, F_NONE, I_NONE, "INT Ib", (c, b) -> { int v = c.fetch8(); c.deliver(v, 0, false, true, c.nip); });
        t.op(FAMILY, MAP_PRIMARY, 0xCF, ANY, F_NONE, I_NONE, "IRET", (c, b) -> c.iret());
        t.group(FAMILY, MAP_PRIMARY, 0xFF, ANY, 2, EITHER, I_NONE, false, "CALL Ev", (c, b) -> { long tg = c.rmRead(8); c.push(c.nip, 8); c.nip = tg; });
        t.group(FAMILY, MAP_PRIMARY, 0xFF, ANY, 4, EITHER, I_NONE, false, "JMP Ev", (c, b) -> c.nip = c.rmRead(8));
        t.unsupportedGroup(FAMILY, MAP_PRIMARY, 0xFF, ANY, 3, MEM, "far CALL (FF /3)");
        t.unsupportedGroup(FAMILY, MAP_PRIMARY, 0xFF, ANY, 5, MEM, "far JMP (FF /5)");
        t.unsupported(FAMILY, MAP_PRIMARY, 0xF1, 0xF1, ANY, "INT1 (ICEBP)");
    }

    final void loop(int b) {
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
    }

    final void leave() {
        long v = read(r[5], 8);
        r[4] = r[5] + 8;
        r[5] = v;
    }

    final void enter(int size, int level) {
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

    final long codeDescriptor(int sel) {
        if ((sel & 0xFFFC) == 0) throw gp(0);
        long d = descriptor(sel);
        int attr = descAttr(d);
        if ((attr & 0x18) != 0x18) throw gp(sel & 0xFFFC);
        if ((attr & 0x80) == 0) throw raise(NP, sel & 0xFFFC);
        if (((attr >> 13) & 1) == 0) throw unsupported("compatibility-mode code segment 0x" + Integer.toHexString(sel));
        return d;
    }

    final void farReturn(int extra) {
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

    final void nullDataSegments() {
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

    final void iret() {
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
}
