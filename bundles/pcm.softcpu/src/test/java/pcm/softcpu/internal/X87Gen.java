package pcm.softcpu.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Random x87 sequences for the native differential test (issue 13 items 1 and 4): every implemented
 * escape-opcode form (arithmetic, compare, load/store in every memory format, constants, control,
 * environment and save images, FXSAVE/FXRSTOR, FWAIT, EMMS), over an initial FPU state and scratch
 * memory full of edge values (signed zeros, infinities, QNaN/SNaN payloads, the indefinite, denormals,
 * pseudo-denormals, unnormals, pseudo-NaNs, extreme exponents, integers and halves, values just beyond
 * the integer ranges), all four rounding modes and three precision controls, and sometimes unmasked
 * exceptions (reported as #MF by the next waiting instruction). Memory operands are [R15 + disp]
 * in the scratch area; some straddle the page boundary inside it, some run into the hole (#PF).
 */
final class X87Gen {

    static final int VALUES = 0x000, CWS = 0x800, ENV = 0xA00, FXAREA = 0xC00, VALUES2 = 0x1000, FXAREA2 = 0x1A00;

    final SplittableRandom rnd;
    final Map<String, Integer> classes = new TreeMap<>();

    X87Gen(long seed) {
        rnd = new SplittableRandom(seed);
    }

    // ---- values ----

    long[] f80() {
        boolean neg = rnd.nextBoolean();
        int s = neg ? 0x8000 : 0;
        long r = rnd.nextLong();
        switch (rnd.nextInt(22)) {
            case 0: return new long[] {s, 0};
            case 1: return new long[] {s | 0x7FFF, 1L << 63};
            case 2: return new long[] {s | 0x7FFF, 0xC000000000000000L | (r >>> 2 & (rnd.nextBoolean() ? -1L : 0xFFFL))};
            case 3: return new long[] {s | 0x7FFF, 0x8000000000000000L | Math.max(1, r >>> 2 & (rnd.nextBoolean() ? -1L : 0xFFL))};
            case 4: return new long[] {0xFFFF, 0xC000000000000000L};
            case 5: return new long[] {s, r >>> (1 + rnd.nextInt(63))}; // denormal
            case 6: return new long[] {s, r | 1L << 63}; // pseudo-denormal
            case 7: return new long[] {s | (1 + rnd.nextInt(0x7FFE)), r & Long.MAX_VALUE}; // unnormal
            case 8: return new long[] {s | 0x7FFF, r & Long.MAX_VALUE}; // pseudo-NaN / pseudo-infinity
            case 9: return new long[] {s | (1 + rnd.nextInt(80)), r | 1L << 63}; // tiny normal
            case 10: return new long[] {s | (0x7FFE - rnd.nextInt(80)), r | 1L << 63}; // huge
            case 11: { // an integer, maybe near the int16/32/64 limits
                int bits = new int[] {15, 16, 31, 32, 63, 64, 5}[rnd.nextInt(7)];
                long v = bits >= 64 ? r : (r >> (64 - bits)) + rnd.nextInt(3) - 1;
                return fromLong(v, neg);
            }
            case 12: { // k + 0.5, k + 0.25.. (rounding ties and near-ties)
                int e = 1 + rnd.nextInt(70);
                long m = (r | 1L << 63) & ~((1L << Math.max(0, 63 - e - 2)) - 1);
                return new long[] {s | (0x3FFF + e), m};
            }
            case 13: return new long[] {s | 0x3FFF, 1L << 63}; // ±1
            case 14: { // exactly a float or a double
                int keep = rnd.nextBoolean() ? 24 : 53;
                return new long[] {s | (0x3FFF - 130 + rnd.nextInt(260)), (r | 1L << 63) & -(1L << (64 - keep))};
            }
            case 15: return new long[] {s | (0x3FFF - 1030 + rnd.nextInt(20)), r | 1L << 63}; // near the double denormal range
            case 16: return new long[] {s | (0x3FFF - 135 + rnd.nextInt(20)), r | 1L << 63}; // near the float denormal range
            case 17: return new long[] {s | (0x3FFF + 1020 + rnd.nextInt(8)), r | 1L << 63}; // near the double overflow
            default: return new long[] {s | (0x3FFF - 40 + rnd.nextInt(110)), r | 1L << 63};
        }
    }

    private static long[] fromLong(long v, boolean neg) {
        if (v == 0) return new long[] {neg ? 0x8000 : 0, 0};
        boolean n = v < 0;
        long a = n ? -v : v;
        int lz = Long.numberOfLeadingZeros(a);
        return new long[] {(n ? 0x8000 : 0) | (0x3FFF + 63 - lz), a << lz};
    }

    long f64() {
        long s = rnd.nextBoolean() ? 1L << 63 : 0;
        long r = rnd.nextLong();
        switch (rnd.nextInt(10)) {
            case 0: return s;
            case 1: return s | 0x7FF0000000000000L;
            case 2: return s | 0x7FF8000000000000L | (r & 0xFFFFFFFFFFFFL);
            case 3: return s | 0x7FF0000000000000L | Math.max(1, r & 0x7FFFFFFFFFFFFL); // SNaN
            case 4: return s | (r >>> 12 >>> rnd.nextInt(52)); // denormal
            case 5: return s | 0x7FEFFFFFFFFFFFFFL;
            default: return s | (long) (1023 - 70 + rnd.nextInt(140)) << 52 | (r >>> 12);
        }
    }

    int f32() {
        int s = rnd.nextBoolean() ? 1 << 31 : 0;
        int r = rnd.nextInt();
        switch (rnd.nextInt(10)) {
            case 0: return s;
            case 1: return s | 0x7F800000;
            case 2: return s | 0x7FC00000 | (r & 0x3FFFFF);
            case 3: return s | 0x7F800000 | Math.max(1, r & 0x3FFFFF);
            case 4: return s | (r >>> 9 >>> rnd.nextInt(23));
            default: return s | (127 - 40 + rnd.nextInt(80)) << 23 | (r >>> 9);
        }
    }

    int cw() {
        int rc = rnd.nextInt(4), pc = new int[] {0, 2, 3, 3, 3, 1}[rnd.nextInt(6)];
        int masks = rnd.nextInt(6) == 0 ? rnd.nextInt(64) : 0x3F;
        return 0x40 | masks | pc << 8 | rc << 10;
    }

    /** Fills scratch memory: value slots, control words, a plausible FXRSTOR image. */
    void fillScratch(byte[] scratch) {
        for (int i = 0; i < scratch.length; i++) scratch[i] = (byte) rnd.nextInt();
        ByteBuffer b = ByteBuffer.wrap(scratch).order(ByteOrder.LITTLE_ENDIAN);
        for (int base : new int[] {VALUES, VALUES2}) {
            for (int slot = 0; slot < 128; slot++) {
                int at = base + 16 * slot;
                switch (slot % 4) {
                    case 0: { long[] v = f80(); b.putLong(at, v[1]); b.putShort(at + 8, (short) v[0]); break; }
                    case 1: b.putLong(at, f64()); break;
                    case 2: b.putInt(at, f32()); break;
                    default: {
                        long[] v = f80();
                        b.putLong(at, switch (rnd.nextInt(3)) { case 0 -> rnd.nextLong(); case 1 -> rnd.nextInt(); default -> (short) rnd.nextInt(); });
                        if (rnd.nextBoolean()) { b.putLong(at, v[1]); b.putShort(at + 8, (short) v[0]); }
                    }
                }
            }
        }
        for (int i = 0; i < 32; i++) b.putShort(CWS + 16 * i, (short) cw());
        fpImage(scratch, FXAREA2);
        if (rnd.nextInt(4) != 0) fpImage(scratch, FXAREA); // else random bytes: FXRSTOR's MXCSR check (#GP)
    }

    /** A random FXSAVE image (valid MXCSR, consistent ES) at {@code at} of {@code into}. */
    void fpImage(byte[] into, int at) {
        ByteBuffer b = ByteBuffer.wrap(into).order(ByteOrder.LITTLE_ENDIAN);
        int cw = cw();
        b.putShort(at, (short) cw);
        int flags = rnd.nextInt(3) == 0 ? rnd.nextInt(64) & cw & 0x3F : 0;
        int cc = rnd.nextInt() & (0x4700);
        b.putShort(at + 2, (short) (flags | cc | rnd.nextInt(8) << 11));
        into[at + 4] = (byte) (rnd.nextInt(3) == 0 ? 0xFF : rnd.nextInt(256));
        into[at + 5] = 0;
        // pointers loaded by FXRSTOR: the vendor models differ in what later updates and saves show of them
        boolean pointers = rnd.nextBoolean();
        b.putShort(at + 6, (short) (pointers ? rnd.nextInt(0x800) : 0));
        b.putLong(at + 8, pointers ? rnd.nextLong() & 0x7FFF_FFFF_FFFFL : 0);
        b.putLong(at + 16, pointers ? rnd.nextLong() & 0x7FFF_FFFF_FFFFL : 0);
        b.putInt(at + 24, 0x1F80);
        b.putInt(at + 28, 0xFFFF);
        for (int i = 0; i < 8; i++) {
            long[] v = f80();
            b.putLong(at + 32 + 16 * i, v[1]);
            b.putShort(at + 40 + 16 * i, (short) v[0]);
            for (int k = 10; k < 16; k++) into[at + 32 + 16 * i + k] = 0;
        }
        for (int i = 0; i < 256; i++) into[at + 160 + i] = (byte) rnd.nextInt();
    }

    // ---- instructions ----

    /** [R15 + disp32]: REX.B (with W), opcode bytes, ModRM mod=10 rm=7. */
    private static byte[] mem(int rex, int reg, int disp, int... op) {
        byte[] b = new byte[1 + op.length + 5];
        b[0] = (byte) (0x41 | rex);
        for (int i = 0; i < op.length; i++) b[1 + i] = (byte) op[i];
        int k = 1 + op.length;
        b[k] = (byte) (0x80 | reg << 3 | 7);
        for (int i = 0; i < 4; i++) b[k + 1 + i] = (byte) (disp >> (8 * i));
        return b;
    }

    /** Address of the instruction being generated (RIP-relative operands). */
    private long pc;

    /**
     * A memory operand in one of several addressing forms: [R15 + disp32] (mostly), [R15 + disp8],
     * [RIP + disp32] to the same scratch address, or a random [RSP + disp8] in the stack page.
     */
    private byte[] operand(int reg, int disp, int... op) {
        int form = rnd.nextInt(10);
        if (form == 0 && disp >= 0 && disp < 0x80) {
            classes.merge("x87_am_r15_disp8", 1, Integer::sum);
            byte[] b = new byte[op.length + 3];
            b[0] = 0x41;
            for (int i = 0; i < op.length; i++) b[1 + i] = (byte) op[i];
            b[1 + op.length] = (byte) (0x40 | reg << 3 | 7);
            b[2 + op.length] = (byte) disp;
            return b;
        }
        if (form == 1) { // RIP-relative: the displacement counts from the end of the instruction
            classes.merge("x87_am_rip", 1, Integer::sum);
            byte[] b = new byte[op.length + 5];
            for (int i = 0; i < op.length; i++) b[i] = (byte) op[i];
            b[op.length] = (byte) (reg << 3 | 5);
            long rel = DiffGen.SCRATCH + disp - (pc + b.length);
            for (int i = 0; i < 4; i++) b[op.length + 1 + i] = (byte) (rel >> (8 * i));
            return b;
        }
        if (form == 2) { // [RSP + disp8] (SIB): the stack page's random contents
            classes.merge("x87_am_rsp_sib", 1, Integer::sum);
            byte[] b = new byte[op.length + 3];
            for (int i = 0; i < op.length; i++) b[i] = (byte) op[i];
            b[op.length] = (byte) (0x44 | reg << 3);
            b[op.length + 1] = 0x24;
            b[op.length + 2] = (byte) rnd.nextInt(256);
            return b;
        }
        classes.merge("x87_am_r15_disp32", 1, Integer::sum);
        return mem(0, reg, disp, op);
    }

    private int valueDisp(int kind) { // kind 0 f80, 1 f64, 2 f32, 3 int
        int base = rnd.nextBoolean() ? VALUES : VALUES2;
        int slot = rnd.nextInt(32) * 4 + (rnd.nextInt(5) == 0 ? rnd.nextInt(4) : kind);
        int d = base + 16 * slot;
        if (rnd.nextInt(40) == 0) d = 0x1000 - 1 - rnd.nextInt(9); // straddles the page boundary inside scratch
        if (rnd.nextInt(60) == 0) d = 0x2000 - 1 - rnd.nextInt(9); // runs into the hole: #PF
        return d;
    }

    private byte[] insn(List<String> names) {
        int i = rnd.nextInt(8);
        int pick = rnd.nextInt(100);
        String n;
        byte[] b;
        if (pick < 14) { // register arithmetic D8 / DC / DE
            int op = new int[] {0, 1, 4, 5, 6, 7}[rnd.nextInt(6)];
            int esc = new int[] {0xD8, 0xDC, 0xDE}[rnd.nextInt(3)];
            b = new byte[] {(byte) esc, (byte) (0xC0 | op << 3 | i)};
            n = "arith_reg";
        } else if (pick < 26) { // memory arithmetic m32/m64/m32int/m16int, compares
            int esc = new int[] {0xD8, 0xDC, 0xDA, 0xDE}[rnd.nextInt(4)];
            int reg = rnd.nextInt(8);
            b = operand(reg, valueDisp(esc == 0xD8 ? 2 : esc == 0xDC ? 1 : 3), esc);
            n = reg == 2 || reg == 3 ? "compare_mem" : "arith_mem";
        } else if (pick < 40) { // loads and stores
            int[][] forms = {{0xD9, 0, 2}, {0xD9, 2, 2}, {0xD9, 3, 2}, {0xDD, 0, 1}, {0xDD, 2, 1}, {0xDD, 3, 1}, {0xDD, 1, 3},
                {0xDB, 0, 3}, {0xDB, 1, 3}, {0xDB, 2, 3}, {0xDB, 3, 3}, {0xDB, 5, 0}, {0xDB, 7, 0},
                {0xDF, 0, 3}, {0xDF, 1, 3}, {0xDF, 2, 3}, {0xDF, 3, 3}, {0xDF, 5, 3}, {0xDF, 7, 3}, {0xDF, 4, 0}, {0xDF, 6, 0}};
            int[] f = forms[rnd.nextInt(forms.length)];
            b = operand(f[1], valueDisp(f[2]), f[0]);
            n = (f[1] == 0 || f[1] == 5 || (f[0] == 0xDF && f[1] == 4)) ? "load" : "store";
        } else if (pick < 52) { // compares and FCMOV/FCOMI
            int[][] forms = {{0xD8, 0xD0}, {0xD8, 0xD8}, {0xDD, 0xE0}, {0xDD, 0xE8}, {0xDB, 0xE8}, {0xDB, 0xF0}, {0xDF, 0xE8},
                {0xDF, 0xF0}, {0xDA, 0xC0}, {0xDA, 0xC8}, {0xDA, 0xD0}, {0xDA, 0xD8}, {0xDB, 0xC0}, {0xDB, 0xC8}, {0xDB, 0xD0},
                {0xDB, 0xD8}, {0xDC, 0xD0}, {0xDC, 0xD8}, {0xDE, 0xD0}};
            int[] f = forms[rnd.nextInt(forms.length)];
            b = new byte[] {(byte) f[0], (byte) (f[1] | i)};
            n = f[0] == 0xDA || (f[0] == 0xDB && f[1] < 0xE0) ? "fcmov" : "compare";
            if (rnd.nextInt(6) == 0) {
                b = rnd.nextBoolean() ? new byte[] {(byte) 0xDE, (byte) 0xD9} : new byte[] {(byte) 0xDA, (byte) 0xE9};
                n = "compare";
            }
        } else if (pick < 70) { // D9 register forms, stack, unary
            int[] ops = {0xC0 | i, 0xC8 | i, 0xD0, 0xD8 | i, 0xE0, 0xE1, 0xE4, 0xE5, 0xE8, 0xE9, 0xEA, 0xEB, 0xEC, 0xED, 0xEE, 0xF4,
                0xF5, 0xF6, 0xF7, 0xF8, 0xFA, 0xFC, 0xFD};
            int m = ops[rnd.nextInt(ops.length)];
            b = new byte[] {(byte) 0xD9, (byte) m};
            n = m >= 0xE8 && m <= 0xEE ? "constant" : m == 0xF5 || m == 0xF8 ? "fprem" : m == 0xFA || m == 0xFC || m == 0xFD || m == 0xF4 ? "unary_round" : "stack";
            if (rnd.nextInt(5) == 0) {
                int[][] more = {{0xDD, 0xC0 | i}, {0xDD, 0xD0 | i}, {0xDD, 0xD8 | i}, {0xDF, 0xC0 | i}, {0xDD, 0xC8 | i}, {0xDF, 0xC8 | i},
                    {0xDF, 0xD0 | i}, {0xDF, 0xD8 | i}};
                int[] f = more[rnd.nextInt(more.length)];
                b = new byte[] {(byte) f[0], (byte) f[1]};
                n = "stack";
            }
        } else if (pick < 84) { // control
            switch (rnd.nextInt(12)) {
                case 0: b = mem(0, 5, CWS + 16 * rnd.nextInt(32), 0xD9); n = "fldcw"; break;
                case 1: b = mem(0, 7, valueDisp(3), 0xD9); n = "fnstcw"; break;
                case 2: b = mem(0, 7, valueDisp(3), 0xDD); n = "fnstsw"; break;
                case 3: b = new byte[] {(byte) 0xDF, (byte) 0xE0}; n = "fnstsw"; break;
                case 4: b = new byte[] {(byte) 0xDB, (byte) 0xE2}; n = "fnclex"; break;
                case 5: b = new byte[] {(byte) 0xDB, (byte) 0xE3}; n = "fninit"; break;
                case 6: b = new byte[] {(byte) 0x9B}; n = "fwait"; break;
                case 7: b = prefixed(rnd.nextInt(4) == 0, mem(0, 6, envArea(), 0xD9)); n = "fnstenv"; break;
                case 8: b = prefixed(rnd.nextInt(4) == 0, mem(0, 4, envArea(), 0xD9)); n = "fldenv"; break;
                case 9: b = prefixed(rnd.nextInt(4) == 0, mem(0, 6, envArea(), 0xDD)); n = "fnsave"; break;
                case 10: b = prefixed(rnd.nextInt(4) == 0, mem(0, 4, envArea(), 0xDD)); n = "frstor"; break;
                default: b = new byte[] {0x0F, 0x77}; n = "emms"; break;
            }
        } else { // FXSAVE / FXRSTOR, 32- and 64-bit forms
            boolean w = rnd.nextBoolean();
            int area = rnd.nextBoolean() ? FXAREA : FXAREA2;
            if (rnd.nextInt(30) == 0) area += 8; // misaligned: #GP
            if (rnd.nextInt(30) == 0) area = 0x2000 - 16 * (1 + rnd.nextInt(32)); // runs into the missing page: #PF
            boolean save = rnd.nextBoolean();
            b = mem(w ? 8 : 0, save ? 0 : 1, area, 0x0F, 0xAE);
            n = save ? "fxsave" : "fxrstor";
        }
        names.add(n);
        return b;
    }

    /** The environment/save area: mostly ENV, sometimes running into the missing page (#PF). */
    private int envArea() { return rnd.nextInt(25) == 0 ? 0x2000 - 2 * (1 + rnd.nextInt(60)) : ENV; }

    private static byte[] prefixed(boolean o16, byte[] b) {
        if (!o16) return b;
        byte[] p = new byte[b.length + 1];
        p[0] = 0x66;
        System.arraycopy(b, 0, p, 1, b.length);
        return p;
    }

    List<DiffGen.Insn> sequence(long at, int len) {
        List<DiffGen.Insn> out = new ArrayList<>();
        long pc = at;
        for (int k = 0; k < len; k++) {
            List<String> name = new ArrayList<>(1);
            this.pc = pc;
            byte[] b = insn(name);
            classes.merge("x87_" + name.get(0), 1, Integer::sum);
            out.add(new DiffGen.Insn(pc, b, "x87_" + name.get(0) + " " + java.util.HexFormat.ofDelimiter(" ").formatHex(b), 0, -1, 0, 0));
            pc += b.length;
        }
        return out;
    }
}
