package pcm.softcpu.internal.x87;

/**
 * The x87 control instructions that move whole state images (FNSTENV/FLDENV, FNSAVE/FRSTOR,
 * FXSAVE/FXRSTOR; SDM vol. 1 §8.1.10, Figures 8-9/8-10, Table 10-2/10-3) and the classification of the
 * escape opcodes into undefined, control (waiting or not) and the rest. The images are read whole
 * before any state changes and their destination checked writable before any byte is written, so a
 * fault leaves both FPU and memory as they were.
 */
final class X87Env {

    static final int UNDEFINED = 0, NOWAIT_CONTROL = 1, WAITING_CONTROL = 2, ARITH = 3;

    private final X87Unit u;

    X87Env(X87Unit u) {
        this.u = u;
    }

    static int kind(int op, int mod, int reg, int modrm) {
        if (mod != 3) {
            switch (op) {
                case 0xD9:
                    if (reg == 1) return UNDEFINED;
                    if (reg == 6 || reg == 7) return NOWAIT_CONTROL; // FNSTENV, FNSTCW
                    if (reg == 4 || reg == 5) return WAITING_CONTROL; // FLDENV, FLDCW
                    return ARITH;
                case 0xDB: return reg == 4 || reg == 6 ? UNDEFINED : ARITH;
                case 0xDD:
                    if (reg == 5) return UNDEFINED;
                    if (reg == 6 || reg == 7) return NOWAIT_CONTROL; // FNSAVE, FNSTSW
                    if (reg == 4) return WAITING_CONTROL; // FRSTOR
                    return ARITH;
                default: return ARITH;
            }
        }
        switch (op) {
            case 0xD9:
                if (reg <= 1 || reg == 3) return ARITH;
                if (reg == 2) return modrm == 0xD0 ? ARITH : UNDEFINED;
                switch (modrm) {
                    case 0xE2: case 0xE3: case 0xE6: case 0xE7: case 0xEF: return UNDEFINED;
                    default: return ARITH;
                }
            case 0xDA: return reg < 4 || modrm == 0xE9 ? ARITH : UNDEFINED;
            case 0xDB:
                if (reg == 4) {
                    if (modrm >= 0xE5) return UNDEFINED;
                    return NOWAIT_CONTROL; // FNENI, FNDISI, FNCLEX, FNINIT, FNSETPM
                }
                return reg == 7 ? UNDEFINED : ARITH;
            case 0xDE: return reg == 3 && modrm != 0xD9 ? UNDEFINED : ARITH;
            case 0xDF:
                if (reg == 4) return modrm == 0xE0 ? NOWAIT_CONTROL : UNDEFINED;
                return reg == 7 ? UNDEFINED : ARITH;
            default: return ARITH;
        }
    }

    // ---- FNSTENV / FLDENV ----

    private static int envSize(boolean o16) { return o16 ? 14 : 28; }

    private byte[] envImage(boolean o16) {
        X87State s = u.s;
        byte[] b = new byte[o16 ? 14 : 28];
        if (o16) {
            put(b, 0, 2, s.fcw);
            put(b, 2, 2, s.statusWord());
            put(b, 4, 2, s.tagWord());
            put(b, 6, 2, s.fip);
            put(b, 8, 2, s.fcs);
            put(b, 10, 2, s.fdp);
            put(b, 12, 2, s.fds);
        } else {
            put(b, 0, 4, 0xFFFF0000L | s.fcw);
            put(b, 4, 4, 0xFFFF0000L | s.statusWord());
            put(b, 8, 4, 0xFFFF0000L | s.tagWord());
            put(b, 12, 4, s.fip);
            put(b, 16, 4, s.fcs | (long) s.fop << 16);
            put(b, 20, 4, s.fdp);
            put(b, 24, 4, 0xFFFF0000L | s.fds);
        }
        return b;
    }

