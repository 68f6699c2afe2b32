package pcm.core.internal.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.lang.reflect.Proxy;

import org.junit.jupiter.api.Test;

import pcm.core.api.cpu.CpuidMask;

/** What the guest's CPUID hides of a KVM host's table. */
class GuestCpuidMaskTest {

    /** The configuration with every attribute at its metatype default. */
    private static VmConfig defaults() {
        return (VmConfig) Proxy.newProxyInstance(VmConfig.class.getClassLoader(), new Class<?>[] {VmConfig.class},
                (proxy, method, args) -> method.getDefaultValue());
    }

    @Test
    void fiveLevelPagingIsHiddenBecauseTheSoftwareCpuWalksFourLevels() {
        CpuidMask m = KernelVm.guestCpuidMask(defaults());
        assertEquals(1 << 16, m.leaf7Ecx() & 1 << 16, "LA57 hidden");
        assertNotEquals(0, m.leaf1Ecx() & KernelVm.LEAF1_ECX_X2APIC, "x2APIC hidden (PCM's LAPIC is an xAPIC)");
        assertNotEquals(0, m.leaf1Ecx() & KernelVm.LEAF1_ECX_TSC_DEADLINE, "TSC-deadline hidden");
    }
}
