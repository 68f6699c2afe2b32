package pcm.core.internal.verify;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongConsumer;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
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
import pcm.core.api.sampling.WindowDamagedException;
import pcm.core.api.sampling.WindowInfo;
import pcm.core.api.sampling.WindowListener;
import pcm.core.api.verify.Outcome;
import pcm.core.api.verify.ReplayStrategy;
import pcm.core.api.verify.ReplayTiming;
import pcm.core.api.verify.ReplayVerifier;
import pcm.core.api.verify.VerdictListener;
import pcm.core.api.verify.Verdict;
import pcm.core.api.verify.VerificationService;
import pcm.core.api.verify.Window;
import pcm.core.internal.log.RepeatedFailure;
import pcm.core.internal.sampling.StoredWindow;

/**
 * Verifies every complete window with each configured verifier, in parallel on worker threads. Always on while
 * PCM runs (immediate): the sampler tells it when a window is COMPLETE ({@link WindowListener}); a scan of the
 * store at start, when the store appears, when the configuration changes and when a verifier arrives catches up
 * on every complete window that has no final verdict of a configured verifier (an earlier run, a crash). What a
 * window still needs is decided from the stored verdicts, never from what this run has seen.
 * <p>
 * Verifiers, strategies and listeners are whiteboard services that come and go while the guest runs. A window
 * whose verifier is not installed waits for it up to {@code verifierGraceMillis}; then it gets an INCONCLUSIVE
 * verdict saying so that is not final (stored as {@code retry}): it is verified when the verifier appears. A
 * verifier that throws gives a final INCONCLUSIVE with the reason. Verdicts are appended to
 * {@code <data>/verdicts/<window>.verdicts}; one that cannot be written is kept in memory, retried with the next,
 * and reported at the latest when the component stops.
 */
@Component(service = VerificationService.class, configurationPid = "pcm.verification", immediate = true)
@Designate(ocd = VerificationConfig.class)
public final class WindowVerifications implements VerificationService {

    private static final Logger LOG = LoggerFactory.getLogger(WindowVerifications.class);
    private static final String COMPLETE = "COMPLETE";

    private final Map<String, ReplayVerifier> verifiers = new ConcurrentHashMap<>();
    private final Map<String, ReplayStrategy> strategies = new ConcurrentHashMap<>();
    private final List<VerdictListener> listeners = new CopyOnWriteArrayList<>();
    /** Verdicts by window as stored (read from the file once, then appended to). */
    private final Map<String, List<VerdictFile.Entry>> stored = new ConcurrentHashMap<>();

    /** Guards pending, parked and loads; notified when pending shrinks. */
    private final Object lock = new Object();
    /** Window and verifier pairs queued, running or waiting for their verifier. */
    private final Set<Job> pending = new HashSet<>();
    /** Pairs waiting for a verifier that is not installed, by verifier. */
    private final Map<String, Set<String>> parked = new HashMap<>();
    /** Windows loaded once for all their verifiers, while any of them is pending. */
    private final Map<String, WindowLoad> loads = new HashMap<>();

    /** Verdicts that could not be written (full disk), oldest first; retried with each verdict. */
    private final List<VerdictFile.Entry> unsaved = new ArrayList<>();
    private final RepeatedFailure writeFailures = new RepeatedFailure(LOG, "cannot store verdicts");

    private volatile Sampler sampler;
    private volatile VerificationConfig config;
    private volatile Map<String, String> strategyByRcp;
    private final Path verdictDir;
    private volatile ExecutorService workers;
    private final ScheduledExecutorService scanner;
    private final AtomicBoolean scanQueued = new AtomicBoolean();
    private final AtomicInteger workerNames = new AtomicInteger();
    private ServiceRegistration<WindowListener> windowListener;
    private volatile boolean stopped;

    private record Job(String windowId, String rcp) {}

    /** When the component started, and when each verifier went away: the grace for a missing verifier runs from there. */
    private final long started = System.nanoTime();
    private final Map<String, Long> missingSince = new ConcurrentHashMap<>();

