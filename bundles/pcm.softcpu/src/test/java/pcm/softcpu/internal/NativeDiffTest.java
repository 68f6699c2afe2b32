package pcm.softcpu.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The bounded differential run against the host CPU itself, no KVM needed (issue 13 item 4): {@link DiffGen}
 * sequences (all integer classes and, through {@link AddressingGen}, every addressing form) run natively
 * ({@link NativeRig}) and on the interpreter ({@link DiffRig}); after every instruction the GPRs, RIP, flags
 * (the undefined ones too where the interpreter models the real CPU's vendor), exception vector and the
 * scratch and stack memory are compared. The soak is {@link NativeDiffSoak}. Skipped with the reason where
 * the runner cannot be built (no gcc, not x86-64 Linux).
 */
class NativeDiffTest extends NativeOracleTest {

    @Test
    void randomSequencesMatchTheHostCpu() throws Exception {
        try (DiffRunner d = new DiffRunner(rig, rig.flagModel())) {
            int bad = d.run(0x5EED_0013L, 2000, 8, 20);
            System.out.printf("native differential (%s, model %s): %d sequences, %d steps, %d exceptions; classes %s%n",
                    rig.vendor, rig.flagModel(), d.sequences, d.steps, d.faults, d.classes);
            assertEquals(0, bad, () -> String.join("\n", d.mismatches));
            assertTrue(d.steps > 10_000, "steps " + d.steps);
            assertTrue(d.classes.getOrDefault("am_base_rsp", 0) > 0 && d.classes.getOrDefault("am_base_r13", 0) > 0
                    && d.classes.getOrDefault("am_a32", 0) > 0 && d.classes.getOrDefault("am_straddle", 0) > 0
                    && d.classes.getOrDefault("am_straddle_pf", 0) > 0,
                    () -> "addressing forms missing: " + d.classes);
        }
    }
}
