package pcm.softcpu.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Predicate;

import pcm.vmx.internal.kvm.KvmHypervisor;

/**
 * Measures what the host CPU (through KVM, CPL3, TF stepping: {@link DiffRig}) does with the
 * architecturally undefined arithmetic flags of the instructions the interpreter implements, and
 * which simple function of the operands each is: {@code UndefFlagsProbe [samples=3000] [seed]}.
 * For every instruction/size/flag it prints the candidates that match every sample ("=" lists them),
 * or "?" with the best candidate's hit rate. The interpreter's value is the candidate {@code soft}.
 * With {@code -Doracle=native} the reference is the host CPU itself through {@link NativeRig} (no KVM;
 * issue 13 item 4): on an AMD host this measures the AMD model.
 */
public final class UndefFlagsProbe {

    private UndefFlagsProbe() {}

    /** One run: inputs rax=a, rdx=b, rcx=c, rbx=d and flags; outputs. */
    record S(int size, long a, long b, long c, long d, long fin, long res, long hi, long fout, long soft) {
        int bits() { return size * 8; }
        long m() { return size == 8 ? -1L : (1L << bits()) - 1; }
        boolean msb(long v) { return ((v >>> (bits() - 1)) & 1) != 0; }
        boolean bit(long v, int i) { return ((v >>> i) & 1) != 0; }
        boolean f(long mask) { return (fout & mask) != 0; }
        int cnt() { return (int) c & (size == 8 ? 63 : 31); }
    }

    static final long CF = 1, PF = 4, AF = 0x10, ZF = 0x40, SF = 0x80, OF = 0x800;
    static final long[] FLAGS = {CF, PF, AF, ZF, SF, OF};
    static final String[] FN = {"CF", "PF", "AF", "ZF", "SF", "OF"};

    record Op(String name, int[] sizes, java.util.function.IntFunction<byte[]> enc, int kind) {}

    static byte[] b(int... v) { byte[] r = new byte[v.length]; for (int i = 0; i < v.length; i++) r[i] = (byte) v[i]; return r; }

    /** prefix for operand size, then opcode (byte form when size 1 uses opc8). */
    static byte[] sized(int size, int opc8, int opc, int... rest) {
        List<Integer> l = new ArrayList<>();
        if (size == 2) l.add(0x66);
        if (size == 8) l.add(0x48);
        l.add(size == 1 ? opc8 : opc);
        for (int x : rest) l.add(x);
        return b(l.stream().mapToInt(Integer::intValue).toArray());
    }

    static byte[] sized0f(int size, int... rest) {
        List<Integer> l = new ArrayList<>();
        if (size == 2) l.add(0x66);
        if (size == 8) l.add(0x48);
        l.add(0x0F);
        for (int x : rest) l.add(x);
        return b(l.stream().mapToInt(Integer::intValue).toArray());
    }

    static final int K_SHIFT = 0, K_SHD = 1, K_LOGIC = 2, K_MUL = 3, K_DIV = 4, K_BS = 5, K_BT = 6, K_CNT = 7;

