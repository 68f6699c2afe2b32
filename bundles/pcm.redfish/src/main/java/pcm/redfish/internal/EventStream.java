package pcm.redfish.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardContextSelect;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletPattern;

import com.fasterxml.jackson.databind.node.ObjectNode;

import pcm.core.api.sampling.Sampler;
import pcm.core.api.verify.Verdict;
import pcm.core.api.verify.VerdictListener;
import pcm.core.api.vm.Vm;
import pcm.redfish.internal.resources.EventResources;
import pcm.redfish.internal.resources.Odata;
import pcm.redfish.internal.resources.VerdictLog;

/**
 * Live state as Redfish server-sent events ({@code GET /redfish/v1/EventService/SSE}, EventService's
 * {@code ServerSentEventUri}): every verdict as it comes (severity as in the verdict log), and every change of the
 * guest's power state and of the sampler's state, each a Redfish {@code Event}. One server thread per listening
 * client, at most {@value #MAX_CLIENTS} at a time (503 beyond); a comment line every second finds a client gone.
 */
@Component(service = Servlet.class)
@HttpWhiteboardContextSelect(ApiContext.SELECT)
@HttpWhiteboardServletPattern("/v1/EventService/SSE")
public class EventStream extends HttpServlet {

    private static final long serialVersionUID = 1L;
    static final int MAX_CLIENTS = 8;

    private final transient BundleContext context;
    private final AtomicInteger clients = new AtomicInteger();
    private final AtomicLong ids = new AtomicLong();
    private volatile boolean active = true;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile Vm vm;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile Sampler sampler;

    @Activate
    public EventStream(BundleContext context) {
        this.context = context;
    }

    @Deactivate
    void deactivate() {
        active = false; // each stream ends at its next tick
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (clients.incrementAndGet() > MAX_CLIENTS) {
            clients.decrementAndGet();
            Json.error(response, 503, "Base.1.0.ServiceTemporarilyUnavailable", "at most " + MAX_CLIENTS + " event streams at a time");
            return;
        }
        BlockingQueue<ObjectNode> queue = new LinkedBlockingQueue<>(1024);
        VerdictListener listener = v -> queue.offer(verdictEvent(v)); // a client that does not read loses events, never PCM
        ServiceRegistration<VerdictListener> reg = context.registerService(VerdictListener.class, listener, null);
        try {
            response.setStatus(200);
            response.setContentType("text/event-stream;charset=utf-8");
            response.setHeader("Cache-Control", "no-store");
            OutputStream out = response.getOutputStream();
            out.write(": PCM events\n\n".getBytes(StandardCharsets.UTF_8));
            response.flushBuffer();
            String power = null;
            String sampling = null;
            while (active) {
                Vm v = vm;
                String p = v == null ? null : String.valueOf(v.state());
                if (p != null && !p.equals(power)) {
                    if (power != null) queue.offer(event("Pcm.1.0.PowerStateChanged", "OK", "the guest is " + p, Odata.SYSTEM));
                    power = p;
                }
                Sampler s = sampler;
                String st = s == null ? null : s.state().name() + s.currentWindow().map(w -> " " + w).orElse("");
                if (st != null && !st.equals(sampling)) {
                    if (sampling != null) queue.offer(event("Pcm.1.0.SamplerStateChanged", "OK", "sampling " + st, Odata.MANAGER));
                    sampling = st;
                }
                ObjectNode e = queue.poll(1, TimeUnit.SECONDS);
                if (e == null) out.write(": tick\n\n".getBytes(StandardCharsets.UTF_8));
                else {
                    long id = ids.incrementAndGet();
                    e.put("Id", Long.toString(id));
                    out.write(("id: " + id + "\ndata: " + Json.MAPPER.writer().without(
                            com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT).writeValueAsString(e) + "\n\n")
                            .getBytes(StandardCharsets.UTF_8));
                }
                response.flushBuffer();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException gone) {
            // the client went away
        } finally {
            try {
                reg.unregister();
            } catch (IllegalStateException stopping) {
                // the bundle is stopping
            }
            clients.decrementAndGet();
        }
    }

    static ObjectNode verdictEvent(Verdict v) {
        ObjectNode entry = VerdictLog.entry(v);
        return event("Pcm.1.0.Verdict", entry.get("Severity").asText(), entry.get("Message").asText(),
                entry.get("@odata.id").asText());
    }

    static ObjectNode event(String messageId, String severity, String message, String origin) {
        return EventResources.event(messageId, severity, message, origin, Instant.now());
    }
}
