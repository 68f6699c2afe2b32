package pcm.softcpu.internal.sse.fp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import pcm.softcpu.internal.sse.SseRecip;

/**
 * The soft CPU's RCPPS/RSQRTPS model of the executing CPU against that CPU, exhaustively over the fraction: for each
 * sign, exponent and MXCSR below, all 2^23 operands ({@link RecipProbe}) — every output bit of every one equal.
 * Runs where the soft CPU has a model for the host ({@link SseRecip#select} by the vendor model and family the probe
 * reads with CPUID itself), and is skipped with the reason elsewhere (an Intel host, an AMD family not measured:
 * {@link RecipTableGen} there gives the tables to compare). {@code -Dpcm.native.emulator=qemu-x86_64} checks the
 * {@code tcg} model against QEMU. {@code -Drecip.exponents=all}: every exponent under the default MXCSR (the soak: all
 * 2^32 operands of both instructions).
 */
class RecipModelNativeTest {

    /** Zeros and denormals, the smallest normals, around 1, where RCP leaves the normal range, infinities/NaNs. */
    static final int[] EXPONENTS = {0, 1, 2, 63, 64, 125, 126, 127, 128, 129, 190, 252, 253, 254, 255};
    static final int[] FEW = {0, 127, 254, 255};
    /** Default; DAZ FTZ round-up; toward zero; DAZ round-down with every exception unmasked; FTZ with all flags set, unmasked. */
    static final int[] MXCSRS = {0x1F80, 0xDFC0, 0x7F80, 0x2040, 0x803F};

    @Test
    void modelMatchesTheHostOnEveryFraction() throws Exception {
        String why = RecipProbe.unavailable();
        Assumptions.assumeTrue(why == null, why);
        boolean all = "all".equals(System.getProperty("recip.exponents"));
        try (RecipProbe p = new RecipProbe()) {
            String vm = p.vendorModel();
            RecipModel m = SseRecip.select(vm, p.signature);
            Assumptions.assumeTrue(m != null, () -> "no RCPPS/RSQRTPS model for this CPU (" + p.vendor + " 0x" + Integer.toHexString(p.signature)
                    + "): " + SseRecip.missing(vm, p.signature));
            List<String> bad = new ArrayList<>();
            long checked = 0, t0 = System.nanoTime();
            for (int mx : MXCSRS) {
                int[] exps = mx != 0x1F80 ? FEW : all ? null : EXPONENTS;
                for (int e = 0; e < 256; e++) {
                    if (exps != null && java.util.Arrays.binarySearch(exps, e) < 0) continue;
                    for (int op = 0; op < 2; op++) {
                        for (int sign = 0; sign < 2; sign++) {
                            checked += compare(p, m, op, sign, e, mx, bad);
                        }
                    }
                }
            }
            System.out.printf("RCPPS/RSQRTPS model '%s' against %s 0x%x%s: %,d operands, %d mismatches, %.1f s (model %.1f s)%n", m.describe(), p.vendor,
                    p.signature, p.hypervisor.isEmpty() ? "" : " (" + p.hypervisor + ")", checked, bad.size(), (System.nanoTime() - t0) / 1e9, modelNanos / 1e9);
            assertEquals(List.of(), bad.size() > 20 ? bad.subList(0, 20) : bad);
        }
    }

    private static final int[] MODEL = new int[1 << 23];
    static long modelNanos;

    /** One sign/exponent/MXCSR: every fraction against the runs the host answered; mismatches into {@code bad}. */
    private static long compare(RecipProbe p, RecipModel m, int op, int sign, int e, int mx, List<String> bad) throws Exception {
        RecipProbe.Runs r = p.measure(op, sign, e, mx);
        String what = op == RecipProbe.RCP ? "RCPPS" : "RSQRTPS";
        if (r.mxcsrAfter() != mx) bad.add(String.format("%s exponent %d sign %d: MXCSR %04x became %04x", what, e, sign, mx, r.mxcsrAfter()));
        int base = sign << 31 | e << 23, mismatches = 0;
        int[] model = MODEL;
        long t0 = System.nanoTime();
        if (op == RecipProbe.RCP) for (int f = 0; f < model.length; f++) model[f] = m.rcp(base | f, mx);
        else for (int f = 0; f < model.length; f++) model[f] = m.rsqrt(base | f, mx);
        modelNanos += System.nanoTime() - t0;
        int[] first = r.first(), value = r.value();
        for (int k = 0; k < first.length; k++) {
            int end = k + 1 < first.length ? first[k + 1] : 1 << 23, want = value[k];
            for (int f = first[k]; f < end; f++) {
                if (model[f] != want && mismatches++ < 3 && bad.size() < 100) {
                    bad.add(String.format("%s %08x mxcsr %04x: host %08x model %08x", what, base | f, mx, want, model[f]));
                }
            }
        }
        if (mismatches > 3) bad.add(String.format("%s exponent %d sign %d mxcsr %04x: %d mismatches in all", what, e, sign, mx, mismatches));
        return 1 << 23;
    }
}
