package pcm.softcpu.internal;

/**
 * Segments, descriptors, the TSS and interrupt/exception delivery through the 64-bit IDT. The
 * decoder and the instruction families build on this ({@link CpuDecode}, {@link DecodeTable}).
 */
abstract class CpuBase extends CpuMemory {

    CpuBase(PhysicalMemory mem) {
        super(mem);
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
