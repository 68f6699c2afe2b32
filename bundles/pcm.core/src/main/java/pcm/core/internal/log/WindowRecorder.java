package pcm.core.internal.log;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import pcm.core.api.event.EventKind;
import pcm.core.api.event.PcmEvent;

/**
 * Turns the event stream into window files (the engine of {@link EventLogSink}, usable without a
 * framework). {@link #accept(PcmEvent)} runs on vCPU threads and only enqueues (never blocks: a
 * full queue drops the event and fails the window it belongs to); one writer thread does all file
 * I/O. A disk error fails the current window (its file becomes {@code .failed}, never valid; a file with
 * nothing readable in it is removed) and the VM goes on; repeated errors (a full disk) are reported once per
 * episode and counted. At start, leftovers of windows a crash interrupted are reported once: a torn log
 * {@code .part} becomes {@code .failed}, snapshot temporaries are deleted; retention then sweeps them with their
 * windows. Windows are delimited by {@link WindowMarkers}.
 */
public final class WindowRecorder implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(WindowRecorder.class);
    /** Rough heap cost of a queued event beyond its data. */
    private static final int EVENT_OVERHEAD = 96;

    /**
     * @param directory      where window files go
     * @param retention      limits applied after each closed window
     * @param maxQueuedBytes bound on queued event data (beyond it events are dropped)
     */
    public record Settings(Path directory, Retention retention, long maxQueuedBytes) {}

    /** Counters for the shell and tests. */
    public record Status(long accepted, long written, long overflowed, long outsideWindow, long droppedInFailedWindow,
                         long windowsCompleted, long windowsFailed, long diskErrors, long retentionDeleted, int queued,
                         String currentWindow, Path lastWindow, String lastError) {}

    private record StartItem(PcmEvent event, long epochNanos) {}

    private record SyncItem(CountDownLatch latch) {}

    private static final Object GAP = new Object();
    private static final Object STOP = new Object();

    private volatile Settings settings;
    private final ArrayBlockingQueue<Object> queue;
    private final AtomicLong queuedBytes = new AtomicLong();
    private final AtomicLong pendingGaps = new AtomicLong();
    private final Thread thread;
    private volatile boolean stopping;

    private final LongAdder accepted = new LongAdder();
    private final LongAdder overflowed = new LongAdder();
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong outsideWindow = new AtomicLong();
    private final AtomicLong droppedInFailed = new AtomicLong();
    private final AtomicLong completed = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong diskErrors = new AtomicLong();
    private final AtomicLong retentionDeleted = new AtomicLong();
    private volatile String lastError;
    private volatile Path lastWindow;
    private final RepeatedFailure diskFailures = new RepeatedFailure(LOG, "event log: disk error; the VM goes on");
    private final RepeatedFailure windowFailures = new RepeatedFailure(LOG, "event log: windows given up, never taken as valid");
    private final AtomicLong leftovers = new AtomicLong();

    // writer-thread state
    private LogWriter current;
    /** Id of the window being dropped after a failure (its events are discarded until END/next start). */
    private String failedWindow;
    private volatile String currentId;

    public WindowRecorder(Settings settings, int queueCapacity) {
        this.settings = settings;
        this.queue = new ArrayBlockingQueue<>(Math.max(16, queueCapacity));
        this.thread = Thread.ofPlatform().daemon().name("pcm-eventlog-writer").unstarted(this::run);
        thread.start();
    }

    /** New directory/retention; a new directory applies from the next window on. */
    public void update(Settings s) {
        this.settings = s;
    }

    public Settings settings() { return settings; }

    // ---------------------------------------------------------------- vCPU side

    /** Enqueues e (copying its data); never blocks. */
    public void accept(PcmEvent e) {
        if (stopping) return;
        accepted.increment();
        PcmEvent copy = e.data().length == 0 ? e
                : new PcmEvent(e.kind(), e.vcpu(), e.position(), e.rip(), e.rcx(), e.address(), e.value(),
                        e.data().clone(), e.timestampNanos());
        Object item = WindowMarkers.isStart(e) ? new StartItem(copy, LogWriter.epochNanos(Instant.now())) : copy;
        long cost = EVENT_OVERHEAD + e.data().length;
        if (queuedBytes.addAndGet(cost) > settings.maxQueuedBytes() && !queue.isEmpty()) {
            queuedBytes.addAndGet(-cost);
            drop();
            return;
        }
        long gaps = pendingGaps.get();
        // a gap marker must precede anything enqueued after a drop, so the writer fails the right window
        if (gaps > 0) {
            if (queue.offer(GAP)) {
                pendingGaps.addAndGet(-gaps);
            } else {
                queuedBytes.addAndGet(-cost);
                drop();
                return;
            }
        }
        if (!queue.offer(item)) {
            queuedBytes.addAndGet(-cost);
            drop();
        }
    }

    private void drop() {
        overflowed.increment();
        pendingGaps.incrementAndGet();
    }

    /** Waits until everything enqueued before this call has been handled (tests, shutdown). */
    public boolean sync(Duration timeout) throws InterruptedException {
        CountDownLatch l = new CountDownLatch(1);
        if (!queue.offer(new SyncItem(l), timeout.toMillis(), TimeUnit.MILLISECONDS)) return false;
        return l.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    // ---------------------------------------------------------------- writer thread

    private void run() {
        try {
            sweepLeftovers();
            applyRetention();
            while (true) {
                Object item = queue.poll(200, TimeUnit.MILLISECONDS);
                if (item == null) {
                    if (stopping && queue.isEmpty()) break;
                    continue;
                }
                if (item == STOP) break;
                try {
                    handle(item);
                } catch (RuntimeException ex) {
                    LOG.error("event log writer: unexpected failure; the current window is given up", ex);
                    lastError = String.valueOf(ex);
                    failCurrent("unexpected failure: " + ex);
                }
            }
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
        } finally {
            if (current != null) failCurrent("event log stopped before the window's END");
            for (Object o; (o = queue.poll()) != null; ) if (o instanceof SyncItem s) s.latch().countDown();
        }
    }

    private void handle(Object item) {
        switch (item) {
            case SyncItem s -> s.latch().countDown();
            case StartItem s -> {
                queuedBytes.addAndGet(-(EVENT_OVERHEAD + s.event().data().length));
                start(s.event(), s.epochNanos());
            }
            case PcmEvent e -> {
                queuedBytes.addAndGet(-(EVENT_OVERHEAD + e.data().length));
                event(e);
            }
            default -> {
                if (item == GAP) {
                    if (current != null) failCurrent("events lost: the event queue overflowed");
                    // else: the window is failed already, or no window is open (the lost events are counted)
                }
            }
        }
    }

    private void start(PcmEvent e, long epochNanos) {
        WindowMarkers.Start s = WindowMarkers.parseStart(e);
        if (current != null) failCurrent("superseded by window-start " + s.windowId() + " before its END");
        failedWindow = null;
        Map<String, String> attrs = new LinkedHashMap<>(s.attributes());
        String backend = attrs.remove("backend");
        String vendor = attrs.remove("cpuVendor");
        String sig = attrs.remove("cpuSignature");
        HostCpu host = HostCpu.get();
        int signature = host.signature();
        if (sig != null) {
            try {
                signature = sig.startsWith("0x") || sig.startsWith("0X") ? Integer.parseUnsignedInt(sig.substring(2), 16)
                        : Integer.parseUnsignedInt(sig);
            } catch (NumberFormatException ex) {
                attrs.put("cpuSignature", sig);
            }
        }
        LogHeader h = LogHeader.of(s.windowId(), backend == null ? "unknown" : backend,
                vendor == null ? host.vendor() : vendor, signature, epochNanos, e.timestampNanos(), attrs);
        Settings st = settings;
        try {
            current = LogWriter.create(st.directory(), h, true);
            currentId = s.windowId();
            current.append(e);
            written.incrementAndGet();
        } catch (IOException | RuntimeException ex) {
            diskError("cannot start window " + s.windowId() + " in " + st.directory(), ex);
            if (current != null) failCurrent("cannot write window start: " + ex);
            else {
                failed.incrementAndGet();
                failedWindow = s.windowId();
                // the writer gave its file up (a full disk: often before the header was written)
                String name = LogFormat.fileName(Instant.ofEpochSecond(0, epochNanos), s.windowId());
                boolean kept = false;
                for (String suffix : List.of(LogFormat.FAILED, LogFormat.PART)) {
                    Path p = st.directory().resolve(name + suffix);
                    if (Files.exists(p)) kept |= !discardIfEmpty(p);
                }
                windowFailures.failed("window " + s.windowId() + " could not start" + (kept ? "" : "; no file kept"), null);
            }
        }
    }

    private void event(PcmEvent e) {
        if (e.kind() == EventKind.STATE && WindowMarkers.isAbort(e)) {
            if (current != null) {
                failCurrent(new String(e.data(), StandardCharsets.UTF_8));
            }
            failedWindow = null;
            return;
        }
        if (current == null) {
            if (failedWindow != null) {
                droppedInFailed.incrementAndGet();
                if (e.kind() == EventKind.END) failedWindow = null;
            } else {
                outsideWindow.incrementAndGet();
            }
            return;
        }
        try {
            if (e.kind() == EventKind.END) {
                LogWriter w = current;
                current = null;
                currentId = null;
                Path done = w.close(e);
                written.incrementAndGet();
                completed.incrementAndGet();
                diskFailures.succeeded();
                windowFailures.succeeded();
                lastWindow = done;
                applyRetention();
            } else {
                current.append(e);
                written.incrementAndGet();
            }
        } catch (IOException | RuntimeException ex) {
            diskError("cannot write window " + currentIdOr(e), ex);
            if (current != null) {
                failCurrent("write failed: " + ex);
            } else {
                // close() failed: the writer already gave the file up (it stays .part)
                failed.incrementAndGet();
            }
        }
    }

    private String currentIdOr(PcmEvent e) {
        String id = currentId;
        return id != null ? id : "(closing, " + e.kind() + ")";
    }

    private void failCurrent(String reason) {
        LogWriter w = current;
        current = null;
        if (w == null) return;
        failedWindow = w.header().windowId();
        currentId = null;
        Path p = w.abort(reason);
        failed.incrementAndGet();
        boolean kept = !discardIfEmpty(p);
        windowFailures.failed("window " + w.header().windowId() + " (" + reason + ")"
                + (kept ? "; kept as " + p.getFileName() : "; nothing readable was written, no file kept"), null);
    }

    /** Deletes a given-up window file that holds nothing readable (not even its header); true if it did. */
    static boolean discardIfEmpty(Path p) {
        try {
            if (Files.size(p) > 0 && LogCheck.check(p).header() != null) return false;
            return Files.deleteIfExists(p);
        } catch (IOException e) {
            return false;
        }
    }

    private void diskError(String what, Exception ex) {
        diskErrors.incrementAndGet();
        lastError = what + ": " + ex;
        diskFailures.failed(what + ": " + ex, ex);
    }

    /** Lines the disk errors and given-up windows were reported in (one per episode of failures). */
    public long failureReports() {
        return diskFailures.reported() + windowFailures.reported();
    }

    /** Leftovers of interrupted windows found at start (torn logs, empty files, snapshot temporaries). */
    public long leftoversFound() { return leftovers.get(); }

    /**
     * At start nothing is being written: a {@code .part} log is a crash's torn window (renamed {@code .failed},
     * or removed if it holds nothing readable), a snapshot {@code .part} is a crash's temporary (deleted, except of
     * the newest window, whose snapshots the sampler may be writing). Reported in one line.
     */
    private void sweepLeftovers() {
        Path dir = settings.directory();
        List<Path> all;
        try {
            if (!Files.isDirectory(dir)) return;
            try (Stream<Path> s = Files.list(dir)) {
                all = s.sorted().toList();
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("event log: cannot look for leftovers in {}: {}", dir, e.toString());
            return;
        }
        String newest = null;
        for (Path p : all) {
            String n = p.getFileName().toString();
            if (LogFormat.isCommitted(p)) newest = Retention.windowId(n);
        }
        int torn = 0, empty = 0, temporaries = 0;
        for (Path p : all) {
            String n = p.getFileName().toString();
            try {
                if (n.endsWith(LogFormat.SUFFIX + LogFormat.PART)) {
                    if (discardIfEmpty(p)) {
                        empty++;
                    } else {
                        Files.move(p, p.resolveSibling(n.substring(0, n.length() - LogFormat.PART.length()) + LogFormat.FAILED),
                                StandardCopyOption.ATOMIC_MOVE);
                        torn++;
                    }
                } else if (n.endsWith(LogFormat.SUFFIX + LogFormat.FAILED)) {
                    if (discardIfEmpty(p)) empty++;
                } else if (n.endsWith(".bin.part") && LogFormat.timeOf(p) != null && !Objects.equals(Retention.windowId(n), newest)) {
                    if (Files.deleteIfExists(p)) temporaries++;
                }
            } catch (IOException | RuntimeException e) {
                LOG.debug("event log: leftover {}: {}", p, e.toString());
            }
        }
        int found = torn + empty + temporaries;
        leftovers.addAndGet(found);
        if (found > 0) {
            LOG.warn("event log: {} leftover file(s) of interrupted windows in {}: {} torn log(s) kept as .failed (never "
                    + "valid; retention sweeps them), {} empty log(s) and {} snapshot temporary file(s) deleted",
                    found, dir, torn, empty, temporaries);
        }
    }

    private void applyRetention() {
        Settings st = settings;
        try {
            List<Path> deleted = st.retention().apply(st.directory(), Instant.now(),
                    current == null ? null : current.partFile());
            if (!deleted.isEmpty()) {
                retentionDeleted.addAndGet(deleted.size());
                LOG.info("event log retention deleted {} old window file(s)", deleted.size());
            }
        } catch (IOException | RuntimeException ex) {
            LOG.warn("event log retention failed in {}: {}", st.directory(), ex.toString());
        }
    }

    // ---------------------------------------------------------------- lifecycle

    public Status status() {
        return new Status(accepted.sum(), written.get(), overflowed.sum(), outsideWindow.get(), droppedInFailed.get(),
                completed.get(), failed.get(), diskErrors.get(), retentionDeleted.get(), queue.size(), currentId,
                lastWindow, lastError);
    }

    /** Handles what is queued, gives an open window up (it has no END) and stops the writer thread. */
    @Override
    public void close() {
        stopping = true;
        try {
            if (!queue.offer(STOP, 5, TimeUnit.SECONDS)) LOG.warn("event log: writer did not take the stop request");
            thread.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) LOG.warn("event log: writer thread still busy after 30 s");
    }
}
