package pcm.softcpu.internal;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * Base of the tests against the host CPU itself ({@link NativeRig}): one runner per class, and each test assumes
 * it usable, so that where it cannot be built (no gcc, not x86-64 Linux) every test is skipped with the reason.
 */
abstract class NativeOracleTest {

    static NativeRig rig;
    static String problem;

    @BeforeAll
    static void startRunner() {
        problem = NativeRig.unavailable();
        if (problem != null) return;
        try {
            rig = NativeRig.start();
        } catch (Exception e) {
            problem = "native runner unusable: " + e;
        }
    }

    @BeforeEach
    void runnerUsable() {
        Assumptions.assumeTrue(problem == null, () -> problem);
    }

    @AfterAll
    static void stopRunner() {
        if (rig != null) rig.close();
        rig = null;
    }
}
