package pcm.softcpu.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import pcm.core.api.cpu.BackendException;
import pcm.vmx.internal.kvm.KvmHypervisor;

/**
 * Differential testing of the interpreter against KVM: random instruction sequences from
 * {@link DiffGen} run at CPL3 single-stepped by RFLAGS.TF on both backends ({@link DiffRig}); after
 * every instruction (every REP iteration) RAX..R15, RIP, the defined arithmetic flags + DF, the
 * exception vector / error code and the scratch and stack pages are compared. The flags the
 * architecture leaves undefined are compared too (the interpreter's Intel or AMD model, both measured),
 * except the few a model leaves open ({@link DiffGen.Insn#unmodelled}).
 * Masked flags are copied from KVM to the interpreter so that both continue from the same state.
 */
final class DiffRunner implements AutoCloseable {

    static final String[] NAMES = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi", "r8", "r9", "r10", "r11",
        "r12", "r13", "r14", "r15"};

    /** The reference (KVM or the native CPU) and the interpreter. */
    final Rig kvm;
    final DiffRig soft;
    /** The interpreter models the reference's undefined flags (the three models are measured): compare them. */
    final boolean modelled;
    final List<String> mismatches = new ArrayList<>();
    long sequences, steps, faults;
    final Map<String, Integer> classes;

    DiffRunner(KvmHypervisor hv) throws BackendException {
        this(new DiffRig("kvm", hv.createVm()), hostModel());
    }

    /** The host CPU's model: tcg on QEMU's emulator (the emulated SVM host), else by vendor. */
    static String hostModel() {
        String m = pcm.core.api.cpu.CpuIdentity.host().undefinedFlags();
        return m.isEmpty() ? (CpuBase.HOST_INTEL ? "intel" : "amd") : m;
    }

    /**
     * Against any reference; {@code model} is the reference CPU's undefined-flag model: the interpreter runs
     * with it and, for {@code intel}, {@code amd} and {@code tcg} (all measured), its undefined flags are compared too.
     */
    DiffRunner(Rig reference, String model) throws BackendException {
        kvm = reference;
        soft = new DiffRig("soft", new SoftVm());
        if (!((SoftVcpu) soft.cpu).setUndefinedFlags(model)) throw new IllegalArgumentException("no flag model " + model);
        modelled = model.equals("intel") || model.equals("amd") || model.equals("tcg");
        classes = new java.util.TreeMap<>();
    }

    /** Runs {@code count} sequences of about {@code len} instructions from {@code seed}; returns the number of mismatches. */
    int run(long seed, int count, int len, int maxReports) throws BackendException {
        DiffGen gen = new DiffGen(seed);
        byte[] scratch = new byte[(int) DiffGen.SCRATCH_SIZE], stack = new byte[4096];
        NativeRig ahead = kvm instanceof NativeRig n ? n : null;
        record Job(List<DiffGen.Insn> seq, long[] r, long fl, byte[] scratch, byte[] stack) {}
        for (int s = 0; s < count && mismatches.size() < maxReports; ) {
            // the native runner works on the next sequences while this thread compares
            List<Job> batch = new ArrayList<>();
            for (int b = 0; b < (ahead == null ? 1 : 32) && s + b < count; b++) {
                List<DiffGen.Insn> seq = gen.sequence(DiffRig.CODE, len);
                long[] r = gen.sequenceRegs();
                long fl = gen.initialFlags();
                gen.fillScratch(scratch);
                gen.fillScratch(stack);
                Job j = new Job(seq, r, fl, scratch.clone(), stack.clone());
                batch.add(j);
                if (ahead != null) ahead.submit(codeOf(seq), j.scratch, j.stack, r, fl);
            }
            for (Job j : batch) {
                if (mismatches.size() >= maxReports) break;
                String bad = sequence(s++, j.seq, j.r, j.fl, j.scratch, j.stack);
                sequences++;
                if (bad != null) mismatches.add(bad);
            }
            if (ahead != null) ahead.drain();
        }
        gen.classes.forEach((k, v) -> classes.merge(k, v, Integer::sum));
        return mismatches.size();
    }

    /**
     * Runs one hand-written sequence (regression tests of defects the generator cannot reach); returns the
     * mismatch report or null. Instructions built with {@link #fixed} have no undefined flags: all are compared.
     */
    String runFixed(List<DiffGen.Insn> seq, long[] r, long fl, byte[] scratch, byte[] stack) throws BackendException {
        String bad = sequence((int) sequences++, seq, r, fl, scratch, stack);
        if (bad != null) mismatches.add(bad);
        return bad;
    }

    /** Lays out hand-written instructions (hex strings) from {@link DiffRig#CODE}. */
    static List<DiffGen.Insn> fixed(String... hex) {
        List<DiffGen.Insn> out = new ArrayList<>();
        long pc = DiffRig.CODE;
        for (String h : hex) {
            byte[] b = java.util.HexFormat.of().parseHex(h.replace(" ", ""));
            out.add(new DiffGen.Insn(pc, b, h, 0, -1, 0, 0));
            pc += b.length;
        }
        return out;
    }

    static byte[] codeOf(List<DiffGen.Insn> seq) {
        byte[] code = new byte[(int) (seq.getLast().addr() + seq.getLast().bytes().length - DiffRig.CODE)];
        for (DiffGen.Insn i : seq) System.arraycopy(i.bytes(), 0, code, (int) (i.addr() - DiffRig.CODE), i.bytes().length);
        return code;
    }

    private String sequence(int index, List<DiffGen.Insn> seq, long[] r, long fl, byte[] scratch, byte[] stack)
            throws BackendException {
        byte[] code = codeOf(seq);
        int codeLen = code.length;
        Map<Long, DiffGen.Insn> at = new HashMap<>();
        for (DiffGen.Insn i : seq) at.put(i.addr(), i);
        long end = DiffRig.CODE + codeLen;
        kvm.start(code, scratch, stack, r, fl);
        soft.start(code, scratch, stack, r, fl);
        long rip = DiffRig.CODE, rcx = r[1];
        for (int step = 0; step < 8 * seq.size() + 64; step++) {
            DiffGen.Insn insn = at.get(rip);
            Rig.State k, s;
            try {
                k = kvm.step();
                s = soft.step();
            } catch (IllegalStateException e) {
                return report(index, seq, step, insn, r, fl, null, null, "  " + e.getMessage() + "\n");
            }
            steps++;
            // the interpreter models the reference vendor's undefined flags (CpuBase.intelFlags): compare them
            long undef = insn == null ? 0 : modelled ? insn.unmodelled(rcx) : insn.undefined(rcx);
            if (insn != null && insn.repCompare() && k.rip() == insn.addr()) {
                undef |= DiffGen.ARITH; // an interrupted REPE/REPNE CMPS/SCAS iteration: see the README
            }
            String diff = compare(k, s, undef);
            if (diff != null) return report(index, seq, step, insn, r, fl, k, s, diff);
            if (k.vector() != 1) {
                faults++;
                return null;
            }
            if (((k.rflags() ^ s.rflags()) & undef) != 0) soft.setFrameFlags(k.rflags());
            rip = k.rip();
            rcx = k.r()[1];
            if (rip == end) return null;
        }
        return report(index, seq, -1, null, r, fl, null, null, "did not reach the end of the sequence");
    }

    private String compare(Rig.State k, Rig.State s, long undef) {
        StringBuilder b = new StringBuilder();
        if (k.vector() != s.vector() || ((k.err() ^ s.err()) & kvm.errorCodeMask(k.vector())) != 0) {
            b.append(String.format("  exception: %s vector %d err %x, soft vector %d err %x%n", kvm.name(), k.vector(), k.err(),
                    s.vector(), s.err()));
        }
        if (k.rip() != s.rip()) b.append(String.format("  rip: %s %x soft %x%n", kvm.name(), k.rip(), s.rip()));
        for (int i = 0; i < 16; i++) {
            if (k.r()[i] != s.r()[i]) {
                b.append(String.format("  %s: %s %016x soft %016x%n", NAMES[i], kvm.name(), k.r()[i], s.r()[i]));
            }
        }
        long mask = (DiffGen.ARITH | DiffGen.DF) & ~undef;
        if (((k.rflags() ^ s.rflags()) & mask) != 0) {
            b.append(String.format("  rflags: %s %x soft %x (differ %x, undefined %x)%n", kvm.name(), k.rflags(), s.rflags(),
                    (k.rflags() ^ s.rflags()) & mask, undef));
        }
        memDiff(b, "scratch", DiffGen.SCRATCH, (int) DiffGen.SCRATCH_SIZE);
        memDiff(b, "stack", DiffRig.STACK_PAGE, 4096);
        return b.isEmpty() ? null : b.toString();
    }

    private void memDiff(StringBuilder b, String what, long base, int len) {
        long m = kvm.ram().asSlice(base, len).mismatch(soft.ram.asSlice(base, len));
        if (m < 0) return;
        long q = base + (m & ~7);
        b.append(String.format("  %s memory first differs at %x: %s %016x soft %016x%n", what, base + m, kvm.name(),
                kvm.ram().get(DiffRig.L, q), soft.ram.get(DiffRig.L, q)));
    }

    private String report(int index, List<DiffGen.Insn> seq, int step, DiffGen.Insn insn, long[] r, long fl,
            Rig.State k, Rig.State s, String diff) {
        StringBuilder b = new StringBuilder();
        b.append(String.format("sequence %d, step %d, instruction %s%n", index, step, insn));
        b.append(diff);
        b.append("  initial:");
        for (int i = 0; i < 16; i++) b.append(String.format(" %s=%x", NAMES[i], r[i]));
        b.append(String.format(" rflags=%x%n  code:%n", fl | 0x302));
        for (DiffGen.Insn i : seq) b.append(i == insn ? "  > " : "    ").append(i).append('\n');
        return b.toString();
    }

    @Override
    public void close() {
        kvm.close();
        soft.close();
    }
}
