package pcm.core.internal.sampling;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import pcm.core.api.event.EventKind;
import pcm.core.api.event.EventSink;
import pcm.core.api.event.PcmEvent;
import pcm.core.api.memory.GuestMemoryProvider;
import pcm.core.api.sampling.RcpCommand;
import pcm.core.api.sampling.SamplingException;
import pcm.core.api.sampling.SamplingPolicy;
import pcm.core.api.sampling.SamplingState;
import pcm.core.api.sampling.SamplingTransition;
import pcm.core.api.sampling.WindowInfo;
import pcm.core.api.verify.Window;
import pcm.core.internal.log.LogFormat;
import pcm.core.internal.log.RepeatedFailure;
import pcm.core.internal.vm.SamplingTarget;
import pcm.core.api.vm.VmException;

/**
 * The sampling state machine and the window store, without OSGi (KernelSampler wires it):
 * {@code IDLE -(MTA0_MNTR_ENTRY)-> ENTRY -(MTA0_CHK_STRT)-> SAMPLING -(MTA0_CHK_END)-> REPLAY
 * -(MTA0_MNTR_EXT)-> IDLE}. Every wait has a timeout; every transition is logged (SLF4J), kept for
 * the shell and emitted as a STATE event to the event sinks.
 */
final class SamplingEngine implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SamplingEngine.class);
    private static final int HISTORY = 32;

    /** What the engine needs of its surroundings (services come and go). */
    interface Env {
        Optional<SamplingTarget> target();

        List<EventSink> sinks();

        List<Recording.Ranked> positionServices();

        List<SamplingPolicy> policies();

        /** The event log's directory, empty if the event log is not active. */
        Optional<Path> directory();

        /** The tracers to arm for a window (those registered now), and whether one is still registered. */
        default Recording.Tracers tracers() { return Recording.Tracers.NONE; }

        /** The window is stored COMPLETE (called under the engine's lock: must not block). */
        default void windowComplete(String id) { }

        /** Windows waiting for their verdicts, and the limit at which periodic sampling pauses (0: none). */
        default Backlog verificationBacklog() { return Backlog.NONE; }
    }

    /** Verification behind recording: {@code windows} waiting for verdicts, periodic windows skipped from {@code limit}. */
    record Backlog(int windows, int limit) {
        static final Backlog NONE = new Backlog(0, 0);

        boolean full() { return limit > 0 && windows >= limit; }
    }

    record Settings(long entryTimeoutMillis, long windowTimeoutMillis, long replayTimeoutMillis, long boundaryTimeoutMillis,
                    long commitTimeoutMillis, long defaultWindowInstructions, String defaultPolicy, long checkpointInterval,
                    boolean fingerprints) {

        /** Register checkpoints every {@code checkpointInterval} instructions, no fingerprints. */
        Settings(long entryTimeoutMillis, long windowTimeoutMillis, long replayTimeoutMillis, long boundaryTimeoutMillis,
                 long commitTimeoutMillis, long defaultWindowInstructions, String defaultPolicy, long checkpointInterval) {
            this(entryTimeoutMillis, windowTimeoutMillis, replayTimeoutMillis, boundaryTimeoutMillis, commitTimeoutMillis,
                    defaultWindowInstructions, defaultPolicy, checkpointInterval, false);
        }

        /** Without register checkpoints. */
        Settings(long entryTimeoutMillis, long windowTimeoutMillis, long replayTimeoutMillis, long boundaryTimeoutMillis,
                 long commitTimeoutMillis, long defaultWindowInstructions, String defaultPolicy) {
            this(entryTimeoutMillis, windowTimeoutMillis, replayTimeoutMillis, boundaryTimeoutMillis, commitTimeoutMillis,
                    defaultWindowInstructions, defaultPolicy, 0);
        }

        static Settings of(SamplingConfig c) {
            return new Settings(Math.max(1, c.entryTimeoutMillis()), Math.max(1, c.windowTimeoutMillis()),
                    Math.max(1, c.replayTimeoutMillis()), Math.max(1, c.boundaryTimeoutMillis()),
                    Math.max(1, c.commitTimeoutMillis()), Math.max(1, c.defaultWindowInstructions()), c.defaultPolicy(),
                    Math.max(0, c.checkpointInterval()), c.registerFingerprints());
        }
    }

    private final Env env;
    private final EventFanout events;
    private volatile Settings settings;
    private final ScheduledExecutorService exec = Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().daemon().name("pcm-sampling").unstarted(r));

    private final Object lock = new Object();
    private volatile SamplingState state = SamplingState.IDLE;
    private final ArrayDeque<SamplingTransition> history = new ArrayDeque<>();
    /** ENTRY: the window being prepared. */
    private String pendingId;
    private long pendingLength;
    /** SAMPLING: the window being recorded; REPLAY: the window waiting for replay. */
    private volatile String windowId;
    private Recording current;
    private CompletableFuture<String> stored;
    private ScheduledFuture<?> timeout;
    private long lastId;

    private final PeriodicSampling periodic;
    /** A full disk fails every window: one line per episode, the rest counted. */
    private final RepeatedFailure windowFailures = new RepeatedFailure(LOG, "sampling: windows fail");

    SamplingEngine(Env env, Settings settings) {
        this.env = env;
        this.settings = settings;
        this.events = new EventFanout(env::sinks);
        this.periodic = new PeriodicSampling(this, env);
    }

    void update(Settings s) { this.settings = s; }

    SamplingState state() { return state; }

    Optional<String> currentWindow() { return Optional.ofNullable(windowId); }

    List<SamplingTransition> transitions() {
        synchronized (history) {
            return List.copyOf(history);
        }
    }

    // ---------------------------------------------------------------- commands

    void command(RcpCommand command) throws SamplingException {
        synchronized (lock) {
            switch (command) {
                case MTA0_MNTR_ENTRY -> entry(settings.defaultWindowInstructions());
                case MTA0_CHK_STRT -> start();
                case MTA0_CHK_END -> end(RcpCommand.MTA0_CHK_END.name());
                case MTA0_MNTR_EXT -> exit();
            }
        }
    }

    private void entry(long length) throws SamplingException {
        SamplingState next = Transitions.next(state, RcpCommand.MTA0_MNTR_ENTRY);
        SamplingTarget target = env.target().orElseThrow(() -> new SamplingException("cannot enter monitoring: no VM service"));
        String backend = target.runningBackend().orElseThrow(() -> new SamplingException("cannot enter monitoring: no guest runs"));
        if (env.directory().isEmpty()) {
            throw new SamplingException("cannot enter monitoring: the event log (pcm.eventlog) is not active, windows could not be stored");
        }
        if (target.memoryProvider().isEmpty()) {
            throw new SamplingException("cannot enter monitoring: no guest memory provider for snapshots");
        }
        pendingId = newId();
        pendingLength = length;
        transition(next, RcpCommand.MTA0_MNTR_ENTRY.name(), "window " + pendingId + " of " + length + " instructions on " + backend);
        arm(settings.entryTimeoutMillis(), SamplingState.ENTRY, () -> {
            pendingId = null;
            transition(SamplingState.IDLE, "timeout", "no " + RcpCommand.MTA0_CHK_STRT + " within "
                    + settings.entryTimeoutMillis() + " ms");
        });
    }

    private void start() throws SamplingException {
        SamplingState next = Transitions.next(state, RcpCommand.MTA0_CHK_STRT);
        cancelTimeout();
        String id = pendingId;
        pendingId = null;
        SamplingTarget target = env.target().orElse(null);
        Optional<String> backend = target == null ? Optional.empty() : target.runningBackend();
        Optional<GuestMemoryProvider> mp = target == null ? Optional.empty() : target.memoryProvider();
        if (backend.isEmpty() || mp.isEmpty()) {
            String why = target == null || backend.isEmpty() ? "no guest runs" : "no guest memory provider";
            transition(SamplingState.IDLE, "window failed", "window " + id + ": " + why);
            throw new SamplingException("window " + id + " could not open: " + why);
        }
        Recording rec = new Recording(id, pendingLength, backend.get(), env.positionServices(), mp.get(), events,
                settings.checkpointInterval(), settings.fingerprints(), env.tracers());
        try {
            target.openWindow(0, rec, settings.boundaryTimeoutMillis());
        } catch (VmException e) {
            Throwable cause = e.getCause() instanceof SamplingException s ? s : e;
            boolean stopping = e.getCause() instanceof InterruptedException;
            transition(SamplingState.IDLE, stopping ? "sampler stopped" : "window failed", "window " + id + ": "
                    + (stopping ? "not opened" : cause.getMessage()));
            throw new SamplingException("window " + id + " could not open: " + cause.getMessage(), e);
        }
        current = rec;
        windowId = id;
        stored = new CompletableFuture<>();
        transition(next, RcpCommand.MTA0_CHK_STRT.name(), "window " + id + " records " + rec.length + " instructions");
        arm(settings.windowTimeoutMillis(), SamplingState.SAMPLING, () -> {
            try {
                end("timeout");
            } catch (SamplingException e) {
                LOG.warn("closing window {} at its timeout failed: {}", id, e.getMessage());
            }
        });
        rec.done.whenCompleteAsync((r, t) -> {
            synchronized (lock) {
                closed(rec, "length reached");
            }
        }, exec);
    }

    /** SAMPLING: closes the window where the guest is (MTA0_CHK_END or timeout). */
    private void end(String cause) throws SamplingException {
        Transitions.next(state, RcpCommand.MTA0_CHK_END);
        Recording rec = current;
        SamplingTarget target = env.target().orElse(null);
        if (!rec.done.isDone() && target != null) {
            try {
                target.closeWindow(0, cause, settings.boundaryTimeoutMillis());
            } catch (VmException e) {
                // the VM stopped: its loop gave the window up (done completes exceptionally)
                LOG.debug("closing window {}: {}", rec.id, e.getMessage());
            }
        }
        if (!rec.done.isDone()) {
            rec.abort("the vCPU did not close the window: " + cause);
        }
        closed(rec, cause);
    }

    /** The window's recording is over (vCPU side); stores it and moves on to REPLAY (or IDLE if it failed). */
    private void closed(Recording rec, String cause) {
        if (current != rec) return;
        current = null;
        cancelTimeout();
        CompletableFuture<String> result = stored;
        Recording.Result r;
        try {
            r = rec.done.getNow(null);
        } catch (RuntimeException e) {
            String why = e.getCause() == null ? e.getMessage() : e.getCause().getMessage();
            windowId = null;
            transition(SamplingState.IDLE, "window failed", why);
            result.completeExceptionally(new SamplingException(why, e.getCause()));
            return;
        }
        try {
            store(rec, r);
        } catch (IOException | SamplingException | RuntimeException e) {
            windowId = null;
            String why = "window " + rec.id + " could not be stored: " + e;
            LOG.debug(why, e);
            transition(SamplingState.IDLE, "window failed", why);
            result.completeExceptionally(new SamplingException(why, e));
            return;
        }
        transition(SamplingState.REPLAY, r.reason().equals(RcpCommand.MTA0_CHK_END.name()) ? r.reason() : cause,
                "window " + rec.id + " closed at " + r.instructions() + " instructions (" + r.reason() + ")");
        arm(settings.replayTimeoutMillis(), SamplingState.REPLAY, () -> {
            windowId = null;
            transition(SamplingState.IDLE, "timeout", "no " + RcpCommand.MTA0_MNTR_EXT + " within "
                    + settings.replayTimeoutMillis() + " ms");
        });
        windowFailures.succeeded();
        try {
            env.windowComplete(rec.id); // after the transition: a listing now shows it COMPLETE, not RECORDING
        } catch (RuntimeException e) {
            LOG.warn("telling that window {} is complete failed: {}", rec.id, e.toString());
        }
        result.complete(rec.id);
    }

    private void exit() throws SamplingException {
        SamplingState next = Transitions.next(state, RcpCommand.MTA0_MNTR_EXT);
        cancelTimeout();
        String id = windowId;
        windowId = null;
        transition(next, RcpCommand.MTA0_MNTR_EXT.name(), "window " + id + " handed over to replay");
    }

    // ---------------------------------------------------------------- one window now

    String sampleNow(long instructions, long timeoutMillis) throws SamplingException {
        long length = instructions > 0 ? instructions : settings.defaultWindowInstructions();
        long wait = timeoutMillis > 0 ? timeoutMillis : settings.windowTimeoutMillis();
        CompletableFuture<String> f;
        Recording rec;
        synchronized (lock) {
            if (state != SamplingState.IDLE) {
                throw new SamplingException("cannot sample now: the sampler is in " + state + (windowId == null ? "" : " (window "
                        + windowId + ")") + ", not IDLE");
            }
            entry(length);
            start();
            f = stored;
            rec = current;
        }
        String id;
        try {
            try {
                id = f.get(wait, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                synchronized (lock) {
                    if (state == SamplingState.SAMPLING && current == rec) end("timeout");
                }
                id = f.get(settings.commitTimeoutMillis() + settings.boundaryTimeoutMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (ExecutionException e) {
            throw e.getCause() instanceof SamplingException s ? s : new SamplingException(String.valueOf(e.getCause()), e.getCause());
        } catch (TimeoutException e) {
            throw new SamplingException("window " + rec.id + " did not close in time", e);
        } catch (InterruptedException e) {
            // Stopping the scheduler interrupts it here: close the window where the guest is and hand it over,
            // so the sampler is IDLE again at once (not after the replay timeout) and the window is kept.
            synchronized (lock) {
                if (state == SamplingState.SAMPLING && current == rec) end("sampler stopped");
                if (state == SamplingState.REPLAY && rec.id.equals(windowId)) exit();
            }
            Thread.currentThread().interrupt();
            throw new SamplingException("interrupted while window " + rec.id + " recorded; closed it where the guest was", e);
        }
        synchronized (lock) {
            if (state == SamplingState.REPLAY && id.equals(windowId)) exit();
        }
        return id;
    }

    // ---------------------------------------------------------------- storing

    private void store(Recording rec, Recording.Result r) throws IOException, SamplingException {
        Path dir = env.directory().orElseThrow(() -> new SamplingException("the event log (pcm.eventlog) is gone"));
        Path log = awaitCommit(dir, rec.id);
        String name = log.getFileName().toString();
        String prefix = name.substring(0, name.length() - LogFormat.SUFFIX.length());
        SnapshotFiles.Stored stored;
        long storing = System.nanoTime();
        try {
            stored = SnapshotFiles.writeWindow(log, rec.id, rec.backend, r.initialCpu(), r.finalCpu(), r.regions(),
                    r.initialMemory(), r.finalMemory(), PageStore.of(dir), r.traces());
        } catch (IOException | RuntimeException e) {
            // what could not be written is useless (a .part nobody reads); the committed log stays for diagnosis
            for (String suffix : List.of(SnapshotFiles.CPU_SUFFIX, SnapshotFiles.MEM_INITIAL_SUFFIX, SnapshotFiles.MEM_FINAL_SUFFIX)) {
                try {
                    java.nio.file.Files.deleteIfExists(dir.resolve(prefix + suffix + ".part"));
                } catch (IOException ignored) {
                    // the next start's retention sweeps it
                }
            }
            TraceFiles.deleteQuietly(dir, prefix, r.traces());
            throw e;
        }
        try {
            new WindowStore(dir).deleteOrphans(rec.id);
        } catch (IOException e) {
            LOG.debug("snapshot retention in {}: {}", dir, e.toString());
        }
        LOG.info("window {} stored in {} ({} instructions, positions from {}; memory: {} initial and {} changed pages,"
                        + " {} new in the page store ({} bytes), page maps {} bytes; snapshots stored in {} ms: scan {}, pages {},"
                        + " maps and CPU file {}){}", rec.id, dir,
                r.instructions(), r.positionService(), stored.initialPages(), stored.finalPages(), stored.newPages(),
                stored.newPageBytes(), stored.mapBytes(), (System.nanoTime() - storing) / 1_000_000, stored.scanMillis(),
                stored.pagesMillis(), stored.filesMillis(), r.traces().isEmpty() ? "" : "; traces: " + r.traces().stream()
                        .map(pcm.core.api.tracer.Trace::summary).collect(java.util.stream.Collectors.joining(", ")));
        for (pcm.core.api.tracer.Trace t : r.traces()) {
            if (t.status() == pcm.core.api.tracer.Trace.Status.FAILED) LOG.warn("window {}: tracer {} failed: {}", rec.id, t.tracerId(), t.reason());
            else if (t.overflowed()) LOG.info("window {}: tracer {} overflowed: first {} records kept, {} dropped", rec.id,
                    t.tracerId(), t.records(), t.dropped());
        }
    }

    /** Waits until the event log committed the window's file; fails if it gave the window up. */
    private Path awaitCommit(Path dir, String id) throws IOException, SamplingException {
        WindowStore store = new WindowStore(dir);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(settings.commitTimeoutMillis());
        while (true) {
            Optional<Path> log = store.log(id);
            if (log.isPresent()) {
                String n = log.get().getFileName().toString();
                if (n.endsWith(LogFormat.SUFFIX)) return log.get();
                if (n.endsWith(LogFormat.FAILED)) {
                    throw new SamplingException("the event log gave window " + id + " up (" + n + ")");
                }
            }
            if (System.nanoTime() > deadline) {
                throw new SamplingException("the event log did not commit window " + id + " within "
                        + settings.commitTimeoutMillis() + " ms" + (log.isPresent() ? " (" + log.get().getFileName() + ")" : ""));
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SamplingException("interrupted while waiting for the event log");
            }
        }
    }

    // ---------------------------------------------------------------- store access

    WindowStore store() throws SamplingException {
        return new WindowStore(env.directory().orElseThrow(
                () -> new SamplingException("the event log (pcm.eventlog) is not active: no window store")));
    }

    /**
     * COMPLETE windows never change again (retention only deletes them), so their info — which costs
     * a full read of the event log — is computed once; the verification service polls this list.
     */
    private final java.util.concurrent.ConcurrentHashMap<String, WindowInfo> completeInfo = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile Path completeInfoDir;

    List<WindowInfo> windows() {
        Optional<Path> dir = env.directory();
        if (dir.isEmpty()) return List.of();
        if (!dir.get().equals(completeInfoDir)) {
            completeInfo.clear();
            completeInfoDir = dir.get();
        }
        WindowStore s = new WindowStore(dir.get());
        List<WindowInfo> out = new ArrayList<>();
        try {
            String recording = state == SamplingState.SAMPLING ? windowId : null;
            List<String> ids = s.ids();
            completeInfo.keySet().retainAll(new java.util.HashSet<>(ids));
            for (String id : ids) {
                WindowInfo info = completeInfo.get(id);
                if (info == null) {
                    info = s.info(id, recording);
                    if (info == null) continue; // deleted while listed
                    if ("COMPLETE".equals(info.state())) completeInfo.put(id, info);
                }
                out.add(info);
            }
        } catch (IOException e) {
            LOG.warn("cannot list windows in {}: {}", dir.get(), e.toString());
        }
        return out;
    }

    Optional<Window> window(String id) throws SamplingException {
        return store().load(id);
    }

    // ---------------------------------------------------------------- periodic sampling

    void startPeriodic(String policyId) throws SamplingException { periodic.start(policyId); }

    void wantPeriodic(String policyId) { periodic.want(policyId); }

    void policiesChanged() { periodic.policiesChanged(); }

    void stopPeriodic() { periodic.stop(); }

    boolean periodicRunning() { return periodic.running(); }

    long skippedBehind() { return periodic.skippedBehind(); }

    Settings settings() { return settings; }

    /** Windows that failed so far (recording or storing). */
    long failedWindows() { return windowFailures.total(); }

    // ---------------------------------------------------------------- plumbing

    private String newId() {
        long now = System.currentTimeMillis();
        lastId = Math.max(now, lastId + 1);
        return "w" + lastId;
    }

    private void transition(SamplingState to, String cause, String detail) {
        SamplingState from = state;
        state = to;
        SamplingTransition t = new SamplingTransition(System.currentTimeMillis(), from, to, cause, detail);
        synchronized (history) {
            if (history.size() == HISTORY) history.removeFirst();
            history.addLast(t);
        }
        if (cause.equals("window failed")) windowFailures.failed(detail, null);
        else if (cause.equals("timeout")) LOG.warn("sampling {} -> {} ({}): {}", from, to, cause, detail);
        else LOG.info("sampling {} -> {} ({}): {}", from, to, cause, detail);
        String text = "sampling " + from + "->" + to + " " + cause.replace(' ', '-') + " " + detail;
        events.emit(new PcmEvent(EventKind.STATE, 0, -1, 0, 0, 0, 0, text.getBytes(StandardCharsets.UTF_8), System.nanoTime()));
    }

    /** Runs {@code action} under the lock after {@code millis} unless the state left {@code in} meanwhile. */
    private void arm(long millis, SamplingState in, Runnable action) {
        cancelTimeout();
        ScheduledFuture<?>[] self = new ScheduledFuture<?>[1];
        self[0] = exec.schedule(() -> {
            synchronized (lock) {
                if (state == in && timeout == self[0]) {
                    timeout = null;
                    action.run();
                }
            }
        }, millis, TimeUnit.MILLISECONDS);
        timeout = self[0];
    }

    private void cancelTimeout() {
        ScheduledFuture<?> t = timeout;
        timeout = null;
        if (t != null) t.cancel(false);
    }

    @Override
    public void close() {
        stopPeriodic();
        synchronized (lock) {
            if (state == SamplingState.SAMPLING && current != null) {
                try {
                    end("sampler stopped");
                } catch (SamplingException e) {
                    LOG.debug("closing the open window on shutdown: {}", e.getMessage());
                }
            }
        }
        exec.shutdownNow();
    }
}
