package pcm.core.internal.sampling;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import org.osgi.framework.Constants;
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

import pcm.core.api.event.EventSink;
import pcm.core.api.event.PcmEvent;
import pcm.core.api.sampling.PositionService;
import pcm.core.api.sampling.RcpCommand;
import pcm.core.api.sampling.Sampler;
import pcm.core.api.sampling.SamplingException;
import pcm.core.api.sampling.SamplingPolicy;
import pcm.core.api.sampling.SamplingState;
import pcm.core.api.sampling.SamplingTransition;
import pcm.core.api.sampling.WindowInfo;
import pcm.core.api.sampling.WindowListener;
import pcm.core.api.sampling.WindowLogs;
import pcm.core.api.tracer.Tracer;
import pcm.core.api.verify.Window;
import pcm.core.internal.log.EventLogSink;
import pcm.core.internal.log.LogCheck;
import pcm.core.internal.vm.SamplingTarget;

/**
 * The kernel's sampler (PID {@code pcm.sampling}): the sampling state machine, windows by hand or
 * by policy, the window store in the event log's directory. Position services, policies and event
 * sinks are whiteboard services that may come and go.
 */
@Component(service = {Sampler.class, WindowLogs.class}, configurationPid = "pcm.sampling", immediate = true)
@Designate(ocd = SamplingConfig.class)
public final class KernelSampler implements Sampler, WindowLogs {

    private static final Logger LOG = LoggerFactory.getLogger(KernelSampler.class);

    private volatile SamplingTarget target;
    private final List<EventSink> sinks = new CopyOnWriteArrayList<>();
    private final List<Recording.Ranked> positionServices = new CopyOnWriteArrayList<>();
    private final List<SamplingPolicy> policies = new CopyOnWriteArrayList<>();
    private final List<WindowListener> windowListeners = new CopyOnWriteArrayList<>();
    /** Tracers (drop-in bundles, come and go while the guest runs): armed at each window's open. */
    private final List<Tracer> tracers = new CopyOnWriteArrayList<>();
    private final SamplingEngine engine;
    private volatile boolean periodic;
    /** The kernel's verification (optional: a sampler records without it); its backlog paces periodic sampling. */
    private volatile pcm.core.api.verify.VerificationService verification;
    private volatile int maxVerificationBacklog;

    @Activate
    public KernelSampler(SamplingConfig config) {
        engine = new SamplingEngine(new SamplingEngine.Env() {
            @Override
            public Optional<SamplingTarget> target() { return Optional.ofNullable(target); }

            @Override
            public List<EventSink> sinks() { return sinks; }

            @Override
            public List<Recording.Ranked> positionServices() { return List.copyOf(positionServices); }

            @Override
            public List<SamplingPolicy> policies() { return List.copyOf(policies); }

            @Override
            public Optional<Path> directory() { return eventLogDirectory(); }

            @Override
            public Recording.Tracers tracers() {
                return new Recording.Tracers() {
                    @Override public List<Tracer> armable() { return List.copyOf(tracers); }

                    @Override public boolean registered(Tracer t) { return tracers.stream().anyMatch(x -> x == t); }
                };
            }

            @Override
            public SamplingEngine.Backlog verificationBacklog() {
                pcm.core.api.verify.VerificationService v = verification;
                int limit = maxVerificationBacklog;
                if (v == null || limit <= 0) return SamplingEngine.Backlog.NONE;
                try {
                    return new SamplingEngine.Backlog(v.backlog(), limit);
                } catch (RuntimeException e) {
                    return SamplingEngine.Backlog.NONE; // a verification going away: sampling goes on
                }
            }

            @Override
            public void windowComplete(String id) {
                for (WindowListener l : windowListeners) {
                    try {
                        l.windowComplete(id);
                    } catch (RuntimeException e) {
                        LOG.warn("window listener {} failed on window {}: {}", l, id, e.toString());
                    }
                }
            }
        }, SamplingEngine.Settings.of(config));
        periodic = config.periodic();
        maxVerificationBacklog = config.maxVerificationBacklog();
        if (periodic) engine.wantPeriodic(null); // starts when the policy is there (a dynamic reference)
    }

    @Override
    public long skippedForVerificationBacklog() { return engine.skippedBehind(); }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void setVerification(pcm.core.api.verify.VerificationService v) { verification = v; }

    void unsetVerification(pcm.core.api.verify.VerificationService v) {
        if (verification == v) verification = null;
    }

    @Modified
    void modified(SamplingConfig config) {
        engine.update(SamplingEngine.Settings.of(config));
        maxVerificationBacklog = config.maxVerificationBacklog();
        if (config.periodic() != periodic) {
            periodic = config.periodic();
            if (periodic) engine.wantPeriodic(null);
            else engine.stopPeriodic();
        }
        LOG.info("sampling configuration changed; timeouts and lengths apply from the next wait");
    }

