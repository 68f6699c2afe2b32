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

import pcm.core.api.tracer.IoTrace;
import pcm.core.api.tracer.TraceData;
import pcm.core.api.tracer.TraceWindow;
import pcm.core.api.tracer.Tracer;

/**
 * {@code itr}: the I/O tracer (ITR) emulated — every port and MMIO transaction of the guest with the value read or
 * written, and every device DMA write into guest memory with its bytes, into a bounded buffer (overflow kept as the
 * hardware's: first records, count of dropped). The kernel sees these on every backend (exits, the window memory),
 * so it is available everywhere. Off until configured ({@code pcm.tracer.io}, e.g. {@code <data>/conf/pcm.tracer.io.cfg}).
 */
@Component(service = Tracer.class, property = Tracer.ID + "=" + IoTracer.ID, configurationPid = IoTracer.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE)
@Designate(ocd = IoTracer.Config.class)
public final class IoTracer implements Tracer {

    public static final String ID = "itr", PID = "pcm.tracer.io";

    @ObjectClassDefinition(name = "PCM I/O tracer (ITR emulation)",
            description = "Records every port/MMIO transaction and device DMA write of each window into a bounded buffer")
    public @interface Config {
        @AttributeDefinition(description = "Trace buffer per window in bytes; a window that fills it keeps its first "
                + "records and reports how many were dropped", min = "64")
        int bufferBytes() default MemoryTracer.JINTIDE_BUFFER_BYTES;
    }

    private volatile int bufferBytes;
    private final Map<String, IoTrace.Writer> armed = new ConcurrentHashMap<>();

    @Activate
    public IoTracer(Config c) {
        modified(c);
    }

    public IoTracer(int bufferBytes) {
        this.bufferBytes = Math.max(64, bufferBytes);
    }

    @Modified
    void modified(Config c) {
        bufferBytes = Math.max(64, c.bufferBytes());
    }

    @Deactivate
    void deactivate() {
        armed.clear();
    }

    @Override public String id() { return ID; }

    @Override public Kind kind() { return Kind.IO; }

    @Override
    public void arm(TraceWindow window) {
        IoTrace.Writer w = new IoTrace.Writer(bufferBytes);
        window.onIoTransaction(w);
        armed.put(window.windowId(), w);
    }

    @Override
    public TraceData drainTrace(TraceWindow window) {
        IoTrace.Writer w = armed.remove(window.windowId());
        return w == null ? new TraceData(IoTrace.FORMAT, 0, 0, new byte[0]) : w.drain();
    }

    @Override
    public void arm(String windowId) { }

    @Override
    public byte[] drain(String windowId) {
        IoTrace.Writer w = armed.remove(windowId);
        return w == null ? new byte[0] : w.buffer().bytes();
    }
}
