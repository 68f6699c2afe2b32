package pcm.softcpu.internal;

import static pcm.softcpu.internal.DecodeTable.*;

import pcm.core.api.vm.VmExit;

/**
 * System and privileged instructions: HLT, CLI/STI, IN/OUT, CPUID, RDTSC/RDTSCP/RDPMC, RDRAND/RDSEED,
 * RDPID (TSC_AUX, no exit), RDMSR/WRMSR, MOV CR/DR, CLTS, INVD/WBINVD, INVLPG, the descriptor-table instructions
 * (LGDT/LIDT/SGDT/SIDT/LLDT/LTR/SLDT/STR/SMSW), SWAPGS, SYSCALL/SYSRET, VMCALL (the hypercall),
 * fences, CLFLUSH and the hint NOPs. Instructions whose result comes from the VMM leave as exits with a
 * completion ({@link CpuDecode#completion}).
 */
abstract class SystemInsns extends ModelSpecificRegisters {

    static final String FAMILY = "system";

    SystemInsns(PhysicalMemory mem) {
        super(mem);
    }

    static void register(Builder t) {
        t.op(FAMILY, MAP_PRIMARY, 0xF4, ANY, F_NONE, I_NONE, "HLT", (c, b) -> c.hlt());
        t.op(FAMILY, MAP_PRIMARY, 0xFA, ANY, F_NONE, I_NONE, "CLI", (c, b) -> c.cli());
        t.op(FAMILY, MAP_PRIMARY, 0xFB, ANY, F_NONE, I_NONE, "STI", (c, b) -> c.sti());
        for (int b : new int[] {0xE4, 0xE5, 0xEC, 0xED}) {
            t.op(FAMILY, MAP_PRIMARY, b, ANY, F_NONE, I_NONE, "IN", (c, op) -> c.in(op));
        }
        for (int b : new int[] {0xE6, 0xE7, 0xEE, 0xEF}) {
            t.op(FAMILY, MAP_PRIMARY, b, ANY, F_NONE, I_NONE, "OUT", (c, op) -> c.out(op));
        }
        // 0F 00: SLDT, STR, LLDT, LTR, VERR, VERW (Linux 6.1.176 runs VERW on every return to user mode on an AMD
        // CPU it deems exposed to TSA, and on Intel ones exposed to MDS: it clears CPU buffers as a side effect)
        String[] g6 = {"SLDT", "STR", "LLDT", "LTR"};
        for (int op = 0; op < 4; op++) t.group(FAMILY, MAP_0F, 0x00, ANY, op, EITHER, I_NONE, false, g6[op], (c, b) -> c.group6());
        t.group(FAMILY, MAP_0F, 0x00, ANY, 4, EITHER, I_NONE, false, "VERR", (c, b) -> c.verifySegment(false));
        t.group(FAMILY, MAP_0F, 0x00, ANY, 5, EITHER, I_NONE, false, "VERW", (c, b) -> c.verifySegment(true));
        // 0F 01: descriptor tables, SMSW, INVLPG; register forms by the whole ModRM
        String[] g7 = {"SGDT", "SIDT", "LGDT", "LIDT", "SMSW"};
        for (int op = 0; op < 5; op++) t.group(FAMILY, MAP_0F, 0x01, ANY, op, MEM, I_NONE, false, g7[op] + " M", (c, b) -> c.group7Mem());
        t.group(FAMILY, MAP_0F, 0x01, ANY, 7, MEM, I_NONE, false, "INVLPG M", (c, b) -> c.group7Mem());
        t.group(FAMILY, MAP_0F, 0x01, ANY, 4, REG, I_NONE, false, "SMSW Rv", (c, b) -> c.setReg(c.rm, c.osz, c.cr0 & 0xFFFF));
        t.unsupportedGroup(FAMILY, MAP_0F, 0x01, ANY, 6, EITHER, "LMSW");
        t.groupRm(FAMILY, MAP_0F, 0x01, ANY, 0xC1, "VMCALL (hypercall)", (c, b) -> c.vmcall());
        t.groupRm(FAMILY, MAP_0F, 0x01, ANY, 0xF8, "SWAPGS", (c, b) -> c.swapgs());
        t.groupRm(FAMILY, MAP_0F, 0x01, ANY, 0xF9, "RDTSCP", (c, b) -> c.rdtscp());
        t.unsupported(FAMILY, MAP_0F, 0x02, 0x02, ANY, "LAR");
        t.unsupported(FAMILY, MAP_0F, 0x03, 0x03, ANY, "LSL");
        t.unsupported(FAMILY, MAP_0F, 0xB2, 0xB2, ANY, "LSS");
        t.unsupported(FAMILY, MAP_0F, 0xB4, 0xB5, ANY, "LFS/LGS");
        t.op(FAMILY, MAP_0F, 0x05, ANY, F_NONE, I_NONE, "SYSCALL", (c, b) -> c.syscall());
        t.op(FAMILY, MAP_0F, 0x06, ANY, F_NONE, I_NONE, "CLTS", (c, b) -> { if (c.cpl != 0) throw c.gp(0); c.cr0 &= ~CR0_TS; });
        t.op(FAMILY, MAP_0F, 0x07, ANY, F_NONE, I_NONE, "SYSRET", (c, b) -> c.sysret());
        t.op(FAMILY, MAP_0F, 0x08, ANY, F_NONE, I_NONE, "INVD", (c, b) -> { if (c.cpl != 0) throw c.gp(0); });
        t.op(FAMILY, MAP_0F, 0x09, ANY, F_NONE, I_NONE, "WBINVD", (c, b) -> { if (c.cpl != 0) throw c.gp(0); });
        t.op(FAMILY, MAP_0F, 0x0B, ANY, F_NONE, I_NONE, "UD2", (c, b) -> { throw c.ud(); });
        t.op(FAMILY, MAP_0F, 0x0D, ANY, F_MODRM, I_NONE, "PREFETCH hint (NOP)", (c, b) -> { });
        t.range(FAMILY, MAP_0F, 0x18, 0x1F, ANY, F_MODRM, I_NONE, "hint NOP / PREFETCHh / ENDBR", (c, b) -> { });
        t.op(FAMILY, MAP_0F, 0x20, ANY, F_MODRM_REG, I_NONE, "MOV Rq,Cr", (c, b) -> c.movCr(false));
        t.op(FAMILY, MAP_0F, 0x22, ANY, F_MODRM_REG, I_NONE, "MOV Cr,Rq", (c, b) -> c.movCr(true));
        t.op(FAMILY, MAP_0F, 0x21, ANY, F_MODRM_REG, I_NONE, "MOV Rq,Dr", (c, b) -> c.movDr(false));
        t.op(FAMILY, MAP_0F, 0x23, ANY, F_MODRM_REG, I_NONE, "MOV Dr,Rq", (c, b) -> c.movDr(true));
        t.op(FAMILY, MAP_0F, 0x30, ANY, F_NONE, I_NONE, "WRMSR", (c, b) -> c.wrmsr());
        t.op(FAMILY, MAP_0F, 0x31, ANY, F_NONE, I_NONE, "RDTSC", (c, b) -> c.rdtsc());
        t.op(FAMILY, MAP_0F, 0x32, ANY, F_NONE, I_NONE, "RDMSR", (c, b) -> c.rdmsr());
        t.op(FAMILY, MAP_0F, 0x33, ANY, F_NONE, I_NONE, "RDPMC", (c, b) -> c.rdpmc());
        t.op(FAMILY, MAP_0F, 0xA2, ANY, F_NONE, I_NONE, "CPUID", (c, b) -> c.cpuid());
        t.group(FAMILY, MAP_0F, 0xC7, P_NONE | P_66, 6, REG, I_NONE, false, "RDRAND Rv", (c, b) -> c.rdrandSeed(VmExit.Insn.RDRAND));
        t.group(FAMILY, MAP_0F, 0xC7, P_NONE | P_66, 7, REG, I_NONE, false, "RDSEED Rv", (c, b) -> c.rdrandSeed(VmExit.Insn.RDSEED));
        t.group(FAMILY, MAP_0F, 0xC7, P_F3, 7, REG, I_NONE, false, "RDPID Rq", (c, b) -> c.r[c.rm] = c.tscAux & 0xFFFFFFFFL);
        // 0F AE: fences and CLFLUSH; FXSAVE/FXRSTOR/LDMXCSR/STMXCSR belong to the SSE family (placeholders there)
        t.group(FAMILY, MAP_0F, 0xAE, P_NONE, 5, REG, I_NONE, false, "LFENCE", (c, b) -> { });
        t.group(FAMILY, MAP_0F, 0xAE, P_NONE, 6, REG, I_NONE, false, "MFENCE", (c, b) -> { });
        t.group(FAMILY, MAP_0F, 0xAE, P_NONE, 7, REG, I_NONE, false, "SFENCE", (c, b) -> { });
        t.group(FAMILY, MAP_0F, 0xAE, P_NONE, 7, MEM, I_NONE, false, "CLFLUSH M", (c, b) -> { });
    }

