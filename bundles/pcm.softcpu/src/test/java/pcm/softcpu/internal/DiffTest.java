package pcm.softcpu.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import pcm.vmx.internal.kvm.KvmHypervisor;

/** The bounded differential run against KVM (the soak is {@link DiffSoak}); skipped without /dev/kvm. */
class DiffTest {

    static KvmHypervisor hv;

    @BeforeAll
    static void open() {
        hv = KvmHypervisor.standard();
    }

    /** Per test, not in {@code @BeforeAll}: so each test is reported as skipped, with the reason. */
    @BeforeEach
    void kvmUsable() {
        Assumptions.assumeTrue(hv.hostInfo().available(), () -> "KVM not usable here, no differential test: " + hv.hostInfo().problem());
    }

    @AfterAll
    static void close() {
        if (hv != null) hv.close();
    }

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
