package pcm.softcpu.internal.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import pcm.core.api.verify.Outcome;
import pcm.core.api.verify.Verdict;

/**
 * Issue 12, CI of stop 20: a KVM-recorded window on the emulated SVM host was DIVERGED on the soft verifier only, "at
 * instruction 999" of a 1,000-instruction window. The recorder logs no register checkpoint after a window's last
 * instruction (the final snapshot stands for it), so the soft replay's adoption of undefined flags at checkpoints never
 * ran for that instruction, and its vendor model's value of an undefined flag was compared with the recording CPU's.
 * The replay now adopts them from the final snapshot as well: windows whose last instruction leaves flags undefined,
 * recorded by a CPU that sets them otherwise, MATCH.
 */
class UndefinedFlagsAtEndTest {

    @Test
    void lastInstructionsUndefinedFlagsComeFromTheFinalSnapshot() throws Exception {
        SoftReplayVerifier v = new SoftReplayVerifier();
        List<String> bad = new ArrayList<>();
        int windows = 0, ended;
        try (TestWindows t = new TestWindows(32, 8 << 20, 1000, 7_000, 11)) {
            t.invertUndefinedFlagsAtEnd = true;
            List<TestWindows.Plan> plan = new ArrayList<>();
            // short windows at every few instructions: many end right after a SHR, IMUL, BT, DIV ...
            for (int i = 0; i < 400; i++) plan.add(new TestWindows.Plan(2_000 + i * 301L, 37 + i % 263));
            List<Verdict> verdicts = new ArrayList<>();
            t.record(plan, w -> verdicts.add(v.verify(w, ReplayTest.FULL, p -> { })));
            windows = verdicts.size();
            for (Verdict verdict : verdicts) if (verdict.outcome() != Outcome.MATCH) bad.add(verdict.toString());
            ended = t.endsWithUndefinedFlags;
        }
        assertTrue(windows >= 300, "windows recorded: " + windows);
        assertTrue(ended >= 10, "windows whose last instruction left a flag undefined (and set otherwise): " + ended);
        assertEquals(List.of(), bad.subList(0, Math.min(3, bad.size())), bad.size() + " DIVERGED; " + ended + " of " + windows + " windows ended on differing undefined flags");
    }
}