    @Deactivate
    void deactivate() {
        engine.close();
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void setTarget(SamplingTarget t) { target = t; }

    void unsetTarget(SamplingTarget t) {
        if (target == t) target = null;
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void addTracer(Tracer t) {
        tracers.add(t);
        LOG.info("tracer {} available: armed from the next window", safeId(t));
    }

    void removeTracer(Tracer t) {
        // identity: a tracer's equals is its own business
        tracers.removeIf(x -> x == t);
        LOG.info("tracer {} gone: a window recording now marks its trace failed", safeId(t));
    }

    private static String safeId(Tracer t) {
        try {
            return t.id();
        } catch (RuntimeException e) {
            return t.getClass().getName();
        }
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void addSink(EventSink s) {
        sinks.add(s);
        if (s instanceof EventLogSink log && log.directory() != null) {
            storeAvailable(windowListeners);
            sweepPagesOf(log.directory());
        }
    }

    /**
     * Sweeps the page store of a windows directory when it appears (PCM starts, the directory changes): pages of
     * windows retention deleted while no window was stored since are not kept until the next window. In the
     * background: the first sweep reads every memory map of the directory. Storing windows pin their pages, so it
     * may run alongside.
     */
    private static void sweepPagesOf(java.nio.file.Path dir) {
        Thread t = new Thread(() -> {
            try {
                PageStore.Swept s = new WindowStore(dir).sweepPages();
                if (s.deleted() > 0) LOG.info("page store {}: {} pages kept, {} no window names deleted ({} bytes)",
                        dir.resolve(PageStore.DIR), s.kept(), s.deleted(), s.deletedBytes());
            } catch (java.io.IOException | RuntimeException e) {
                LOG.warn("page store {}: not swept: {}", dir.resolve(PageStore.DIR), e.toString());
            }
        }, "pcm-page-sweep");
        t.setDaemon(true);
        t.start();
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void addWindowListener(WindowListener l) {
        windowListeners.add(l);
        if (eventLogDirectory().isPresent()) storeAvailable(List.of(l));
    }

    void removeWindowListener(WindowListener l) { windowListeners.remove(l); }

    private static void storeAvailable(List<WindowListener> ls) {
        for (WindowListener l : ls) {
            try {
                l.storeAvailable();
            } catch (RuntimeException e) {
                LOG.warn("window listener {} failed: {}", l, e.toString());
            }
        }
    }

    void removeSink(EventSink s) { sinks.remove(s); }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void addPositionService(PositionService s, Map<String, Object> props) {
        Object r = props.get(Constants.SERVICE_RANKING);
        positionServices.add(new Recording.Ranked(s, r instanceof Integer i ? i : 0));
    }

    void removePositionService(PositionService s) {
        positionServices.removeIf(r -> r.service() == s);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void addPolicy(SamplingPolicy p) {
        policies.add(p);
        engine.policiesChanged();
    }

    void removePolicy(SamplingPolicy p) {
        policies.remove(p);
        engine.policiesChanged();
    }

    private Optional<Path> eventLogDirectory() {
        for (EventSink s : sinks) {
            if (s instanceof EventLogSink log && log.directory() != null) return Optional.of(log.directory());
        }
        return Optional.empty();
    }

    // ---- Sampler

    @Override
    public SamplingState state() { return engine.state(); }

    @Override
    public void command(RcpCommand command) throws SamplingException {
        engine.command(Objects.requireNonNull(command, "command"));
    }

    @Override
    public String sampleNow(long instructions, long timeoutMillis) throws SamplingException {
        return engine.sampleNow(instructions, timeoutMillis);
    }

    @Override
    public void startPeriodic(String policyId) throws SamplingException { engine.startPeriodic(policyId); }

    @Override
    public void stopPeriodic() { engine.stopPeriodic(); }

    @Override
    public boolean periodicRunning() { return engine.periodicRunning(); }

    @Override
    public List<WindowInfo> windows() { return engine.windows(); }

    @Override
    public List<WindowInfo.TraceInfo> traces(String window) throws SamplingException {
        WindowStore store = engine.store();
        String id = store.resolve(window);
        try {
            WindowInfo info = store.info(id, null);
            return info == null ? List.of() : info.traces();
        } catch (IOException e) {
            throw new SamplingException("cannot read window " + id + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Optional<Window> window(String id) throws SamplingException { return engine.window(id); }

    @Override
    public Optional<String> currentWindow() { return engine.currentWindow(); }

    @Override
    public List<Path> windowFiles(String id) throws SamplingException {
        WindowStore store = engine.store();
        try {
            return store.filesWithPages(id);
        } catch (java.io.IOException e) {
            throw new SamplingException("cannot list the files of window " + id + " in " + store.directory() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public ImportHold holdForImport(String id, java.util.Collection<Path> pageFiles) throws SamplingException {
        try {
            PageStore.Pin pin = engine.store().holdImport(id, pageFiles);
            return new ImportHold() {
                @Override
                public void checkPage(Path pageFile, Path file) throws SamplingException {
                    try {
                        WindowStore.checkImportedPage(id, pageFile, file);
                    } catch (IllegalArgumentException e) {
                        throw new SamplingException(e.getMessage(), e);
                    }
                }

                @Override
                public void close() { pin.close(); }
            };
        } catch (IllegalArgumentException e) {
            throw new SamplingException(e.getMessage(), e);
        }
    }

    @Override
    public List<SamplingTransition> recentTransitions() { return engine.transitions(); }

    // ---- WindowLogs

    @Override
    public String directory() { return eventLogDirectory().map(Path::toString).orElse(null); }

    @Override
    public List<LogStatus> checkAll() throws SamplingException {
        WindowStore s = engine.store();
        try {
            List<LogStatus> out = new ArrayList<>();
            for (LogCheck.Result r : LogCheck.checkDirectory(s.directory())) {
                out.add(WindowStore.status(WindowStore.idOf(r.file().getFileName().toString()), r));
            }
            return out;
        } catch (IOException e) {
            throw new SamplingException("cannot list " + s.directory() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public LogStatus check(String window) throws SamplingException {
        return engine.store().read(window, e -> { });
    }

    @Override
    public LogStatus read(String window, Consumer<PcmEvent> visitor) throws SamplingException {
        return engine.store().read(window, visitor);
    }

    @Override
    public LogStatus exportJson(String window, Appendable out) throws SamplingException, IOException {
        return engine.store().exportJson(window, out);
    }
}
