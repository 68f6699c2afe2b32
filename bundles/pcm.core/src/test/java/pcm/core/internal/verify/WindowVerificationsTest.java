package pcm.core.internal.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.annotation.Annotation;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import pcm.core.api.event.PcmEvent;
import pcm.core.api.sampling.RcpCommand;
import pcm.core.api.sampling.Sampler;
import pcm.core.api.sampling.SamplingState;
import pcm.core.api.sampling.WindowInfo;
import pcm.core.api.verify.Divergence;
import pcm.core.api.verify.Outcome;
import pcm.core.api.verify.ReplayVerifier;
import pcm.core.api.verify.Snapshot;
import pcm.core.api.verify.Verdict;
import pcm.core.api.verify.VerificationService.VerificationException;
import pcm.core.api.verify.Window;

class WindowVerificationsTest {

    @TempDir
    Path dir;
    WindowVerifications service;

    static VerificationConfig config(String... verifiers) {
        return config(verifiers, new String[0]);
    }

    static VerificationConfig config(String[] verifiers, String[] strategies) {
        return config(verifiers, strategies, 0);
    }

    static VerificationConfig config(String[] verifiers, String[] strategies, long graceMillis) {
        return new VerificationConfig() {
            public Class<? extends Annotation> annotationType() { return VerificationConfig.class; }
            public String[] verifiers() { return verifiers; }
            public String strategy() { return "full"; }
            public String[] strategies() { return strategies; }
            public int workers() { return 2; }
            public boolean auto() { return true; }
            public long verifierGraceMillis() { return graceMillis; }
        };
    }

    /** A store whose windows appear when the test adds them. */
    static class FakeSampler implements Sampler {
        final List<WindowInfo> windows = new CopyOnWriteArrayList<>();

        void close(String id) {
            windows.add(new WindowInfo(id, "COMPLETE", "soft", 100, Map.of(), 0, List.of()));
        }

        public SamplingState state() { return SamplingState.IDLE; }
        public void command(RcpCommand c) { }
        public String sampleNow(long insns, long timeout) { return ""; }
        public void startPeriodic(String policy) { }
        public void stopPeriodic() { }
        public boolean periodicRunning() { return false; }
        public List<WindowInfo> windows() { return List.copyOf(windows); }

        public Optional<Window> window(String id) {
            return windows.stream().anyMatch(w -> w.id().equals(id)) ? Optional.of(new Window() {
                public String id() { return id; }
                public String backend() { return "soft"; }
                public Snapshot initial() { return null; }
                public List<PcmEvent> events() { return List.of(); }
                public Snapshot end() { return null; }
            }) : Optional.empty();
        }
    }

    static ReplayVerifier verifier(String id, java.util.function.Function<Window, Verdict> f) {
        return new ReplayVerifier() {
            public String id() { return id; }
            public Verdict verify(Window w, pcm.core.api.verify.ReplayStrategy s, java.util.function.LongConsumer p) { return f.apply(w); }
        };
    }

    final FakeSampler sampler = new FakeSampler();

    @AfterEach
    void stop() {
        if (service != null) service.deactivate();
    }

    @Test
    void eachVerifierReplaysWithTheStrategyConfiguredForIt() throws Exception {
        service = new WindowVerifications(dir, config(new String[] {"a", "b"}, new String[] {"b = cp", "nonsense"}));
        service.setSampler(sampler);
        Map<String, String> used = new java.util.concurrent.ConcurrentHashMap<>();
        for (String id : List.of("a", "b")) {
            service.addVerifier(new ReplayVerifier() {
                public String id() { return id; }
                public Verdict verify(Window w, pcm.core.api.verify.ReplayStrategy s, java.util.function.LongConsumer p) {
                    used.put(id, s.id());
                    return Verdict.match(id, w.id(), 100);
                }
            });
        }
        for (String id : List.of("full", "cp")) {
            service.addStrategy(new pcm.core.api.verify.ReplayStrategy() {
                public String id() { return id; }
                public long[] checkpoints(Window w) { return new long[0]; }
            });
        }
        sampler.close("w1");
        assertTrue(service.awaitIdle(10_000));
        assertEquals(Map.of("a", "full", "b", "cp"), used);
    }

