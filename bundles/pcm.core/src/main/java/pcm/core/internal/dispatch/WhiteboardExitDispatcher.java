package pcm.core.internal.dispatch;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

import org.osgi.framework.ServiceReference;
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

import pcm.core.api.exit.ExitContext;
import pcm.core.api.exit.ExitDispatcher;
import pcm.core.api.exit.ExitHandler;
import pcm.core.api.exit.ExitResult;
import pcm.core.api.vm.ExitKind;
import pcm.core.api.vm.VmExit;

/**
 * The whiteboard of exit handlers. The hot path reads one volatile array per kind and takes no
 * lock; registration rebuilds the arrays under a lock (copy on write).
 * <p>
 * The kernel's own handlers ({@link DispatchConfig#directBundles}) are called on the vCPU thread.
 * Plug-in handlers are called through {@link SupervisedCalls}: the vCPU waits at most the hard
 * limit, then quarantines the handler and asks the next one. A failing or late handler never stops
 * the guest, and its exit is answered exactly once. Removing a handler waits a bounded time for
 * its calls in flight.
 */
@Component(service = ExitDispatcher.class, configurationPid = WhiteboardExitDispatcher.PID)
@Designate(ocd = DispatchConfig.class)
public final class WhiteboardExitDispatcher implements ExitDispatcher {

    public static final String PID = "pcm.dispatch";
    /** Service properties {@link #addHandler} adds for the handler's bundle. */
    static final String BUNDLE_NAME = "pcm.bundle.symbolicName", BUNDLE_VERSION = "pcm.bundle.version";

    private static final Logger LOG = LoggerFactory.getLogger(WhiteboardExitDispatcher.class);
    private static final int LOUD_WARNINGS_PER_KIND = 10;
    private static final ExitKind[] KINDS = ExitKind.values();
    private static final RankedHandler[] NONE = new RankedHandler[0];

    private final Object registrationLock = new Object();
    private final List<RankedHandler> registered = new ArrayList<>();
    private volatile RankedHandler[][] byKind = emptyTable();
    private final AtomicLong syntheticIds = new AtomicLong(1L << 40);

    private final LongAdder[] dispatched = adders();
    private final LongAdder[] unhandled = adders();
    private final LongAdder[] failures = adders();
    private final LongAdder[] timeouts = adders();
    private final LongAdder[] fallbacks = adders();
    private final LongAdder lateAnswers = new LongAdder();

    private final LongSupplier clock;
    private final DispatchLog log;
    private final SupervisedCalls calls;
    private volatile DispatchSettings settings;
    private ScheduledExecutorService reporter;

    /** Defaults, SLF4J, real time: DS, embedding, benchmarks. */
    public WhiteboardExitDispatcher() {
        this(DispatchSettings.DEFAULTS, System::nanoTime, DispatchLog.of(LOG));
    }

    /** @param clock measures call durations against the budget (the hard limit is always real time) */
    WhiteboardExitDispatcher(DispatchSettings settings, LongSupplier clock, DispatchLog log) {
        this.settings = settings;
        this.clock = clock;
        this.log = log;
        this.calls = new SupervisedCalls(this::lateAnswer, clock);
    }

