package pcm.softcpu.internal;

/** Profiling aid: {@code JitProfileRun param rounds compiled} runs the embedded guest rounds times (JFR from the command line). */
public final class JitProfileRun {
    private JitProfileRun() {}

    public static void main(String[] a) throws Exception {
        long param = Long.parseLong(a[0]);
        int rounds = Integer.parseInt(a[1]);
        boolean compiled = Boolean.parseBoolean(a[2]);
        for (int i = 0; i < rounds; i++) {
            try (GuestHarness h = new GuestHarness(param, 0, 0)) {
                ((SoftVcpu) h.vcpu).setBlockCompiler(compiled);
                long t0 = System.nanoTime();
                h.run(Long.MAX_VALUE);
                System.out.printf("%,d instructions %.3f s%n", h.vcpu.instructionCount(), (System.nanoTime() - t0) / 1e9);
            }
        }
    }
}
