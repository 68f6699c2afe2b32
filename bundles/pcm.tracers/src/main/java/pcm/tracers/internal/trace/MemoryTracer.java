package pcm.tracers.internal.trace;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

import pcm.core.api.tracer.MemoryTrace;
import pcm.core.api.tracer.TraceData;
import pcm.core.api.tracer.TraceWindow;
import pcm.core.api.tracer.Tracer;
import pcm.core.api.tracer.TracerUnavailableException;

/**
 * {@code mtr}: the memory tracer (MTR) emulated — every guest memory access of the window (position, guest-physical
 * address, load/store, size, data) into a bounded buffer, like the tracer on the DIMMs. When the buffer is full the
 * first records are kept and the rest counted as dropped, as the hardware's overflow. Needs a backend that reports
 * memory accesses (the software CPU); on KVM it says so: the window records it UNAVAILABLE with the reason.
 * <p>
 * Off until configured ({@code pcm.tracer.memory}, e.g. {@code <data>/conf/pcm.tracer.memory.cfg}): with it every
 * load and store of the soft CPU takes the interpreter's slow path while a window records.
 */
@Component(service = Tracer.class, property = Tracer.ID + "=" + MemoryTracer.ID, configurationPid = MemoryTracer.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE)
@Designate(ocd = MemoryTracer.Config.class)
public final class MemoryTracer implements Tracer {

    public static final String ID = "mtr", PID = "pcm.tracer.memory";
    /** Jintide's trace buffer (IEEE JSSC 2021): 10.4 MB. */
    public static final int JINTIDE_BUFFER_BYTES = 10_400_000;

    @ObjectClassDefinition(name = "PCM memory tracer (MTR emulation)",
            description = "Records every guest memory access of each window into a bounded buffer")
    public @interface Config {
        @AttributeDefinition(description = "Trace buffer per window in bytes (default: Jintide's 10.4 MB); a window that "
                + "fills it keeps its first records and reports how many were dropped", min = "64")
        int bufferBytes() default JINTIDE_BUFFER_BYTES;
    }

    private volatile int bufferBytes;
    private final Map<String, MemoryTrace.Writer> armed = new ConcurrentHashMap<>();

    @Activate
    public MemoryTracer(Config c) {
        modified(c);
    }

    public MemoryTracer(int bufferBytes) {
        this.bufferBytes = Math.max(64, bufferBytes);
    }

    @Modified
    void modified(Config c) {
        bufferBytes = Math.max(64, c.bufferBytes()); // from the next window on
    }

    @Deactivate
    void deactivate() {
        armed.clear(); // the sampler removes the hooks; the buffers go with the component
    }

    @Override public String id() { return ID; }

    @Override public Kind kind() { return Kind.MEMORY; }

    @Override
    public void arm(TraceWindow window) throws TracerUnavailableException {
        MemoryTrace.Writer w = new MemoryTrace.Writer(bufferBytes);
        if (!window.onMemoryAccess(w)) {
            throw new TracerUnavailableException("the backend reports no guest memory accesses (only the software CPU does;"
                    + " KVM has no hook for them)");
        }
        armed.put(window.windowId(), w);
    }

    @Override
    public TraceData drainTrace(TraceWindow window) {
        MemoryTrace.Writer w = armed.remove(window.windowId());
        return w == null ? new TraceData(MemoryTrace.FORMAT, 0, 0, new byte[0]) : w.drain();
    }

    /** Without the window's hooks nothing can be traced: an empty trace. */
    @Override
    public void arm(String windowId) { }

    @Override
    public byte[] drain(String windowId) {
        MemoryTrace.Writer w = armed.remove(windowId);
        return w == null ? new byte[0] : w.buffer().bytes();
    }
}
