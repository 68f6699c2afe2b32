package pcm.softcpu.internal;

import java.io.ByteArrayOutputStream;
import java.util.SplittableRandom;

/**
 * Memory operands in every 64-bit addressing form for {@link DiffGen} (issue 13 item 4): each base
 * register including RSP/R12 (which need a SIB byte) and RBP/R13 (which need a displacement with mod=0,
 * since mod=0 r/m=5 is RIP-relative and SIB base=5 with mod=0 means no base), no base (SIB, disp32 only,
 * with and without REX.B), RIP-relative (also with REX.B: still RIP), each index register including R12
 * (REX.X) and the "no index" SIB with any scale, all scales, no/8-bit/32-bit displacements, the 0x67
 * address-size prefix (32-bit registers: the upper halves of base and index hold garbage), and targets
 * that straddle the scratch page boundary. Base and index registers are loaded with {@code mov r64, imm64}
 * right before the access so that the effective address lands in the scratch page (or, for RSP, the
 * stack page); RSP and R15 keep their known values. The access is one of MOV load/store, ADD (LOCK
 * sometimes), CMP imm8, INC, MOVZX, XCHG, IMUL, PUSH m and POP m (POP [rsp+d] uses the RSP after the pop).
 * Some operands straddle into {@link DiffRig#HOLE}, the page after the scratch area that is not present:
 * the access faults (#PF) and must have written nothing, not even its first part.
 */
final class AddressingGen {

    private static final String[] REG = DiffRunner.NAMES;

    private final DiffGen g;
    private final SplittableRandom rnd;

    AddressingGen(DiffGen g) {
        this.g = g;
        this.rnd = g.rnd;
    }

    private static boolean fits8(long d) { return d >= -128 && d <= 127; }

    private static boolean fits32(long d) { return d >= Integer.MIN_VALUE && d <= Integer.MAX_VALUE; }

    void one() {
        int op = rnd.nextInt(10);
        String[] names = {"mov_load", "mov_store", "add", "cmp_imm8", "inc", "movzx8", "push", "pop", "xchg", "imul"};
        int size = switch (op) {
            case 5 -> 1;
            case 6, 7 -> 8;
            case 9 -> 2 << rnd.nextInt(3);
            default -> 1 << rnd.nextInt(4);
        };
        Plan p = plan(size, 1);
        int reg = switch (op) {
            case 3, 4 -> op == 3 ? 7 : 0;
            case 6 -> 6;
            case 7 -> 0;
            default -> {
                int r;
                do r = rnd.nextInt(16); while (r == 4 || r == 15);
                yield r;
            }
        };
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        if (rnd.nextInt(4) == 0 && (op == 2 || op == 4 || op == 8)) b.write(0xF0);
        if (size == 2 && op != 6 && op != 7) b.write(0x66);
        boolean w = size == 8 && op != 6 && op != 7;
        int[] opc = switch (op) {
            case 0 -> new int[] {size == 1 ? 0x8A : 0x8B};
            case 1 -> new int[] {size == 1 ? 0x88 : 0x89};
            case 2 -> new int[] {size == 1 ? 0x00 : 0x01};
            case 3 -> new int[] {size == 1 ? 0x80 : 0x83};
            case 4 -> new int[] {size == 1 ? 0xFE : 0xFF};
            case 5 -> new int[] {0x0F, 0xB6};
            case 6 -> new int[] {0xFF};
            case 7 -> new int[] {0x8F};
            case 8 -> new int[] {size == 1 ? 0x86 : 0x87};
            default -> new int[] {0x0F, 0xAF};
        };
        String form = encode(p, b, w, size == 1, opc, reg, op == 3 ? new int[] {rnd.nextInt(256)} : new int[0]);
        byte[] bytes = b.toByteArray();
        if (op == 6) g.rsp -= 8;
        if (op == 7) g.rsp += 8;
        g.out.add(new DiffGen.Insn(g.pc, bytes, "am_" + names[op] + size * 8 + " [" + form + "]", op == 9 ? DiffGen.SF | DiffGen.ZF
                | DiffGen.AF | DiffGen.PF : 0, -1, 0, 0));
        g.pc += bytes.length;
        count("am_" + names[op]);
    }

