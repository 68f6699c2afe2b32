package pcm.ui.internal.remote;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardContextSelect;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletPattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import pcm.core.api.vm.ConsoleInput;
import pcm.core.api.vm.ConsoleListener;

/**
 * The guest's serial console over the API (issue 16 items 2 and 3): what {@code pcm:console} is in the local shell,
 * for the shell attached to a resident PCM and for the web console's console page. An OEM resource, since Redfish's
 * {@code SerialConsole} knows only SSH, IPMI and Telnet:
 * <ul>
 * <li>{@code GET /redfish/v1/Oem/Pcm/Console}: the resource ({@code ServerSentEventUri}, the action, the log file);
 * <li>{@code GET .../Console/SSE}: server-sent events {@code console} {@code {"Text"}}, what the guest prints as it
 * comes (the same whiteboard {@link ConsoleListener} the log file {@code <data>/log/console.log} is written from);
 * <li>{@code POST .../Console/Actions/PcmConsole.Send} {@code {"Data": "..."}}: the bytes typed, exactly (no Enter
 * added: raw keys), into the UART's receive FIFO ({@link ConsoleInput}). Administrator only, cross-site checked, as
 * every POST of the API context.
 * </ul>
 * In the authenticated {@code pcm.api} context; one server thread per listening client, at most {@value #MAX_CLIENTS}.
 */
