package pcm.softcpu.internal;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Generates random straight-line integer instruction sequences for the differential test
 * ({@link DiffRunner}). Registers are in x86 encoding order (rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi,
 * r8..r15). Two registers are reserved and never written by generated instructions: RSP (except by
 * push/pop, which stay on the user stack page) and R15, the base of the memory scratch page
 * ({@link #SCRATCH}); every memory operand lies in that page or on the stack page.
 *
 * <p>Each {@link Insn} carries the RFLAGS bits the architecture leaves undefined after it (see the
 * table in the module README); shift and rotate counts taken from CL are resolved against the state
 * before the instruction.
 */
final class DiffGen {

    /** Two pages, so that memory operands can straddle the page boundary at SCRATCH + 0x1000. */
    static final long SCRATCH = 0x20000, SCRATCH_SIZE = 0x2000;

    static final long CF = 1, PF = 4, AF = 0x10, ZF = 0x40, SF = 0x80, OF = 0x800, DF = 0x400;
    static final long ARITH = CF | PF | AF | ZF | SF | OF;

    /** One generated instruction: bytes at {@code addr}; {@code undef}: undefined flags; shift info. */
    record Insn(long addr, byte[] bytes, String what, long undef, int shiftOp, int shiftSize, int shiftCount) {
        /** Flags undefined after this instruction, given RCX before it. */
        long undefined(long rcxBefore) {
            if (shiftOp < 0) return undef;
            int cnt = shiftCount >= 0 ? shiftCount : (int) rcxBefore & 0xFF;
            int bits = shiftSize * 8;
            cnt &= shiftSize == 8 ? 63 : 31;
            if (cnt == 0) return 0;
            long u = 0;
            switch (shiftOp) {
                case 0, 1, 2, 3 -> u = cnt > 1 ? OF : 0; // rotates: OF only for 1-bit
                case 4, 5, 6, 7 -> {
                    u = AF | (cnt > 1 ? OF : 0);
                    if (shiftOp != 7 && cnt >= bits) u |= CF | OF; // SHL/SHR by >= the width
                }
                case 8 -> u = AF | (cnt > 1 ? OF : 0) | (cnt > bits ? ARITH : 0); // SHLD/SHRD
                default -> { }
            }
            return u;
        }

        /**
         * Undefined flags the interpreter's vendor model does not fix (see the README table): none since
         * TZCNT/LZCNT's OF/SF/AF/PF (Intel) and the AMD model were measured natively (issue 13 item 4,
         * {@code UndefFlagsProbe -Doracle=native}). Kept as the one place to name a flag a model leaves open.
         */
        long unmodelled(long rcxBefore) {
            return 0;
        }

        /** A REPE/REPNE CMPS or SCAS. */
        boolean repCompare() { return what.startsWith("rep") && (what.contains("cmps") || what.contains("scas")); }

        @Override
        public String toString() {
            return String.format("%x: %-30s %s", addr, HexFormat.of().formatHex(bytes), what);
        }
    }

    static final long[] EDGE = {0, 1, 2, -1, -2, 0x7F, 0x80, 0xFF, 0x7FFF, 0x8000, 0xFFFF, 0x7FFFFFFFL, 0x80000000L,
        0xFFFFFFFFL, 0x100000000L, Long.MAX_VALUE, Long.MIN_VALUE, 0x8000000000000001L, 0x1F, 0x20, 0x3F, 0x40, 0x41};

    final SplittableRandom rnd;
    final List<Insn> out = new ArrayList<>();
    long pc;
    /** RSP as the sequence so far leaves it (pushes and pops), for RSP-based memory operands. */
    long rsp;
    /** Statistics: instructions generated per class. */
    final java.util.Map<String, Integer> classes = new java.util.TreeMap<>();

    DiffGen(long seed) { rnd = new SplittableRandom(seed); }

    long edgeOrRandom() {
        int k = rnd.nextInt(10);
        if (k < 5) return EDGE[rnd.nextInt(EDGE.length)];
        if (k < 7) return rnd.nextLong() & MASKS[1 << rnd.nextInt(4)];
        if (k < 8) return -(rnd.nextLong(256));
        return rnd.nextLong();
    }

    static final long[] MASKS = {0, 0xFFL, 0xFFFFL, 0, 0xFFFFFFFFL, 0, 0, 0, -1L};

    /** Initial values for the 16 registers (x86 order); RSP and R15 are set by the runner. */
    long[] initialRegs() {
        long[] r = new long[16];
        for (int i = 0; i < 16; i++) r[i] = edgeOrRandom();
        return r;
    }

    /** Initial arithmetic flags (+ DF sometimes). */
    /** A sequence's starting registers: random, RSP on the rigs' user stack, R15 at the scratch page. */
    long[] sequenceRegs() {
        long[] r = initialRegs();
        r[4] = DiffRig.USTACK;
        r[15] = SCRATCH;
        return r;
    }

    long initialFlags() {
        long f = rnd.nextLong() & ARITH;
        if (rnd.nextInt(8) == 0) f |= DF;
        return f;
    }

    void fillScratch(byte[] b) {
        for (int i = 0; i < b.length; i++) b[i] = (byte) (rnd.nextInt(4) == 0 ? EDGE[rnd.nextInt(EDGE.length)] : rnd.nextInt());
    }

    /** A sequence of about {@code n} instructions starting at {@code start}. */
    List<Insn> sequence(long start, int n) {
        out.clear();
        pc = start;
        rsp = DiffRig.USTACK;
        while (out.size() < n) one();
        return List.copyOf(out);
    }

    // =====================================================================================
    // encoding

    /** A ModRM operand: a register (reg >= 0) or a memory form. */
    private record Rm(int reg, int form, int disp) {}

    private static final int M_DISP8 = 0, M_DISP32 = 1, M_SIB = 2, M_RIP = 3, M_A32 = 4;

    private Rm reg(int r) { return new Rm(r, -1, 0); }

    /** A memory operand in the scratch page at offset {@code off}. */
    private Rm mem(int off) { return new Rm(-1, rnd.nextInt(5), off); }

    private Rm mem(int size, boolean aligned) {
        int off = 0x40 + rnd.nextInt((int) SCRATCH_SIZE - 0x80);
        if (!aligned && size > 1 && rnd.nextInt(8) == 0) { // straddles the page boundary
            off = 0x1000 - 1 - rnd.nextInt(size - 1);
            classes.merge("straddle", 1, Integer::sum);
        } else if (!aligned && size > 1 && rnd.nextInt(40) == 0) { // into DiffRig.HOLE: #PF, nothing written
            off = (int) SCRATCH_SIZE - 1 - rnd.nextInt(size - 1);
            classes.merge("straddle_pf", 1, Integer::sum);
        }
        if (aligned) off &= ~(size - 1);
        return mem(off);
    }

    /** Emits one instruction. {@code size} selects 66/REX.W (0: neither); {@code rex40} forces a REX. */
    private void emit(String what, long undef, int shiftOp, int shiftSize, int shiftCount, int size, boolean rex40,
            int prefix, int[] opcode, int regField, Rm rm, long imm, int immLen) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        if (prefix != 0) b.write(prefix);
        if (size == 2) b.write(0x66);
        if (rm != null && rm.reg < 0 && rm.form == M_A32) b.write(0x67);
        int rex = (size == 8 ? 8 : 0) | (regField >= 8 ? 4 : 0);
        if (rm != null) {
            if (rm.reg >= 0 && rm.reg >= 8) rex |= 1;
            if (rm.reg < 0 && rm.form != M_RIP) rex |= 1; // base r15
        }
        if (rex != 0 || rex40) b.write(0x40 | rex);
        for (int o : opcode) b.write(o);
        int dispAt = -1;
        if (rm != null) {
            int rf = (regField & 7) << 3;
            if (rm.reg >= 0) {
                b.write(0xC0 | rf | (rm.reg & 7));
            } else {
                switch (rm.form) {
                    case M_DISP8, M_A32 -> {
                        if (rm.disp < 128) {
                            b.write(0x40 | rf | 7);
                            b.write(rm.disp);
                        } else {
                            b.write(0x80 | rf | 7);
                            le(b, rm.disp, 4);
                        }
                    }
                    case M_DISP32 -> {
                        b.write(0x80 | rf | 7);
                        le(b, rm.disp, 4);
                    }
                    case M_SIB -> {
                        b.write(0x80 | rf | 4);
                        b.write(rnd.nextInt(4) << 6 | 4 << 3 | 7); // no index, base r15
                        le(b, rm.disp, 4);
                    }
                    default -> { // RIP-relative
                        b.write(rf | 5);
                        dispAt = b.size();
                        le(b, 0, 4);
                    }
                }
            }
        }
        le(b, imm, immLen);
        byte[] bytes = b.toByteArray();
        if (dispAt >= 0) {
            long target = SCRATCH + rm.disp;
            long d = target - (pc + bytes.length);
            for (int k = 0; k < 4; k++) bytes[dispAt + k] = (byte) (d >>> (8 * k));
        }
        out.add(new Insn(pc, bytes, what, undef, shiftOp, shiftSize, shiftCount));
        pc += bytes.length;
        classes.merge(what.split(" ")[0], 1, Integer::sum);
    }

    private void emit(String what, long undef, int size, int[] opcode, int regField, Rm rm, long imm, int immLen) {
        emit(what, undef, -1, 0, 0, size, false, 0, opcode, regField, rm, imm, immLen);
    }

    private void raw(String what, long undef, int... bytes) {
        byte[] b = new byte[bytes.length];
        for (int i = 0; i < b.length; i++) b[i] = (byte) bytes[i];
        out.add(new Insn(pc, b, what, undef, -1, 0, 0));
        pc += b.length;
        classes.merge(what.split(" ")[0], 1, Integer::sum);
    }

    private static void le(ByteArrayOutputStream b, long v, int n) {
        for (int k = 0; k < n; k++) b.write((int) (v >>> (8 * k)));
    }

    private static int[] op(int... o) { return o; }

    // =====================================================================================
    // operand choice

    private int size() { return 1 << rnd.nextInt(4); }

    private int sizeNo8() { return 2 << rnd.nextInt(3); }

    /** For 8-bit operations: with a REX, 4..7 are SPL..DIL; without, AH..BH. */
    private boolean rex8;

    private void pickRex8(int size) { rex8 = size == 1 && rnd.nextBoolean(); }

    /** A register that may be written (never RSP/R15; for 8-bit without REX, 0..7 only). */
    private int dst(int size) {
        while (true) {
            int r = size == 1 && !rex8 ? rnd.nextInt(8) : rnd.nextInt(16);
            if (r == 15) continue;
            if (r == 4) continue; // RSP, or AH/SPL (a memory operand's REX turns AH into SPL)
            return r;
        }
    }

    /** A register that may be read. */
    private int src(int size) {
        return size == 1 && !rex8 ? rnd.nextInt(8) : rnd.nextInt(16);
    }

    /** With 8-bit operands and no REX, registers >= 8 are impossible; when either operand needs REX, REX is on. */
    private boolean needRex(int size, int a, int b) {
        return size == 1 && rex8;
    }

    private long immFor(int size) {
        return edgeOrRandom();
    }

    private static int immLen(int size) { return size == 1 ? 1 : size == 2 ? 2 : 4; }

    // =====================================================================================
    // instruction classes

    private void one() {
        if (rnd.nextInt(100) < 12) {
            new AddressingGen(this).one();
            return;
        }
        int k = rnd.nextInt(100);
        if (k < 18) alu();
        else if (k < 22) test();
        else if (k < 26) incDecNotNeg();
        else if (k < 33) mulDiv();
        else if (k < 43) shift();
        else if (k < 46) shiftDouble();
        else if (k < 51) bitTest();
        else if (k < 55) bitScan();
        else if (k < 61) setCmov();
        else if (k < 66) exchange();
        else if (k < 71) string();
        else if (k < 75) lea();
        else if (k < 81) moves();
        else if (k < 86) stack();
        else if (k < 91) flagOps();
        else if (k < 95) branches();
        else misc();
    }

    private Rm rmOperand(int size, boolean write) {
        if (rnd.nextInt(3) == 0) return mem(size, false);
        return reg(write ? dst(size) : src(size));
    }

    private void alu() {
        int op = rnd.nextInt(8);
        String[] names = {"add", "or", "adc", "sbb", "and", "sub", "xor", "cmp"};
        long undef = op == 1 || op == 4 || op == 6 ? AF : 0;
        int size = size();
        pickRex8(size);
        boolean w = op != 7;
        String nm = names[op] + size * 8;
        int form = rnd.nextInt(5);
        switch (form) {
            case 0 -> { // r/m, r
                Rm rm = rmOperand(size, w);
                emit(nm, undef, -1, 0, 0, size, rex8, lockable(rm, w), op(op << 3 | (size == 1 ? 0 : 1)), src(size), rm, 0, 0);
            }
            case 1 -> { // r, r/m
                Rm rm = rmOperand(size, false);
                emit(nm, undef, -1, 0, 0, size, rex8, 0, op(op << 3 | (size == 1 ? 2 : 3)), w ? dst(size) : src(size), rm, 0, 0);
            }
            case 2 -> { // al/ax/eax/rax, imm
                emit(nm, undef, -1, 0, 0, size, false, 0, op(op << 3 | (size == 1 ? 4 : 5)), 0, null, immFor(size), immLen(size));
            }
            default -> { // 80/81/83
                Rm rm = rmOperand(size, w);
                boolean ib = size != 1 && rnd.nextBoolean();
                int opc = size == 1 ? 0x80 : ib ? 0x83 : 0x81;
                emit(nm, undef, -1, 0, 0, size, rex8, lockable(rm, w), op(opc), op, rm, immFor(size), ib ? 1 : immLen(size));
            }
        }
    }

    /** A LOCK prefix, sometimes, for read-modify-write memory destinations. */
    private int lockable(Rm rm, boolean write) {
        return write && rm.reg < 0 && rnd.nextInt(4) == 0 ? 0xF0 : 0;
    }

    private void test() {
        int size = size();
        pickRex8(size);
        switch (rnd.nextInt(3)) {
            case 0 -> emit("test" + size * 8, AF, -1, 0, 0, size, rex8, 0, op(size == 1 ? 0x84 : 0x85), src(size), rmOperand(size, false), 0, 0);
            case 1 -> emit("test" + size * 8, AF, -1, 0, 0, size, false, 0, op(size == 1 ? 0xA8 : 0xA9), 0, null, immFor(size), immLen(size));
            default -> emit("test" + size * 8, AF, -1, 0, 0, size, rex8, 0, op(size == 1 ? 0xF6 : 0xF7), 0, rmOperand(size, false), immFor(size), immLen(size));
        }
    }

    private void incDecNotNeg() {
        int size = size();
        pickRex8(size);
        int which = rnd.nextInt(4);
        Rm rm = rmOperand(size, true);
        int lock = lockable(rm, true);
        switch (which) {
            case 0, 1 -> emit(which == 0 ? "inc" : "dec", 0, -1, 0, 0, size, rex8, lock, op(size == 1 ? 0xFE : 0xFF), which, rm, 0, 0);
            default -> emit(which == 2 ? "not" : "neg", 0, -1, 0, 0, size, rex8, lock, op(size == 1 ? 0xF6 : 0xF7), which, rm, 0, 0);
        }
    }

    private void mulDiv() {
        int size = size();
        pickRex8(size);
        int k = rnd.nextInt(10);
        long mulUndef = SF | ZF | AF | PF;
        if (k < 4) { // mul/imul/div/idiv r/m
            int o = 4 + rnd.nextInt(4);
            if (o >= 6 && rnd.nextBoolean()) { // make a defined quotient likely: zero/sign-extend the dividend
                if (size == 1) emit("movzx", 0, 4, op(0x0F, 0xB6), 0, reg(0), 0, 0);
                else if (o == 6) emit("xor", AF, 4, op(0x31), 2, reg(2), 0, 0);
                else emit("cwd/cdq/cqo", 0, size, op(0x99), 0, null, 0, 0);
            }
            String[] nm = {"mul", "imul1", "div", "idiv"};
            emit(nm[o - 4] + size * 8, o < 6 ? mulUndef : ARITH, -1, 0, 0, size, rex8, 0, op(size == 1 ? 0xF6 : 0xF7), o,
                    rmOperand(size, false), 0, 0);
        } else if (k < 7) { // imul r, r/m
            int s = sizeNo8();
            emit("imul2_" + s * 8, mulUndef, s, op(0x0F, 0xAF), dst(s), rmOperand(s, false), 0, 0);
        } else { // imul r, r/m, imm
            int s = sizeNo8();
            boolean ib = rnd.nextBoolean();
            emit("imul3_" + s * 8, mulUndef, s, op(ib ? 0x6B : 0x69), dst(s), rmOperand(s, false), immFor(s), ib ? 1 : immLen(s));
        }
    }

    private int count() {
        int k = rnd.nextInt(6);
        return switch (k) {
            case 0 -> 0;
            case 1 -> 1;
            case 2 -> rnd.nextInt(8);
            case 3 -> new int[] {7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65}[rnd.nextInt(12)];
            case 4 -> rnd.nextInt(256);
            default -> rnd.nextInt(70);
        };
    }

    private void setCl() {
        pickRex8(1);
        boolean r8 = rex8;
        rex8 = false;
        emit("movcl", 0, -1, 0, 0, 1, false, 0, op(0xB1), 0, null, count(), 1);
        rex8 = r8;
    }

    private void shift() {
        int size = size();
        int o = rnd.nextInt(8);
        String[] nm = {"rol", "ror", "rcl", "rcr", "shl", "shr", "sal", "sar"};
        int f = rnd.nextInt(3);
        if (f == 2 && rnd.nextBoolean()) setCl();
        pickRex8(size);
        Rm rm = rmOperand(size, true);
        int sop = o == 6 ? 4 : o;
        // shiftOp: 0..3 rotates, 4 shl, 5 shr, 7 sar (6 = sal = shl)
        switch (f) {
            case 0 -> {
                int c = count();
                emit(nm[o] + size * 8 + " imm", 0, sop, size, c, size, rex8, 0, op(size == 1 ? 0xC0 : 0xC1), o, rm, c, 1);
            }
            case 1 -> emit(nm[o] + size * 8 + " 1", 0, sop, size, 1, size, rex8, 0, op(size == 1 ? 0xD0 : 0xD1), o, rm, 0, 0);
            default -> emit(nm[o] + size * 8 + " cl", 0, sop, size, -1, size, rex8, 0, op(size == 1 ? 0xD2 : 0xD3), o, rm, 0, 0);
        }
    }

    /** Bound of generated 16-bit SHLD/SHRD counts: above 16 only against an Intel reference. */
    static final int WIDE16 = CpuBase.HOST_INTEL ? 32 : 17;

    private void shiftDouble() {
        int size = sizeNo8();
        boolean left = rnd.nextBoolean();
        boolean cl = rnd.nextBoolean();
        int c;
        if (cl) {
            c = -1;
            // 16-bit counts 17..31 too where the reference is an Intel CPU: the SDM leaves the result undefined
            // and only Intel's value is measured (README); an AMD reference may compute another
            emit("movcl", 0, -1, 0, 0, 1, false, 0, op(0xB1), 0, null, size == 2 ? rnd.nextInt(WIDE16) : count(), 1);
        } else {
            c = size == 2 ? rnd.nextInt(WIDE16) : count();
        }
        Rm rm = rmOperand(size, true);
        int base = left ? 0xA4 : 0xAC;
        emit((left ? "shld" : "shrd") + size * 8 + (cl ? " cl" : " imm"), 0, 8, size, c, size, false, 0,
                op(0x0F, base + (cl ? 1 : 0)), src(size), rm, cl ? 0 : c, cl ? 0 : 1);
    }

    private void bitTest() {
        int size = sizeNo8();
        int o = rnd.nextInt(4); // bt, bts, btr, btc
        String[] nm = {"bt", "bts", "btr", "btc"};
        long undef = OF | SF | AF | PF;
        if (rnd.nextBoolean()) { // imm8
            Rm rm = rmOperand(size, o != 0);
            emit(nm[o] + size * 8 + " imm", undef, -1, 0, 0, size, false, o != 0 ? lockable(rm, true) : 0, op(0x0F, 0xBA),
                    4 + o, rm, rnd.nextInt(256), 1);
        } else {
            int[] opc = {0xA3, 0xAB, 0xB3, 0xBB};
            if (rnd.nextBoolean()) {
                emit(nm[o] + size * 8 + " r", undef, size, op(0x0F, opc[o]), src(size), reg(o == 0 ? src(size) : dst(size)), 0, 0);
            } else { // memory with a small register bit offset (possibly negative)
                int r = dst(4);
                long off = rnd.nextInt(512) - 256;
                emit("mov32", 0, -1, 0, 0, 4, r >= 8, 0, op(0xB8 + (r & 7)), 0, null, off, 4);
                if (r >= 8) fixRexB(r);
                emit("movsxd", 0, 8, op(0x63), r, reg(r), 0, 0);
                Rm m = mem(0x400 + rnd.nextInt(0x400));
                emit(nm[o] + size * 8 + " m,r", undef, -1, 0, 0, size, false, o != 0 ? lockable(m, true) : 0, op(0x0F, opc[o]), r, m, 0, 0);
            }
        }
    }

    /**
     * The last emitted B8+r/90+r used REX.R where it needs REX.B: rewrite its REX byte (after a 0x66, which
     * the native oracle found overwritten: "41 40 94", two REX in a row, is XCHG EAX, ESP).
     */
    private void fixRexB(int r) {
        Insn last = out.removeLast();
        byte[] b = last.bytes().clone();
        b[b[0] == 0x66 ? 1 : 0] = 0x41;
        out.add(new Insn(last.addr(), b, last.what(), last.undef(), -1, 0, 0));
    }

    private void bitScan() {
        int size = sizeNo8();
        int k = rnd.nextInt(5);
        Rm rm = rmOperand(size, false);
        int d = dst(size);
        switch (k) {
            case 0 -> emit("bsf" + size * 8, CF | OF | SF | AF | PF, size, op(0x0F, 0xBC), d, rm, 0, 0);
            case 1 -> emit("bsr" + size * 8, CF | OF | SF | AF | PF, size, op(0x0F, 0xBD), d, rm, 0, 0);
            case 2 -> emit("tzcnt" + size * 8, OF | SF | AF | PF, -1, 0, 0, size, false, 0xF3, op(0x0F, 0xBC), d, rm, 0, 0);
            case 3 -> emit("lzcnt" + size * 8, OF | SF | AF | PF, -1, 0, 0, size, false, 0xF3, op(0x0F, 0xBD), d, rm, 0, 0);
            default -> emit("popcnt" + size * 8, 0, -1, 0, 0, size, false, 0xF3, op(0x0F, 0xB8), d, rm, 0, 0);
        }
    }

    private void setCmov() {
        int cc = rnd.nextInt(16);
        if (rnd.nextBoolean()) {
            pickRex8(1);
            emit("setcc", 0, -1, 0, 0, 1, rex8, 0, op(0x0F, 0x90 + cc), 0, rmOperand(1, true), 0, 0);
        } else {
            int size = sizeNo8();
            emit("cmovcc" + size * 8, 0, size, op(0x0F, 0x40 + cc), dst(size), rmOperand(size, false), 0, 0);
        }
    }

    private void exchange() {
        int size = size();
        pickRex8(size);
        int k = rnd.nextInt(6);
        switch (k) {
            case 0 -> emit("xchg" + size * 8, 0, -1, 0, 0, size, rex8, 0, op(size == 1 ? 0x86 : 0x87), dst(size), rmOperand(size, true), 0, 0);
            case 1 -> {
                int s = sizeNo8();
                int r = dst(s);
                if (r == 0 && s == 4) r = 1; // 90 is NOP, not xchg eax,eax
                emit("xchg_ax" + s * 8, 0, -1, 0, 0, s, r >= 8, 0, op(0x90 + (r & 7)), 0, null, 0, 0);
                if (r >= 8) fixRexB(r);
            }
            case 2 -> {
                Rm rm = rmOperand(size, true);
                emit("cmpxchg" + size * 8, 0, -1, 0, 0, size, rex8, lockable(rm, true), op(0x0F, size == 1 ? 0xB0 : 0xB1), dst(size), rm, 0, 0);
            }
            case 3 -> {
                Rm rm = rmOperand(size, true);
                emit("xadd" + size * 8, 0, -1, 0, 0, size, rex8, lockable(rm, true), op(0x0F, size == 1 ? 0xC0 : 0xC1), dst(size), rm, 0, 0);
            }
            case 4 -> {
                int s = rnd.nextBoolean() ? 4 : 8;
                int r = dst(s);
                emit("bswap" + s * 8, 0, -1, 0, 0, s, r >= 8, 0, op(0x0F, 0xC8 + (r & 7)), 0, null, 0, 0);
                if (r >= 8) {
                    Insn last = out.removeLast();
                    byte[] b = last.bytes().clone();
                    b[0] = (byte) (b[0] | 0x41);
                    out.add(new Insn(last.addr(), b, last.what(), 0, -1, 0, 0));
                }
            }
            default -> { // cmpxchg8b / cmpxchg16b
                boolean b16 = rnd.nextBoolean();
                Rm m = mem(b16 ? 16 : 8, true);
                if (b16 && m.form == M_A32) m = new Rm(-1, M_DISP32, m.disp);
                if (b16) m = new Rm(-1, m.form, m.disp & ~15);
                emit(b16 ? "cmpxchg16b" : "cmpxchg8b", 0, -1, 0, 0, b16 ? 8 : 4, false, rnd.nextBoolean() ? 0xF0 : 0, op(0x0F, 0xC7), 1, m, 0, 0);
            }
        }
    }

    private void string() {
        int size = size();
        int[] kinds = {0xA4, 0xAA, 0xAC, 0xA6, 0xAE};
        String[] nm = {"movs", "stos", "lods", "cmps", "scas"};
        int k = rnd.nextInt(5);
        int rep = rnd.nextInt(3) == 0 ? 0 : (k >= 3 && rnd.nextBoolean() ? 0xF2 : 0xF3);
        // rsi/rdi into the middle of the scratch page, rcx small
        if (k != 1) leaScratch(6, 0x300 + rnd.nextInt(0x300));
        if (k != 2) leaScratch(7, 0x900 + rnd.nextInt(0x300));
        if (rep != 0) emit("movecx", 0, -1, 0, 0, 4, false, 0, op(0xB9), 0, null, rnd.nextInt(6), 4);
        int opc = kinds[k] | (size == 1 ? 0 : 1);
        long undef = 0;
        emit((rep == 0xF3 ? "rep_" : rep == 0xF2 ? "repne_" : "") + nm[k] + size * 8, undef, -1, 0, 0, size, false, rep, op(opc), 0, null, 0, 0);
    }

    private void leaScratch(int r, int off) {
        emit("lea", 0, 8, op(0x8D), r, new Rm(-1, M_DISP32, off), 0, 0);
    }

    private void lea() {
        int size = sizeNo8();
        int d = dst(size);
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        boolean a32 = rnd.nextInt(4) == 0;
        if (size == 2) b.write(0x66);
        if (a32) b.write(0x67);
        int base = rnd.nextInt(16), index = rnd.nextInt(16), scale = rnd.nextInt(4);
        int mod = rnd.nextInt(3);
        boolean sib = rnd.nextBoolean() || (base & 7) == 4;
        boolean rip = !sib && rnd.nextInt(6) == 0;
        int rex = (size == 8 ? 8 : 0) | (d >= 8 ? 4 : 0) | (sib && index >= 8 ? 2 : 0) | (!rip && base >= 8 ? 1 : 0);
        if (rex != 0) b.write(0x40 | rex);
        b.write(0x8D);
        if (rip) {
            b.write((d & 7) << 3 | 5);
            le(b, rnd.nextInt(), 4);
        } else if (sib) {
            b.write(mod << 6 | (d & 7) << 3 | 4);
            b.write(scale << 6 | (index & 7) << 3 | (base & 7));
            if (mod == 0 && (base & 7) == 5) le(b, rnd.nextInt(), 4);
            if (mod == 1) b.write(rnd.nextInt(256));
            if (mod == 2) le(b, rnd.nextInt(), 4);
        } else {
            b.write(mod << 6 | (d & 7) << 3 | (base & 7));
            if (mod == 0 && (base & 7) == 5) le(b, rnd.nextInt(), 4); // RIP-relative actually
            if (mod == 1) b.write(rnd.nextInt(256));
            if (mod == 2) le(b, rnd.nextInt(), 4);
        }
        byte[] bytes = b.toByteArray();
        out.add(new Insn(pc, bytes, "lea" + size * 8, 0, -1, 0, 0));
        pc += bytes.length;
        classes.merge("lea", 1, Integer::sum);
    }

    private void moves() {
        int size = size();
        pickRex8(size);
        int k = rnd.nextInt(9);
        switch (k) {
            case 0 -> emit("mov" + size * 8, 0, -1, 0, 0, size, rex8, 0, op(size == 1 ? 0x88 : 0x89), src(size), rmOperand(size, true), 0, 0);
            case 1 -> emit("mov" + size * 8, 0, -1, 0, 0, size, rex8, 0, op(size == 1 ? 0x8A : 0x8B), dst(size), rmOperand(size, false), 0, 0);
            case 2 -> { // mov r, imm (B0+/B8+, 64-bit imm with REX.W)
                int r = dst(size);
                if (size == 1) {
                    emit("movimm8", 0, -1, 0, 0, 1, rex8 || r >= 8, 0, op(0xB0 + (r & 7)), 0, null, immFor(1), 1);
                } else {
                    emit("movimm" + size * 8, 0, -1, 0, 0, size, r >= 8, 0, op(0xB8 + (r & 7)), 0, null, immFor(size), size == 8 ? 8 : immLen(size));
                }
                if (r >= 8) {
                    Insn last = out.removeLast();
                    byte[] b = last.bytes().clone();
                    int at = size == 2 ? 1 : 0;
                    b[at] = (byte) ((b[at] & 0xF8) | 0x41 | (size == 8 ? 8 : 0));
                    out.add(new Insn(last.addr(), b, last.what(), 0, -1, 0, 0));
                }
            }
            case 3 -> emit("movrmimm" + size * 8, 0, -1, 0, 0, size, rex8, 0, op(size == 1 ? 0xC6 : 0xC7), 0, rmOperand(size, true), immFor(size), immLen(size));
            case 4 -> { // movzx / movsx
                int s = sizeNo8();
                boolean from8 = rnd.nextBoolean();
                boolean sx = rnd.nextBoolean();
                pickRex8(from8 ? 1 : 2);
                int d = s == 2 || true ? dst(s) : 0;
                Rm rm = rnd.nextInt(3) == 0 ? mem(1, false) : reg(from8 && !rex8 ? rnd.nextInt(8) : src(s));
                boolean rx = rex8 && from8;
                if (from8 && !rex8 && d >= 8) rx = true; // with REX 4..7 are SPL..DIL
                emit((sx ? "movsx" : "movzx") + (from8 ? "8_" : "16_") + s * 8, 0, -1, 0, 0, s, rx, 0,
                        op(0x0F, (sx ? 0xBE : 0xB6) + (from8 ? 0 : 1)), d, rm, 0, 0);
            }
            case 5 -> emit("movsxd", 0, 8, op(0x63), dst(8), rmOperand(4, false), 0, 0);
            case 6 -> emit("cbw/cwde/cdqe", 0, sizeNo8(), op(0x98), 0, null, 0, 0);
            case 7 -> emit("cwd/cdq/cqo", 0, sizeNo8(), op(0x99), 0, null, 0, 0);
            default -> { // xlat with rbx into the scratch page
                leaScratch(3, 0x100 + rnd.nextInt(0x400));
                raw("xlat", 0, 0xD7);
            }
        }
    }

    private void stack() {
        int k = rnd.nextInt(6);
        boolean w16 = rnd.nextInt(6) == 0;
        int s = w16 ? 2 : 8;
        rsp += k == 1 || k == 4 ? s : k == 5 ? -8 : -s;
        switch (k) {
            case 0 -> {
                int r = rnd.nextInt(16);
                emit("push" + s * 8, 0, -1, 0, 0, w16 ? 2 : 0, r >= 8, 0, op(0x50 + (r & 7)), 0, null, 0, 0);
                if (r >= 8) fixRex(w16);
            }
            case 1 -> {
                int r = dst(8);
                emit("pop" + s * 8, 0, -1, 0, 0, w16 ? 2 : 0, r >= 8, 0, op(0x58 + (r & 7)), 0, null, 0, 0);
                if (r >= 8) fixRex(w16);
            }
            case 2 -> {
                boolean ib = rnd.nextBoolean();
                emit("pushimm" + s * 8, 0, -1, 0, 0, w16 ? 2 : 0, false, 0, op(ib ? 0x6A : 0x68), 0, null, immFor(4), ib ? 1 : w16 ? 2 : 4);
            }
            case 3 -> emit("pushrm" + s * 8, 0, -1, 0, 0, w16 ? 2 : 0, false, 0, op(0xFF), 6, rnd.nextBoolean() ? mem(8, false) : reg(rnd.nextInt(16)), 0, 0);
            case 4 -> emit("poprm" + s * 8, 0, -1, 0, 0, w16 ? 2 : 0, false, 0, op(0x8F), 0, rnd.nextBoolean() ? mem(8, false) : reg(dst(8)), 0, 0);
            default -> raw("pushf", 0, 0x9C);
        }
    }

    /** The last push/pop r8..r15 got REX 0x40 from rex40: make it REX.B. */
    private void fixRex(boolean w16) {
        Insn last = out.removeLast();
        byte[] b = last.bytes().clone();
        b[w16 ? 1 : 0] = 0x41;
        out.add(new Insn(last.addr(), b, last.what(), 0, -1, 0, 0));
    }

    private void flagOps() {
        switch (rnd.nextInt(7)) {
            case 0 -> raw("lahf", 0, 0x9F);
            case 1 -> raw("sahf", 0, 0x9E);
            case 2 -> raw("cmc", 0, 0xF5);
            case 3 -> raw("clc", 0, 0xF8);
            case 4 -> raw("stc", 0, 0xF9);
            case 5 -> raw("cld", 0, 0xFC);
            default -> raw("std", 0, 0xFD);
        }
    }

    private void branches() {
        int k = rnd.nextInt(5);
        int cc = rnd.nextInt(16);
        switch (k) {
            case 0 -> raw("jcc8", 0, 0x70 + cc, 1);
            case 1 -> raw("jcc32", 0, 0x0F, 0x80 + cc, 1, 0, 0, 0);
            case 2 -> raw("loop", 0, 0xE0 + rnd.nextInt(3), 1);
            case 3 -> raw("jrcxz", 0, 0xE3, 1);
            default -> raw("jmp8", 0, 0xEB, 1);
        }
        raw("nop", 0, 0x90); // skipped when the branch is taken
    }

    /**
     * Selectors whose descriptors give VERR/VERW the same answers at CPL3 in DiffRig's GDT (kernel code 0x08, data 0x10,
     * user data 0x28, user code 0x30, TSS 0x40, limit 0x4F) and in Linux's (the native runner and PVM's CPL3 use the
     * host's GDT: kernel code 0x10, data 0x18, user data 0x28, user code 0x30, TSS 0x40), with every RPL; LDT selectors
     * name no LDT in either. Not 0x20 (Linux's 32-bit user code, empty here) nor past 0x4F (Linux's TLS/CPU entries).
     */
    static final int[] VERIFY_SELECTORS = {0, 3, 4, 7, 8, 0x0B, 0x10, 0x13, 0x18, 0x28, 0x2B, 0x30, 0x33, 0x40, 0x48, 0x4B,
        0x0C, 0x2F, 0xFFFF, 0x1233, 0x83};

    private void misc() {
        if (rnd.nextInt(5) == 0) { // VERR/VERW r16 with a selector just loaded
            int r = dst(4);
            int sel = VERIFY_SELECTORS[rnd.nextInt(VERIFY_SELECTORS.length)] | (rnd.nextInt(4) == 0 ? 0xABCD0000 : 0);
            emit("mov32", 0, -1, 0, 0, 4, r >= 8, 0, op(0xB8 + (r & 7)), 0, null, sel, 4);
            if (r >= 8) fixRexB(r);
            boolean w = rnd.nextBoolean();
            emit(w ? "verw" : "verr", 0, 2, op(0x0F, 0x00), w ? 5 : 4, reg(r), 0, 0);
            return;
        }
        switch (rnd.nextInt(4)) {
            case 0 -> raw("nop", 0, 0x90);
            case 1 -> raw("nopl", 0, 0x0F, 0x1F, 0x44, 0x00, 0x00);
            case 2 -> raw("pause", 0, 0xF3, 0x90);
            default -> emit("xchg_ax16", 0, 2, op(0x90 + 1 + rnd.nextInt(3)), 0, null, 0, 0);
        }
    }
}
