package pcm.softcpu.internal;

import java.util.List;

/**
 * The long differential soak against the host CPU, no KVM needed (see {@link NativeDiffTest} and
 * {@link X87NativeDiffTest}): {@code NativeDiffSoak [sequences=100000] [seed] [length=10] [maxReports=20]
 * [families=int,x87]}; runs that many sequences of each family (int: {@link DiffGen} integer classes and
 * addressing forms; x87: {@link X87Gen} with the full FPU state compared), prints progress, the counts per
 * family and class and every mismatch; exits 1 on a mismatch, 2 where the runner cannot be built.
 */
public final class NativeDiffSoak {

    private NativeDiffSoak() {}

    public static void main(String[] args) throws Exception {
        long count = args.length > 0 ? Long.parseLong(args[0]) : 100_000;
        long seed = args.length > 1 ? Long.decode(args[1]) : System.nanoTime();
        int len = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        int maxReports = args.length > 3 ? Integer.parseInt(args[3]) : 20;
        List<String> families = List.of((args.length > 4 ? args[4] : "int,x87").split(","));
        String problem = NativeRig.unavailable();
        if (problem != null) {
            System.err.println(problem);
            System.exit(2);
        }
        int bad = 0;
        StringBuilder summary = new StringBuilder();
        for (String family : families) {
            NativeRig rig = NativeRig.start();
            System.out.printf("native differential soak, family %s, on %s (undefined-flag model %s): %d sequences of ~%d instructions, seed 0x%x%n",
                    family, rig.vendor, rig.flagModel(), count, len, seed);
            switch (family) {
                case "int" -> bad += integer(rig, count, seed, len, maxReports - bad, summary);
                case "x87" -> bad += x87(rig, count, seed, len, maxReports - bad, summary);
                default -> throw new IllegalArgumentException("no family " + family + " (int, x87)");
            }
            if (bad >= maxReports) break;
        }
        System.out.print(summary);
        System.exit(bad == 0 ? 0 : 1);
    }

    private static int integer(NativeRig rig, long count, long seed, int len, int maxReports, StringBuilder summary) throws Exception {
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
                System.out.printf("int: %,d sequences, %,d steps, %,d exceptions, %d mismatches, %.0f s (%,.0f steps/s)%n", d.sequences,
                        d.steps, d.faults, bad, s, d.steps / s);
            }
            Runtime.getRuntime().removeShutdownHook(hook);
            summary.append(String.format("family int: %,d sequences, %,d steps, %,d exceptions, %d mismatches; classes %s%n",
                    d.sequences, d.steps, d.faults, bad, d.classes));
        }
        return bad;
    }

    private static int x87(NativeRig rig, long count, long seed, int len, int maxReports, StringBuilder summary) throws Exception {
        int bad = 0;
        long t0 = System.nanoTime();
        try (X87DiffRunner d = new X87DiffRunner(rig)) {
            Thread hook = new Thread(() -> System.out.println("x87 classes: " + d.classes));
            Runtime.getRuntime().addShutdownHook(hook);
            final long chunk = 10_000;
            for (long done = 0; done < count && bad < maxReports; done += chunk) {
                int n = (int) Math.min(chunk, count - done);
                int before = d.mismatches.size();
                bad = d.run(seed + done, n, len, maxReports);
                d.mismatches.subList(before, d.mismatches.size()).forEach(System.out::println);
                double s = (System.nanoTime() - t0) / 1e9;
                System.out.printf("x87: %,d sequences, %,d steps, %,d exceptions %s, %d mismatches, %.0f s (%,.0f steps/s)%n",
                        d.sequences, d.steps, d.faults, d.vectors, bad, s, d.steps / s);
            }
            Runtime.getRuntime().removeShutdownHook(hook);
            summary.append(String.format("family x87: %,d sequences, %,d steps, %,d exceptions %s, %d mismatches; classes %s%n",
                    d.sequences, d.steps, d.faults, d.vectors, bad, d.classes));
        }
        return bad;
    }
}
