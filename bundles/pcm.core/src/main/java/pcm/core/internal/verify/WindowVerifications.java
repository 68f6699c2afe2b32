package pcm.core.internal.verify;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongConsumer;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import pcm.core.api.event.EventKind;
import pcm.core.api.event.PcmEvent;
import pcm.core.api.sampling.Sampler;
import pcm.core.api.sampling.SamplingException;
import pcm.core.api.sampling.WindowInfo;
import pcm.core.api.verify.Outcome;
import pcm.core.api.verify.ReplayStrategy;
import pcm.core.api.verify.ReplayTiming;
import pcm.core.api.verify.ReplayVerifier;
import pcm.core.api.verify.VerdictListener;
import pcm.core.api.verify.Verdict;
import pcm.core.api.verify.VerificationService;
import pcm.core.api.verify.Window;
import pcm.core.internal.sampling.StoredWindow;

/**
 * Verifies every window that closes with each configured verifier, in parallel on worker threads.
 * Verifiers, strategies and listeners are whiteboard services: they can be installed, swapped and
 * removed while the guest runs (a window picks the verifier present when its turn comes). A
 * verifier that is missing or throws gives an INCONCLUSIVE verdict with the reason, never a lost
 * window. Verdicts are appended to {@code <data>/verdicts/<window>.verdicts}.
 */
@Component(service = VerificationService.class, configurationPid = "pcm.verification")
@Designate(ocd = VerificationConfig.class)
public final class WindowVerifications implements VerificationService {

    private static final Logger LOG = LoggerFactory.getLogger(WindowVerifications.class);
    private static final String COMPLETE = "COMPLETE";

    private final Map<String, ReplayVerifier> verifiers = new ConcurrentHashMap<>();
    private final Map<String, ReplayStrategy> strategies = new ConcurrentHashMap<>();
    private final List<VerdictListener> listeners = new CopyOnWriteArrayList<>();
    private final Map<String, List<Verdict>> verdicts = new ConcurrentHashMap<>();
    private final Set<String> seen = ConcurrentHashMap.newKeySet();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Object idle = new Object();

    private volatile Sampler sampler;
    private volatile VerificationConfig config;
    private final Path verdictDir;
    private ExecutorService workers;
    private ScheduledExecutorService poller;
    private final Map<String, String> strategyByRcp;

    @Activate
    public WindowVerifications(BundleContext context, VerificationConfig config) {
        this(Path.of(context.getProperty("pcm.data") == null ? "pcm-data" : context.getProperty("pcm.data"), "verdicts"), config);
    }

