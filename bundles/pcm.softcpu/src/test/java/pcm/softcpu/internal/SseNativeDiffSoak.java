package pcm.softcpu.internal;

import java.util.Map;
import java.util.TreeMap;

/**
 * The long SSE/SSE2 differential soak against the host CPU (see {@link SseNativeDiffTest}), no KVM needed:
 * {@code SseNativeDiffSoak [sequences=100000] [seed] [length=10] [maxReports=20]}. Prints progress, every
 * mismatch, and the counts per family (moves, packed integer, shifts, shuffles, logic, MXCSR, #UD forms) and
 * per instruction; exits 1 on a mismatch, 2 where the runner cannot be built.
 */
public final class SseNativeDiffSoak {

    private SseNativeDiffSoak() {}

    public static void main(String[] args) throws Exception {
        long count = args.length > 0 ? Long.parseLong(args[0]) : 100_000;
        long seed = args.length > 1 ? Long.decode(args[1]) : System.nanoTime();
        int len = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        int maxReports = args.length > 3 ? Integer.parseInt(args[3]) : 20;
        String problem = NativeRig.unavailable();
        if (problem != null) {
            System.err.println(problem);
            System.exit(2);
        }
        NativeRig rig = NativeRig.start();
        System.out.printf("SSE native differential soak on %s: %d sequences of ~%d instructions, seed 0x%x%n", rig.vendor, count, len, seed);
        int bad = 0;
        long t0 = System.nanoTime();
        try (SseDiffRunner d = new SseDiffRunner(rig)) {
            final long chunk = 10_000;
            for (long done = 0; done < count && bad < maxReports; done += chunk) {
                int n = (int) Math.min(chunk, count - done);
                int before = d.mismatches.size();
                bad = d.run(seed + done, n, len, maxReports);
                d.mismatches.subList(before, d.mismatches.size()).forEach(System.out::println);
                double s = (System.nanoTime() - t0) / 1e9;
                System.out.printf("sse: %,d sequences, %,d steps, %,d exceptions %s, %d mismatches, %.0f s (%,.0f steps/s)%n",
                        d.sequences, d.steps, d.faults, d.vectors, bad, s, d.steps / s);
            }
            System.out.printf("families (instructions generated): %s%n", families(d.classes));
            System.out.printf("classes: %s%n", d.classes);
        }
        System.exit(bad == 0 ? 0 : 1);
    }

    /** Sums the per-instruction counts by family. */
    static Map<String, Integer> families(Map<String, Integer> classes) {
        Map<String, Integer> f = new TreeMap<>();
        for (var e : classes.entrySet()) {
            String k = e.getKey();
            if (!k.startsWith("sse_") || k.startsWith("sse_form_")) continue;
            String n = k.substring(4);
            String fam = n.startsWith("ud_") ? "ud_forms"
                    : n.contains("mxcsr") ? "mxcsr"
                    : n.startsWith("mov") || n.equals("maskmovdqu") ? "moves"
                    : n.matches("ps(ll|rl|ra).*") ? "shifts"
                    : n.matches("(punpck|unpck|pack|pshuf|shuf|pextrw|pinsrw|pmovmskb).*") ? "shuffles"
                    : n.matches("(pand|pandn|por|pxor|and|andn|or|xor)(ps|pd)?") ? "logic"
                    : n.matches("cvtt?(pi2p[sd]|p[sd]2pi)") ? "mmx_conversions"
                    : n.startsWith("rcp") || n.startsWith("rsqrt") ? "approximations"
                    : n.startsWith("cvt") ? "fp_conversions"
                    : n.matches("(u?comi|cmp)(ss|sd|ps|pd)") ? "fp_compares"
                    : n.matches("(add|sub|mul|div|min|max|sqrt)(ss|sd|ps|pd)") ? "fp_arithmetic"
                    : "packed_integer";
            f.merge(fam, e.getValue(), Integer::sum);
        }
        return f;
    }
}
