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
        return new VerificationConfig() {
            public Class<? extends Annotation> annotationType() { return VerificationConfig.class; }
            public String[] verifiers() { return verifiers; }
            public String strategy() { return "full"; }
            public String[] strategies() { return strategies; }
            public int workers() { return 2; }
            public boolean auto() { return true; }
            public long pollMillis() { return 20; }
        };
    }

    /** A store whose windows appear when the test adds them. */
    static final class FakeSampler implements Sampler {
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
        sampler.close("old"); // recorded before this start: left alone
        service.setSampler(sampler);
        service.addVerifier(verifier("a", w -> Verdict.match("a", w.id(), 100)));
        service.addVerifier(verifier("b", w -> Verdict.diverged("b", w.id(), 100, new Divergence(42, 0x1000, List.of("rax: 0x1 != 0x2")))));
        List<Verdict> heard = new CopyOnWriteArrayList<>();
        service.addListener(heard::add);
        sampler.close("w1");
        sampler.close("w2");
        assertTrue(service.awaitIdle(10_000));
        assertEquals(4, heard.size());
        assertEquals(2, service.verdicts("w1").size());
        assertEquals(List.of(), service.verdicts("old"));
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
        VerdictFile.append(dir, Verdict.match("a", "old", 5)); // verified by an earlier run
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
}
