package pcm.softcpu.internal;

import pcm.core.api.cpu.HostInfo;
import pcm.vmx.internal.kvm.KvmHypervisor;

/**
 * Interpreter speed on the embedded guest's workload (no timer), against KVM in the same run:
 * {@code SoftCpuMipsBench [param=2048] [warmups=3] [rounds=5] [kvm=true]}. MIPS = retired instructions /
 * wall time of the whole run (boot to power-off); "cpu" MIPS use the running thread's CPU time instead
 * (less sensitive to other load on a shared machine). The KVM time is for the same parameter through
 * the same platform ({@link GuestHarness}); the ratio is interpreter time / KVM time. The summary gives
 * the median, minimum and maximum over the rounds. Then the same rounds with the block compiler on, ending in the
 * line {@code compiled/interpreted: <ratio>x}.
 */
public final class SoftCpuMipsBench {

    private SoftCpuMipsBench() {}

    public static void main(String[] args) throws Exception {
        long param = args.length > 0 ? Long.parseLong(args[0]) : 2048;
        int warmups = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        boolean wantKvm = args.length <= 3 || Boolean.parseBoolean(args[3]);
        KvmHypervisor hv = KvmHypervisor.standard();
        HostInfo info = hv.hostInfo();
        boolean kvm = wantKvm && info.available();
        if (wantKvm && !kvm) System.out.println("KVM not usable (" + info.problem() + "): interpreter only");
        try {
            for (int i = 0; i < warmups; i++) soft(param, false);
            double bestMips = 0, sumSoft = 0, sumKvm = 0;
            double[] all = new double[rounds], allCpu = new double[rounds];
            for (int i = 0; i < rounds; i++) {
                long[] s = soft(param, false);
                double mips = s[1] * 1e3 / s[0];
                all[i] = mips;
                allCpu[i] = s[1] * 1e3 / s[2];
                bestMips = Math.max(bestMips, mips);
                sumSoft += s[0];
                String k = "";
                if (kvm) {
                    long kt = kvm(hv, param);
                    sumKvm += kt;
                    k = String.format("  kvm %.3f s  ratio soft/kvm %.1f", kt / 1e9, (double) s[0] / kt);
                }
                System.out.printf("param %d: %,d instructions in %.3f s = %.1f MIPS (cpu %.1f)%s%n", param, s[1], s[0] / 1e9,
                        mips, allCpu[i], k);
            }
            java.util.Arrays.sort(all);
            java.util.Arrays.sort(allCpu);
            System.out.printf("MIPS median %.1f (min %.1f, max %.1f); cpu MIPS median %.1f (min %.1f, max %.1f); load %.2f%n",
                    all[rounds / 2], all[0], all[rounds - 1], allCpu[rounds / 2], allCpu[0], allCpu[rounds - 1],
                    java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
            System.out.printf("summary: best %.1f MIPS, mean interpreter %.3f s%s%n", bestMips, sumSoft / rounds / 1e9,
                    kvm ? String.format(", mean kvm %.3f s, ratio %.1f", sumKvm / rounds / 1e9, sumSoft / sumKvm) : "");
            compiled(param, warmups, rounds, all[rounds / 2], allCpu[rounds / 2]);
        } finally {
            hv.close();
        }
    }

    /**
     * The same rounds with the block compiler on (docs/block-compiler.md), in this JVM after the interpreter's:
     * prints its MIPS and the line {@code compiled/interpreted: <ratio>x} (median MIPS against the interpreter's
     * median; wall and thread-CPU time).
     */
    private static void compiled(long param, int warmups, int rounds, double interpMips, double interpCpuMips)
            throws Exception {
        for (int i = 0; i < warmups; i++) soft(param, true);
        double[] all = new double[rounds], allCpu = new double[rounds];
        for (int i = 0; i < rounds; i++) {
            long[] s = soft(param, true);
            all[i] = s[1] * 1e3 / s[0];
            allCpu[i] = s[1] * 1e3 / s[2];
            System.out.printf("compiled param %d: %,d instructions in %.3f s = %.1f MIPS (cpu %.1f); %s%n", param, s[1],
                    s[0] / 1e9, all[i], allCpu[i], lastStats);
        }
        java.util.Arrays.sort(all);
        java.util.Arrays.sort(allCpu);
        System.out.printf("compiled MIPS median %.1f (min %.1f, max %.1f); cpu MIPS median %.1f%n", all[rounds / 2], all[0],
                all[rounds - 1], allCpu[rounds / 2]);
        System.out.printf("compiled/interpreted: %.2fx (cpu time %.2fx)%n", all[rounds / 2] / interpMips,
                allCpu[rounds / 2] / interpCpuMips);
    }

    private static String lastStats = "";

    /** {time ns, instructions, thread CPU time ns}. */
    private static long[] soft(long param, boolean compiled) throws Exception {
        java.lang.management.ThreadMXBean tm = java.lang.management.ManagementFactory.getThreadMXBean();
        try (GuestHarness h = new GuestHarness(param, 0, 0)) {
            ((SoftVcpu) h.vcpu).setBlockCompiler(compiled);
            long c0 = tm.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            h.run(Long.MAX_VALUE);
            long ns = System.nanoTime() - t0;
            long cpu = tm.getCurrentThreadCpuTime() - c0;
            if (h.status != 0) throw new IllegalStateException("soft guest stopped: " + h.stopReason);
            if (compiled) lastStats = String.valueOf(((SoftVcpu) h.vcpu).blockCompilerStats());
            return new long[] {ns, h.vcpu.instructionCount(), cpu};
        }
    }

    private static long kvm(KvmHypervisor hv, long param) throws Exception {
        try (GuestHarness h = new GuestHarness(hv.createVm(), param, 0, 0)) {
            long t0 = System.nanoTime();
            h.run(Long.MAX_VALUE);
            long ns = System.nanoTime() - t0;
            if (h.status != 0) throw new IllegalStateException("kvm guest stopped: " + h.stopReason);
            return ns;
        }
    }
}