    WindowVerifications(Path verdictDir, VerificationConfig config) {
        this.config = config;
        this.strategyByRcp = strategyByRcp(config.strategies());
        this.verdictDir = verdictDir;
        AtomicInteger n = new AtomicInteger();
        workers = Executors.newFixedThreadPool(Math.max(1, config.workers()),
                r -> Thread.ofPlatform().name("pcm-verify-" + n.incrementAndGet()).daemon().unstarted(r));
        poller = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().name("pcm-verify-poll").daemon().unstarted(r));
        markExistingWindowsSeen();
        if (config.auto()) poller.scheduleWithFixedDelay(this::poll, config.pollMillis(), config.pollMillis(), TimeUnit.MILLISECONDS);
    }

    /** Strategy ids by verifier from 'rcp=strategy' entries; a malformed entry is reported and ignored. */
    static Map<String, String> strategyByRcp(String[] entries) {
        Map<String, String> m = new java.util.HashMap<>();
        for (String e : entries == null ? new String[0] : entries) {
            int eq = e.indexOf('=');
            if (eq <= 0 || eq == e.length() - 1) {
                LOG.warn("pcm.verification strategies: '{}' is not 'rcp=strategy'; ignored", e);
                continue;
            }
            m.put(e.substring(0, eq).strip(), e.substring(eq + 1).strip());
        }
        return Map.copyOf(m);
    }

    /** The strategy id configured for a verifier. */
    String strategyId(String rcp) {
        return strategyByRcp.getOrDefault(rcp, config.strategy());
    }

    @Deactivate
    void deactivate() {
        poller.shutdownNow();
        workers.shutdownNow();
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void setSampler(Sampler s) {
        sampler = s;
        markExistingWindowsSeen();
    }

    void unsetSampler(Sampler s) {
        if (sampler == s) sampler = null;
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void addVerifier(ReplayVerifier v) {
        verifiers.put(v.id(), v);
        LOG.info("replay verifier '{}' available", v.id());
    }

    void removeVerifier(ReplayVerifier v) {
        verifiers.remove(v.id(), v);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void addStrategy(ReplayStrategy s) { strategies.put(s.id(), s); }

    void removeStrategy(ReplayStrategy s) { strategies.remove(s.id(), s); }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void addListener(VerdictListener l) { listeners.add(l); }

    void removeListener(VerdictListener l) { listeners.remove(l); }

    /** Windows recorded before this start were verified (or not) by an earlier run: leave them. */
    private void markExistingWindowsSeen() {
        Sampler s = sampler;
        if (s == null) return;
        for (WindowInfo w : s.windows()) seen.add(w.id());
    }

    private void poll() {
        Sampler s = sampler;
        if (s == null) return;
        try {
            for (WindowInfo w : s.windows()) {
                if (COMPLETE.equals(w.state()) && seen.add(w.id())) {
                    WindowLoad load = new WindowLoad(w.id());
                    for (String rcp : config.verifiers()) {
                        if (!alreadyVerified(w.id(), rcp)) submit(load, rcp);
                    }
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("listing windows failed; retrying at the next poll", e);
        }
    }

    /** A verdict stored by an earlier run stands: the window's files have not changed since. */
    private boolean alreadyVerified(String windowId, String rcp) {
        return verdicts(windowId).stream().anyMatch(v -> v.rcp().equals(rcp));
    }

    private void submit(WindowLoad load, String rcp) {
        inFlight.incrementAndGet();
        workers.execute(() -> {
            try {
                verifyAndStore(load, rcp, position -> { });
            } finally {
                if (inFlight.decrementAndGet() == 0) {
                    synchronized (idle) {
                        idle.notifyAll();
                    }
                }
            }
        });
    }

    private Verdict verifyAndStore(WindowLoad load, String rcp, LongConsumer progress) {
        String windowId = load.windowId;
        Timed t = replay(load, rcp, progress);
        Verdict v = t.verdict();
        verdicts.computeIfAbsent(windowId, k -> new CopyOnWriteArrayList<>()).add(v);
        try {
            VerdictFile.append(verdictDir, v);
        } catch (IOException e) {
            LOG.error("could not store the verdict of window {} ({}); it stays in memory", windowId, rcp, e);
        }
        if (v.outcome() == Outcome.DIVERGED) {
            LOG.error("window {} DIVERGED on rcp={}: {}", windowId, rcp, v.divergence().orElse(null));
        } else {
            LOG.info("window {} {} rcp={} insns={} {}", windowId, v.outcome(), rcp, v.instructions(), v.detail());
        }
        for (VerdictListener l : listeners) {
            try {
                l.verdict(v, t.timing());
            } catch (RuntimeException e) {
                LOG.warn("verdict listener {} failed", l, e);
            }
        }
        return v;
    }

    /** A verdict and what it cost (zero times where no replay ran). */
    private record Timed(Verdict verdict, ReplayTiming timing) {
        static Timed untimed(Verdict v) {
            return new Timed(v, new ReplayTiming(0, 0));
        }
    }

    /**
     * One window, loaded once for all the verifiers it goes to (each load reads its whole log and memory files);
     * the verifiers only read it.
     */
    private final class WindowLoad {
        final String windowId;
        private Optional<Window> window;
        private SamplingException failure;

        WindowLoad(String windowId) {
            this.windowId = windowId;
        }

        synchronized Optional<Window> get(Sampler s) throws SamplingException {
            if (window == null && failure == null) {
                try {
                    window = s.window(windowId);
                } catch (SamplingException e) {
                    failure = e;
                }
            }
            if (failure != null) throw failure;
            return window;
        }
    }

    private Timed replay(WindowLoad load, String rcp, LongConsumer progress) {
        String windowId = load.windowId;
        ReplayVerifier verifier = verifiers.get(rcp);
        if (verifier == null) return Timed.untimed(Verdict.inconclusive(rcp, windowId, 0, "verifier '" + rcp + "' is not installed"));
        Sampler s = sampler;
        if (s == null) return Timed.untimed(Verdict.inconclusive(rcp, windowId, 0, "no sampler: the window store is not available"));
        Optional<Window> window;
        try {
            window = load.get(s);
        } catch (SamplingException e) {
            return Timed.untimed(Verdict.inconclusive(rcp, windowId, 0, "window could not be loaded: " + e.getMessage()));
        }
        if (window.isEmpty()) return Timed.untimed(Verdict.inconclusive(rcp, windowId, 0, "window not found or not complete"));
        String strategyId = strategyId(rcp);
        ReplayStrategy strategy = strategies.get(strategyId);
        if (strategy == null) {
            LOG.debug("replay strategy '{}' of verifier {} is not installed; full replay", strategyId, rcp);
            strategy = FULL_REPLAY;
        }
        long recordNanos = recordNanos(window.get());
        long start = System.nanoTime();
        try {
            Verdict v = verifier.verify(window.get(), strategy, progress);
            ReplayTiming timing = new ReplayTiming(System.nanoTime() - start, recordNanos);
            return new Timed(v != null ? v : Verdict.inconclusive(rcp, windowId, 0, "verifier returned no verdict"), timing);
        } catch (RuntimeException | LinkageError e) {
            LOG.error("verifier {} failed on window {}", rcp, windowId, e);
            return Timed.untimed(Verdict.inconclusive(rcp, windowId, 0, "verifier failed: " + e));
        }
    }

    /**
     * From the window's start (its log's start time; loaded windows carry no STATE markers) to its END, on the
     * event clock; from its first event for windows of other origins; 0 if unknown.
     */
    static long recordNanos(Window w) {
        List<PcmEvent> ev = w.events();
        if (ev.isEmpty() || ev.getLast().kind() != EventKind.END) return 0;
        long start = w instanceof StoredWindow stored ? stored.startTimestampNanos() : ev.getFirst().timestampNanos();
        return Math.max(0, ev.getLast().timestampNanos() - start);
    }

    /** Used when the configured strategy is not installed: replay from the start, no checkpoints. */
    private static final ReplayStrategy FULL_REPLAY = new ReplayStrategy() {
        public String id() { return "full"; }

        public long[] checkpoints(Window window) { return new long[0]; }
    };

    @Override
    public List<Verdict> verdicts(String windowId) {
        List<Verdict> v = verdicts.get(windowId);
        if (v != null) return List.copyOf(v);
        try {
            return VerdictFile.read(verdictDir, windowId);
        } catch (IOException | RuntimeException e) {
            LOG.warn("verdicts of window {} unreadable: {}", windowId, e.toString());
            return List.of();
        }
    }

    @Override
    public Verdict verify(String windowId, String rcpId, LongConsumer progress) throws VerificationException {
        Sampler s = sampler;
        if (s == null) throw new VerificationException("no sampler: the window store is not available");
        if (s.windows().stream().noneMatch(w -> w.id().equals(windowId))) throw new VerificationException("no window '" + windowId + "'");
        List<String> ids = rcpId == null ? List.of(config.verifiers()) : List.of(rcpId);
        if (rcpId != null && !verifiers.containsKey(rcpId))
            throw new VerificationException("no verifier '" + rcpId + "' (installed: " + verifiers.keySet() + ")");
        WindowLoad load = new WindowLoad(windowId);
        Verdict last = null;
        for (String id : ids) last = verifyAndStore(load, id, progress);
        return last;
    }

    @Override
    public boolean awaitIdle(long timeoutMillis) throws InterruptedException {
        poll();
        long deadline = System.currentTimeMillis() + timeoutMillis;
        synchronized (idle) {
            while (inFlight.get() > 0) {
                long left = deadline - System.currentTimeMillis();
                if (left <= 0) return false;
                idle.wait(left);
            }
        }
        return true;
    }

    @Override
    public List<String> configuredVerifiers() { return List.of(config.verifiers()); }

}
