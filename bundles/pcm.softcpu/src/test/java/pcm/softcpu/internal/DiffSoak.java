package pcm.softcpu.internal;

import pcm.core.api.cpu.HostInfo;
import pcm.vmx.internal.kvm.KvmHypervisor;

/**
 * The long differential soak (interpreter vs KVM, see {@link DiffRunner}):
 * {@code DiffSoak [sequences] [seed] [length] [maxReports]}; prints every mismatch, exits 1 if any.
 * Run it with {@code mvn -q -B -o -pl bundles/pcm.softcpu test-compile exec:java} or the class path
 * printed in the module README.
 */
public final class DiffSoak {

    private DiffSoak() {}

    public static void main(String[] args) throws Exception {
        long count = args.length > 0 ? Long.parseLong(args[0]) : 1_000_000;
        long seed = args.length > 1 ? Long.decode(args[1]) : System.nanoTime();
        int len = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        int maxReports = args.length > 3 ? Integer.parseInt(args[3]) : 20;
        KvmHypervisor hv = KvmHypervisor.standard();
        HostInfo info = hv.hostInfo();
        if (!info.available()) {
            System.err.println("KVM not usable: " + info.problem());
            System.exit(2);
        }
        System.out.printf("differential soak: %d sequences of ~%d instructions, seed 0x%x%n", count, len, seed);
        int bad = 0;
        long t0 = System.nanoTime();
        try (DiffRunner d = new DiffRunner(hv)) {
            final long chunk = 10_000;
            for (long done = 0; done < count && bad < maxReports; done += chunk) {
                int n = (int) Math.min(chunk, count - done);
                bad = d.run(seed + done, n, len, maxReports);
                System.out.printf("%,d sequences, %,d steps, %,d exceptions, %d mismatches, %.0f s%n", d.sequences, d.steps,
                        d.faults, bad, (System.nanoTime() - t0) / 1e9);
            }
            d.mismatches.forEach(System.out::println);
            System.out.println("instruction classes: " + d.classes);
        } finally {
            hv.close();
        }
        System.exit(bad == 0 ? 0 : 1);
    }
}
