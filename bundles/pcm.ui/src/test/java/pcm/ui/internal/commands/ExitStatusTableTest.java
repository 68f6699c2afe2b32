package pcm.ui.internal.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.apache.felix.gogo.runtime.CommandNotFoundException;
import org.apache.felix.service.command.CommandSession;
import org.junit.jupiter.api.Test;

import pcm.core.api.sampling.WindowInfo;
import pcm.core.api.verify.Divergence;
import pcm.core.api.verify.Verdict;
import pcm.core.api.verify.VerificationService.VerificationException;
import pcm.ui.internal.exec.ExecCommand;
import pcm.ui.internal.exec.ExecOutcome;
import pcm.ui.internal.status.ExitStatus;
import pcm.ui.internal.status.Report;

/**
 * Issue 11 item 6: one table of exit statuses, in the README and in {@link ExitStatus}, and every command held to it
 * (pcm:log check printed CORRUPT/TORN and exited 0, pcm:verify exited 0 on DIVERGED and INCONCLUSIVE, pcm:run exited 0
 * with nothing recorded or verified, an unknown command was 127).
 */
class ExitStatusTableTest {

    /** A Gogo session that only keeps variables. */
    static CommandSession session() {
        Map<String, Object> vars = new HashMap<>();
        return (CommandSession) Proxy.newProxyInstance(CommandSession.class.getClassLoader(), new Class<?>[] {CommandSession.class},
                (p, m, a) -> switch (m.getName()) {
                    case "get" -> vars.get((String) a[0]);
                    case "put" -> vars.put((String) a[0], a[1]);
                    default -> null;
                });
    }

    @Test
    void theTableHasDistinctCodesAndNo127() {
        Set<Integer> codes = Arrays.stream(ExitStatus.values()).map(ExitStatus::code).collect(Collectors.toSet());
        assertEquals(ExitStatus.values().length, codes.size());
        assertEquals(0, ExitStatus.OK.code());
        assertTrue(codes.stream().allMatch(c -> c >= 0 && c < 126), "shell-reserved statuses: " + codes);
        for (ExitStatus s : ExitStatus.values()) if (s != ExitStatus.OK) assertNotEquals(0, s.code());
    }

    @Test
    void theReadmeDocumentsEveryStatus() throws Exception {
        Path readme = Path.of("../../README.md");
        String text = Files.readString(readme);
        assertTrue(text.contains("## Exit statuses"), "README section");
        for (ExitStatus s : ExitStatus.values()) {
            String row = "| " + s.code() + " | `" + s.name() + "` |";
            assertTrue(text.lines().anyMatch(l -> l.startsWith(row)), "README row " + row);
        }
    }

    @Test
    void aDivergenceOutranksEverythingAndOkNothing() {
        for (ExitStatus s : ExitStatus.values()) {
            assertEquals(ExitStatus.DIVERGED, ExitStatus.worst(s, ExitStatus.DIVERGED));
            assertEquals(s, ExitStatus.worst(ExitStatus.OK, s));
        }
        assertEquals(ExitStatus.GUEST, ExitStatus.worst(ExitStatus.UNVERIFIED, ExitStatus.GUEST));
        CommandSession s = session();
        ExitStatus.report(s, ExitStatus.DIVERGED);
        ExitStatus.report(s, ExitStatus.OK);
        assertEquals(ExitStatus.DIVERGED.code(), ExecOutcome.ok(s.get(ExitStatus.VARIABLE)).status(), "a later MATCH does not hide it");
    }

    @Test
    void verifyExitsByItsVerdicts() {
        Verdict match = Verdict.match("soft", "w1", 10);
        Verdict diverged = Verdict.diverged("kvm", "w1", 10, new Divergence(3, 0x1000, List.of("rax")));
        Verdict inconclusive = Verdict.inconclusive("kvm", "w1", 10, "cannot");
        assertEquals(ExitStatus.OK, VerifyCommand.report(List.of(match)).status());
        assertEquals(ExitStatus.DIVERGED, VerifyCommand.report(List.of(match, diverged)).status());
        assertEquals(ExitStatus.UNVERIFIED, VerifyCommand.report(List.of(match, inconclusive)).status());
        assertEquals(ExitStatus.DIVERGED, VerifyCommand.report(List.of(inconclusive, diverged)).status());
        assertEquals(ExitStatus.UNVERIFIED, VerifyCommand.report(List.of()).status());
        Report r = VerifyCommand.report(List.of(match, diverged));
        assertTrue(r.text().contains("window w1 MATCH rcp=soft") && r.text().contains("window w1 DIVERGED rcp=kvm"), r.text());
        CommandSession s = session();
        assertEquals(r.text(), r.finish(s));
        assertEquals(1, ExecOutcome.ok(s.get(ExitStatus.VARIABLE)).status());
        assertEquals(ExitStatus.USAGE, VerifyCommand.failureStatus(new VerificationException("no window 'x'")));
        assertEquals(ExitStatus.USAGE, VerifyCommand.failureStatus(new VerificationException("no verifier 'y' (installed: [soft])")));
        assertEquals(ExitStatus.FAILED, VerifyCommand.failureStatus(new VerificationException("no sampler: the window store is not available")));
    }

    static WindowInfo window(String id) {
        return new WindowInfo(id, "COMPLETE", "soft", 10, Map.of(), 100, List.of());
    }

