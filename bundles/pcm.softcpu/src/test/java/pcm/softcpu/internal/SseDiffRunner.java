package pcm.softcpu.internal;

import java.util.Map;

import pcm.core.api.cpu.BackendException;

/**
 * The SSE/SSE2 family of the native differential test (issue 13 items 2 and 4; the loop is {@link FpDiffRunner}):
 * {@link SseGen} sequences; of the FXSAVE image MXCSR, each XMM register and the x87 part (which SSE must not touch)
 * are compared.
 */
final class SseDiffRunner extends FpDiffRunner {

    /** Sequences ended at an LDMXCSR the AMD host accepted with its MXCSR.MM bit 17 (not modelled: #GP here). */

    SseDiffRunner(NativeRig nat) throws BackendException {
        super(nat);
    }

    @Override
    String family() { return "SSE"; }

    @Override
    Generator generator(long seed) {
        SseGen gen = new SseGen(seed);
        DiffGen ints = new DiffGen(seed ^ 0x55E);
        return new Generator() {
            @Override public Job next(int len) {
                Job j = job(gen.sequence(DiffRig.CODE, len), ints);
                gen.fillScratch(j.scratch());
                gen.fillScratch(j.stack());
                gen.applyPokes(j.scratch(), j.stack());
                gen.fpImage(j.fp());
                return j;
            }

            @Override public Map<String, Integer> classes() { return gen.classes; }
        };
    }

    @Override
    void fpDiff(StringBuilder b, byte[] kf, byte[] sf) {
        int km = (int) u64(kf, 24), sm = (int) u64(sf, 24);
        if (km != sm) b.append(String.format("  mxcsr: native %08x soft %08x%n", km, sm));
        for (int x = 0; x < 16; x++) {
            int o = 160 + 16 * x;
            if (u64(kf, o) != u64(sf, o) || u64(kf, o + 8) != u64(sf, o + 8)) {
                b.append(String.format("  xmm%d: native %016x_%016x soft %016x_%016x%n", x, u64(kf, o + 8), u64(kf, o), u64(sf, o + 8), u64(sf, o)));
            }
        }
        if (!java.util.Arrays.equals(kf, 0, 6, sf, 0, 6) || !java.util.Arrays.equals(kf, 32, 160, sf, 32, 160)) {
            b.append("  x87 state differs\n");
        }
    }

    @Override
    void describe(StringBuilder b, Job j, byte[] p) {
        b.append(String.format("  before the step: mxcsr=%08x%n", (int) u64(p, 24)));
        for (int x = 0; x < 16; x++) b.append(String.format("    xmm%d %016x_%016x%n", x, u64(p, 168 + 16 * x), u64(p, 160 + 16 * x)));
    }
}
