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

    /** Whether the soft CPU has the host's RCPPS/RSQRTPS model (else those forms are not generated; {@link #recipMissing} says why). */
    final boolean recipModel;
    final String recipMissing;

    SseDiffRunner(NativeRig nat) throws BackendException {
        super(nat);
        recipMissing = pcm.softcpu.internal.sse.SseRecip.missing(nat.flagModel(), nat.signature);
        recipModel = recipMissing == null;
    }

    @Override
    String family() { return "SSE"; }

    @Override
    Generator generator(long seed) {
        SseGen gen = new SseGen(seed);
        gen.recip = recipModel;
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
        // the x87 part: FCW, FSW (TOP), abridged tag, FOP, FIP, FDP, the registers (the MMX conversions change TOP, the
        // tags and MMX registers; nothing else may change it)
        if (!java.util.Arrays.equals(kf, 0, 24, sf, 0, 24) || !java.util.Arrays.equals(kf, 32, 160, sf, 32, 160)) {
            b.append(String.format("  x87: native fcw %04x fsw %04x tag %02x fop %03x fip %x fdp %x, soft fcw %04x fsw %04x tag %02x fop %03x fip %x fdp %x%n",
                    u16(kf, 0), u16(kf, 2), kf[4] & 0xFF, u16(kf, 6), u64(kf, 8), u64(kf, 16),
                    u16(sf, 0), u16(sf, 2), sf[4] & 0xFF, u16(sf, 6), u64(sf, 8), u64(sf, 16)));
            for (int i = 0; i < 8; i++) {
                int o = 32 + 16 * i;
                if (u64(kf, o) != u64(sf, o) || u16(kf, o + 8) != u16(sf, o + 8)) {
                    b.append(String.format("  st%d: native %04x_%016x soft %04x_%016x%n", i, u16(kf, o + 8), u64(kf, o), u16(sf, o + 8), u64(sf, o)));
                }
            }
        }
    }

    @Override
    void describe(StringBuilder b, Job j, byte[] p) {
        b.append(String.format("  before the step: mxcsr=%08x fcw %04x fsw %04x tag %02x%n", (int) u64(p, 24), u16(p, 0), u16(p, 2), p[4] & 0xFF));
        for (int i = 0; i < 8; i++) b.append(String.format("    st%d %04x_%016x%n", i, u16(p, 40 + 16 * i), u64(p, 32 + 16 * i)));
        for (int x = 0; x < 16; x++) b.append(String.format("    xmm%d %016x_%016x%n", x, u64(p, 168 + 16 * x), u64(p, 160 + 16 * x)));
    }
}