@Component(service = Servlet.class)
@HttpWhiteboardContextSelect("(osgi.http.whiteboard.context.name=pcm.api)")
@HttpWhiteboardServletPattern({ConsoleServlet.BASE, ConsoleServlet.BASE + "/*"})
public class ConsoleServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ConsoleServlet.class);
    private static final ObjectMapper JSON = JsonReplies.JSON;
    /** Inside the context (at /redfish). */
    static final String BASE = "/v1/Oem/Pcm/Console";
    static final String URI = "/redfish" + BASE;
    static final String SSE = "/SSE";
    static final String SEND = "/Actions/PcmConsole.Send";
    static final int MAX_CLIENTS = 8;
    /** Chunks (UART writes, often one byte each) queued for a client before its output is dropped. */
    static final int QUEUED_CHUNKS = 65_536;
    /** At most this much typed per request (a paste); a terminal sends a key at a time. */
    static final int MAX_SEND_BYTES = 4096;
    /** How long a Send waits for a guest that does not read its console (the 16550's FIFO holds 16 bytes). */
    static final long SEND_WAIT_MILLIS = 5_000;

    private final transient BundleContext context;
    private final AtomicInteger clients = new AtomicInteger();
    private volatile boolean active = true;

    @Activate
    public ConsoleServlet(BundleContext context) {
        this.context = context;
    }

    @Deactivate
    void deactivate() {
        active = false; // each stream ends at its next poll
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String p = sub(request);
        if (p.isEmpty()) resource(response);
        else if (p.equals(SSE)) stream(response);
        else error(response, 404, "Base.1.0.ResourceMissingAtURI", "no resource " + request.getRequestURI());
    }

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (!sub(request).equals(SEND)) {
            error(response, 404, "Base.1.0.ResourceMissingAtURI", "no action " + request.getRequestURI());
            return;
        }
        JsonNode body = JsonReplies.body(request, (status, id, message) -> error(response, status, id, message));
        if (body == null) return;
        JsonNode data = body == null ? null : body.get("Data");
        if (data == null) {
            error(response, 400, "Base.1.0.ActionParameterMissing", "PcmConsole.Send needs Data (the text typed)");
            return;
        }
        if (!data.isTextual()) {
            error(response, 400, "Base.1.0.ActionParameterValueTypeError", "Data must be a string (the text typed)");
            return;
        }
        byte[] bytes = data.asText().getBytes(StandardCharsets.UTF_8);
        if (bytes.length > MAX_SEND_BYTES) {
            error(response, 400, "Base.1.0.ActionParameterValueError", "Data: " + bytes.length + " bytes, at most " + MAX_SEND_BYTES + " per request");
            return;
        }
        ServiceReference<ConsoleInput> ref = context.getServiceReference(ConsoleInput.class);
        ConsoleInput device = ref == null ? null : context.getService(ref);
        if (device == null) {
            error(response, 503, "Base.1.0.ServiceTemporarilyUnavailable", "no guest console takes input (no ConsoleInput service: is a UART installed?)");
            return;
        }
        try {
            int sent = send(device, bytes);
            if (sent < bytes.length) {
                error(response, 503, "Base.1.0.ServiceTemporarilyUnavailable", "the guest read " + sent + " of " + bytes.length
                        + " bytes in " + SEND_WAIT_MILLIS / 1000 + " s: its console input is full (is the guest reading its serial port?)");
                return;
            }
            response.setStatus(204);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            error(response, 503, "Base.1.0.ServiceTemporarilyUnavailable", "interrupted");
        } finally {
            context.ungetService(ref);
        }
    }

    /** Offers the bytes until the device took them all or the guest has not read for {@link #SEND_WAIT_MILLIS}. */
    static int send(ConsoleInput device, byte[] bytes) throws InterruptedException {
        int sent = 0;
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SEND_WAIT_MILLIS);
        while (sent < bytes.length && System.nanoTime() - deadline < 0) {
            int n = device.input(bytes, sent, bytes.length - sent);
            sent += n;
            if (n == 0) Thread.sleep(2); // the receive FIFO is full until the guest reads it
        }
        return sent;
    }

    private void resource(HttpServletResponse response) throws IOException {
        ObjectNode n = JSON.createObjectNode();
        n.put("@odata.id", URI);
        n.put("@odata.type", "#PcmConsole.v1_0_0.PcmConsole");
        n.put("Id", "Console");
        n.put("Name", "The guest's serial console (COM1)");
        n.put("ServerSentEventUri", URI + SSE);
        String data = context.getProperty("pcm.data");
        n.put("LogFile", (data == null ? "." : data) + "/log/console.log");
        n.put("InputAvailable", context.getServiceReference(ConsoleInput.class) != null);
        n.put("Listeners", clients.get());
        n.putObject("Actions").putObject("#PcmConsole.Send").put("target", URI + SEND);
        response.setStatus(200);
        response.setContentType("application/json;charset=utf-8");
        response.setHeader("Cache-Control", "no-store");
        response.getOutputStream().write(JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(n));
    }

    private void stream(HttpServletResponse response) throws IOException {
        if (clients.incrementAndGet() > MAX_CLIENTS) {
            clients.decrementAndGet();
            error(response, 503, "Base.1.0.ServiceTemporarilyUnavailable", "at most " + MAX_CLIENTS + " console streams at a time");
            return;
        }
        // the listener is called on the vCPU thread, which must never wait for a client: it only queues; this
        // request's thread writes. A client that does not read loses output (said in the stream), never PCM.
        BlockingQueue<byte[]> queue = new LinkedBlockingQueue<>(QUEUED_CHUNKS);
        AtomicLong dropped = new AtomicLong();
        ServiceRegistration<ConsoleListener> reg = null;
        try (SseWriter sse = new SseWriter(response, "PCM guest console", null)) {
            TextEvents text = new TextEvents(sse, "console");
            reg = context.registerService(ConsoleListener.class, (b, off, len) -> {
                if (!queue.offer(Arrays.copyOfRange(b, off, off + len))) dropped.addAndGet(len);
            }, null);
            while (active && !sse.broken()) {
                byte[] chunk = queue.poll(1, TimeUnit.SECONDS);
                long lost = dropped.getAndSet(0);
                if (lost > 0) sse.event("dropped", JSON.createObjectNode().put("Bytes", lost));
                if (chunk != null) text.write(chunk, 0, chunk.length);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (reg != null) {
                try {
                    reg.unregister();
                } catch (IllegalStateException stopping) {
                    // the bundle is stopping
                }
            }
            clients.decrementAndGet();
            LOG.debug("console stream ended");
        }
    }

    private static String sub(HttpServletRequest request) {
        String p = request.getPathInfo();
        return p == null ? "" : p.replaceFirst("/+$", "");
    }

    private static void error(HttpServletResponse response, int status, String id, String message) throws IOException {
        ObjectNode n = JSON.createObjectNode();
        ObjectNode e = n.putObject("error");
        e.put("code", id);
        e.put("message", message);
        e.putArray("@Message.ExtendedInfo").addObject().put("MessageId", id).put("Message", message);
        JsonReplies.write(response, status, n);
    }
}