    static List<Op> ops() {
        int[] all = {1, 2, 4, 8}, w = {2, 4, 8};
        List<Op> l = new ArrayList<>();
        String[] sh = {"rol", "ror", "rcl", "rcr", "shl", "shr", "sal", "sar"};
        for (int o : new int[] {0, 1, 2, 3, 4, 5, 7}) {
            int oo = o;
            l.add(new Op(sh[o] + " cl", all, s -> sized(s, 0xD2, 0xD3, 0xC0 | oo << 3), K_SHIFT));
        }
        for (int o : new int[] {0, 1, 2, 3, 4, 5, 7}) {
            for (int imm : new int[] {2, 3, 7, 13, 0x21, 0x42, 0xE8}) {
                int oo = o;
                l.add(new Op(sh[o] + " imm" + imm, all, s -> sized(s, 0xC0, 0xC1, 0xC0 | oo << 3, imm), K_SHIFT));
            }
        }
        for (int imm : new int[] {2, 7, 13, 0x21}) {
            l.add(new Op("shld imm" + imm, new int[] {4, 8}, s -> sized0f(s, 0xA4, 0xD0, imm), K_SHD));
            l.add(new Op("shrd imm" + imm, new int[] {4, 8}, s -> sized0f(s, 0xAC, 0xD0, imm), K_SHD));
        }
        l.add(new Op("shld cl", w, s -> sized0f(s, 0xA5, 0xD0), K_SHD));
        l.add(new Op("shrd cl", w, s -> sized0f(s, 0xAD, 0xD0), K_SHD));
        l.add(new Op("and", all, s -> sized(s, 0x20, 0x21, 0xD0), K_LOGIC));
        l.add(new Op("or", all, s -> sized(s, 0x08, 0x09, 0xD0), K_LOGIC));
        l.add(new Op("xor", all, s -> sized(s, 0x30, 0x31, 0xD0), K_LOGIC));
        l.add(new Op("test", all, s -> sized(s, 0x84, 0x85, 0xD0), K_LOGIC));
        l.add(new Op("mul", all, s -> sized(s, 0xF6, 0xF7, 0xE2), K_MUL));
        l.add(new Op("imul1", all, s -> sized(s, 0xF6, 0xF7, 0xEA), K_MUL));
        l.add(new Op("imul2", w, s -> sized0f(s, 0xAF, 0xC2), K_MUL));
        l.add(new Op("imul3", w, s -> sized(s, 0, 0x6B, 0xC2, 0x35), K_MUL));
        l.add(new Op("div", all, s -> sized(s, 0xF6, 0xF7, 0xF3), K_DIV));
        l.add(new Op("idiv", all, s -> sized(s, 0xF6, 0xF7, 0xFB), K_DIV));
        l.add(new Op("bsf", w, s -> sized0f(s, 0xBC, 0xC2), K_BS));
        l.add(new Op("bsr", w, s -> sized0f(s, 0xBD, 0xC2), K_BS));
        l.add(new Op("bt", w, s -> sized0f(s, 0xA3, 0xD0), K_BT));
        for (int[] c : new int[][] {{0xBC}, {0xBD}, {0xB8}}) { // tzcnt, lzcnt, popcnt rax, rdx (F3 before REX)
            String nm = c[0] == 0xBC ? "tzcnt" : c[0] == 0xBD ? "lzcnt" : "popcnt";
            l.add(new Op(nm, w, s -> s == 2 ? b(0x66, 0xF3, 0x0F, c[0], 0xC2) : s == 8 ? b(0xF3, 0x48, 0x0F, c[0], 0xC2)
                    : b(0xF3, 0x0F, c[0], 0xC2), K_CNT));
        }
        l.add(new Op("bts", w, s -> sized0f(s, 0xAB, 0xD0), K_BT));
        return l;
    }

