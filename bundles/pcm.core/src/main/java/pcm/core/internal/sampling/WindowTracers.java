package pcm.core.internal.sampling;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import pcm.core.api.cpu.VirtualCpu;
import pcm.core.api.sampling.PositionCounter;
import pcm.core.api.tracer.IoTransactionListener;
import pcm.core.api.tracer.MemoryAccessListener;
import pcm.core.api.tracer.MemoryAccessSource;
import pcm.core.api.tracer.Trace;
import pcm.core.api.tracer.TraceData;
import pcm.core.api.tracer.TraceWindow;
import pcm.core.api.tracer.Tracer;
import pcm.core.api.tracer.TracerUnavailableException;

/**
 * The tracers armed for one window (docs/sampling.md, "Tracers"): armed on the vCPU thread when the window opens,
 * drained when it closes. The hooks they register go through here, so that they are removed at the close whatever
 * the tracer does. A tracer that throws, returns garbage or left while the window recorded yields a FAILED trace
 * with the reason; the window is never lost for it.
 */
final class WindowTracers {

    private static final Logger LOG = LoggerFactory.getLogger(WindowTracers.class);
    /** A drained trace larger than this is garbage (the hardware's buffer is 10.4 MB). */
    static final int MAX_TRACE_BYTES = 256 << 20;

    /** One tracer of the window and what became of it. */
    private static final class Armed {
        final Tracer tracer;
        final String id;
        Tracer.Kind kind = Tracer.Kind.MEMORY;
        /** Set when the tracer is not to be drained: its trace, FAILED or UNAVAILABLE. */
        Trace outcome;

        Armed(Tracer tracer, String id) {
            this.tracer = tracer;
            this.id = id;
        }
    }

    private final String windowId;
    private final String backend;
    private final VirtualCpu vcpu;
    private final PositionCounter counter;
    private final List<Armed> armed = new ArrayList<>();
    private final List<MemoryAccessListener> memoryListeners = new CopyOnWriteArrayList<>();
    private final List<IoTransactionListener> ioListeners = new CopyOnWriteArrayList<>();
    /** The vCPU's count at position 0 (memory accesses are reported on its own count). */
    private long accessBase;
    private boolean memoryHooked;
    private volatile boolean closed;
    private boolean drained;

    private WindowTracers(String windowId, String backend, VirtualCpu vcpu, PositionCounter counter) {
        this.windowId = windowId;
        this.backend = backend;
        this.vcpu = vcpu;
        this.counter = counter;
    }

    /** No tracers: nothing armed, nothing stored. */
    static final WindowTracers NONE = new WindowTracers("", "", null, null);

    /** Arms every tracer in {@code tracers} for the window (vCPU thread, position 0). */
    static WindowTracers arm(String windowId, String backend, List<Tracer> tracers, VirtualCpu vcpu, PositionCounter counter) {
        if (tracers.isEmpty()) return NONE;
        WindowTracers w = new WindowTracers(windowId, backend, vcpu, counter);
        Set<String> ids = new LinkedHashSet<>();
        for (Tracer t : tracers) {
            String id;
            try {
                id = fileSafe(t.id());
            } catch (RuntimeException e) {
                LOG.warn("window {}: a tracer ({}) failed to say its id, not armed: {}", windowId, t.getClass().getName(), e.toString());
                continue;
            }
            Armed a = new Armed(t, id);
            w.armed.add(a);
            try {
                a.kind = t.kind() == null ? Tracer.Kind.MEMORY : t.kind();
            } catch (RuntimeException e) {
                a.outcome = w.failed(a, "kind() threw " + e);
                continue;
            }
            if (!ids.add(id)) {
                a.outcome = w.failed(a, "another tracer of the window has the id '" + id + "'");
                continue;
            }
            TraceWindow view = w.view(a);
            try {
                t.arm(view);
            } catch (TracerUnavailableException e) {
                a.outcome = new Trace(id, a.kind, Trace.Status.UNAVAILABLE, e.getMessage() + " (backend " + backend + ")",
                        "", -1, 0, null);
            } catch (RuntimeException | LinkageError e) {
                a.outcome = w.failed(a, "arm threw " + e);
                LOG.warn("window {}: tracer {} failed to arm: {}", windowId, id, e.toString());
            }
        }
        return w;
    }

    private Trace failed(Armed a, String reason) {
        return new Trace(a.id, a.kind, Trace.Status.FAILED, reason, "", -1, 0, null);
    }