    /**
     * An SSE instruction with a memory operand in a random addressing form (issue 13 item 2):
     * {@code prefix} (a mandatory 66/F2/F3 or 0), REX.W, the opcode bytes after the REX byte (0F ...), the
     * ModRM reg field, the bytes accessed, and the imm8 or -1. {@code align16}: the target is 16-aligned,
     * except now and then (the aligned forms then raise #GP); otherwise any address, some straddling the
     * scratch page boundary or into the hole. Returns the addressing form's name.
     */
    String sse(int prefix, boolean rexW, int[] opcode, int reg, int size, int imm, boolean align16, String what) {
        Plan p = plan(size, align16 && rnd.nextInt(16) != 0 ? 16 : 1);
        lastTarget = p.t;
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        if (prefix != 0) b.write(prefix);
        String form = encode(p, b, rexW, false, opcode, reg, imm < 0 ? new int[0] : new int[] {imm});
        byte[] bytes = b.toByteArray();
        g.out.add(new DiffGen.Insn(g.pc, bytes, what + " [" + form + "]", 0, -1, 0, 0));
        g.pc += bytes.length;
        return form;
    }

    /** The address the last {@link #sse} access targets. */
    long lastTarget;

    /** Where an access goes and how its address is formed (the registers loaded already). */
    private record Plan(boolean rip, boolean noBase, int base, boolean sib, int index, int scale, int cls, long d, long t,
            boolean a32, boolean straddle, boolean straddleFault) {}

    /**
     * Picks a target for a {@code size}-byte access (aligned to {@code align} unless it straddles) and an
     * addressing form reaching it, and emits the {@code mov r64, imm64} loads of its base and index.
     */
    private Plan plan(int size, int align) {
        boolean a32 = rnd.nextInt(5) == 0;
        int kind = rnd.nextInt(12); // 0: RIP-relative, 1: no base, else a base register
        boolean rip = kind == 0, noBase = kind == 1;
        int base = rip || noBase ? -1 : rnd.nextInt(16);
        boolean sib = noBase || (base & 7) == 4 || (!rip && rnd.nextBoolean());
        int index = -1;
        if (sib && rnd.nextInt(4) != 0) {
            do index = rnd.nextInt(16); while (index == 4);
        }
        int scale = rnd.nextInt(4), sc = 1 << scale;
        boolean straddle = false, straddleFault = false;
        long t;
        if (base == 4) {
            t = Math.clamp(g.rsp + rnd.nextInt(0x400) - 0x200, DiffRig.STACK_PAGE + 16, DiffRig.STACK_PAGE + 0x1000 - 16 - size);
            t &= -align;
        } else if (size > 1 && rnd.nextInt(4) == 0 && (align == 1 || rnd.nextInt(8) == 0)) {
            t = DiffGen.SCRATCH + 0x1000 - 1 - rnd.nextInt(size - 1);
            straddle = true;
        } else if (size > 1 && rnd.nextInt(12) == 0 && (align == 1 || rnd.nextInt(8) == 0)) { // into the page that is not present: #PF, nothing written
            t = DiffRig.HOLE - 1 - rnd.nextInt(size - 1);
            straddleFault = true;
        } else {
            t = (DiffGen.SCRATCH + 0x40 + rnd.nextInt((int) DiffGen.SCRATCH_SIZE - 0x80)) & -align;
        }
        boolean baseLoaded = base >= 0 && base != 4 && base != 15, indexLoaded = index >= 0 && index != 15;
        long fixed = (base == 4 ? g.rsp : base == 15 ? DiffGen.SCRATCH : 0) + (index == 15 ? DiffGen.SCRATCH * sc : 0);
        int cls = rnd.nextInt(3); // displacement: 0 none, 1 disp8, 2 disp32
        long d = cls == 0 ? 0 : cls == 1 ? rnd.nextInt(256) - 128 : rnd.nextInt(4) == 0 ? rnd.nextInt() : rnd.nextInt(0x2000) - 0x1000;
        if (align > 1 && cls != 0) d &= -align; // keeps the target aligned when the registers make up the rest
        long vBase = 0, vIndex = 0;
        if (baseLoaded && indexLoaded && base == index) {
            long rem = Math.floorMod(t - d, 1 + sc);
            if (cls == 0) t -= rem;
            else d += rem;
            vBase = vIndex = (t - d) / (1 + sc);
        } else if (baseLoaded) {
            if (indexLoaded) vIndex = (rnd.nextInt(0x81) - 0x40) * align;
            vBase = t - d - vIndex * sc - (index == 15 ? DiffGen.SCRATCH * sc : 0);
        } else if (indexLoaded) { // no base, RSP or R15: the index makes up the rest
            if (noBase && cls != 2) {
                cls = 2;
                d = (rnd.nextInt(0x2000) - 0x1000) & -align;
            }
            long rest = t - fixed - d;
            long rem = Math.floorMod(rest, sc);
            if (cls == 0) t -= rem;
            else d += rem;
            vIndex = (t - fixed - d) / sc;
        } else if (!rip) {
            d = t - fixed;
        }
        if (noBase) cls = 2;
        else if (!rip) {
            if (!fits8(d) || (cls == 1 && !fits8(d))) cls = 2;
            if (cls == 0 && d != 0) cls = fits8(d) && rnd.nextBoolean() ? 1 : 2;
            if (cls == 0 && (base & 7) == 5) cls = 1; // RBP/R13 have no mod=0 form
            if (cls == 2 && !fits32(d)) throw new IllegalStateException("displacement " + d);
        }
        if (a32) { // 32-bit address arithmetic: the upper halves must not matter
            vBase += rnd.nextLong() << 32;
            vIndex += rnd.nextLong() << 32;
        }
        if (baseLoaded) movImm64(base, vBase);
        if (indexLoaded && index != base) movImm64(index, vIndex);
        return new Plan(rip, noBase, base, sib, index, scale, cls, d, t, a32, straddle, straddleFault);
    }

