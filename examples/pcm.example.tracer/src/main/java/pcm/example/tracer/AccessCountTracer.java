package pcm.example.tracer;

import java.nio.charset.StandardCharsets;

import org.osgi.service.component.annotations.Component;

import pcm.core.api.tracer.TraceData;
import pcm.core.api.tracer.TraceWindow;
import pcm.core.api.tracer.Tracer;
import pcm.core.api.tracer.TracerUnavailableException;

/**
 * A tiny memory tracer: counts the guest's loads and stores to RAM in each window and the bytes they moved, and
 * stores the counts as the window's trace ({@code <window>_trace-accesscount.bin}, format
 * {@code pcm-example-accesscount/1.0}: lines {@code loads=N}, {@code stores=N}, {@code bytes=N}). On a backend that
 * reports no memory accesses (KVM) it says so by {@link TracerUnavailableException}: the window records it UNAVAILABLE.
 * Armed, called and drained on the vCPU thread, one window at a time: nothing here blocks.
 */
@Component(property = Tracer.ID + "=" + AccessCountTracer.ID)
public class AccessCountTracer implements Tracer {

    public static final String ID = "accesscount";
    public static final String FORMAT = "pcm-example-accesscount/1.0";

    private long loads, stores, bytes;
    private String armedFor;

    @Override
    public String id() {
        return ID;
    }

    @Override
    public Kind kind() {
        return Kind.MEMORY;
    }

    @Override
    public synchronized void arm(TraceWindow window) throws TracerUnavailableException {
        loads = stores = bytes = 0;
        armedFor = window.windowId();
        if (!window.onMemoryAccess((position, gpa, write, size, data) -> count(write, size)))
            throw new TracerUnavailableException("backend " + window.backend() + " reports no guest memory accesses");
    }

    private synchronized void count(boolean write, int size) {
        if (write) stores++;
        else loads++;
        bytes += size;
    }

    @Override
    public synchronized TraceData drainTrace(TraceWindow window) {
        if (!window.windowId().equals(armedFor)) return null; // not armed for it: the sampler records FAILED
        armedFor = null;
        String text = "loads=" + loads + "\nstores=" + stores + "\nbytes=" + bytes + "\n";
        return new TraceData(FORMAT, loads + stores, 0, text.getBytes(StandardCharsets.UTF_8));
    }

    /** The 1.0 entry points, for a sampler older than {@link TraceWindow} (tracer API 1.1); never called now. */
    @Override
    public void arm(String windowId) {
        throw new UnsupportedOperationException("needs a TraceWindow (tracer API 1.1)");
    }

    @Override
    public byte[] drain(String windowId) {
        return null;
    }
}
