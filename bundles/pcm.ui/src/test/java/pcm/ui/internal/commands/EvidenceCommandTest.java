package pcm.ui.internal.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import pcm.core.api.verify.Divergence;
import pcm.core.api.verify.Verdict;
import pcm.ui.api.evidence.Evidence;
import pcm.ui.api.evidence.EvidenceBundle;
import pcm.ui.api.evidence.EvidenceException;
import pcm.ui.api.evidence.EvidenceException.Problem;
import pcm.ui.internal.status.ExitStatus;
import pcm.ui.internal.status.Report;

/** {@code pcm:evidence}: what it prints, and the exit status of each refusal (damaged data 4, the operator's error 2). */
class EvidenceCommandTest {

    static final EvidenceBundle BUNDLE = new EvidenceBundle("w7-1", Path.of("/tmp/w7-1.zip"), "1.0", "w7", Instant.EPOCH, "ab".repeat(32),
            999, List.of(new EvidenceBundle.Member("evidence.json", 10, "cd".repeat(32))),
            List.of(Verdict.match("soft", "w7", 2000), Verdict.diverged("inject", "w7", 2000, new Divergence(500, 0x101150, List.of("x")))),
            Map.of("cpu.vendor", "AuthenticAMD"));

    /** An Evidence service whose every call answers the bundle, or throws {@code problem}. */
    static Evidence service(Problem problem) {
        return new Evidence() {
            EvidenceBundle answer() throws EvidenceException {
                if (problem != null) throw new EvidenceException(problem, "archive.zip", "what is wrong", null);
                return BUNDLE;
            }

            @Override public EvidenceBundle export(String windowId, Path target) throws EvidenceException { return answer(); }
            @Override public EvidenceBundle collect(String windowId) throws EvidenceException { return answer(); }
            @Override public List<EvidenceBundle> collected() { return List.of(BUNDLE); }
            @Override public Optional<EvidenceBundle> collected(String id) throws EvidenceException { return Optional.of(answer()); }
            @Override public EvidenceBundle check(Path archive) throws EvidenceException { return answer(); }
            @Override public EvidenceBundle importWindow(Path archive, boolean replace) throws EvidenceException { return answer(); }
        };
    }

    @Test
    void anImportSaysWhatWasRecordedAndHowToReplayIt() {
        Report r = EvidenceCommand.apply(service(null), "import", false, "/tmp/w7-1.zip", null);
        assertEquals(ExitStatus.OK, r.status());
        assertTrue(r.text().contains("imported window w7"), r.text());
        assertTrue(r.text().contains("recorded verdicts: soft MATCH; inject DIVERGED at instruction 500, rip=0x101150"), r.text());
        assertTrue(r.text().contains("pcm:verify --rcp <verifier> w7"), r.text());
        Report check = EvidenceCommand.apply(service(null), "check", false, "/tmp/w7-1.zip", null);
        assertTrue(check.text().startsWith("VALID ") && check.text().contains("cpu.vendor = AuthenticAMD"), check.text());
    }

    @Test
    void damagedArchivesAreDamagedAndTheOperatorsErrorsUsage() {
        for (Problem p : Problem.values()) {
            CommandFailure f = assertThrows(CommandFailure.class, () -> EvidenceCommand.apply(service(p), "import", false, "a.zip", null));
            assertTrue(f.getMessage().contains("[" + p + ", member archive.zip]"), f.getMessage());
            ExitStatus expected = switch (p) {
                case NO_WINDOW, WINDOW_EXISTS -> ExitStatus.USAGE;
                case WINDOW_NOT_READY, FAILED -> ExitStatus.FAILED;
                default -> ExitStatus.DAMAGED;
            };
            assertEquals(expected, f.status(), p.name());
        }
    }
}
