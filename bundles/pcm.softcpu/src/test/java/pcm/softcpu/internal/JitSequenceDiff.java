package pcm.softcpu.internal;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import pcm.core.api.cpu.BackendException;
import pcm.core.api.vm.VmExit;

/**
 * Differential testing of the block compiler against the interpreter over {@link DiffGen} sequences (the native
 * oracle's generator). Each sequence runs at CPL3 on two {@link DiffRig}s, one with the compiler on (threshold 1:
 * every block head is translated the first time it runs), without RFLAGS.TF, as a loop:
 * {@code seq; dec qword [COUNTER]; jnz seq; hlt} (the HLT raises #GP at CPL3, which ends the sequence through the
 * rig's exception handler, as any fault of the sequence does). The first pass translates, the next ones run the
 * blocks. Both sides stop at the same instruction counts, drawn at random (so runs stop inside blocks, where a
 * block may not start), and at each the registers, RIP, RFLAGS, the count, the exit and the scratch, stack, counter
 * and exception-frame pages must be equal. The rig rewrites the code page for every sequence, so every sequence
 * also checks that translations of the previous code are dropped (the page changed behind the CPU).
 */
final class JitSequenceDiff implements AutoCloseable {

    static final long COUNTER = 0x30000;
    static final int PASSES = 3;

    final DiffRig interp, compiled;
    final List<String> mismatches = new ArrayList<>();
    long sequences, steps, stops, exits;

    JitSequenceDiff(int cacheBlocks) throws BackendException {
        interp = new DiffRig("interpreter", new SoftVm());
        compiled = new DiffRig("compiled", new SoftVm());
        ((SoftVcpu) interp.cpu).setBlockCompiler(false);
        ((SoftVcpu) compiled.cpu).setBlockCompiler(1, cacheBlocks);
    }

    pcm.softcpu.internal.jit.JitStats stats() { return ((SoftVcpu) compiled.cpu).blockCompilerStats(); }

    /** Runs {@code count} sequences of about {@code len} instructions from {@code seed}; returns the mismatches. */
    int run(long seed, int count, int len, int maxReports) throws BackendException {
        DiffGen gen = new DiffGen(seed);
        SplittableRandom stopsAt = new SplittableRandom(seed ^ 0x5709);
        byte[] scratch = new byte[(int) DiffGen.SCRATCH_SIZE], stack = new byte[4096];
        for (int s = 0; s < count && mismatches.size() < maxReports; s++) {
            List<DiffGen.Insn> seq = gen.sequence(DiffRig.CODE, len);
            long[] r = gen.sequenceRegs();
            long fl = gen.initialFlags();
            gen.fillScratch(scratch);
            gen.fillScratch(stack);
            byte[] code = loop(DiffRunner.codeOf(seq));
            start(interp, code, scratch, stack, r, fl);
            start(compiled, code, scratch, stack, r, fl);
            String bad = compare(s, seq, stopsAt);
            sequences++;
            if (bad != null) mismatches.add(bad);
        }
        return mismatches.size();
    }

    /** The sequence as the body of a loop of PASSES passes (counter in its own page, not compared per pass). */
    static byte[] loop(byte[] body) {
        byte[] c = Arrays.copyOf(body, body.length + 8 + 6 + 1);
        int p = body.length;
        byte[] dec = {0x48, (byte) 0xFF, 0x0C, 0x25, 0, 0, 3, 0}; // dec qword [0x30000]
        System.arraycopy(dec, 0, c, p, dec.length);
        p += dec.length;
        int rel = -(p + 6);
        c[p] = 0x0F;
        c[p + 1] = (byte) 0x85; // jnz CODE
        for (int i = 0; i < 4; i++) c[p + 2 + i] = (byte) (rel >>> (8 * i));
        c[p + 6] = (byte) 0xF4; // hlt: #GP at CPL3
        return c;
    }

    private static void start(DiffRig rig, byte[] code, byte[] scratch, byte[] stack, long[] r, long fl)
            throws BackendException {
        rig.start(code, scratch, stack, r, fl);
        rig.ram.set(ValueLayout.JAVA_LONG_UNALIGNED, DiffRig.FRAME + 16, fl | 0x202); // no TF: blocks may run
        rig.ram.set(ValueLayout.JAVA_LONG_UNALIGNED, COUNTER, PASSES);
    }

    private String compare(int s, List<DiffGen.Insn> seq, SplittableRandom stopsAt) throws BackendException {
        SoftVcpu a = (SoftVcpu) interp.cpu, b = (SoftVcpu) compiled.cpu;
        long base = a.instructionCount(), baseB = b.instructionCount();
        long target = 0;
        for (int guard = 0; guard < 10_000; guard++) {
            target += 1 + stopsAt.nextInt(stopsAt.nextBoolean() ? 3 : 24);
            VmExit ea = a.runUntil(base + target), eb = b.runUntil(baseB + target);
            stops++;
            String d = differences(a, b, base, baseB, ea, eb);
            if (d != null) {
                return "sequence " + s + " at instruction " + (a.instructionCount() - base) + ": " + d + "\n  " + seq;
            }
            if (ea != null) {
                exits++;
                steps += a.instructionCount() - base;
                // the rig's handlers report with OUT and halt: a #GP from the final HLT, or a fault of the sequence
                if (!(ea instanceof VmExit.PortOut)) return "sequence " + s + ": unexpected exit " + ea;
                return null;
            }
        }
        return "sequence " + s + ": did not end";
    }

    private String differences(SoftVcpu a, SoftVcpu b, long base, long baseB, VmExit ea, VmExit eb) throws BackendException {
        StringBuilder d = new StringBuilder();
        if (a.instructionCount() - base != b.instructionCount() - baseB) {
            d.append("count ").append(a.instructionCount() - base).append(" vs ").append(b.instructionCount() - baseB).append("; ");
        }
        if (!String.valueOf(ea).equals(String.valueOf(eb))) d.append("exit ").append(ea).append(" vs ").append(eb).append("; ");
        if (!a.registers().equals(b.registers())) d.append("registers ").append(a.registers()).append(" vs ").append(b.registers()).append("; ");
        if (a.rflags() != b.rflags()) d.append("rflags ").append(Long.toHexString(a.rflags())).append(" vs ").append(Long.toHexString(b.rflags())).append("; ");
        if (!a.specialRegisters().equals(b.specialRegisters())) d.append("special registers differ; ");
        for (long[] area : new long[][] {{DiffGen.SCRATCH, DiffGen.SCRATCH_SIZE}, {DiffRig.STACK_PAGE, 4096}, {COUNTER, 8},
                {0xE000 - 4096, 8192}}) {
            MemorySegment x = interp.ram.asSlice(area[0], area[1]), y = compiled.ram.asSlice(area[0], area[1]);
            long at = x.mismatch(y);
            if (at >= 0) d.append("memory at 0x").append(Long.toHexString(area[0] + at)).append("; ");
        }
        return d.isEmpty() ? null : d.toString();
    }

    @Override
    public void close() {
        interp.close();
        compiled.close();
    }
}
