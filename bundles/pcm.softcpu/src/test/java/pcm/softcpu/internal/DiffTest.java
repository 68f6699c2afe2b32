package pcm.softcpu.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;


/** The bounded differential run against KVM (the soak is {@link DiffSoak}); skipped without /dev/kvm. */
class DiffTest extends KvmOracleTest {


    @Test
    void randomSequencesMatchKvm() throws Exception {
        try (DiffRunner d = new DiffRunner(hv)) {
            int bad = d.run(0x5EED_0001L, 2000, 8, 20);
            System.out.printf("differential: %d sequences, %d steps, %d exceptions; classes %s%n", d.sequences, d.steps,
                    d.faults, d.classes);
            assertEquals(0, bad, () -> String.join("\n", d.mismatches));
            assertTrue(d.steps > 10_000, "steps " + d.steps);
        }
    }
}
