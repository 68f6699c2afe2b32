package pcm.softcpu.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The bounded SSE/SSE2 differential run against the host CPU (issue 13 items 2 and 4): {@link SseGen}
 * sequences compared instruction by instruction with XMM0-15 and MXCSR ({@link SseDiffRunner}). Every form of
 * {@link SseGen#FORMS} must have run. The soak is {@link SseNativeDiffSoak}. Skipped with the reason where the
 * runner cannot be built.
 */
class SseNativeDiffTest extends NativeOracleTest {

    @Test
    void sseSequencesMatchTheHostCpu() throws Exception {
        try (SseDiffRunner d = new SseDiffRunner(rig)) {
            int bad = d.run(0x55E_0013L, Integer.getInteger("sse.sequences", 6000), 10, 10);
            System.out.printf("SSE native differential (%s): %d sequences, %d steps, %d exceptions %s; classes %s%n", rig.vendor,
                    d.sequences, d.steps, d.faults, d.vectors, d.classes);
            assertEquals(0, bad, () -> String.join("\n", d.mismatches));
            assertTrue(d.steps > 10_000, "steps " + d.steps);
            if (!d.recipModel) System.out.println("RCPPS/RSQRTPS forms not generated: " + d.recipMissing);
            for (SseGen.Form f : SseGen.FORMS) {
                if (!d.recipModel && SseGen.isRecip(f)) continue;
                assertTrue(d.classes.containsKey("sse_" + f.name()), "form never generated: " + f.name());
            }
        }
    }
}