    private TraceWindow view(Armed a) {
        return new TraceWindow() {
            @Override public String windowId() { return windowId; }
            @Override public String backend() { return backend; }
            @Override public long position() { return counter.position(); }

            @Override
            public boolean onMemoryAccess(MemoryAccessListener listener) {
                if (!(vcpu instanceof MemoryAccessSource src)) return false;
                if (closed) return false;
                memoryListeners.add(listener);
                if (!memoryHooked) {
                    memoryHooked = true;
                    accessBase = src.accessCount() - counter.position();
                    src.setMemoryAccessListener(WindowTracers.this::memoryAccess);
                }
                return true;
            }

            @Override
            public void onIoTransaction(IoTransactionListener listener) {
                if (!closed) ioListeners.add(listener);
            }
        };
    }

    private void memoryAccess(long count, long gpa, boolean write, int size, long data) {
        long position = count - accessBase;
        for (MemoryAccessListener l : memoryListeners) {
            try {
                l.access(position, gpa, write, size, data);
            } catch (RuntimeException e) {
                memoryListeners.remove(l); // a listener that throws is dropped; its tracer's drain says what it has
                LOG.warn("window {}: a memory-access listener threw, removed: {}", windowId, e.toString());
            }
        }
    }

    /** Whether any I/O listener is registered (the recorder skips building transactions otherwise). */
    boolean wantsIo() { return !ioListeners.isEmpty(); }

    void io(IoTransactionListener.Type type, long position, long address, int size, long value, byte[] data) {
        for (IoTransactionListener l : ioListeners) {
            try {
                l.transaction(type, position, address, size, value, data);
            } catch (RuntimeException e) {
                ioListeners.remove(l);
                LOG.warn("window {}: an I/O listener threw, removed: {}", windowId, e.toString());
            }
        }
    }

    /** Removes every hook (the window closed or failed); the guest runs at full speed again. */
    void unhook() {
        if (this == NONE) return; // shared: nothing armed, nothing to remove
        closed = true;
        memoryListeners.clear();
        ioListeners.clear();
        if (memoryHooked && vcpu instanceof MemoryAccessSource src) {
            try {
                src.setMemoryAccessListener(null);
            } catch (RuntimeException e) {
                LOG.warn("window {}: removing the memory-access hook failed: {}", windowId, e.toString());
            }
        }
        memoryHooked = false;
    }

    /**
     * Unhooks and drains every armed tracer: one trace per tracer armed, in arming order. {@code registered} says
     * whether a tracer is still a service: one that left during the window is not called again (its bundle may be
     * stopped) and its trace is FAILED.
     */
    synchronized List<Trace> drain(Predicate<Tracer> registered) {
        if (this == NONE) return List.of();
        unhook();
        if (drained) return List.of(); // a window failing after its close (final snapshot) drains nothing twice
        drained = true;
        List<Trace> out = new ArrayList<>();
        TraceWindow view = armed.isEmpty() ? null : view(armed.getFirst());
        for (Armed a : armed) {
            if (a.outcome != null) {
                out.add(a.outcome);
                continue;
            }
            if (!registered.test(a.tracer)) {
                out.add(failed(a, "the tracer was removed while the window recorded"));
                continue;
            }
            out.add(drainOne(a, view));
        }
        return out;
    }

    private Trace drainOne(Armed a, TraceWindow view) {
        TraceData d;
        try {
            d = a.tracer.drainTrace(view);
        } catch (RuntimeException | LinkageError e) {
            LOG.warn("window {}: tracer {} failed to drain: {}", windowId, a.id, e.toString());
            return failed(a, "drain threw " + e);
        }
        String garbage = garbage(d);
        if (garbage != null) {
            LOG.warn("window {}: tracer {} drained garbage: {}", windowId, a.id, garbage);
            return failed(a, "drained garbage: " + garbage);
        }
        return new Trace(a.id, a.kind, Trace.Status.COMPLETE, "", d.format(), d.records(), d.dropped(), d.data());
    }

    /** Why a drained trace cannot be stored, or null. */
    static String garbage(TraceData d) {
        if (d == null) return "no trace (null)";
        if (d.data() == null) return "no data (null)";
        if (d.data().length > MAX_TRACE_BYTES) return d.data().length + " bytes, more than " + MAX_TRACE_BYTES;
        if (d.format() == null || d.format().isBlank() || d.format().length() > 200) return "no record format named";
        if (d.records() < -1) return "records " + d.records();
        if (d.dropped() < 0) return "dropped " + d.dropped();
        return null;
    }

    /** A tracer id as it goes into a file name: {@code [A-Za-z0-9.-]}, at most 64 characters. */
    static String fileSafe(String id) {
        if (id == null || id.isEmpty()) throw new IllegalArgumentException("empty tracer id");
        StringBuilder s = new StringBuilder();
        for (char c : id.toCharArray()) {
            s.append(Character.isLetterOrDigit(c) && c < 128 || c == '.' || c == '-' ? c : '-');
            if (s.length() == 64) break;
        }
        return s.toString();
    }
}
