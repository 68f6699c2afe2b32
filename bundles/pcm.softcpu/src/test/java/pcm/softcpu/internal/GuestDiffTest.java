package pcm.softcpu.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;


/**
 * The embedded guest on KVM and on the interpreter through the same minimal platform
 * ({@link GuestHarness}, no timer): equal console output, result, exit status and final GPRs, and
 * equal RAM except the pages that legitimately differ (README: the image's .bss with the kernel/user
 * stacks and the RDTSC/CPUID/RDRAND sinks, and the boot stack page below 0x90000).
 */
class GuestDiffTest extends KvmOracleTest {


    @Test
    void embeddedGuestEndsEquallyOnBothBackends() throws Exception {
        long imageLen = Files.size(GuestHarness.IMAGE);
        long bssStart = 0x100000 + ((imageLen + 0xFFF) & ~0xFFFL);
        for (long param : new long[] {1, 16}) {
            try (GuestHarness k = new GuestHarness(hv.createVm(), param, 0, 0); GuestHarness s = new GuestHarness(param, 0, 0)) {
                String ko = k.run(1_000_000), so = s.run(1_000_000);
                assertEquals(0, k.status, () -> "kvm: " + k.stopReason + "\n" + ko);
                assertEquals(0, s.status, () -> "soft: " + s.stopReason + "\n" + so);
                assertEquals(ko, so, "console");
                assertEquals(k.result, s.result, "result register");
                assertTrue(so.contains("PCM-GUEST-DONE"), so);
                long[] kr = k.finalRegs.toArray(), sr = s.finalRegs.toArray();
                assertArrayEquals(kr, sr, () -> "final registers\nkvm  " + k.finalRegs + "\nsoft " + s.finalRegs);
                List<String> differ = new ArrayList<>(), expected = new ArrayList<>();
                for (long p = 0; p < GuestHarness.RAM; p += 4096) {
                    if (k.ram.asSlice(p, 4096).mismatch(s.ram.asSlice(p, 4096)) < 0) continue;
                    boolean allowed = (p >= bssStart && p < 0x200000) || (p >= 0x80000 && p < 0x90000);
                    (allowed ? expected : differ).add(Long.toHexString(p));
                }
                System.out.printf("param %d: console, result, registers equal; differing pages (allowed) %s%n", param, expected);
                assertTrue(differ.isEmpty(), () -> "param " + param + ": pages differ outside .bss/boot stack: " + differ);
            }
        }
    }
}
