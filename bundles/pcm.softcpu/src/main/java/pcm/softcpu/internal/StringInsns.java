package pcm.softcpu.internal;

import static pcm.softcpu.internal.DecodeTable.*;

import pcm.core.api.vm.VmExit;

/**
 * String instructions with and without REP/REPE/REPNE: MOVS, STOS, LODS, CMPS, SCAS, and the port forms
 * INS/OUTS (one exit per element). A REP instruction yields after a bounded number of iterations, an exit,
 * or a single-step trap and resumes at the same RIP, as an interrupted REP does on hardware.
 */
abstract class StringInsns extends DataMovement {

    static final String FAMILY = "strings";

    StringInsns(PhysicalMemory mem) {
        super(mem);
    }

    static void register(Builder t) {
        for (int b : new int[] {0xA4, 0xA5, 0xA6, 0xA7, 0xAA, 0xAB, 0xAC, 0xAD, 0xAE, 0xAF}) {
            String name = switch (b & 0xFE) {
                case 0xA4 -> "MOVS";
                case 0xA6 -> "CMPS";
                case 0xAA -> "STOS";
                case 0xAC -> "LODS";
                default -> "SCAS";
            };
            t.op(FAMILY, MAP_PRIMARY, b, ANY, F_NONE, I_NONE, name + ((b & 1) == 0 ? "B" : " v"), (c, op) -> c.string(op));
        }
        t.op(FAMILY, MAP_PRIMARY, 0x6C, ANY, F_NONE, I_NONE, "INSB", (c, b) -> c.ins(1));
        t.op(FAMILY, MAP_PRIMARY, 0x6D, ANY, F_NONE, I_NONE, "INS v", (c, b) -> c.ins(c.osz == 8 ? 4 : c.osz));
        t.op(FAMILY, MAP_PRIMARY, 0x6E, ANY, F_NONE, I_NONE, "OUTSB", (c, b) -> c.outs(1));
        t.op(FAMILY, MAP_PRIMARY, 0x6F, ANY, F_NONE, I_NONE, "OUTS v", (c, b) -> c.outs(c.osz == 8 ? 4 : c.osz));
    }

    final long advance(long reg, long step) {
        return a32 ? (reg + step) & 0xFFFFFFFFL : reg + step;
    }

    final void string(int b) {
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

    final void outs(int size) {
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

    final void ins(int size) {
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
}
