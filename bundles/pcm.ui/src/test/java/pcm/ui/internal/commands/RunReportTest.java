package pcm.ui.internal.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

import pcm.core.api.verify.Outcome;
import pcm.core.api.verify.Verdict;

/**
 * pcm:run reports the verdict that stands for each window and verifier: a verifier hot-swapped while its window waited
 * gave a not-final INCONCLUSIVE first and its real verdict when it came back (the emulated SVM host's hot swap); both
 * were printed and the INCONCLUSIVE read as a failure of the run.
 */
class RunReportTest {

    @Test
    void theLatestVerdictOfEachVerifierStands() {
        List<Verdict> heard = List.of(
                Verdict.match("kvm", "w1", 1000),
                Verdict.inconclusive("register-kvm", "w1", 1000, "verifier 'register-kvm' is not installed (waited 10000 ms)"),
                Verdict.match("register-kvm", "w1", 1000),
                Verdict.match("soft", "w1", 1000),
                Verdict.match("kvm", "w2", 1000));
        List<Verdict> report = RunCommand.latestOfEachVerifier(heard);
        assertEquals(List.of("w1 kvm MATCH", "w1 register-kvm MATCH", "w1 soft MATCH", "w2 kvm MATCH"),
                report.stream().map(v -> v.windowId() + " " + v.rcp() + " " + v.outcome()).toList());
        assertEquals(Outcome.MATCH, report.get(1).outcome());
    }
}
