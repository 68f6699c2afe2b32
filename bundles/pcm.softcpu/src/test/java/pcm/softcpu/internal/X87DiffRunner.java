package pcm.softcpu.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import pcm.core.api.cpu.BackendException;

/**
 * The x87 family of the native differential test (issue 13 items 1, 2 and 4): {@link X87Gen} sequences run
 * on the host CPU ({@link NativeRig}, the FXSAVE image loaded before and reported after every
 * instruction) and on the interpreter ({@link DiffRig}, the same image through
 * {@code VirtualCpu.setFpuState}); after every instruction the GPRs, RIP, RFLAGS, exception vector,
 * scratch and stack memory and the x87/SSE state are compared: FCW, FSW (TOP, C0-C3, exception
 * flags, ES, B), the abridged tag word, FOP, FIP, FDP, MXCSR, the eight registers and XMM0-15.
 */
final class X87DiffRunner implements AutoCloseable {

    final NativeRig nat;
    final DiffRig soft;
    final List<String> mismatches = new ArrayList<>();
    final Map<String, Integer> classes = new TreeMap<>();
    final Map<Integer, Integer> vectors = new TreeMap<>();
    long sequences, steps, faults;

    X87DiffRunner(NativeRig nat) throws BackendException {
        this.nat = nat;
        soft = new DiffRig("soft", new SoftVm());
        ((SoftVcpu) soft.cpu).setUndefinedFlags(nat.flagModel());
        ((SoftVcpu) soft.cpu).cpu().x87.sse3 = true; // FISTTP: the host has SSE3
        nat.reportFp = true;
    }

    int run(long seed, int count, int len, int maxReports) throws BackendException {
        X87Gen gen = new X87Gen(seed);
        DiffGen ints = new DiffGen(seed ^ 0x87);
        record Job(List<DiffGen.Insn> seq, long[] r, long fl, byte[] scratch, byte[] stack, byte[] fp) {}
        for (int s = 0; s < count && mismatches.size() < maxReports; ) {
            List<Job> batch = new ArrayList<>();
            for (int b = 0; b < 32 && s + b < count; b++) {
                List<DiffGen.Insn> seq = gen.sequence(DiffRig.CODE, len);
                long[] r = ints.initialRegs();
                r[4] = DiffRig.USTACK;
                r[15] = DiffGen.SCRATCH;
                long fl = ints.initialFlags();
                byte[] scratch = new byte[(int) DiffGen.SCRATCH_SIZE], stack = new byte[4096];
                gen.fillScratch(scratch);
                ints.fillScratch(stack);
                byte[] fp = new byte[512];
                gen.fpImage(fp, 0);
                Job j = new Job(seq, r, fl, scratch, stack, fp);
                batch.add(j);
                System.arraycopy(fp, 0, nat.fpImage, 0, 512);
                nat.submit(DiffRunner.codeOf(seq), scratch, stack, r, fl);
            }
            for (Job j : batch) {
                if (mismatches.size() >= maxReports) break;
                String bad = sequence(s++, j.seq, j.r, j.fl, j.scratch, j.stack, j.fp);
                sequences++;
                if (bad != null) mismatches.add(bad);
            }
            nat.drain();
        }
        gen.classes.forEach((k, v) -> classes.merge(k, v, Integer::sum));
        return mismatches.size();
    }

    private String sequence(int index, List<DiffGen.Insn> seq, long[] r, long fl, byte[] scratch, byte[] stack, byte[] fp)
            throws BackendException {
        byte[] code = DiffRunner.codeOf(seq);
        Map<Long, DiffGen.Insn> at = new HashMap<>();
        for (DiffGen.Insn i : seq) at.put(i.addr(), i);
        long end = DiffRig.CODE + code.length;
        nat.start(code, scratch, stack, r, fl);
        soft.start(code, scratch, stack, r, fl);
        soft.cpu.setFpuState(fp);
        long rip = DiffRig.CODE;
        before = fp.clone();
        for (int step = 0; step < seq.size() + 4; step++) {
            DiffGen.Insn insn = at.get(rip);
            Rig.State k, s;
            byte[] kf, sf;
            try {
                k = nat.step();
                kf = nat.lastFp;
                s = soft.step();
                sf = soft.cpu.fpuState();
            } catch (IllegalStateException e) {
                return report(index, seq, step, insn, r, fl, fp, "  " + e.getMessage() + "\n");
            }
            steps++;
            String diff = compare(k, s, kf, sf);
            if (diff != null) return report(index, seq, step, insn, r, fl, fp, diff);
            before = sf;
            if (k.vector() != 1) {
                faults++;
                vectors.merge(k.vector(), 1, Integer::sum);
                return null;
            }
            rip = k.rip();
            if (rip == end) return null;
        }
        return report(index, seq, -1, null, r, fl, fp, "did not reach the end of the sequence");
    }

    /** The interpreter's FPU image before the current step (for reports). */
    private byte[] before;

