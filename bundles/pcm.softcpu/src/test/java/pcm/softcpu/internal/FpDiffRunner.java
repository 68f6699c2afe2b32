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
 * The native differential test of a family that carries FXSAVE state (x87: {@link X87DiffRunner}, SSE/SSE2:
 * {@link SseDiffRunner}; issue 13 items 1, 2 and 4): generated sequences run on the host CPU ({@link NativeRig}, the
 * 512-byte FXSAVE image loaded before and reported after every instruction) and on the interpreter ({@link DiffRig},
 * the same image through {@code VirtualCpu.setFpuState}); after every instruction the exception vector and error code,
 * RIP, the GPRs, RFLAGS, the family's part of the image ({@link #fpDiff}) and the scratch and stack memory are
 * compared. A family supplies its generator, what of the image it compares and how a report shows the state.
 */
abstract class FpDiffRunner implements AutoCloseable {

    /** One sequence with the state it starts from. */
    record Job(List<DiffGen.Insn> seq, long[] r, long fl, byte[] scratch, byte[] stack, byte[] fp) {}

    /** A family's sequences, from one seed. */
    interface Generator {
        /** The next sequence of {@code len} instructions with its starting state. */
        Job next(int len);

        /** How many instructions of each class it generated. */
        Map<String, Integer> classes();
    }

    final NativeRig nat;
    final DiffRig soft;
    final List<String> mismatches = new ArrayList<>();
    final Map<String, Integer> classes = new TreeMap<>();
    final Map<Integer, Integer> vectors = new TreeMap<>();
    long sequences, steps, faults;
    /** The interpreter's FPU image before the current step (for reports). */
    private byte[] before;

    FpDiffRunner(NativeRig nat) throws BackendException {
        this.nat = nat;
        soft = new DiffRig("soft", new SoftVm());
        ((SoftVcpu) soft.cpu).setVendorModel(nat.flagModel(), nat.signature); // undefined flags, x87 pointers, MXCSR_MASK, RCP/RSQRT
        nat.reportFp = true;
    }

    /** The family's name in reports ("x87", "SSE"). */
    abstract String family();

    abstract Generator generator(long seed);

    /** Appends a line for each difference in the family's part of the FXSAVE images. */
    abstract void fpDiff(StringBuilder b, byte[] nativeFp, byte[] softFp);

    /** Appends the family's view of the state a failing sequence started with and had before the failing step. */
    abstract void describe(StringBuilder b, Job job, byte[] before);

    /** A difference the host's vendor explains (not a mismatch): the sequence ends there. */
    boolean vendorDifference(DiffGen.Insn insn, Rig.State nativeState, Rig.State softState, byte[] nativeFp) { return false; }

    /** A job with the integer state every family starts from; the family fills memory and the FPU image. */
    static Job job(List<DiffGen.Insn> seq, DiffGen ints) {
        long[] r = ints.initialRegs();
        r[4] = DiffRig.USTACK;
        r[15] = DiffGen.SCRATCH;
        return new Job(seq, r, ints.initialFlags(), new byte[(int) DiffGen.SCRATCH_SIZE], new byte[4096], new byte[512]);
    }

    int run(long seed, int count, int len, int maxReports) throws BackendException {
        Generator gen = generator(seed);
        for (int s = 0; s < count && mismatches.size() < maxReports; ) {
            List<Job> batch = new ArrayList<>();
            for (int b = 0; b < 32 && s + b < count; b++) {
                Job j = gen.next(len);
                batch.add(j);
                System.arraycopy(j.fp(), 0, nat.fpImage, 0, 512);
                nat.submit(DiffRunner.codeOf(j.seq()), j.scratch(), j.stack(), j.r(), j.fl());
            }
            for (Job j : batch) {
                if (mismatches.size() >= maxReports) break;
                String bad = sequence(s++, j);
                sequences++;
                if (bad != null) mismatches.add(bad);
            }
            nat.drain();
        }
        gen.classes().forEach((k, v) -> classes.merge(k, v, Integer::sum));
        return mismatches.size();
    }

