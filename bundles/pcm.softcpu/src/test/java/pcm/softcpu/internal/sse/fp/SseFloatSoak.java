package pcm.softcpu.internal.sse.fp;

/**
 * Soak of {@link SseFloat} against the host CPU: every op, its edge cases under many modes, then
 * {@code casesPerOp} random cases each. Prints ops x cases and mismatches (0 required). Run from the module
 * directory: {@code java -cp target/classes:target/test-classes pcm.softcpu.internal.sse.fp.SseFloatSoak [casesPerOp] [seed]}.
 */
public final class SseFloatSoak {

    private SseFloatSoak() {
    }

    public static void main(String[] args) throws Exception {
        int perOp = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        long seed = args.length > 1 ? Long.parseLong(args[1]) : System.nanoTime();
        String why = SseFpOracle.unavailable();
        if (why != null) {
            System.out.println("SKIPPED: " + why);
            return;
        }
        System.out.println("host " + SseFpOracle.vendor() + ", seed " + seed + ", " + perOp + " random cases per op");
        long cases = 0, bad = 0;
        int ops = 0;
        for (SseFpOps.Op op : SseFpOps.all()) {
            SseFpCheck.Tally e = SseFpCheck.edges(op, 16, seed);
            SseFpCheck.Tally r = SseFpCheck.random(op, perOp, seed ^ op.name().hashCode());
            ops++;
            cases += e.cases + r.cases;
            bad += e.mismatches + r.mismatches;
            System.out.printf("%-11s %9d cases %6d mismatches%n", op.name(), e.cases + r.cases, e.mismatches + r.mismatches);
            e.samples.forEach(s -> System.out.println("  " + s));
            r.samples.forEach(s -> System.out.println("  " + s));
        }
        System.out.printf("TOTAL %d ops, %d cases, %d mismatches%n", ops, cases, bad);
        if (bad != 0) System.exit(1);
    }
}