    static Map<String, Predicate<S>> candidates() {
        Map<String, Predicate<S>> c = new LinkedHashMap<>();
        c.put("0", s -> false);
        c.put("1", s -> true);
        c.put("soft", null); // special
        c.put("keep", null); // special
        c.put("msb(res)^cf", s -> s.msb(s.res) ^ s.f(CF));
        c.put("msb(a)^msb(res)", s -> s.msb(s.a) ^ s.msb(s.res));
        c.put("msb(res)^bit[n-2](res)", s -> s.msb(s.res) ^ s.bit(s.res, s.bits() - 2));
        c.put("msb(a)", s -> s.msb(s.a));
        c.put("msb(a)^bit[n-2](a)", s -> s.msb(s.a) ^ s.bit(s.a, s.bits() - 2));
        c.put("bit4(res)", s -> s.bit(s.res, 4));
        c.put("bit4(a)", s -> s.bit(s.a, 4));
        c.put("bit4(a^b^res)", s -> s.bit(s.a ^ s.b ^ s.res, 4));
        c.put("sf(res)", s -> s.msb(s.res));
        c.put("zf(res)", s -> (s.res & s.m()) == 0);
        c.put("pf(res)", s -> (Long.bitCount(s.res & 0xFF) & 1) == 0);
        c.put("zf(b)", s -> (s.b & s.m()) == 0);
        c.put("sf(hi)", s -> s.msb(s.hi));
        c.put("zf(hi)", s -> (s.hi & s.m()) == 0);
        c.put("pf(hi)", s -> (Long.bitCount(s.hi & 0xFF) & 1) == 0);
        c.put("pf(b)", s -> (Long.bitCount(s.b & 0xFF) & 1) == 0);
        c.put("sf(b)", s -> s.msb(s.b));
        c.put("msb(a)^bit0(a)", s -> s.msb(s.a) ^ s.bit(s.a, 0));
        c.put("cfin^msb(a)", s -> ((s.fin & CF) != 0) ^ s.msb(s.a));
        c.put("msb(a)^bit0(b)", s -> s.msb(s.a) ^ s.bit(s.b, 0));
        c.put("b==0?keep:pf(res)", s -> (s.b & s.m()) == 0 ? (s.fin & PF) != 0 : (Long.bitCount(s.res & 0xFF) & 1) == 0);
        c.put("b==0?1:pf(res)", s -> (s.b & s.m()) == 0 || (Long.bitCount(s.res & 0xFF) & 1) == 0);
        c.put("b==0?0:pf(res)", s -> (s.b & s.m()) != 0 && (Long.bitCount(s.res & 0xFF) & 1) == 0);
        c.put("cf", s -> s.f(CF));
        c.put("zf", s -> s.f(ZF));
        return c;
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 3000;
        long seed = args.length > 1 ? Long.decode(args[1]) : 42;
        boolean nat = "native".equals(System.getProperty("oracle", "kvm"));
        KvmHypervisor hv = nat ? null : KvmHypervisor.standard();
        if (nat && NativeRig.unavailable() != null) { System.err.println(NativeRig.unavailable()); System.exit(2); }
        if (!nat && !hv.hostInfo().available()) { System.err.println("no KVM: " + hv.hostInfo().problem()); System.exit(2); }
        SplittableRandom rnd = new SplittableRandom(seed);
        DiffGen g = new DiffGen(seed);
        byte[] scratch = new byte[4096], stack = new byte[4096];
        try (Rig kvm = nat ? NativeRig.start() : new DiffRig("kvm", hv.createVm()); DiffRig soft = new DiffRig("soft", new SoftVm())) {
            if (kvm instanceof NativeRig nr) { // the real CPU's vendor (CPUID executed natively), not /proc/cpuinfo's
                ((SoftVcpu) soft.cpu).setUndefinedFlags(nr.flagModel());
                System.out.printf("native CPU: %s signature %x; \"soft\" is the interpreter's %s model%n", nr.vendor, nr.signature,
                        nr.flagModel());
            }
            String only = args.length > 2 ? args[2] : "";
            for (Op op : ops()) {
                if (!op.name.startsWith(only)) continue;
                for (int size : op.sizes) {
                    List<S> samples = new ArrayList<>();
                    byte[] code = op.enc.apply(size);
                    for (int i = 0; i < n; i++) {
                        long[] r = g.initialRegs();
                        r[4] = DiffRig.USTACK;
                        r[15] = DiffGen.SCRATCH;
                        int bits = size * 8;
                        if (op.kind == K_SHIFT || op.kind == K_SHD) {
                            int k = rnd.nextInt(4);
                            r[1] = k == 0 ? rnd.nextInt(256) : 2 + rnd.nextInt(k == 1 ? 8 : (size == 8 ? 62 : 30));
                        }
                        if (op.kind == K_SHD && (r[1] & (size == 8 ? 63 : 31)) > bits) r[1] = 2 + rnd.nextInt(bits - 1);
                        if (op.kind == K_DIV) { // avoid #DE mostly
                            if (rnd.nextBoolean()) r[2] = 0;
                            if (r[3] == 0) r[3] = 3;
                        }
                        if (op.name.contains(" imm")) r[1] = Integer.parseInt(op.name.substring(op.name.indexOf("imm") + 3));
                        long fl = g.initialFlags() & ~0x400L;
                        kvm.start(code, scratch, stack, r, fl);
                        soft.start(code, scratch, stack, r, fl);
                        Rig.State k = kvm.step(), s = soft.step();
                        if (k.vector() != 1) continue;
                        long res = k.r()[0], hi = k.r()[2];
                        if (op.kind == K_LOGIC && op.name.equals("test")) res = r[0] & r[2];
                        if (op.kind == K_BT || op.kind == K_BS || op.kind == K_CNT) res = k.r()[op.kind == K_BT ? 0 : 0];
                        samples.add(new S(size, r[0], op.kind == K_DIV ? r[3] : r[2], r[1], r[3], fl | 0x302, res, hi, k.rflags(),
                                s.rflags()));
                    }
                    report(op, size, samples);
                }
            }
        } finally {
            if (hv != null) hv.close();
        }
    }

    static void report(Op op, int size, List<S> samples) {
        StringBuilder out = new StringBuilder(String.format("%-8s %2d (%d):", op.name, size * 8, samples.size()));
        for (int fi = 0; fi < 6; fi++) {
            long f = FLAGS[fi];
            // only steps where count > 1 for shifts, non-zero
            List<S> rel = samples.stream().filter(s -> op.kind != K_SHIFT && op.kind != K_SHD || s.cnt() > 1).toList();
            List<String> hits = new ArrayList<>();
            String best = null;
            int bestN = -1;
            for (var e : candidates().entrySet()) {
                int ok = 0;
                for (S s : rel) {
                    boolean v = (s.fout & f) != 0;
                    boolean p = switch (e.getKey()) {
                        case "soft" -> (s.soft & f) != 0;
                        case "keep" -> (s.fin & f) != 0;
                        default -> e.getValue().test(s);
                    };
                    if (v == p) ok++;
                }
                if (ok == rel.size()) hits.add(e.getKey());
                else if (ok > bestN) { bestN = ok; best = e.getKey(); }
            }
            out.append(String.format("  %s%s", FN[fi], hits.isEmpty() ? String.format("?%s %d/%d", best, bestN, rel.size())
                    : "=" + String.join("|", hits.subList(0, Math.min(3, hits.size())))));
        }
        System.out.println(out);
    }
}
