package pcm.softcpu.internal;

/**
 * Measures the interpreter's speed on the embedded guest's workload (no timer):
 * {@code java -cp ... pcm.softcpu.internal.SoftCpuBench [param] [rounds]}.
 */
public final class SoftCpuBench {

    private SoftCpuBench() {}

    public static void main(String[] args) throws Exception {
        long param = args.length > 0 ? Long.parseLong(args[0]) : 2048;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        for (int i = 0; i < rounds; i++) {
            try (GuestHarness h = new GuestHarness(param, 0, 0)) {
                ((SoftVcpu) h.vcpu).setBlockCompiler(false); // the interpreter alone (the compiler is on by default)
                long t0 = System.nanoTime();
                String out = h.run(Long.MAX_VALUE);
                long ns = System.nanoTime() - t0;
                long n = h.vcpu.instructionCount();
                String last = out.strip().lines().reduce((a, b) -> b).orElse("");
                System.out.printf("param %d: %,d instructions, %,d exits in %.3f s = %.1f MIPS  [%s] status %d%n", param, n,
                        h.exits, ns / 1e9, n * 1e3 / ns, last, h.status);
            }
        }
    }
}
