package pcm.softcpu.internal;

/**
 * The long differential soak against the host CPU, no KVM needed (see {@link NativeDiffTest}):
 * {@code NativeDiffSoak [sequences=100000] [seed] [length=10] [maxReports=20]}; prints progress, the
 * instruction counts per class and every mismatch; exits 1 on a mismatch, 2 where the runner cannot be built.
 */
public final class NativeDiffSoak {

    private NativeDiffSoak() {}

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
        System.out.printf("native differential soak on %s (undefined-flag model %s): %d sequences of ~%d instructions, seed 0x%x%n",
                rig.vendor, rig.flagModel(), count, len, seed);
        int bad = 0;
        long t0 = System.nanoTime();
        try (DiffRunner d = new DiffRunner(rig, rig.flagModel())) {
            // a soak stopped early (kill) still reports what it covered
            Thread hook = new Thread(() -> System.out.println("instruction classes: " + d.classes));
            Runtime.getRuntime().addShutdownHook(hook);
            final long chunk = 10_000;
            for (long done = 0; done < count && bad < maxReports; done += chunk) {
                int n = (int) Math.min(chunk, count - done);
                int before = d.mismatches.size();
                bad = d.run(seed + done, n, len, maxReports);
                d.mismatches.subList(before, d.mismatches.size()).forEach(System.out::println);
                double s = (System.nanoTime() - t0) / 1e9;
                System.out.printf("%,d sequences, %,d steps, %,d exceptions, %d mismatches, %.0f s (%,.0f steps/s)%n", d.sequences,
                        d.steps, d.faults, bad, s, d.steps / s);
            }
        }
        System.exit(bad == 0 ? 0 : 1);
    }
}
