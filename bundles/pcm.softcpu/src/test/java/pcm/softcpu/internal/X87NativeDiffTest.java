package pcm.softcpu.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The bounded x87 differential run against the host CPU (issue 13 items 1, 2 and 4): {@link X87Gen}
 * sequences compared instruction by instruction with the full FPU state ({@link X87DiffRunner}). The soak
 * is {@code NativeDiffSoak ... x87}. Runs on Intel and AMD hosts, each against its vendor model ({@code FpuVendor});
 * skipped with the reason only where the runner cannot be built.
 */
class X87NativeDiffTest extends NativeOracleTest {

    @Test
    void x87SequencesMatchTheHostCpu() throws Exception {
        // the interpreter runs the host vendor's model (FpDiffRunner: the vendor the runner's CPUID reports)
        try (X87DiffRunner d = new X87DiffRunner(rig)) {
            int bad = d.run(0x87_0013L, Integer.getInteger("x87.sequences", 1500), 8, 10);
            System.out.printf("x87 native differential (%s): %d sequences, %d steps, %d exceptions %s; classes %s%n", rig.vendor,
                    d.sequences, d.steps, d.faults, d.vectors, d.classes);
            assertEquals(0, bad, () -> String.join("\n", d.mismatches));
            assertTrue(d.steps > 5_000, "steps " + d.steps);
        }
    }
}
