package pcm.vmx.internal.position;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import pcm.core.api.cpu.Registers;
import pcm.core.api.cpu.SpecialRegisters;
import pcm.vmx.internal.kvm.KvmHypervisor;
import pcm.vmx.internal.kvm.KvmVcpu;

/** Costs of the ioctls of one undone CPL3 step, and kvm-step rates (prints only; run with -Dpcm.probe=true). */
class ProbeTest {

    @Test
    void stepRates() throws Exception {
        KvmHypervisor hv = KvmHypervisor.standard();
        try {
            Assumptions.assumeTrue(Boolean.getBoolean("pcm.probe") && hv.hostInfo().available()
                    && hv.system().hasGuestDebug(), "probe: -Dpcm.probe=true");
            rate(hv, "CPL0", "b9204e0000ffc975fce680", false); // mov $20000,%ecx; 1: dec %ecx; jnz 1b; out
            rate(hv, "CPL3", "b9e80300004883c003ffc975f8e680", true); // mov $1000,%ecx; 1: add $3,%rax; dec; jnz; out
        } finally {
            hv.close();
        }
    }

    private static void rate(KvmHypervisor hv, String what, String code, boolean cpl3) throws Exception {
        try (PosGuest g = StepCounterTest.guest(hv, code, cpl3);
             StepCounter c = (StepCounter) new KvmStepPositionService().start(g.cpu, g.memory, null)) {
            long t0 = System.nanoTime();
            c.run();
            long ns = System.nanoTime() - t0;
            System.out.printf("kvm-step %s (%s): %.0f steps/s (%.2f us/instruction), %d #DB undone%n", what,
                    hv.hostInfo().kind(), c.position() * 1e9 / ns, ns / 1e3 / c.position(), c.userSteps());
        }
    }

    @Test
    void ioctlCosts() throws Exception {
        KvmHypervisor hv = KvmHypervisor.standard();
        Assumptions.assumeTrue(hv.hostInfo().available() && Boolean.getBoolean("pcm.probe"), "probe: -Dpcm.probe=true");
        try (PosGuest g = new PosGuest(hv, "90e680", true)) {
            KvmVcpu c = g.cpu;
            c.run();
            int n = 2000;
            Registers r = c.registers();
            SpecialRegisters s = c.specialRegisters();
            long t = System.nanoTime();
            for (int i = 0; i < n; i++) c.registers();
            System.out.printf("GET_REGS %.2f us%n", (System.nanoTime() - t) / 1e3 / n);
            t = System.nanoTime();
            for (int i = 0; i < n; i++) c.specialRegisters();
            System.out.printf("GET_SREGS %.2f us%n", (System.nanoTime() - t) / 1e3 / n);
            t = System.nanoTime();
            for (int i = 0; i < n; i++) c.setRegisters(r);
            System.out.printf("SET_REGS %.2f us%n", (System.nanoTime() - t) / 1e3 / n);
            t = System.nanoTime();
            for (int i = 0; i < n; i++) c.setSpecialRegisters(s);
            System.out.printf("SET_SREGS %.2f us%n", (System.nanoTime() - t) / 1e3 / n);
            t = System.nanoTime();
            for (int i = 0; i < n; i++) c.setGuestDebug(0x20003, new long[] {0x11000, 0, 0, 0, 0, 0, 0, 0x401});
            System.out.printf("SET_GUEST_DEBUG %.2f us%n", (System.nanoTime() - t) / 1e3 / n);
            long[] d = c.debugRegs();
            t = System.nanoTime();
            for (int i = 0; i < n; i++) c.setDebugRegs(d);
            System.out.printf("SET_DEBUGREGS %.2f us%n", (System.nanoTime() - t) / 1e3 / n);
            t = System.nanoTime();
            for (int i = 0; i < n; i++) c.refreshRunState();
            System.out.printf("KVM_RUN immediate %.2f us%n", (System.nanoTime() - t) / 1e3 / n);
        }
        hv.close();
    }
}