    private void loadEnv(byte[] b, boolean o16) {
        X87State s = u.s;
        s.fcw = (int) get(b, 0, 2) & 0x1F3F | 0x40;
        s.setStatusWord((int) get(b, o16 ? 2 : 4, 2));
        s.setTagWord((int) get(b, o16 ? 4 : 8, 2));
        boolean selectors = s.vendor() == FpuVendor.AMD; // Intel deprecates FCS/FDS (kept zero), AMD loads them (measured)
        if (o16) {
            s.fip = get(b, 6, 2);
            s.fop = 0; // the 16-bit format has no FOP: it is cleared (measured)
            s.fcs = selectors ? (int) get(b, 8, 2) : 0;
            s.fdp = get(b, 10, 2);
            s.fds = selectors ? (int) get(b, 12, 2) : 0;
        } else {
            s.fip = get(b, 12, 4);
            s.fcs = selectors ? (int) get(b, 16, 2) : 0;
            s.fop = (int) get(b, 18, 2) & 0x7FF;
            s.fdp = get(b, 20, 4);
            s.fds = selectors ? (int) get(b, 24, 2) : 0;
        }
        s.updateSummary();
    }

    void fnstenv(X87Host h, long ea, boolean o16) {
        byte[] b = envImage(o16);
        store(h, ea, b);
        u.s.fcw |= X87.EXC; // FNSTENV masks every exception after storing
        u.s.updateSummary();
    }

    void fldenv(X87Host h, long ea, boolean o16) {
        loadEnv(load(h, ea, envSize(o16)), o16);
    }

    void fnsave(X87Host h, long ea, boolean o16) {
        byte[] env = envImage(o16);
        byte[] b = java.util.Arrays.copyOf(env, env.length + 80);
        for (int i = 0; i < 8; i++) {
            F80 v = u.s.reg[u.phys(i)];
            put(b, env.length + 10 * i, 8, v.m());
            put(b, env.length + 10 * i + 8, 2, v.se());
        }
        store(h, ea, b);
        u.s.init();
    }

    void frstor(X87Host h, long ea, boolean o16) {
        int n = envSize(o16);
        byte[] b = load(h, ea, n + 80);
        loadEnv(b, o16);
        for (int i = 0; i < 8; i++) {
            u.s.reg[u.phys(i)] = new F80((int) get(b, n + 10 * i + 8, 2), get(b, n + 10 * i, 8));
        }
    }

    // ---- FXSAVE / FXRSTOR ----

    /** FXSAVE writes bytes 0-415 (fields, ST/MM, XMM0-15); 416-511 (reserved, software-available) are left alone. */
    static final int FXSAVE_WRITTEN = 416;

    void fxsave(X87Host h, long ea, boolean wide) {
        checkFx(h, ea);
        byte[] img = new byte[512];
        u.s.fxsave(img, wide);
        h.checkWritable(ea, 512); // the whole area is checked, nothing is written if any of it faults (measured)
        for (int i = 0; i < FXSAVE_WRITTEN; i += 8) h.write(ea + i, 8, get(img, i, 8));
    }

    void fxrstor(X87Host h, long ea, boolean wide) {
        checkFx(h, ea);
        byte[] img = load(h, ea, 512);
        if (u.s.mxcsrReserved(img)) throw h.fault(X87.GP, 0);
        u.s.fxrstor(img, wide);
    }

    private static void checkFx(X87Host h, long ea) {
        long cr0 = h.cr0();
        if ((cr0 & (X87Host.CR0_TS | X87Host.CR0_EM)) != 0) throw h.fault(X87.NM, 0);
        if ((ea & 15) != 0) throw h.fault(X87.GP, 0);
    }

    // ---- helpers ----

    private static byte[] load(X87Host h, long ea, int n) {
        byte[] b = new byte[n];
        int i = 0;
        for (; i + 8 <= n; i += 8) put(b, i, 8, h.read(ea + i, 8));
        for (; i + 2 <= n; i += 2) put(b, i, 2, h.read(ea + i, 2));
        return b;
    }

    private static void store(X87Host h, long ea, byte[] b) {
        h.checkWritable(ea, b.length);
        int i = 0;
        for (; i + 8 <= b.length; i += 8) h.write(ea + i, 8, get(b, i, 8));
        for (; i + 2 <= b.length; i += 2) h.write(ea + i, 2, get(b, i, 2));
    }

    static void put(byte[] b, int at, int n, long v) {
        for (int k = 0; k < n; k++) b[at + k] = (byte) (v >>> (8 * k));
    }

    static long get(byte[] b, int at, int n) {
        long v = 0;
        for (int k = n - 1; k >= 0; k--) v = v << 8 | (b[at + k] & 0xFF);
        return v;
    }
}
