package pcm.example.tracer;

import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.Map;

import org.osgi.service.component.annotations.Component;

import pcm.core.api.tracer.IoTransactionListener;
import pcm.core.api.tracer.TraceData;
import pcm.core.api.tracer.TraceWindow;
import pcm.core.api.tracer.Tracer;

/**
 * A tiny I/O tracer: counts the guest's port and MMIO transactions and device DMA writes of each window by type, and
 * stores the counts as the window's trace ({@code <window>_trace-iocount.bin}, format {@code pcm-example-iocount/1.0}:
 * one {@code TYPE=count} line per type). Armed and drained on the vCPU thread: nothing here blocks.
 */
@Component(property = Tracer.ID + "=" + IoCountTracer.ID)
public class IoCountTracer implements Tracer {

    public static final String ID = "iocount";
    public static final String FORMAT = "pcm-example-iocount/1.0";

    /** The counts of the window being recorded; one window at a time (the sampler records one). */
    private final Map<IoTransactionListener.Type, Long> counts = new EnumMap<>(IoTransactionListener.Type.class);
    private String armedFor;

    @Override
    public String id() {
        return ID;
    }

    @Override
    public Kind kind() {
        return Kind.IO;
    }

    @Override
    public synchronized void arm(TraceWindow window) {
        counts.clear();
        armedFor = window.windowId();
        window.onIoTransaction((type, position, address, size, value, data) -> count(type));
    }

    private synchronized void count(IoTransactionListener.Type type) {
        counts.merge(type, 1L, Long::sum);
    }

    @Override
    public synchronized TraceData drainTrace(TraceWindow window) {
        if (!window.windowId().equals(armedFor)) return null; // not armed for it: the sampler records FAILED
        StringBuilder text = new StringBuilder();
        long total = 0;
        for (IoTransactionListener.Type t : IoTransactionListener.Type.values()) {
            long n = counts.getOrDefault(t, 0L);
            text.append(t).append('=').append(n).append('\n');
            total += n;
        }
        armedFor = null;
        return new TraceData(FORMAT, total, 0, text.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** The 1.0 entry points, for a sampler that predates {@link TraceWindow}; it never calls them now. */
    @Override
    public void arm(String windowId) {
        throw new UnsupportedOperationException("needs a TraceWindow (tracer API 1.1)");
    }

    @Override
    public byte[] drain(String windowId) {
        return null;
    }
}