    @Activate
    public WindowVerifications(BundleContext context, VerificationConfig config) {
        this(Path.of(context.getProperty("pcm.data") == null ? "pcm-data" : context.getProperty("pcm.data"), "verdicts"), config);
        // registered by hand, not as this component's service: the sampler references listeners and this component
        // references the sampler, a cycle DS would only untangle with an error in the log
        windowListener = context.registerService(WindowListener.class, new WindowListener() {
            @Override
            public void windowComplete(String windowId) { WindowVerifications.this.windowComplete(windowId); }

            @Override
            public void storeAvailable() { scanSoon(); }
        }, null);
    }

    WindowVerifications(Path verdictDir, VerificationConfig config) {
        this.config = config;
        this.strategyByRcp = strategyByRcp(config.strategies());
        this.verdictDir = verdictDir;
        this.workers = newWorkers(config.workers());
        this.scanner = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().name("pcm-verify-scan").daemon().unstarted(r));
        scanSoon();
    }

    private ExecutorService newWorkers(int n) {
        return Executors.newFixedThreadPool(Math.max(1, n),
                r -> Thread.ofPlatform().name("pcm-verify-" + workerNames.incrementAndGet()).daemon().unstarted(r));
    }

    /** A new configuration applies at once, without dropping work: the store is scanned for what it now lacks. */
    @Modified
    void modified(VerificationConfig c) {
        VerificationConfig old = config;
        strategyByRcp = strategyByRcp(c.strategies());
        config = c;
        if (c.workers() != old.workers()) {
            ExecutorService previous = workers;
            workers = newWorkers(c.workers());
            previous.shutdown(); // what it has queued still runs
        }
        LOG.info("verification configuration changed: verifiers {}", List.of(c.verifiers()));
        scanSoon();
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
        stopped = true;
        if (windowListener != null) {
            try {
                windowListener.unregister();
            } catch (IllegalStateException e) {
                // the framework is stopping: gone already
            }
        }
        scanner.shutdownNow();
        ExecutorService w = workers;
        w.shutdownNow();
        try {
            // a verifier that ignores interruption may still finish: its verdict must be stored before a restart
            // could verify the window again
            if (!w.awaitTermination(10, TimeUnit.SECONDS)) LOG.warn("verification workers still busy at stop");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (unsaved) {
            flushUnsaved();
            for (VerdictFile.Entry e : unsaved) {
                Verdict v = e.verdict();
                LOG.error("verdict not stored (the window is verified again at the next start): window {} {} rcp={} {}",
                        v.windowId(), v.outcome(), v.rcp(), v.detail());
            }
        }
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void setSampler(Sampler s) {
        sampler = s;
        scanSoon();
    }

    void unsetSampler(Sampler s) {
        if (sampler == s) sampler = null;
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void addVerifier(ReplayVerifier v) {
        verifiers.put(v.id(), v);
        LOG.info("replay verifier '{}' available", v.id());
        Set<String> waiting;
        synchronized (lock) {
            waiting = parked.remove(v.id());
        }
        if (waiting != null) for (String w : waiting) submit(new Job(w, v.id()));
        scanSoon(); // windows with a verdict of 'not installed' from before
    }

    void removeVerifier(ReplayVerifier v) {
        if (verifiers.remove(v.id(), v)) missingSince.put(v.id(), System.nanoTime());
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void addStrategy(ReplayStrategy s) { strategies.put(s.id(), s); }

    void removeStrategy(ReplayStrategy s) { strategies.remove(s.id(), s); }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void addListener(VerdictListener l) { listeners.add(l); }

    void removeListener(VerdictListener l) { listeners.remove(l); }

    // ---------------------------------------------------------------- what needs verifying

    /** The sampler stored a window COMPLETE. */
    void windowComplete(String windowId) {
        if (stopped || !config.auto()) return;
        for (String rcp : config.verifiers()) need(windowId, rcp);
    }

    /** Scans the store on the scanner thread (at most one queued at a time). */
    void scanSoon() {
        if (stopped || !scanQueued.compareAndSet(false, true)) return;
        try {
            scanner.execute(() -> {
                scanQueued.set(false);
                scan();
            });
        } catch (RejectedExecutionException e) {
            scanQueued.set(false); // stopping
        }
    }

    /** Every complete window in the store without a final verdict of a configured verifier gets one. */
    void scan() {
        Sampler s = sampler;
        if (s == null || stopped || !config.auto()) return;
        try {
            // Only windows known before the listing can have been deleted by retention: a window that completed while
            // this scan ran is not in its listing, and dropping its cached verdicts let a verifier's first verdict
            // re-read the file before the other's was flushed, so one verdict vanished from memory (pcm:run then
            // reported the window without it; WindowVerificationsTest caught it under load).
            Set<String> known = new HashSet<>(stored.keySet());
            List<WindowInfo> windows = s.windows();
            Set<String> ids = new HashSet<>();
            for (WindowInfo w : windows) {
                ids.add(w.id());
                if (COMPLETE.equals(w.state())) windowComplete(w.id());
            }
            known.removeAll(ids);
            stored.keySet().removeAll(known); // windows retention deleted: their verdicts stay on disk
        } catch (RuntimeException e) {
            LOG.warn("scanning the window store failed; retried at the next window or change: {}", e.toString());
        }
    }

    /** Queues (window, rcp) unless it has a final verdict or is pending already. */
    private void need(String windowId, String rcp) {
        Job job = new Job(windowId, rcp);
        boolean run;
        synchronized (lock) {
            if (pending.contains(job)) return;
            List<VerdictFile.Entry> have = entries(windowId);
            if (have.stream().anyMatch(e -> e.isFinal() && e.verdict().rcp().equals(rcp))) return;
            run = verifiers.containsKey(rcp);
            // told already that the verifier is missing: verified when it appears (addVerifier scans)
            if (!run && have.stream().anyMatch(e -> e.verdict().rcp().equals(rcp))) return;
            pending.add(job);
            if (!run) {
                parked.computeIfAbsent(rcp, k -> new LinkedHashSet<>()).add(windowId);
                // the grace runs from this start or the verifier's going, not per window: a verifier missing for
                // good costs one grace, not one per window
                long since = missingSince.getOrDefault(rcp, started);
                long wait = Math.max(0, Math.max(0, config.verifierGraceMillis()) - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - since));
                LOG.debug("window {} waits up to {} ms for verifier '{}'", windowId, wait, rcp);
                try {
                    scanner.schedule(() -> graceOver(job), wait, TimeUnit.MILLISECONDS);
                } catch (RejectedExecutionException e) {
                    // stopping
                }
            }
        }
        if (run) submit(job);
    }

    /** The grace for a missing verifier is over: the window gets a verdict saying so (not final). */
    private void graceOver(Job job) {
        synchronized (lock) {
            Set<String> waiting = parked.get(job.rcp());
            if (waiting == null || !waiting.remove(job.windowId())) return; // the verifier came
            if (waiting.isEmpty()) parked.remove(job.rcp());
        }
        submit(job);
    }

    private void submit(Job job) {
        WindowLoad load;
        synchronized (lock) {
            load = loads.computeIfAbsent(job.windowId(), WindowLoad::new);
        }
        try {
            workers.execute(() -> run(job, load));
        } catch (RejectedExecutionException e) {
            done(job); // stopping
        }
    }

    private void run(Job job, WindowLoad load) {
        try {
            if (!stopped && List.of(config.verifiers()).contains(job.rcp())) verifyAndStore(load, job.rcp(), position -> { });
        } finally {
            done(job);
        }
    }

    private void done(Job job) {
        synchronized (lock) {
            pending.remove(job);
            if (pending.stream().noneMatch(j -> j.windowId().equals(job.windowId()))) loads.remove(job.windowId());
            lock.notifyAll();
        }
    }

    // ---------------------------------------------------------------- verifying and storing

    /** Verifies and stores; null (no verdict) for a window that vanished meanwhile (retention). */
    private Verdict verifyAndStore(WindowLoad load, String rcp, LongConsumer progress) {
        String windowId = load.windowId;
        Timed t = replay(load, rcp, progress);
        if (t == null) {
            LOG.debug("window {} is gone; not verified", windowId);
            return null;
        }
        Verdict v = t.verdict();
        store(new VerdictFile.Entry(v, t.isFinal()));
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

    private void store(VerdictFile.Entry e) {
        entries(e.verdict().windowId()); // loads what is on disk first, so it is not shadowed
        stored.computeIfAbsent(e.verdict().windowId(), k -> new CopyOnWriteArrayList<>()).add(e);
        synchronized (unsaved) {
            unsaved.add(e);
            flushUnsaved();
        }
    }

    /** Writes the verdicts not written yet, oldest first; stops at the first failure. Holds the unsaved lock. */
    private void flushUnsaved() {
        while (!unsaved.isEmpty()) {
            VerdictFile.Entry e = unsaved.getFirst();
            try {
                VerdictFile.append(verdictDir, e.verdict(), e.isFinal());
            } catch (IOException | RuntimeException ex) {
                writeFailures.failed("verdict of window " + e.verdict().windowId() + " (" + e.verdict().rcp() + ") in "
                        + verdictDir + ": " + ex + "; kept in memory (" + unsaved.size() + " unsaved), retried with the next", ex);
                return;
            }
            unsaved.removeFirst();
            writeFailures.succeeded();
        }
    }

    /** Verdicts not written to disk yet (tests, shell). */
    int unsavedVerdicts() {
        synchronized (unsaved) {
            return unsaved.size();
        }
    }

    private List<VerdictFile.Entry> entries(String windowId) {
        List<VerdictFile.Entry> l = stored.get(windowId);
        if (l != null) return l;
        try {
            List<VerdictFile.Entry> fromFile = new CopyOnWriteArrayList<>(VerdictFile.entries(verdictDir, windowId));
            List<VerdictFile.Entry> raced = stored.putIfAbsent(windowId, fromFile);
            return raced != null ? raced : fromFile;
        } catch (IOException | RuntimeException e) {
            LOG.warn("verdicts of window {} unreadable: {}", windowId, e.toString());
            return List.of();
        }
    }

    /** A verdict and what it cost (zero times where no replay ran). */
    private record Timed(Verdict verdict, ReplayTiming timing, boolean isFinal) {
        static Timed untimed(Verdict v) {
            return new Timed(v, new ReplayTiming(0, 0), true);
        }

        /** A verdict that says the window could not be verified yet: it is verified again later. */
        static Timed retry(Verdict v) {
            return new Timed(v, new ReplayTiming(0, 0), false);
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
        if (verifier == null) {
            return Timed.retry(Verdict.inconclusive(rcp, windowId, 0, "verifier '" + rcp + "' is not installed (waited "
                    + config.verifierGraceMillis() + " ms; verified when it appears)"));
        }
        Sampler s = sampler;
        if (s == null) return Timed.retry(Verdict.inconclusive(rcp, windowId, 0, "no sampler: the window store is not available"));
        Optional<Window> window;
        try {
            window = load.get(s);
        } catch (WindowDamagedException e) {
            return Timed.untimed(Verdict.inconclusive(rcp, windowId, 0, "window could not be loaded: " + e.getMessage()));
        } catch (SamplingException e) {
            return Timed.retry(Verdict.inconclusive(rcp, windowId, 0, "window could not be loaded: " + e.getMessage()));
        }
        if (window.isEmpty()) return null;
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
            return new Timed(v != null ? v : Verdict.inconclusive(rcp, windowId, 0, "verifier returned no verdict"), timing, true);
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
        return entries(windowId).stream().map(VerdictFile.Entry::verdict).toList();
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
        for (String id : ids) {
            Verdict v = verifyAndStore(load, id, progress);
            if (v == null) throw new VerificationException("window '" + windowId + "' is gone");
            last = v;
        }
        return last;
    }

    /**
     * Scans the store here (so no window closed before this call can be missed) and waits until every pair of
     * complete window and configured verifier has a verdict: final, or 'not installed' after the grace.
     */
    @Override
    public boolean awaitIdle(long timeoutMillis) throws InterruptedException {
        scan();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        synchronized (lock) {
            while (!pending.isEmpty()) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) return false;
                lock.wait(left);
            }
        }
        return true;
    }

    @Override
    public List<String> configuredVerifiers() { return List.of(config.verifiers()); }

    @Override
    public int backlog() {
        synchronized (lock) {
            return (int) pending.stream().map(Job::windowId).distinct().count();
        }
    }

    /** Pairs of window and verifier queued, running or waiting for their verifier (tests). */
    int pendingCount() {
        synchronized (lock) {
            return pending.size();
        }
    }
}
