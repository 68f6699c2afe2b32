package pcm.softcpu.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Random SSE/SSE2 sequences for the native differential test (issue 13 items 2 and 4): every implemented
 * form ({@link #FORMS}) with register operands (XMM0-15, GPRs except RSP/R15) and memory operands in every
 * addressing form ({@link AddressingGen#sse}: each base and index, scales, displacements, RIP-relative, 0x67,
 * straddling the scratch page boundary and into the missing page; aligned forms mostly 16-aligned, now and
 * then not: #GP), REX.W on instructions that ignore it, the encodings that must raise #UD (register forms of
 * memory-only instructions and the reverse), over XMM registers and memory full of lane edge values
 * (saturation bounds of every width, equal lanes, shift counts around and beyond the lane width) and an
 * MXCSR with random rounding, DAZ/FTZ and flags. LDMXCSR loads mostly valid values, sometimes a bit outside
 * Intel's mask: MM (bit 17, valid in the AMD model's MXCSR_MASK 0x2FFFF) or a bit reserved on both (#GP).
 */
final class SseGen {

    /** Scratch offsets: valid MXCSR values for LDMXCSR (one per 16 bytes). */
    static final int MXCSRS = 0x800;

    static final int P0 = 0, P66 = 0x66, PF3 = 0xF3, PF2 = 0xF2;

    /** Operand shapes. */
    static final int XX = 0, XX_MEM = 1, XX_REG = 2, X_GPR = 3, GPR_X = 4, MOVNTI = 5, SHIFT_IMM = 6, MXCSR = 7, MASKMOV = 8,
            X_GPR16 = 9, UD_REG = 10, UD_MEM = 11, GPR_XM = 12, X_MM = 13, MM_XM = 14;

    /** One instruction form: mnemonic, mandatory prefix, opcode (after 0F), shape, memory size, alignment, imm8, group reg. */
    record Form(String name, int prefix, int opcode, int shape, int size, boolean aligned, boolean imm, int groupReg) {}

    static final List<Form> FORMS = new ArrayList<>();

    private static void f(String name, int prefix, int opcode, int shape, int size, boolean aligned, boolean imm) {
        FORMS.add(new Form(name, prefix, opcode, shape, size, aligned, imm, -1));
    }

    private static void packed(String name, int prefix, int opcode) { f(name, prefix, opcode, XX, 16, true, false); }

    static {
        // data movement
        f("movups", P0, 0x10, XX, 16, false, false);
        f("movupd", P66, 0x10, XX, 16, false, false);
        f("movups_st", P0, 0x11, XX, 16, false, false);
        f("movupd_st", P66, 0x11, XX, 16, false, false);
        f("movss", PF3, 0x10, XX, 4, false, false);
        f("movss_st", PF3, 0x11, XX, 4, false, false);
        f("movsd", PF2, 0x10, XX, 8, false, false);
        f("movsd_st", PF2, 0x11, XX, 8, false, false);
        f("movlps_movhlps", P0, 0x12, XX, 8, false, false);
        f("movlpd", P66, 0x12, XX_MEM, 8, false, false);
        f("movlps_st", P0, 0x13, XX_MEM, 8, false, false);
        f("movlpd_st", P66, 0x13, XX_MEM, 8, false, false);
        f("movhps_movlhps", P0, 0x16, XX, 8, false, false);
        f("movhpd", P66, 0x16, XX_MEM, 8, false, false);
        f("movhps_st", P0, 0x17, XX_MEM, 8, false, false);
        f("movhpd_st", P66, 0x17, XX_MEM, 8, false, false);
        packed("movaps", P0, 0x28);
        packed("movapd", P66, 0x28);
        packed("movaps_st", P0, 0x29);
        packed("movapd_st", P66, 0x29);
        f("movntps", P0, 0x2B, XX_MEM, 16, true, false);
        f("movntpd", P66, 0x2B, XX_MEM, 16, true, false);
        f("movmskps", P0, 0x50, GPR_X, 0, false, false);
        f("movmskpd", P66, 0x50, GPR_X, 0, false, false);
        f("movd_movq_load", P66, 0x6E, X_GPR, 0, false, false);
        f("movd_movq_store", P66, 0x7E, X_GPR, 0, false, false);
        packed("movdqa", P66, 0x6F);
        f("movdqu", PF3, 0x6F, XX, 16, false, false);
        packed("movdqa_st", P66, 0x7F);
        f("movdqu_st", PF3, 0x7F, XX, 16, false, false);
        f("movq_load", PF3, 0x7E, XX, 8, false, false);
        f("movq_st", P66, 0xD6, XX, 8, false, false);
        f("movntdq", P66, 0xE7, XX_MEM, 16, true, false);
        f("movnti", P0, 0xC3, MOVNTI, 0, false, false);
        f("maskmovdqu", P66, 0xF7, MASKMOV, 16, false, false);
        FORMS.add(new Form("ldmxcsr", P0, 0xAE, MXCSR, 4, false, false, 2));
        FORMS.add(new Form("stmxcsr", P0, 0xAE, MXCSR, 4, false, false, 3));
        // packed integer
        String[] ints = {"paddb:FC", "paddw:FD", "paddd:FE", "paddq:D4", "psubb:F8", "psubw:F9", "psubd:FA", "psubq:FB", "paddsb:EC",
            "paddsw:ED", "psubsb:E8", "psubsw:E9", "paddusb:DC", "paddusw:DD", "psubusb:D8", "psubusw:D9", "pminub:DA", "pmaxub:DE",
            "pminsw:EA", "pmaxsw:EE", "pcmpeqb:74", "pcmpeqw:75", "pcmpeqd:76", "pcmpgtb:64", "pcmpgtw:65", "pcmpgtd:66", "pavgb:E0",
            "pavgw:E3", "pmullw:D5", "pmulhw:E5", "pmulhuw:E4", "pmuludq:F4", "pmaddwd:F5", "psadbw:F6",
            "psrlw:D1", "psrld:D2", "psrlq:D3", "psraw:E1", "psrad:E2", "psllw:F1", "pslld:F2", "psllq:F3",
            "punpcklbw:60", "punpcklwd:61", "punpckldq:62", "punpcklqdq:6C", "punpckhbw:68", "punpckhwd:69", "punpckhdq:6A",
            "punpckhqdq:6D", "packsswb:63", "packssdw:6B", "packuswb:67", "pand:DB", "pandn:DF", "por:EB", "pxor:EF",
            "unpcklpd:14", "unpckhpd:15", "andpd:54", "andnpd:55", "orpd:56", "xorpd:57"};
        for (String s : ints) packed(s.split(":")[0], P66, Integer.parseInt(s.split(":")[1], 16));
        for (String s : new String[] {"unpcklps:14", "unpckhps:15", "andps:54", "andnps:55", "orps:56", "xorps:57"}) {
            packed(s.split(":")[0], P0, Integer.parseInt(s.split(":")[1], 16));
        }
        String[] shifts = {"psrlw_imm:71:2", "psraw_imm:71:4", "psllw_imm:71:6", "psrld_imm:72:2", "psrad_imm:72:4", "pslld_imm:72:6",
            "psrlq_imm:73:2", "psrldq:73:3", "psllq_imm:73:6", "pslldq:73:7"};
        for (String s : shifts) {
            String[] p = s.split(":");
            FORMS.add(new Form(p[0], P66, Integer.parseInt(p[1], 16), SHIFT_IMM, 0, false, true, Integer.parseInt(p[2])));
        }
        f("pshufd", P66, 0x70, XX, 16, true, true);
        f("pshufhw", PF3, 0x70, XX, 16, true, true);
        f("pshuflw", PF2, 0x70, XX, 16, true, true);
        f("shufps", P0, 0xC6, XX, 16, true, true);
        f("shufpd", P66, 0xC6, XX, 16, true, true);
        f("pextrw", P66, 0xC5, GPR_X, 0, false, true);
        f("pinsrw", P66, 0xC4, X_GPR16, 2, false, true);
        f("pmovmskb", P66, 0xD7, GPR_X, 0, false, false);
        // floating point (SseFpArith, SseConvert over the sse.fp library)
        String[] arith = {"add:58", "mul:59", "sub:5C", "min:5D", "div:5E", "max:5F", "sqrt:51"};
        for (String a : arith) {
            String n = a.split(":")[0];
            int op = Integer.parseInt(a.split(":")[1], 16);
            packed(n + "ps", P0, op);
            packed(n + "pd", P66, op);
            f(n + "ss", PF3, op, XX, 4, false, false);
            f(n + "sd", PF2, op, XX, 8, false, false);
        }
        f("cmpps", P0, 0xC2, XX, 16, true, true);
        f("cmppd", P66, 0xC2, XX, 16, true, true);
        f("cmpss", PF3, 0xC2, XX, 4, false, true);
        f("cmpsd", PF2, 0xC2, XX, 8, false, true);
        f("ucomiss", P0, 0x2E, XX, 4, false, false);
        f("comiss", P0, 0x2F, XX, 4, false, false);
        f("ucomisd", P66, 0x2E, XX, 8, false, false);
        f("comisd", P66, 0x2F, XX, 8, false, false);
        f("cvtsi2ss", PF3, 0x2A, X_GPR, 0, false, false);
        f("cvtsi2sd", PF2, 0x2A, X_GPR, 0, false, false);
        f("cvttss2si", PF3, 0x2C, GPR_XM, 4, false, false);
        f("cvtss2si", PF3, 0x2D, GPR_XM, 4, false, false);
        f("cvttsd2si", PF2, 0x2C, GPR_XM, 8, false, false);
        f("cvtsd2si", PF2, 0x2D, GPR_XM, 8, false, false);
        f("cvtps2pd", P0, 0x5A, XX, 8, false, false);
        packed("cvtpd2ps", P66, 0x5A);
        f("cvtss2sd", PF3, 0x5A, XX, 4, false, false);
        f("cvtsd2ss", PF2, 0x5A, XX, 8, false, false);
        packed("cvtdq2ps", P0, 0x5B);
        packed("cvtps2dq", P66, 0x5B);
        packed("cvttps2dq", PF3, 0x5B);
        f("cvtdq2pd", PF3, 0xE6, XX, 8, false, false);
        packed("cvtpd2dq", PF2, 0xE6);
        packed("cvttpd2dq", P66, 0xE6);
        // the conversions with an MMX operand: register forms are MMX instructions (x87 TOP/tags, #MF), memory forms of
        // CVTPI2PS/PD are SSE ones; REX.R/REX.B (generated now and then) do not reach MMX registers
        f("cvtpi2ps", P0, 0x2A, X_MM, 8, false, false);
        f("cvtpi2pd", P66, 0x2A, X_MM, 8, false, false);
        f("cvttps2pi", P0, 0x2C, MM_XM, 8, false, false);
        f("cvtps2pi", P0, 0x2D, MM_XM, 8, false, false);
        f("cvttpd2pi", P66, 0x2C, MM_XM, 16, true, false);
        f("cvtpd2pi", P66, 0x2D, MM_XM, 16, true, false);
        // approximations: the soft CPU's exact model of the host (RecipModelNativeTest checks it exhaustively; here the
        // forms, operands, faults and the untouched lanes), generated only where it has one ({@link #recip})
        packed("rcpps", P0, 0x53);
        packed("rsqrtps", P0, 0x52);
        f("rcpss", PF3, 0x53, XX, 4, false, false);
        f("rsqrtss", PF3, 0x52, XX, 4, false, false);
        // encodings that must raise #UD: the missing ModRM form of these
        for (String s : new String[] {"66:12", "66:13", "00:13", "66:16", "66:17", "00:17", "00:2B", "66:2B", "66:E7", "00:C3"}) {
            FORMS.add(new Form("ud_reg_" + s.replace(':', '_'), Integer.parseInt(s.split(":")[0], 16), Integer.parseInt(s.split(":")[1], 16),
                    UD_REG, 0, false, false, -1));
        }
        for (String s : new String[] {"00:50", "66:50", "66:D7", "66:C5", "66:F7"}) {
            FORMS.add(new Form("ud_mem_" + s.replace(':', '_'), Integer.parseInt(s.split(":")[0], 16), Integer.parseInt(s.split(":")[1], 16),
                    UD_MEM, 16, false, s.endsWith("C5"), -1));
        }
    }

    final DiffGen g;
    final SplittableRandom rnd;
    final AddressingGen am;
    final Map<String, Integer> classes;

    /** Whether RCPPS/RSQRTPS and their scalar forms are generated: the soft CPU has the host's model ({@code SseRecip.select}). */
    boolean recip = true;

    static boolean isRecip(Form f) { return f.name.startsWith("rcp") || f.name.startsWith("rsqrt"); }

    SseGen(long seed) {
        g = new DiffGen(seed);
        rnd = g.rnd;
        am = new AddressingGen(g);
        classes = g.classes;
    }

    // ---- values ----

    private static final long[] BYTES = {0x00, 0x01, 0x7F, 0x80, 0x81, 0xFF, 0xFE, 0x40};
    private static final long[] WORDS = {0x0000, 0x0001, 0x7FFF, 0x8000, 0x8001, 0xFFFF, 0x00FF, 0xFF00, 0x0080, 0x007F, 0xFFFE};
    private static final long[] DWORDS = {0, 1, 0x7FFFFFFFL, 0x80000000L, 0xFFFFFFFFL, 0xFFFFL, 0xFFFF8000L, 0x7FFFL, 0x3F800000L,
        0xFF800000L, 0x7FC00000L, 0x00000001L};

    /** A quadword of lane edge values, a shift count, an FP value pair, or random bits. */
    long lane64() {
        long r = 0;
        switch (rnd.nextInt(13)) {
            case 0: for (int i = 0; i < 8; i++) r |= BYTES[rnd.nextInt(BYTES.length)] << (8 * i); return r;
            case 1: for (int i = 0; i < 4; i++) r |= WORDS[rnd.nextInt(WORDS.length)] << (16 * i); return r;
            case 2: return DWORDS[rnd.nextInt(DWORDS.length)] | DWORDS[rnd.nextInt(DWORDS.length)] << 32;
            case 3: { // a shift count: around the lane widths, or huge
                int k = rnd.nextInt(6);
                return k < 4 ? rnd.nextInt(70) : k == 4 ? 1L << (32 + rnd.nextInt(31)) | rnd.nextInt(8) : rnd.nextLong();
            }
            case 4: return new long[] {0, -1, Long.MIN_VALUE, Long.MAX_VALUE, 0x7FF0000000000000L, 0xFFF8000000000000L}[rnd.nextInt(6)];
            case 5: return rnd.nextLong() & 0x8080808080808080L; // mask bytes (MASKMOVDQU, PMOVMSKB)
            case 6, 7: return f64();
            case 8, 9: return (f32() & 0xFFFFFFFFL) | (long) f32() << 32;
            default: return rnd.nextLong();
        }
    }

    /** A double edge value: zeros, infinities, QNaN/SNaN payloads, denormals, extremes, integers (conversions), halves. */
    long f64() {
        long sg = rnd.nextBoolean() ? 1L << 63 : 0, r = rnd.nextLong();
        switch (rnd.nextInt(12)) {
            case 0: return sg;
            case 1: return sg | 0x7FF0000000000000L;
            case 2: return sg | 0x7FF8000000000000L | (r & 0xFFFFFFFFFFFFL);
            case 3: return sg | 0x7FF0000000000000L | Math.max(1, r & 0x7FFFFFFFFFFFFL);
            case 4: return sg | (r >>> 12 >>> rnd.nextInt(52));
            case 5: return sg | 0x7FEFFFFFFFFFFFFFL - rnd.nextInt(3);
            case 6: return Double.doubleToRawLongBits((double) (r >> rnd.nextInt(64)) + (rnd.nextBoolean() ? 0.5 : 0));
            case 7: return sg | (long) (1023 + 29 + rnd.nextInt(37)) << 52 | (r >>> 12); // near the int32/int64 limits
            case 8: return sg | (long) (1 + rnd.nextInt(60)) << 52 | (r >>> 12); // tiny (underflow)
            case 9: return sg | (long) (1023 - 127 - rnd.nextInt(30)) << 52 | (r >>> 12); // float underflow on conversion
            default: return sg | (long) (1023 - 40 + rnd.nextInt(80)) << 52 | (r >>> 12);
        }
    }

    /** A float edge value. */
    int f32() {
        int sg = rnd.nextBoolean() ? 1 << 31 : 0, r = rnd.nextInt();
        switch (rnd.nextInt(11)) {
            case 0: return sg;
            case 1: return sg | 0x7F800000;
            case 2: return sg | 0x7FC00000 | (r & 0x3FFFFF);
            case 3: return sg | 0x7F800000 | Math.max(1, r & 0x3FFFFF);
            case 4: return sg | (r >>> 9 >>> rnd.nextInt(23));
            case 5: return sg | 0x7F7FFFFF - rnd.nextInt(3);
            case 6: return Float.floatToRawIntBits((float) (r >> rnd.nextInt(32)) + (rnd.nextBoolean() ? 0.5f : 0));
            case 7: return sg | (127 + 29 + rnd.nextInt(37)) << 23 | (r >>> 9);
            case 8: return sg | (1 + rnd.nextInt(20)) << 23 | (r >>> 9);
            default: return sg | (127 - 30 + rnd.nextInt(60)) << 23 | (r >>> 9);
        }
    }

    /** Fills scratch memory with lane values (8-aligned quadwords, some repeated) and the LDMXCSR slots. */
    void fillScratch(byte[] scratch) {
        ByteBuffer b = ByteBuffer.wrap(scratch).order(ByteOrder.LITTLE_ENDIAN);
        long prev = 0;
        for (int i = 0; i + 8 <= scratch.length; i += 8) {
            long v = rnd.nextInt(6) == 0 ? prev : lane64();
            b.putLong(i, v);
            prev = v;
        }
        for (int i = 0; i < 64; i++) b.putInt(MXCSRS + 16 * i, mxcsr(true));
    }

    /** An MXCSR value: random rounding, DAZ, FTZ, flags; masks all set mostly; {@code ldmxcsr}: sometimes a reserved bit. */
    int mxcsr(boolean ldmxcsr) {
        int v = rnd.nextInt(4) << 13 | (rnd.nextInt(3) == 0 ? rnd.nextInt(64) : 0);
        if (rnd.nextBoolean()) v |= 0x40; // DAZ
        if (rnd.nextBoolean()) v |= 0x8000; // FTZ
        v |= rnd.nextInt(4) == 0 ? rnd.nextInt(64) << 7 : 0x1F80;
        if (ldmxcsr && rnd.nextInt(10) == 0) v |= new int[] {0x10000, 0x20000, 0x40000, 0x80000000, 0x1000000}[rnd.nextInt(5)];
        return v;
    }

    /**
     * The FXSAVE image a sequence starts from: x87 at reset or (half the time, for the MMX conversions) with a random
     * TOP, tags, register contents (MMX values among them) and condition codes, now and then an unmasked exception
     * pending (FSW.ES: #MF for an MMX instruction); a random MXCSR, XMM0-15 of lane values (some equal).
     */
    void fpImage(byte[] fp) {
        java.util.Arrays.fill(fp, (byte) 0);
        ByteBuffer b = ByteBuffer.wrap(fp).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort(0, (short) 0x37F);
        if (rnd.nextBoolean()) {
            boolean pending = rnd.nextInt(8) == 0;
            b.putShort(0, (short) (pending ? 0x37E : 0x37F)); // IE unmasked when pending
            int fsw = rnd.nextInt(8) << 11 | (rnd.nextInt(16) == 0 ? 0 : rnd.nextInt(16) & 0x7) << 8 | (rnd.nextBoolean() ? 0x4000 : 0);
            if (pending) fsw |= 0x8081; // B, ES, IE
            b.putShort(2, (short) fsw);
            fp[4] = (byte) (rnd.nextInt(3) == 0 ? 0xFF : rnd.nextInt(256));
            for (int i = 0; i < 8; i++) {
                b.putLong(32 + 16 * i, lane64());
                b.putShort(40 + 16 * i, (short) (rnd.nextBoolean() ? 0xFFFF : rnd.nextInt(0x10000)));
            }
        }
        b.putInt(24, mxcsr(false));
        b.putInt(28, 0xFFFF);
        for (int x = 0; x < 16; x++) {
            int at = 160 + 16 * x;
            if (x > 0 && rnd.nextInt(5) == 0) { // a copy of another register, maybe with one lane changed
                int from = 160 + 16 * rnd.nextInt(x);
                System.arraycopy(fp, from, fp, at, 16);
                if (rnd.nextBoolean()) fp[at + rnd.nextInt(16)] ^= (byte) (1 << rnd.nextInt(8));
                continue;
            }
            b.putLong(at, lane64());
            b.putLong(at + 8, lane64());
        }
    }

    // ---- instructions ----

    /** Values the current sequence needs in memory: {address, dword}, written by {@link #applyPokes}. */
    final List<long[]> pokes = new ArrayList<>();

    /** Writes the current sequence's {@link #pokes} into the initial scratch and stack contents. */
    void applyPokes(byte[] scratch, byte[] stack) {
        for (long[] p : pokes) {
            for (int k = 0; k < 4; k++) {
                long a = p[0] + k;
                byte v = (byte) (p[1] >>> (8 * k));
                if (a >= DiffGen.SCRATCH && a < DiffGen.SCRATCH + scratch.length) scratch[(int) (a - DiffGen.SCRATCH)] = v;
                if (a >= DiffRig.STACK_PAGE && a < DiffRig.STACK_PAGE + stack.length) stack[(int) (a - DiffRig.STACK_PAGE)] = v;
            }
        }
    }

    List<DiffGen.Insn> sequence(long start, int n) {
        pokes.clear();
        g.out.clear();
        g.pc = start;
        g.rsp = DiffRig.USTACK;
        while (g.out.size() < n) one();
        return List.copyOf(g.out);
    }

    private int xmm() { return rnd.nextInt(16); }

    /** A GPR the sequence may overwrite: not RSP (stack operands) nor R15 (the scratch base). */
    private int gpr() {
        int r;
        do r = rnd.nextInt(16); while (r == 4 || r == 15);
        return r;
    }

    private int imm8(Form f) {
        if (f.shape == SHIFT_IMM) return rnd.nextInt(3) == 0 ? rnd.nextInt(256) : rnd.nextInt(70);
        return rnd.nextInt(256);
    }

    void one() {
        Form f = FORMS.get(rnd.nextInt(FORMS.size()));
        if ((f.shape == UD_REG || f.shape == UD_MEM) && rnd.nextInt(4) != 0) f = FORMS.get(rnd.nextInt(FORMS.size())); // they end the sequence
        while (!recip && isRecip(f)) f = FORMS.get(rnd.nextInt(FORMS.size()));
        boolean w = rnd.nextInt(8) == 0;
        String name = f.name;
        switch (f.shape) {
            case XX, X_GPR, X_GPR16 -> {
                boolean mem = rnd.nextInt(5) < 2;
                boolean gprRm = f.shape != XX;
                if (f.shape == X_GPR) w = rnd.nextBoolean();
                if (mem) memory(f, w, xmm(), f.shape == X_GPR ? (w ? 8 : 4) : f.size, name);
                else register(f, w, xmm(), gprRm ? gpr() : xmm(), name);
            }
            case XX_MEM -> memory(f, w, xmm(), f.size, name);
            case MOVNTI -> {
                w = rnd.nextBoolean();
                memory(f, w, gpr(), w ? 8 : 4, name);
            }
            case MXCSR -> {
                if (f.groupReg == 2 && rnd.nextInt(4) != 0) fixed(f, MXCSRS + 16 * rnd.nextInt(64), name);
                else {
                    memory(f, w, f.groupReg, 4, name);
                    // LDMXCSR from a random address: a valid value there (random bits could hold AMD's MM bit 17 alone)
                    if (f.groupReg == 2) pokes.add(new long[] {am.lastTarget, mxcsr(true)});
                }
            }
            case X_MM -> {
                if (rnd.nextInt(5) < 2) memory(f, w, xmm(), f.size, name);
                else register(f, w, xmm(), rnd.nextInt(8) | (rnd.nextInt(4) == 0 ? 8 : 0), name);
            }
            case MM_XM -> {
                int mm = rnd.nextInt(8) | (rnd.nextInt(4) == 0 ? 8 : 0);
                if (rnd.nextInt(5) < 2) memory(f, w, mm, f.size, name);
                else register(f, w, mm, xmm(), name);
            }
            case GPR_X -> register(f, w, gpr(), xmm(), name);
            case GPR_XM -> {
                w = rnd.nextBoolean();
                if (rnd.nextInt(5) < 2) memory(f, w, gpr(), f.size, name);
                else register(f, w, gpr(), xmm(), name);
            }
            case SHIFT_IMM -> register(f, w, f.groupReg, xmm(), name);
            case XX_REG, UD_REG -> register(f, w, xmm(), xmm(), name);
            case UD_MEM -> memory(f, w, xmm(), 16, name);
            case MASKMOV -> {
                long target = DiffGen.SCRATCH + (rnd.nextInt(12) == 0 ? 0x1FF8 + rnd.nextInt(8) : rnd.nextInt(0x1FF0));
                movabs(7, target);
                register(f, w, xmm(), xmm(), name);
            }
            default -> throw new IllegalStateException(name);
        }
        classes.merge("sse_" + name, 1, Integer::sum);
    }

    private void register(Form f, boolean w, int reg, int rm, String name) {
        List<Integer> b = new ArrayList<>();
        if (f.prefix != 0) b.add(f.prefix);
        int rex = (w ? 8 : 0) | (reg >= 8 ? 4 : 0) | (rm >= 8 ? 1 : 0);
        if (rex != 0 || rnd.nextInt(8) == 0) b.add(0x40 | rex);
        b.add(0x0F);
        b.add(f.opcode);
        b.add(0xC0 | (reg & 7) << 3 | (rm & 7));
        if (f.imm) b.add(imm8(f));
        byte[] bytes = new byte[b.size()];
        for (int i = 0; i < bytes.length; i++) bytes[i] = (byte) (int) b.get(i);
        add(bytes, name + " r" + reg + ", r" + rm);
        classes.merge("sse_form_reg", 1, Integer::sum);
    }

    private void memory(Form f, boolean w, int reg, int size, String name) {
        am.sse(f.prefix, w, new int[] {0x0F, f.opcode}, reg, size, f.imm ? imm8(f) : -1, f.aligned, name + " r" + reg);
        classes.merge("sse_form_mem", 1, Integer::sum);
    }

    /** [R15 + disp32] at a scratch offset (LDMXCSR from its slots). */
    private void fixed(Form f, int disp, String name) {
        byte[] b = {0x41, 0x0F, (byte) f.opcode, (byte) (0x80 | f.groupReg << 3 | 7), (byte) disp, (byte) (disp >> 8), 0, 0};
        add(b, name + " [r15+" + Integer.toHexString(disp) + "]");
    }

    private void movabs(int r, long v) {
        byte[] b = new byte[10];
        b[0] = (byte) (0x48 | (r >= 8 ? 1 : 0));
        b[1] = (byte) (0xB8 + (r & 7));
        for (int k = 0; k < 8; k++) b[2 + k] = (byte) (v >>> (8 * k));
        add(b, "movabs " + DiffRunner.NAMES[r]);
    }

    private void add(byte[] bytes, String what) {
        g.out.add(new DiffGen.Insn(g.pc, bytes, what, 0, -1, 0, 0));
        g.pc += bytes.length;
    }
}