    @Test
    void everyClosedWindowIsVerifiedByEveryConfiguredVerifierAndKept() throws Exception {
        service = new WindowVerifications(dir, config("a", "b"));
        sampler.close("old"); // recorded before this start, never verified: verified now (issue 11 item 3)
        service.addVerifier(verifier("a", w -> Verdict.match("a", w.id(), 100)));
        service.addVerifier(verifier("b", w -> Verdict.diverged("b", w.id(), 100, new Divergence(42, 0x1000, List.of("rax: 0x1 != 0x2")))));
        List<Verdict> heard = new CopyOnWriteArrayList<>();
        service.addListener(heard::add);
        service.setSampler(sampler);
        sampler.close("w1");
        sampler.close("w2");
        assertTrue(service.awaitIdle(10_000));
        assertEquals(6, heard.size());
        assertEquals(2, service.verdicts("w1").size());
        assertEquals(2, service.verdicts("old").size());
        Verdict diverged = service.verdicts("w2").stream().filter(v -> v.rcp().equals("b")).findFirst().orElseThrow();
        assertEquals(42, diverged.divergence().orElseThrow().position());
        // persisted beside the windows, readable by a later run
        List<Verdict> fromFile = VerdictFile.read(dir, "w2");
        assertEquals(2, fromFile.size());
        assertTrue(fromFile.contains(diverged), fromFile.toString());
    }

    @Test
    void missingOrThrowingVerifiersGiveInconclusiveNeverALostWindow() throws Exception {
        service = new WindowVerifications(dir, config("absent", "broken"));
        service.setSampler(sampler);
        service.addVerifier(verifier("broken", w -> { throw new IllegalStateException("vendor bug"); }));
        sampler.close("w");
        assertTrue(service.awaitIdle(10_000));
        List<Verdict> v = service.verdicts("w");
        assertEquals(2, v.size());
        assertTrue(v.stream().allMatch(x -> x.outcome() == Outcome.INCONCLUSIVE), v.toString());
        assertTrue(v.stream().anyMatch(x -> x.detail().contains("not installed")), v.toString());
        assertTrue(v.stream().anyMatch(x -> x.detail().contains("vendor bug")), v.toString());
        // the thrown one stands; the missing verifier's is retried when it appears
        List<VerdictFile.Entry> stored = VerdictFile.entries(dir, "w");
        assertEquals(List.of(true), stored.stream().filter(e -> e.verdict().rcp().equals("broken")).map(VerdictFile.Entry::isFinal).toList());
        assertEquals(List.of(false), stored.stream().filter(e -> e.verdict().rcp().equals("absent")).map(VerdictFile.Entry::isFinal).toList());
    }

    @Test
    void verifyOnDemandNamesUnknownWindowsAndVerifiers() throws Exception {
        service = new WindowVerifications(dir, config("a"));
        service.setSampler(sampler);
        service.addVerifier(verifier("a", w -> Verdict.match("a", w.id(), 7)));
        sampler.close("w");
        assertEquals(Outcome.MATCH, service.verify("w", "a", p -> { }).outcome());
        assertThrows(VerificationException.class, () -> service.verify("nope", "a", p -> { }));
        assertThrows(VerificationException.class, () -> service.verify("w", "zzz", p -> { }));
    }

    @Test
    void aWindowWithAStoredVerdictIsNotVerifiedAgain() throws Exception {
        VerdictFile.append(dir, Verdict.match("a", "old", 5), true); // verified by an earlier run
        service = new WindowVerifications(dir, config("a"));
        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        service.addVerifier(verifier("a", w -> {
            calls.incrementAndGet();
            return Verdict.match("a", w.id(), 7);
        }));
        service.setSampler(sampler); // the store is not visible yet (start-up race) ...
        sampler.close("old");        // ... then shows a window an earlier run verified, and a new one
        sampler.close("new");
        assertTrue(service.awaitIdle(10_000));
        assertEquals(1, calls.get());
        assertEquals(List.of(Verdict.match("a", "old", 5)), service.verdicts("old"));
    }

    // ---------------------------------------------------------------- issue 11 item 3