    private String sequence(int index, Job j) throws BackendException {
        byte[] code = DiffRunner.codeOf(j.seq());
        Map<Long, DiffGen.Insn> at = new HashMap<>();
        for (DiffGen.Insn i : j.seq()) at.put(i.addr(), i);
        long end = DiffRig.CODE + code.length;
        nat.start(code, j.scratch(), j.stack(), j.r(), j.fl());
        soft.start(code, j.scratch(), j.stack(), j.r(), j.fl());
        soft.cpu.setFpuState(j.fp());
        long rip = DiffRig.CODE;
        before = j.fp().clone();
        for (int step = 0; step < j.seq().size() + 4; step++) {
            DiffGen.Insn insn = at.get(rip);
            Rig.State k, s;
            byte[] kf, sf;
            try {
                k = nat.step();
                kf = nat.lastFp;
                s = soft.step();
                sf = soft.cpu.fpuState();
                // the native rig's state passes through the kernel's XSAVE/XRSTOR at every single-step trap; the
                // interpreter's passes through the same image (on AMD that image drops FOP/FIP/FDP while FSW.ES is clear)
                soft.cpu.setFpuState(sf);
            } catch (IllegalStateException e) {
                return report(index, j, step, insn, "  " + e.getMessage() + "\n");
            }
            steps++;
            if (vendorDifference(insn, k, s, kf)) return null;
            String diff = compare(k, s, kf, sf);
            if (diff != null) return report(index, j, step, insn, diff);
            before = sf;
            if (k.vector() != 1) {
                faults++;
                vectors.merge(k.vector(), 1, Integer::sum);
                return null;
            }
            rip = k.rip();
            if (rip == end) return null;
        }
        return report(index, j, -1, null, "did not reach the end of the sequence");
    }

    static int u16(byte[] b, int at) { return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getShort(at) & 0xFFFF; }

    static long u64(byte[] b, int at) { return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getLong(at); }

    private String compare(Rig.State k, Rig.State s, byte[] kf, byte[] sf) {
        StringBuilder b = new StringBuilder();
        if (k.vector() != s.vector() || ((k.err() ^ s.err()) & nat.errorCodeMask(k.vector())) != 0) {
            b.append(String.format("  exception: native vector %d err %x, soft vector %d err %x%n", k.vector(), k.err(), s.vector(), s.err()));
        }
        if (k.rip() != s.rip()) b.append(String.format("  rip: native %x soft %x%n", k.rip(), s.rip()));
        for (int i = 0; i < 16; i++) {
            if (k.r()[i] != s.r()[i]) b.append(String.format("  %s: native %016x soft %016x%n", DiffRunner.NAMES[i], k.r()[i], s.r()[i]));
        }
        if (((k.rflags() ^ s.rflags()) & (DiffGen.ARITH | DiffGen.DF)) != 0) {
            b.append(String.format("  rflags: native %x soft %x%n", k.rflags(), s.rflags()));
        }
        fpDiff(b, kf, sf);
        memDiff(b, "scratch", DiffGen.SCRATCH, (int) DiffGen.SCRATCH_SIZE);
        memDiff(b, "stack", DiffRig.STACK_PAGE, 4096);
        return b.isEmpty() ? null : b.toString();
    }

    private void memDiff(StringBuilder b, String what, long base, int len) {
        long m = nat.ram().asSlice(base, len).mismatch(soft.ram.asSlice(base, len));
        if (m < 0) return;
        long q = base + (m & ~7);
        b.append(String.format("  %s memory first differs at %x: native %016x soft %016x%n", what, base + m,
                nat.ram().get(DiffRig.L, q), soft.ram.get(DiffRig.L, q)));
    }

    private String report(int index, Job j, int step, DiffGen.Insn insn, String diff) {
        StringBuilder b = new StringBuilder();
        b.append(String.format("%s sequence %d, step %d, instruction %s%n", family(), index, step, insn));
        b.append(diff);
        describe(b, j, before);
        b.append("  code:\n");
        for (DiffGen.Insn i : j.seq()) b.append(i == insn ? "  > " : "    ").append(i).append('\n');
        return b.toString();
    }

    @Override
    public void close() {
        nat.close();
        soft.close();
    }
}
