package pcm.softcpu.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

/**
 * Issue 13 item 3: the soft CPUID table advertises what a Linux guest needs and the interpreter implements,
 * and nothing else — BMI1 (its VEX instructions are absent) and FPU/FXSR/SSE/SSE2 (behind the switch until
 * those families land) were the problems; the invariant TSC comes with its frequency leaf.
 */
class CpuidTableTest {

    static boolean bit(int v, int b) { return (v >>> b & 1) != 0; }

    @Test
    void linuxFeatureSetWithoutWhatIsNotImplemented() {
        CpuidTable t = CpuidTable.hostLike("GenuineIntel", Map.of(), 2_500_000_000L, false);
        CpuidTable.Entry l1 = t.lookup(1, 0);
        // APIC (9): the local APIC is a platform device; Linux boots in APIC mode on it (LinuxVirtioIT)
        for (int b : new int[] {4, 5, 6, 8, 9, 13, 15, 16, 19}) assertTrue(bit(l1.edx(), b), "leaf 1 EDX bit " + b);
        assertEquals(0, l1.ebx() >>> 24, "initial APIC id 0, the MADT's and the LAPIC's");
        for (int b : new int[] {0, 1, 2, 3, 7, 11, 12, 14, 17, 23, 24, 25, 26, 28}) {
            assertFalse(bit(l1.edx(), b), "leaf 1 EDX bit " + b + " (FPU/MMX/FXSR/SSE/SSE2 off, no SEP/MTRR/PSE)");
        }
        assertEquals(8, l1.ebx() >>> 8 & 0xFF, "CLFLUSH line size (64 bytes)");
        assertEquals(1 << 13 | 1 << 23 | 1 << 30 | 1 << 31, l1.ecx(), "CX16, POPCNT, RDRAND, hypervisor only");
        CpuidTable.Entry l7 = t.lookup(7, 0);
        assertFalse(bit(l7.ebx(), 3), "no BMI1");
        assertEquals(1 << 18, l7.ebx(), "RDSEED only");
        assertEquals(1 << 22, l7.ecx(), "RDPID");
        CpuidTable.Entry e1 = t.lookup(0x80000001, 0);
        for (int b : new int[] {11, 20, 26, 27, 29}) assertTrue(bit(e1.edx(), b), "80000001 EDX bit " + b);
        assertTrue(bit(t.lookup(0x80000007, 0).edx(), 8), "invariant TSC");
        CpuidTable.Entry f = t.lookup(0x15, 0);
        assertEquals(2_500_000_000L, (long) f.ecx() * f.ebx() / f.eax(), "TSC frequency leaf");
        assertEquals(2500, t.lookup(0x16, 0).eax());
        assertTrue(t.lookup(0, 0).eax() >= 0x16);
    }

    @Test
    void x87AndSseAdvertisedByDefault() {
        assertTrue(CpuidTable.ADVERTISE_X87_AND_SSE, "on since x87, FXSAVE and SSE/SSE2 are in the decode table");
        int edx = CpuidTable.hostLike("GenuineIntel", Map.of()).lookup(1, 0).edx();
        assertTrue(bit(edx, 0) && bit(edx, 24) && bit(edx, 25) && bit(edx, 26), "FPU, FXSR, SSE, SSE2");
        int off = CpuidTable.hostLike("GenuineIntel", Map.of(), 2_000_000_000L, false).lookup(1, 0).edx();
        assertFalse(bit(off, 0) || bit(off, 24) || bit(off, 25) || bit(off, 26), "the switch still turns all four off");
        assertFalse(bit(edx, 23), "MMX is not part of it");
    }

    @Test
    void misalignSseFollowsTheVendorModel() {
        // AMD's model has MXCSR.MM in MXCSR_MASK (FpuVendor.AMD): the table says so with 80000001h:ECX[7] MisAlignSse
        assertTrue(bit(CpuidTable.hostLike("AuthenticAMD", Map.of()).lookup(0x80000001, 0).ecx(), 7));
        assertTrue(bit(CpuidTable.hostLike("HygonGenuine", Map.of()).lookup(0x80000001, 0).ecx(), 7));
        assertFalse(bit(CpuidTable.hostLike("GenuineIntel", Map.of()).lookup(0x80000001, 0).ecx(), 7));
        assertFalse(bit(CpuidTable.hostLike("AuthenticAMD", Map.of(), 2_000_000_000L, false).lookup(0x80000001, 0).ecx(), 7),
                "not without SSE");
    }

    @Test
    void forwardedMsrListParses() {
        assertEquals(Set.of(0x10, 0x8B, 0x1A0), SoftHypervisor.parseMsrs("10,8b 0x1A0"));
        assertEquals(Set.of(), SoftHypervisor.parseMsrs(""));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SoftHypervisor.parseMsrs("10,zz"));
        assertTrue(e.getMessage().contains("'zz'"), e.getMessage());
    }
}