    /** Issue 11 item 3: verification starts with the framework, not when a command first asks for the service. */
    @Test
    void theComponentIsImmediateAndTakesConfigurationChangesInPlace() throws Exception {
        String xml;
        try (var in = getClass().getClassLoader().getResourceAsStream("OSGI-INF/" + WindowVerifications.class.getName() + ".xml")) {
            assertTrue(in != null, "bnd's component description");
            xml = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
        assertTrue(xml.contains("immediate=\"true\""), xml);
        assertTrue(xml.contains("modified=\"modified\""), xml);
    }

    private static long finalVerdicts(Path dir, String window, String rcp) throws Exception {
        return VerdictFile.entries(dir, window).stream().filter(e -> e.isFinal() && e.verdict().rcp().equals(rcp)).count();
    }

    /** Issue 11 item 3: windows of an earlier run (or a crash) are verified by what the stored verdicts lack. */
    @Test
    void atStartEveryCompleteWindowWithoutAFinalVerdictOfAConfiguredVerifierGetsOne() throws Exception {
        VerdictFile.append(dir, Verdict.match("a", "both", 5), true);
        VerdictFile.append(dir, Verdict.match("b", "both", 5), true);
        VerdictFile.append(dir, Verdict.match("a", "onlyA", 5), true);
        // written by the first version when it took a window before its verifier bound: not a final verdict
        java.nio.file.Files.writeString(VerdictFile.of(dir, "stale"),
                "INCONCLUSIVE\tb\tstale\t0\t-\t-\t-\tverifier 'b' is not installed\n", java.nio.file.StandardOpenOption.CREATE);
        for (String w : List.of("both", "onlyA", "none", "stale")) sampler.close(w);
        sampler.windows.add(new WindowInfo("torn", "TORN", "soft", 100, Map.of(), 0, List.of()));
        List<String> calls = new CopyOnWriteArrayList<>();
        service = new WindowVerifications(dir, config("a", "b"));
        for (String id : List.of("a", "b")) service.addVerifier(verifier(id, w -> {
            calls.add(w.id() + "/" + id);
            return Verdict.match(id, w.id(), 7);
        }));
        service.setSampler(sampler);
        assertTrue(service.awaitIdle(10_000));
        assertEquals(java.util.Set.of("onlyA/b", "none/a", "none/b", "stale/a", "stale/b"), java.util.Set.copyOf(calls), calls.toString());
        assertEquals(5, calls.size());
        for (String w : List.of("both", "onlyA", "none", "stale"))
            for (String rcp : List.of("a", "b")) assertEquals(1, finalVerdicts(dir, w, rcp), w + "/" + rcp);
        assertEquals(List.of(), VerdictFile.entries(dir, "torn"), "a torn window is never verified");
    }

    /** Issue 11 item 3: window closing is an event; nothing polls the store. */
    @Test
    void aWindowAnnouncedCompleteIsVerifiedWithoutAnyScan() throws Exception {
        service = new WindowVerifications(dir, config("a"));
        java.util.concurrent.CountDownLatch heard = new java.util.concurrent.CountDownLatch(1);
        service.addListener(v -> heard.countDown());
        service.addVerifier(verifier("a", w -> Verdict.match("a", w.id(), 7)));
        service.setSampler(sampler);
        assertTrue(service.awaitIdle(10_000)); // the scan at start: nothing there yet
        sampler.close("w");
        service.windowComplete("w");
        assertTrue(heard.await(30, java.util.concurrent.TimeUnit.SECONDS), "verified on the event alone");
        assertEquals(Outcome.MATCH, service.verdicts("w").getFirst().outcome());
    }

    /** Issue 11 item 3: a verifier that binds after the window closed is waited for (within the grace). */
    @Test
    void aVerifierThatBindsLateIsWaitedForNotReportedMissing() throws Exception {
        service = new WindowVerifications(dir, config(new String[] {"late"}, new String[0], 600_000));
        service.setSampler(sampler);
        sampler.close("w");
        service.windowComplete("w");
        assertEquals(1, service.pendingCount(), "waiting for 'late'");
        assertEquals(1, service.backlog(), "one window behind (the sampler's periodic windows pace on it)");
        assertTrue(service.verdicts("w").isEmpty());
        service.addVerifier(verifier("late", w -> Verdict.match("late", w.id(), 7)));
        assertTrue(service.awaitIdle(10_000));
        assertEquals(0, service.backlog());
        assertEquals(List.of(Verdict.match("late", "w", 7)), service.verdicts("w"));
        assertEquals(1, finalVerdicts(dir, "w", "late"));
    }

    /** Issue 11 item 3: after the grace the verdict says the verifier is missing and is not final. */
    @Test
    void afterTheGraceAMissingVerifierGivesARetryVerdictAndItsArrivalTheFinalOne() throws Exception {
        service = new WindowVerifications(dir, config("late"));
        service.setSampler(sampler);
        sampler.close("w");
        assertTrue(service.awaitIdle(10_000));
        Verdict missing = service.verdicts("w").getFirst();
        assertEquals(Outcome.INCONCLUSIVE, missing.outcome());
        assertTrue(missing.detail().contains("not installed"), missing.detail());
        assertEquals(0, finalVerdicts(dir, "w", "late"));
        sampler.close("w2");
        assertTrue(service.awaitIdle(10_000));
        assertEquals(1, VerdictFile.entries(dir, "w").size(), "told once that the verifier is missing, not at every scan");
        service.addVerifier(verifier("late", w -> Verdict.match("late", w.id(), 7)));
        assertTrue(service.awaitIdle(10_000));
        assertEquals(1, finalVerdicts(dir, "w", "late"));
        // and a restart does not verify it again
        service.deactivate();
        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        service = new WindowVerifications(dir, config("late"));
        service.addVerifier(verifier("late", w -> Verdict.match("late", w.id(), calls.incrementAndGet())));
        service.setSampler(sampler);
        assertTrue(service.awaitIdle(10_000));
        assertEquals(0, calls.get());
    }

    /** Issue 11 item 3: a configuration change mid-run verifies what the new verifiers lack, dropping nothing. */
    @Test
    void aConfigurationChangeMidRunVerifiesEveryWindowForTheNewVerifiers() throws Exception {
        service = new WindowVerifications(dir, config("a"));
        for (String id : List.of("a", "b")) service.addVerifier(verifier(id, w -> Verdict.match(id, w.id(), 7)));
        service.setSampler(sampler);
        for (int i = 0; i < 5; i++) sampler.close("w" + i);
        assertTrue(service.awaitIdle(10_000));
        service.modified(config("a", "b"));
        for (int i = 5; i < 8; i++) {
            sampler.close("w" + i);
            service.windowComplete("w" + i);
        }
        assertTrue(service.awaitIdle(10_000));
        for (int i = 0; i < 8; i++) {
            assertEquals(1, finalVerdicts(dir, "w" + i, "a"), "w" + i);
            assertEquals(1, finalVerdicts(dir, "w" + i, "b"), "w" + i);
        }
    }

    /**
     * Issue 11 item 3 (pcm:run's "INCONCLUSIVE rcp=- not verified"): once awaitIdle returns, every window closed
     * before the call has its verdicts, however events and scans interleave with it.
     */
    @Test
    void awaitIdleReturnsOnlyWhenEveryClosedWindowHasItsVerdicts() throws Exception {
        service = new WindowVerifications(dir, config("a", "b"));
        for (String id : List.of("a", "b")) service.addVerifier(verifier(id, w -> Verdict.match(id, w.id(), 7)));
        service.setSampler(sampler);
        for (int round = 0; round < 200; round++) {
            String id = "r" + round;
            sampler.close(id);
            Thread announcer = Thread.ofPlatform().start(() -> service.windowComplete(id));
            Thread scanner = Thread.ofPlatform().start(service::scanSoon);
            assertTrue(service.awaitIdle(10_000));
            assertEquals(2, service.verdicts(id).size(), id);
            announcer.join();
            scanner.join();
        }
        assertTrue(service.awaitIdle(10_000));
        for (int round = 0; round < 200; round++) assertEquals(2, VerdictFile.entries(dir, "r" + round).size());
    }

    // ---------------------------------------------------------------- issue 11 item 9

    /** Issue 11 item 9: a verdict that cannot be written stays in memory, is retried, and is written once it can. */
    @Test
    void aVerdictThatCannotBeWrittenIsKeptAndWrittenLater() throws Exception {
        Path blocked = dir.resolve("verdicts");
        java.nio.file.Files.writeString(blocked, "a file where the directory should be");
        service = new WindowVerifications(blocked, config("a"));
        service.addVerifier(verifier("a", w -> Verdict.match("a", w.id(), 7)));
        service.setSampler(sampler);
        sampler.close("w1");
        assertTrue(service.awaitIdle(10_000));
        assertEquals(1, service.unsavedVerdicts());
        assertEquals(List.of(Verdict.match("a", "w1", 7)), service.verdicts("w1"), "kept in memory");
        java.nio.file.Files.delete(blocked); // room again
        sampler.close("w2");
        assertTrue(service.awaitIdle(10_000));
        assertEquals(0, service.unsavedVerdicts());
        assertEquals(1, finalVerdicts(blocked, "w1", "a"));
        assertEquals(1, finalVerdicts(blocked, "w2", "a"));
    }

    /** Issue 11 item 9: a line cut short by a crash is ignored and does not swallow the next verdict. */
    @Test
    void aTornVerdictLineIsIgnoredAndTheNextAppendStandsAlone() throws Exception {
        java.nio.file.Files.createDirectories(dir);
        java.nio.file.Files.writeString(VerdictFile.of(dir, "w"), "MATCH\ta\tw\t7\t-\t-\t-\t\tfin");
        assertEquals(List.of(), VerdictFile.entries(dir, "w"));
        VerdictFile.append(dir, Verdict.match("a", "w", 7), true);
        assertEquals(List.of(new VerdictFile.Entry(Verdict.match("a", "w", 7), true)), VerdictFile.entries(dir, "w"));
    }
}