    @Test
    void runCountsWindowsWithoutAMatchOfEachConfiguredVerifier() {
        List<WindowInfo> ws = List.of(window("w1"), window("w2"));
        List<Verdict> both = List.of(Verdict.match("soft", "w1", 10), Verdict.match("soft", "w2", 10));
        assertEquals(0, RunCommand.unverified(ws, both, List.of("soft")));
        // "2 verdicts on 32 windows" and verifiers=nosuch: windows without a verdict are not a clean run
        assertEquals(1, RunCommand.unverified(ws, both.subList(0, 1), List.of("soft")));
        assertEquals(2, RunCommand.unverified(ws, both, List.of("soft", "kvm")));
        assertEquals(2, RunCommand.unverified(ws, List.of(), List.of()));
        assertEquals(1, RunCommand.unverified(ws, List.of(both.get(0), Verdict.inconclusive("soft", "w2", 10, "not installed")),
                List.of("soft")));
        // the latest verdict of a verifier counts: one given while it was waited for, then replaced, does not
        assertEquals(0, RunCommand.unverified(ws, List.of(both.get(0), Verdict.inconclusive("soft", "w2", 10, "waiting"),
                both.get(1)), List.of("soft")));
        // a verdict of a verifier that is not configured (pcm:verify --rcp x at the same time) neither helps nor hurts
        assertEquals(1, RunCommand.unverified(ws, List.of(both.get(0), Verdict.match("kvm", "w2", 10)), List.of("soft")));
    }

    @Test
    void runOptionsOutOfRangeAreOperatorErrors() {
        RunCommand.checkArguments(0, "", 600, 2000, 50);
        RunCommand.checkArguments(64, "kvm", 1, 0, -1);
        RunCommand.checkArguments(64, "soft", 1, -1, 0);
        RunCommand.checkWindowLimit(0, 0);
        RunCommand.checkWindowLimit(50, 1000);
        RunCommand.checkWindowLimit(50, -1);
        for (Runnable bad : List.<Runnable>of(
                () -> RunCommand.checkArguments(-5, "", 600, 2000, 50),
                () -> RunCommand.checkArguments(0, "vmware", 600, 2000, 50),
                () -> RunCommand.checkArguments(0, "", 0, 2000, 50),
                () -> RunCommand.checkArguments(0, "", Long.MAX_VALUE, 2000, 50),
                () -> RunCommand.checkArguments(0, "", 600, -2, 50),
                () -> RunCommand.checkArguments(0, "", 600, 2000, -7),
                () -> RunCommand.checkWindowLimit(-1, 2000),
                () -> RunCommand.checkWindowLimit(5, 0))) {
            CommandFailure f = assertThrows(CommandFailure.class, bad::run);
            assertEquals(ExitStatus.USAGE, f.status());
            assertTrue(f.getMessage().contains(RunCommand.USAGE), f.getMessage());
        }
        assertTrue(assertThrows(CommandFailure.class, () -> RunCommand.checkArguments(-5, "", 600, 2000, 50)).getMessage()
                .startsWith("--blocks -5:"));
    }

    @Test
    void unknownActionsAndArgumentsAreOperatorErrors() {
        assertEquals(ExitStatus.USAGE, assertThrows(CommandFailure.class,
                () -> LogCommand.apply(null, "frobnicate", "w1")).status());
        assertEquals(ExitStatus.USAGE, assertThrows(CommandFailure.class, () -> LogCommand.apply(null, "show", null)).status());
        assertEquals(ExitStatus.USAGE, assertThrows(CommandFailure.class,
                () -> new VmCommand(null).vm("dance")).status());
        SamplingCommandsTest.FakeSampler s = new SamplingCommandsTest.FakeSampler();
        assertEquals(ExitStatus.USAGE, assertThrows(CommandFailure.class, () -> SampleCommand.apply(s, "dance", null, 0, 0)).status());
        assertEquals(ExitStatus.USAGE, assertThrows(CommandFailure.class, () -> SampleCommand.apply(s, "now", null, -5, 0)).status());
        assertEquals(ExitStatus.USAGE, assertThrows(CommandFailure.class, () -> SampleCommand.apply(s, "now", "abc", 0, 0)).status());
    }

    @Test
    void execMapsFailuresOntoTheTable() {
        ExecCommand c = ExecCommand.parse("pcm:nonexistent");
        ExecOutcome notFound = ExecOutcome.failed(c, new CommandNotFoundException("pcm:nonexistent"));
        assertEquals(ExitStatus.USAGE.code(), notFound.status());
        assertTrue(notFound.message().startsWith("pcm: command not found: pcm:nonexistent"), notFound.message());
        assertEquals(ExitStatus.USAGE.code(), ExecOutcome.blank().status());
        assertEquals(ExitStatus.GUEST.code(), ExecOutcome.failed(c, new CommandFailure(ExitStatus.GUEST, "did not stop")).status());
        assertEquals(ExitStatus.FAILED.code(), ExecOutcome.failed(c, new CommandFailure("no VM service")).status());
        assertEquals(ExitStatus.FAILED.code(), ExecOutcome.failed(c, new NullPointerException("x")).status());
        // Gogo's "Cannot coerce" when arguments fit no signature (e.g. --blocks abc)
        ExecOutcome coerce = ExecOutcome.failed(ExecCommand.parse("pcm:run --blocks abc"), new IllegalArgumentException("Cannot coerce run(...)"));
        assertEquals(ExitStatus.USAGE.code(), coerce.status());
        assertTrue(coerce.message().contains("see: bin/pcm exec 'help pcm:run'"), coerce.message());
        assertEquals(ExitStatus.FAILED.code(), ExecOutcome.timedOut(c, 60).status());
        assertEquals(0, ExecOutcome.ok(null).status());
        assertEquals(3, ExecOutcome.ok(3).status());
        assertEquals(ExitStatus.DAMAGED.code(), ExecOutcome.ok(ExitStatus.DAMAGED).status());
    }
}