    /**
     * Writes [0x67] [REX] opcode ModRM [SIB] [disp] [imm] after the legacy prefixes already in {@code b};
     * fixes up a RIP-relative displacement for the instruction at {@code g.pc}; counts the form's classes.
     */
    private String encode(Plan p, ByteArrayOutputStream b, boolean w, boolean forceRex, int[] opc, int reg, int[] imm) {
        if (p.a32) b.write(0x67);
        int rex = (w ? 8 : 0) | (reg >= 8 ? 4 : 0) | (p.index >= 8 ? 2 : 0) | (p.base >= 8 ? 1 : 0);
        if ((p.rip || p.noBase) && rnd.nextInt(3) == 0) rex |= 1; // REX.B does not turn these into R13
        if (rex != 0 || forceRex || rnd.nextInt(8) == 0) b.write(0x40 | rex);
        for (int o : opc) b.write(o);
        int mod = p.rip || p.noBase ? 0 : p.cls;
        b.write(mod << 6 | (reg & 7) << 3 | (p.sib ? 4 : p.rip ? 5 : p.base & 7));
        if (p.sib) b.write(p.scale << 6 | (p.index < 0 ? 4 : p.index & 7) << 3 | (p.noBase ? 5 : p.base & 7));
        int dispAt = b.size();
        long d = p.d;
        if (mod == 1) b.write((int) d);
        if (mod == 2 || p.rip || p.noBase) for (int k = 0; k < 4; k++) b.write((int) (d >>> (8 * k)));
        for (int i : imm) b.write(i);
        if (p.rip) { // the displacement counts from the end of the instruction
            byte[] bytes = b.toByteArray();
            long disp = p.t - (g.pc + bytes.length);
            b.reset();
            for (int k = 0; k < 4; k++) bytes[dispAt + k] = (byte) (disp >>> (8 * k));
            b.writeBytes(bytes);
        }
        int sc = 1 << p.scale;
        count("am_base_" + (p.rip ? "rip" : p.noBase ? "none" : REG[p.base]));
        count("am_index_" + (p.index < 0 ? "none" : REG[p.index]));
        count("am_scale" + (p.index < 0 ? "_unused" : sc));
        count("am_disp" + (p.rip || p.noBase || mod == 2 ? "32" : mod == 1 ? "8" : "0"));
        if (p.a32) count("am_a32");
        if (p.straddle) count("am_straddle");
        if (p.straddleFault) count("am_straddle_pf");
        return (p.rip ? "rip" : p.noBase ? "nobase" : REG[p.base]) + (p.index >= 0 ? "+" + REG[p.index] + "*" + sc : p.sib ? "+sib" : "")
                + (p.rip || p.noBase || mod == 2 ? "+d32" : mod == 1 ? "+d8" : "") + (p.a32 ? " a32" : "")
                + (p.straddle ? " straddle" : "") + (p.straddleFault ? " straddle-#PF" : "");
    }

    private void count(String k) { g.classes.merge(k, 1, Integer::sum); }

    private void movImm64(int r, long v) {
        byte[] b = new byte[10];
        b[0] = (byte) (0x48 | (r >= 8 ? 1 : 0));
        b[1] = (byte) (0xB8 + (r & 7));
        for (int k = 0; k < 8; k++) b[2 + k] = (byte) (v >>> (8 * k));
        g.out.add(new DiffGen.Insn(g.pc, b, "movabs " + REG[r], 0, -1, 0, 0));
        g.pc += b.length;
        count("movabs");
    }
}