    final void hlt() {
        if (cpl != 0) throw gp(0);
        pendingExit = new VmExit.Hlt((flags & IF) != 0);
    }

    final void cli() {
        if (cpl > ((flags >> 12) & 3)) throw gp(0);
        flags &= ~IF;
    }

    final void sti() {
        if (cpl > ((flags >> 12) & 3)) throw gp(0);
        if ((flags & IF) == 0) shadowAt = icount + 1;
        flags |= IF;
    }

    final void in(int b) {
        int port = b < 0xE8 ? fetch8() : (int) r[2] & 0xFFFF;
        int size = (b & 1) == 0 ? 1 : (osz == 8 ? 4 : osz);
        checkIo(port, size);
        pendingExit = new VmExit.PortIn(port, size);
        completion = C_IN;
        complSize = size;
    }

    final void out(int b) {
        int port = b < 0xE8 ? fetch8() : (int) r[2] & 0xFFFF;
        int size = (b & 1) == 0 ? 1 : (osz == 8 ? 4 : osz);
        checkIo(port, size);
        pendingExit = new VmExit.PortOut(port, size, r[0] & MASK[size]);
    }

    /**
     * 0F 00 /4 VERR, /5 VERW: ZF = whether the segment the selector names could be read (written) at the CPL and the
     * selector's RPL; no other flag changes and nothing faults but the operand's own read and the descriptor fetch
     * (SDM VERR/VERW: null or out-of-limit selector, system descriptor, privilege: ZF = 0; a conforming code segment
     * passes VERR's privilege check; the present bit is not checked).
     */
    final void verifySegment(boolean write) {
        int sel = (int) rmRead(2) & 0xFFFF;
        boolean ok = segmentVerifies(sel, write);
        materialize();
        flags = ok ? flags | ZF : flags & ~ZF;
    }

