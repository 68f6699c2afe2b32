package pcm.vmx.internal.position;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import pcm.core.api.cpu.Registers;
import pcm.core.api.cpu.SpecialRegisters;
import pcm.vmx.internal.kvm.KvmHypervisor;
import pcm.vmx.internal.kvm.KvmVcpu;

/** Costs of the ioctls of one undone CPL3 step (prints only; run with -Dtest=ProbeTest). */
class ProbeTest {

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