    private static int u16(byte[] b, int at) { return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getShort(at) & 0xFFFF; }

    private static long u64(byte[] b, int at) { return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getLong(at); }

    private String compare(Rig.State k, Rig.State s, byte[] kf, byte[] sf) {
        StringBuilder b = new StringBuilder();
        if (k.vector() != s.vector() || ((k.err() ^ s.err()) & nat.errorCodeMask(k.vector())) != 0) {
            b.append(String.format("  exception: native vector %d err %x, soft vector %d err %x%n", k.vector(), k.err(), s.vector(), s.err()));
        }
        if (k.rip() != s.rip()) b.append(String.format("  rip: native %x soft %x%n", k.rip(), s.rip()));
        for (int i = 0; i < 16; i++) {
            if (k.r()[i] != s.r()[i]) b.append(String.format("  %s: native %016x soft %016x%n", DiffRunner.NAMES[i], k.r()[i], s.r()[i]));
        }
        long mask = DiffGen.ARITH | DiffGen.DF;
        if (((k.rflags() ^ s.rflags()) & mask) != 0) {
            b.append(String.format("  rflags: native %x soft %x%n", k.rflags(), s.rflags()));
        }
        fpDiff(b, kf, sf);
        memDiff(b, "scratch", DiffGen.SCRATCH, (int) DiffGen.SCRATCH_SIZE);
        memDiff(b, "stack", DiffRig.STACK_PAGE, 4096);
        return b.isEmpty() ? null : b.toString();
    }

    private static void fpDiff(StringBuilder b, byte[] kf, byte[] sf) {
        String[] names = {"fcw", "fsw", "ftw", "fop"};
        int[] offs = {0, 2, 4, 6};
        for (int i = 0; i < 4; i++) {
            int kv = i == 2 ? kf[4] & 0xFF : u16(kf, offs[i]), sv = i == 2 ? sf[4] & 0xFF : u16(sf, offs[i]);
            if (i == 3) {
                kv &= 0x7FF;
                sv &= 0x7FF;
            }
            if (kv != sv) b.append(String.format("  %s: native %04x soft %04x%n", names[i], kv, sv));
        }
        if (u64(kf, 8) != u64(sf, 8)) b.append(String.format("  fip: native %x soft %x%n", u64(kf, 8), u64(sf, 8)));
        if (u64(kf, 16) != u64(sf, 16)) b.append(String.format("  fdp: native %x soft %x%n", u64(kf, 16), u64(sf, 16)));
        int km = (int) u64(kf, 24), sm = (int) u64(sf, 24);
        if (km != sm) b.append(String.format("  mxcsr: native %08x soft %08x%n", km, sm));
        for (int i = 0; i < 8; i++) {
            long kl = u64(kf, 32 + 16 * i), sl = u64(sf, 32 + 16 * i);
            int kh = u16(kf, 40 + 16 * i), sh = u16(sf, 40 + 16 * i);
            if (kl != sl || kh != sh) b.append(String.format("  st%d (slot): native %04x:%016x soft %04x:%016x%n", i, kh, kl, sh, sl));
        }
        if (!java.util.Arrays.equals(kf, 160, 416, sf, 160, 416)) b.append("  xmm registers differ\n");
    }

    private void memDiff(StringBuilder b, String what, long base, int len) {
        long m = nat.ram().asSlice(base, len).mismatch(soft.ram.asSlice(base, len));
        if (m < 0) return;
        long q = base + (m & ~7);
        b.append(String.format("  %s memory first differs at %x: native %016x soft %016x%n", what, base + m,
                nat.ram().get(DiffRig.L, q), soft.ram.get(DiffRig.L, q)));
    }

    private String report(int index, List<DiffGen.Insn> seq, int step, DiffGen.Insn insn, long[] r, long fl, byte[] fp, String diff) {
        StringBuilder b = new StringBuilder();
        b.append(String.format("x87 sequence %d, step %d, instruction %s%n", index, step, insn));
        b.append(diff);
        b.append(String.format("  initial fcw=%04x fsw=%04x ftw=%02x rflags=%x%n", u16(fp, 0), u16(fp, 2), fp[4] & 0xFF, fl | 0x302));
        byte[] p = before;
        int top = u16(p, 2) >> 11 & 7;
        b.append(String.format("  before the step: fcw=%04x fsw=%04x ftw=%02x%n", u16(p, 0), u16(p, 2), p[4] & 0xFF));
        for (int i = 0; i < 8; i++) {
            boolean empty = (p[4] >> ((top + i) & 7) & 1) == 0;
            b.append(String.format("    st%d %04x:%016x%s%n", i, u16(p, 40 + 16 * i), u64(p, 32 + 16 * i), empty ? " (empty)" : ""));
        }
        b.append("  code:\n");
        for (DiffGen.Insn i : seq) b.append(i == insn ? "  > " : "    ").append(i).append('\n');
        return b.toString();
    }

    @Override
    public void close() {
        nat.close();
        soft.close();
    }
}