    private boolean segmentVerifies(int sel, boolean write) {
        if ((sel & ~3) == 0) return false;
        long base;
        int limit;
        if ((sel & 4) != 0) {
            if ((ldtSel & 0xFFFC) == 0 || (ldtAttr & (1 << 16)) != 0) return false; // no LDT loaded
            base = ldtBase;
            limit = ldtLimit;
        } else {
            base = gdtBase;
            limit = gdtLimit;
        }
        int idx = sel & ~7;
        if (idx + 7 > limit) return false;
        long d = sysRead(base + idx, 8);
        if (((d >>> 44) & 1) == 0) return false; // a system descriptor
        int type = (int) (d >>> 40) & 0xF, dpl = (int) (d >>> 45) & 3;
        boolean code = (type & 8) != 0, conformingCode = code && (type & 4) != 0;
        if (!(conformingCode && !write) && (cpl > dpl || (sel & 3) > dpl)) return false;
        return write ? !code && (type & 2) != 0 : !code || (type & 2) != 0;
    }

    /** 0F 00 /0../3 (ModRM decoded). */
    final void group6() {
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
            default: throw ud();
        }
    }

    /** 0F 01 memory forms /0../4, /7 (ModRM decoded). */
    final void group7Mem() {
        int op = reg & 7;
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
            default: throw ud();
        }
    }

    final void vmcall() {
        pendingExit = new VmExit.Hypercall(r[0], r[3], r[1], r[2], r[6]);
        completion = C_HYPERCALL;
    }

    final void swapgs() {
        if (cpl != 0) throw gp(0); // was #UD; the host CPU raises #GP(0) (UndefinedOpcodeNativeTest)
        long t = segBase[GS];
        segBase[GS] = kernelGsBase;
        kernelGsBase = t;
    }

    /** CR4.TSD: RDTSC/RDTSCP are privileged. */
    static final long CR4_TSD = 4, CR4_PCE = 0x100;

    final void rdtscp() {
        if (cpl != 0 && (cr4 & CR4_TSD) != 0) throw gp(0);
        pendingExit = new VmExit.Nondeterministic(VmExit.Insn.RDTSCP, 0);
        completion = C_RDTSCP;
    }

    final void rdtsc() {
        if (cpl != 0 && (cr4 & CR4_TSD) != 0) throw gp(0);
        pendingExit = new VmExit.Nondeterministic(VmExit.Insn.RDTSC, 0);
        completion = C_EDXEAX;
    }

    /** RDPMC: CPL0 or CR4.PCE; the counter index in ECX is checked by the VMM's answer, not here. */
    final void rdpmc() {
        if (cpl != 0 && (cr4 & CR4_PCE) == 0) throw gp(0);
        pendingExit = new VmExit.Nondeterministic(VmExit.Insn.RDPMC, (int) r[1]);
        completion = C_EDXEAX;
    }

    final void cpuid() {
        pendingExit = new VmExit.Cpuid((int) r[0], (int) r[1]);
        completion = C_CPUID;
    }

    /** 0F C7 /6, /7 register forms. */
    final void rdrandSeed(VmExit.Insn which) {
        pendingExit = new VmExit.Nondeterministic(which, 0);
        completion = C_RAND;
        complReg = rm;
        complSize = osz;
    }

    /** MOV to/from DR0..7 (ModRM decoded as registers). */
    final void movDr(boolean write) {
        if (cpl != 0) throw gp(0);
        int n = reg & 7;
        if (!write) r[rm] = dr[n];
        else dr[n] = r[rm];
    }

    final void movCr(boolean write) {
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

    final void syscall() {
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

    final void sysret() {
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
}