    @Activate
    void activate(DispatchConfig config) {
        configure(config);
        ScheduledExecutorService r = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread t = new Thread(task, "pcm-exit-reports");
            t.setDaemon(true);
            return t;
        });
        long period = Math.max(TimeUnit.SECONDS.toNanos(1), settings.reportPeriodNanos());
        r.scheduleWithFixedDelay(this::flushReports, period, period, TimeUnit.NANOSECONDS);
        reporter = r;
    }

    @Modified
    void configure(DispatchConfig config) {
        DispatchSettings s;
        try {
            s = DispatchSettings.of(config);
        } catch (IllegalArgumentException e) {
            LOG.error("exit dispatcher configuration ({}) refused: {}; keeping {}", PID, e.getMessage(), settings);
            return;
        }
        synchronized (registrationLock) {
            settings = s;
            // handlers bound before the configuration arrived (DS binds before it activates) take the new split too
            for (RankedHandler h : registered) h.classify(s.directBundles());
        }
    }

    @Deactivate
    void deactivate() {
        if (reporter != null) reporter.shutdownNow();
        flushReports();
        calls.shutdown();
    }

    /** DS: a handler service appeared (greedy: a better-ranked handler takes the next exit). */
    @Reference(service = ExitHandler.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void addHandler(ServiceReference<ExitHandler> ref, ExitHandler handler) {
        Map<String, Object> props = new java.util.HashMap<>();
        for (String key : ref.getPropertyKeys()) props.put(key, ref.getProperty(key));
        if (ref.getBundle() != null) {
            props.put(BUNDLE_NAME, ref.getBundle().getSymbolicName());
            props.put(BUNDLE_VERSION, ref.getBundle().getVersion().toString());
        }
        register(handler, props);
    }

    void removeHandler(ServiceReference<ExitHandler> ref, ExitHandler handler) {
        unregister(handler);
    }

    /**
     * Registers a handler with whiteboard properties ({@code pcm.exit.kinds}, {@code service.ranking},
     * and {@value #BUNDLE_NAME}: a handler of a bundle not in {@link DispatchConfig#directBundles} runs
     * supervised; one without a bundle is the embedder's own and runs directly); usable without a
     * framework (tests, benchmarks). A handler with bad properties is refused with a logged error; the
     * dispatcher goes on.
     */
    public boolean register(ExitHandler handler, Map<String, ?> props) {
        RankedHandler entry;
        try {
            Map<String, Object> withId = new java.util.HashMap<>(props);
            withId.putIfAbsent(org.osgi.framework.Constants.SERVICE_ID, syntheticIds.incrementAndGet());
            Object bsn = withId.get(BUNDLE_NAME);
            entry = new RankedHandler(handler, HandlerProperties.ranking(withId), HandlerProperties.serviceId(withId),
                    HandlerProperties.name(handler, withId), HandlerProperties.label(handler, withId),
                    HandlerProperties.kinds(withId), bsn == null ? null : bsn.toString(), settings.directBundles(), log);
        } catch (IllegalArgumentException e) {
            LOG.error("exit handler {} refused: {}", handler, e.getMessage());
            return false;
        }
        if (entry.kinds.isEmpty()) {
            LOG.warn("exit handler {} registers for no exit kind ({} missing); it will never be called",
                    entry.name, ExitHandler.EXIT_KINDS);
        }
        synchronized (registrationLock) {
            registered.add(entry);
            rebuild();
        }
        LOG.info("exit handler {} takes {} at ranking {}{}", entry.label, entry.kinds, entry.ranking,
                entry.direct ? "" : " (plug-in: supervised)");
        return true;
    }

    /**
     * Removes a handler: new exits go elsewhere at once; returns when its calls in flight have
     * finished, or after the configured unregistration wait, whichever comes first (a call stuck in
     * the handler must not wedge the unregistering thread).
     */
    public void unregister(ExitHandler handler) {
        List<RankedHandler> gone = new ArrayList<>();
        synchronized (registrationLock) {
            registered.removeIf(h -> {
                if (h.handler == handler) gone.add(h);
                return h.handler == handler;
            });
            rebuild();
        }
        long wait = settings.unregisterWaitNanos();
        for (RankedHandler h : gone) {
            boolean drained = h.retireAndDrain(wait);
            h.failures.flush(clock.getAsLong());
            h.slowCalls.flush(clock.getAsLong());
            if (drained) {
                LOG.info("exit handler {} removed", h.label);
            } else {
                log.warn("exit handler " + h.label + " removed with " + h.inFlight() + " call(s) still running in it after "
                        + DispatchSettings.millis(wait) + " ms" + (h.quarantined() ? " (quarantined: " + h.quarantineReason() + ")" : "")
                        + "; its answers will be dropped", null);
            }
        }
    }

    private void rebuild() {
        RankedHandler[][] table = emptyTable();
        for (ExitKind kind : KINDS) {
            table[kind.ordinal()] = registered.stream().filter(h -> h.kinds.contains(kind))
                    .sorted(RankedHandler.ORDER).toArray(RankedHandler[]::new);
        }
        byKind = table;
    }

    @Override
    public Dispatch dispatch(VmExit exit, ExitContext context) {
        int kind = exit.kind().ordinal();
        dispatched[kind].increment();
        String fallbackFrom = null;
        for (RankedHandler h : byKind[kind]) {
            if (h.quarantined()) {
                if (fallbackFrom == null) fallbackFrom = h.label;
                continue;
            }
            if (!h.enter()) continue; // retired between our read of the table and now
            ExitResult result = h.direct ? callDirect(h, exit, context) : callSupervised(h, exit, context);
            if (result == null) { // failed or timed out: reported; the next in rank is asked
                if (fallbackFrom == null) fallbackFrom = h.label;
                continue;
            }
            if (!(result instanceof ExitResult.Pass)) {
                if (fallbackFrom != null) fallbacks[kind].increment();
                return new Dispatch(result, h.name, fallbackFrom);
            }
        }
        if (fallbackFrom != null) {
            fallbacks[kind].increment();
            return new Dispatch(DefaultExitPolicy.defaultFor(exit), DEFAULT, fallbackFrom);
        }
        long n = unhandled[kind].sum();
        unhandled[kind].increment();
        if (n < LOUD_WARNINGS_PER_KIND) {
            LOG.warn("no handler took {} (vCPU {}); default applies{}", exit, context.vcpuId(),
                    n == LOUD_WARNINGS_PER_KIND - 1 ? " (further ones of this kind are logged at debug level)" : "");
        } else {
            LOG.debug("no handler took {} (vCPU {}); default applies", exit, context.vcpuId());
        }
        return new Dispatch(DefaultExitPolicy.defaultFor(exit), DEFAULT);
    }

    /** On the vCPU thread: the kernel's own handlers. Null if it failed. */
    private ExitResult callDirect(RankedHandler h, VmExit exit, ExitContext context) {
        ExitResult result;
        try {
            result = h.handler.handle(exit, context);
        } catch (RuntimeException | LinkageError e) {
            // LinkageError too: a handler whose bundle is being refreshed may lose its classes.
            failed(h, exit, e);
            return null;
        } finally {
            h.exit();
        }
        if (result == null) failed(h, exit, null);
        return result;
    }

    /** A plug-in handler, on a worker, waited for at most the hard limit. Null if it failed or timed out. */
    private ExitResult callSupervised(RankedHandler h, VmExit exit, ExitContext context) {
        DispatchSettings s = settings;
        long start = clock.getAsLong();
        SupervisedCalls.Call call;
        try {
            call = calls.start(h, exit, context);
        } catch (RejectedExecutionException e) { // the dispatcher is shutting down
            h.exit();
            return null;
        }
        SupervisedCalls.Outcome outcome = call.await(s.hardLimitNanos());
        long took = clock.getAsLong() - start;
        switch (outcome) {
            case TIMED_OUT -> {
                timedOut(h, exit, s, call.stuckAt());
                return null;
            }
            case INTERRUPTED -> {
                log.warn("vCPU interrupted while waiting for exit handler " + h.label + " on " + exit
                        + "; the exit goes on without it", null);
                return null;
            }
            case ANSWERED -> { }
        }
        if (took > s.budgetNanos()) overBudget(h, exit, took, s);
        if (call.thrown() != null || call.result() == null) {
            failed(h, exit, call.thrown());
            return null;
        }
        return call.result();
    }

    private void failed(RankedHandler h, VmExit exit, Throwable e) {
        failures[exit.kind().ordinal()].increment();
        String what = e == null ? "returned null" : "threw " + e;
        h.failures.occurred("exit handler " + h.label + " " + what + " on " + exit.kind() + " (" + exit
                + "); the next handler in rank answers, or the default, and the vCPU goes on", e,
                (e == null ? "null result" : e.toString()) + " on " + exit.kind(), clock.getAsLong(), settings.reportPeriodNanos());
    }

    private void overBudget(RankedHandler h, VmExit exit, long took, DispatchSettings s) {
        h.slowCalls.occurred("exit handler " + h.label + " took " + DispatchSettings.millis(took) + " ms on "
                + exit.kind() + " (" + exit + "), over its time budget of " + DispatchSettings.millis(s.budgetNanos()) + " ms",
                null, DispatchSettings.millis(took) + " ms on " + exit.kind(), clock.getAsLong(), s.reportPeriodNanos());
    }

    private void timedOut(RankedHandler h, VmExit exit, DispatchSettings s, Throwable stuckAt) {
        timeouts[exit.kind().ordinal()].increment();
        String why = "no answer to " + exit.kind() + " within the hard limit of " + DispatchSettings.millis(s.hardLimitNanos()) + " ms";
        if (h.quarantine(why)) {
            log.warn("exit handler " + h.label + " gave " + why + " (" + exit + "); QUARANTINED: it gets no more exits "
                    + "until its service is registered again; this exit and the next go to the next handler in rank, "
                    + "or the default, and the guest goes on", stuckAt);
        }
    }

    private void lateAnswer(RankedHandler h, VmExit exit, long tookNanos) {
        // reported before it is counted: whoever sees the count finds the report written
        log.warn("exit handler " + h.label + " answered " + exit.kind() + " after " + DispatchSettings.millis(tookNanos)
                + " ms, too late: the answer is dropped (the exit was answered without it)", null);
        lateAnswers.increment();
    }

    /** Logs the pending summaries of repeated failures and slow calls (periodically, and at removal). */
    void flushReports() {
        long now = clock.getAsLong();
        synchronized (registrationLock) {
            for (RankedHandler h : registered) {
                h.failures.flush(now);
                h.slowCalls.flush(now);
            }
        }
    }

    @Override
    public List<String> handlers(ExitKind kind) {
        return Arrays.stream(byKind[kind.ordinal()]).map(RankedHandler::toString).toList();
    }

    @Override
    public List<String> quarantined() {
        synchronized (registrationLock) {
            return registered.stream().filter(RankedHandler::quarantined).map(h -> h.label + ": " + h.quarantineReason()).toList();
        }
    }

    @Override
    public long lateAnswersDropped() { return lateAnswers.sum(); }

    @Override
    public Map<ExitKind, Long> dispatched() { return snapshot(dispatched); }

    @Override
    public Map<ExitKind, Long> unhandled() { return snapshot(unhandled); }

    @Override
    public Map<ExitKind, Long> failures() { return snapshot(failures); }

    @Override
    public Map<ExitKind, Long> timeouts() { return snapshot(timeouts); }

    @Override
    public Map<ExitKind, Long> fallbacks() { return snapshot(fallbacks); }

    private static Map<ExitKind, Long> snapshot(LongAdder[] adders) {
        Map<ExitKind, Long> m = new EnumMap<>(ExitKind.class);
        for (ExitKind k : KINDS) {
            long v = adders[k.ordinal()].sum();
            if (v != 0) m.put(k, v);
        }
        return m;
    }

    private static LongAdder[] adders() {
        LongAdder[] a = new LongAdder[KINDS.length];
        for (int i = 0; i < a.length; i++) a[i] = new LongAdder();
        return a;
    }

    private static RankedHandler[][] emptyTable() {
        RankedHandler[][] t = new RankedHandler[KINDS.length][];
        Arrays.fill(t, NONE);
        return t;
    }
}
