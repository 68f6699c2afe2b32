package pcm.bench.pio;

import java.lang.foreign.MemorySegment;

import pcm.core.api.cpu.HostInfo;
import pcm.core.api.vm.VmExit;
import pcm.vmx.internal.kvm.KvmHypervisor;
import pcm.vmx.internal.kvm.KvmVcpu;
import pcm.vmx.internal.kvm.KvmVm;

/**
 * Single-step rate of the pcm.vmx KVM backend: {@code KVM_GUESTDBG_SINGLESTEP}, one {@code run()} per
 * instruction, on the boot state of {@link PioRoundTripBench} with the loop {@code 1: inc %rax; jmp 1b} (CPL0).
 * Used inside the emulated SVM host (bin/svm-host bench, issue 12) to compare with the PIO round trips there.
 * Options: {@code -Dn=20000} steps per round, {@code -Drounds=3}. Output: {@code single-step <n>/s} (best round).
 */
public final class SingleStepBench {

    static final byte[] LOOP = {0x48, (byte) 0xff, (byte) 0xc0, (byte) 0xeb, (byte) 0xfb};

    public static void main(String[] args) throws Throwable {
        int n = Integer.getInteger("n", 20_000);
        int rounds = Integer.getInteger("rounds", 3);
        KvmHypervisor hv = KvmHypervisor.standard();
        HostInfo info = hv.hostInfo();
        if (!info.available()) {
            System.out.println("KVM not available: " + info.problem());
            System.exit(2);
        }
        System.out.println("host: " + info.description());
        MemorySegment ram = PioRoundTripBench.mmap(PioRoundTripBench.RAM_SIZE);
        double best = 0;
        try (KvmVm vm = hv.createVm()) {
            PioRoundTripBench.setUpGuest(ram);
            MemorySegment.copy(MemorySegment.ofArray(LOOP), 0, ram, 0x100000, LOOP.length);
            vm.setMemoryRegion(0, 0, ram, false);
            KvmVcpu cpu = vm.createVcpu(0);
            PioRoundTripBench.setUpCpu(cpu);
            cpu.setSingleStep(true);
            step(cpu, n); // warm-up
            for (int r = 0; r < rounds; r++) {
                long t0 = System.nanoTime();
                step(cpu, n);
                double rate = n * 1e9 / (System.nanoTime() - t0);
                best = Math.max(best, rate);
                System.out.printf("round %d: %.0f steps/s%n", r + 1, rate);
            }
            long rax = cpu.registers().rax();
            if (rax != (long) n * (rounds + 1) / 2) {
                throw new IllegalStateException("rax " + rax + " after " + n * (rounds + 1) + " steps: not one instruction per step");
            }
        } finally {
            hv.close();
        }
        System.out.printf("single-step %.0f/s%n", best);
    }

    static void step(KvmVcpu cpu, int n) throws Exception {
        for (int i = 0; i < n; i++) {
            VmExit e = cpu.run();
            if (e instanceof VmExit.Interrupted) {
                i--;
                continue;
            }
            if (!(e instanceof VmExit.Debug)) throw new IllegalStateException("unexpected exit " + e + " at step " + i);
        }
    }
}
