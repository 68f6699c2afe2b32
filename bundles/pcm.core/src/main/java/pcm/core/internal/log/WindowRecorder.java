package pcm.core.internal.log;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import pcm.core.api.event.EventKind;
import pcm.core.api.event.PcmEvent;

/**
 * Turns the event stream into window files (the engine of {@link EventLogSink}, usable without a
 * framework). {@link #accept(PcmEvent)} runs on vCPU threads and only enqueues (never blocks: a
 * full queue drops the event and fails the window it belongs to); one writer thread does all file
 * I/O. A disk error is logged and counted, fails the current window (its file becomes
 * {@code .failed}, never valid) and the VM goes on. Windows are delimited by {@link WindowMarkers}.
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
            current = LogWriter.create(st.directory(), h);
            currentId = s.windowId();
            current.append(e);
            written.incrementAndGet();
        } catch (IOException | RuntimeException ex) {
            diskError("cannot start window " + s.windowId() + " in " + st.directory(), ex);
            if (current != null) failCurrent("cannot write window start: " + ex);
            else {
                failed.incrementAndGet();
                failedWindow = s.windowId();
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
        LOG.warn("event log: window {} failed ({}); kept as {} and never taken as valid", w.header().windowId(), reason,
                p.getFileName());
    }

    private void diskError(String what, Exception ex) {
        long n = diskErrors.incrementAndGet();
        lastError = what + ": " + ex;
        if (n <= 10 || Long.bitCount(n) == 1) LOG.error("event log: {} (disk error #{}); the VM goes on", what, n, ex);
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
