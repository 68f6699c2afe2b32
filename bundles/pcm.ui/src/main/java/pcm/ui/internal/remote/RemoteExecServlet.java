package pcm.ui.internal.remote;

import java.io.IOException;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.apache.felix.service.command.CommandProcessor;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardContextSelect;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletPattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The shell that attaches to a resident PCM (issue 16 item 1), as OEM actions of the Redfish manager:
 * {@code POST /redfish/v1/Managers/pcm/Actions/Oem/Pcm.Exec} with {@code {"Command": "...", "ExecId": "..."}}
 * runs a Gogo command line and answers {@code {"Output", "Error", "ExitStatus", "Message"}};
 * {@code .../Pcm.Interrupt} with {@code {"ExecId"}} interrupts it. Served in pcm.redfish's authenticated context
 * ({@code pcm.api}): no context, no servlet. With {@code Accept: text/plain} the body is the output and the exit status
 * and error output are headers ({@value #STATUS_HEADER}, {@value #ERROR_HEADER}), for bin/pcm's curl; with
 * {@code Accept: text/event-stream} the output is streamed as server-sent events while the command runs (the JLine
 * client of bin/pcm shell, {@code pcm.client}).
 */
@Component(service = Servlet.class)
@HttpWhiteboardContextSelect("(osgi.http.whiteboard.context.name=pcm.api)")
@HttpWhiteboardServletPattern({RemoteExecServlet.EXEC, RemoteExecServlet.INTERRUPT})
public class RemoteExecServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    /** Paths inside the context (which is at /redfish). */
    static final String EXEC = "/v1/Managers/pcm/Actions/Oem/Pcm.Exec";
    static final String INTERRUPT = "/v1/Managers/pcm/Actions/Oem/Pcm.Interrupt";
    /** With {@code Accept: text/plain}: the exit status, and the error output (base64), as headers. */
    static final String STATUS_HEADER = "Pcm-Exit-Status";
    static final String ERROR_HEADER = "Pcm-Error-Base64";
    private static final ObjectMapper JSON = JsonReplies.JSON;
    private static final Logger LOG = LoggerFactory.getLogger(RemoteExecServlet.class);

    private final transient RemoteExec exec = new RemoteExec();

    @Reference
    private transient CommandProcessor processor;

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        JsonNode body = JsonReplies.body(request, (status, id, message) -> error(response, status, id, message));
        if (body == null) return;
        String id = text(body, "ExecId");
        if (INTERRUPT.equals(request.getServletPath())) {
            if (id == null) error(response, 400, "Base.1.0.ActionParameterMissing", "Pcm.Interrupt needs ExecId");
            else if (exec.interrupt(id)) response.setStatus(204);
            else error(response, 404, "Base.1.0.ResourceMissingAtURI", "no command running as " + id);
            return;
        }
        String line = text(body, "Command");
        if (line == null) {
            error(response, 400, "Base.1.0.ActionParameterMissing", "Pcm.Exec needs Command (a Gogo command line)");
            return;
        }
        LOG.info("API: {} exec: {}", request.getRemoteUser(), line);
        String accept = request.getHeader("Accept");
        if (accept != null && accept.startsWith("text/event-stream")) {
            streamed(response, line, id == null ? "sse-" + java.util.UUID.randomUUID() : id);
            return;
        }
        RemoteExec.Result r = exec.run(processor, line, id);
        if (accept != null && accept.startsWith("text/plain")) {
            // for bin/pcm (a shell script without a JSON parser): the output as the body, the rest in headers
            String err = r.error() + (r.message() == null ? "" : r.message() + "\n");
            response.setStatus(200);
            response.setContentType("text/plain;charset=utf-8");
            response.setHeader(STATUS_HEADER, Integer.toString(r.status()));
            response.setHeader(ERROR_HEADER, java.util.Base64.getEncoder().encodeToString(err.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            response.getOutputStream().write(r.output().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return;
        }
        ObjectNode n = JSON.createObjectNode();
        n.put("Output", r.output());
        n.put("Error", r.error());
        n.put("ExitStatus", r.status());
        if (r.message() != null) n.put("Message", r.message());
        else n.putNull("Message");
        JsonReplies.write(response, 200, n);
    }

    /**
     * The streamed answer ({@code Accept: text/event-stream}), for the JLine client of bin/pcm shell: events
     * {@code output} and {@code error} ({@code {"Text"}}) as the command prints, then one {@code end}
     * ({@code {"ExitStatus", "Message"}}). A client that goes away (its connection broken) interrupts the command, as
     * a terminal's hang-up would: nobody is left to read it or to press Ctrl-C.
     */
    private void streamed(HttpServletResponse response, String line, String id) throws IOException {
        try (SseWriter sse = new SseWriter(response, "pcm exec " + id, () -> {
            if (exec.interrupt(id)) LOG.info("API: exec {} interrupted: its client went away", id);
        })) {
            TextEvents out = new TextEvents(sse, "output");
            TextEvents err = new TextEvents(sse, "error");
            RemoteExec.Result r = exec.run(processor, line, id, out, err);
            out.close();
            err.close();
            ObjectNode end = JSON.createObjectNode();
            end.put("ExitStatus", r.status());
            if (r.message() != null) end.put("Message", r.message());
            else end.putNull("Message");
            end.put("ExecId", id);
            sse.event("end", end);
        }
    }

    private static String text(JsonNode body, String field) {
        JsonNode n = body == null ? null : body.get(field);
        return n != null && n.isTextual() ? n.asText() : null;
    }

    private static void error(HttpServletResponse response, int status, String id, String message) throws IOException {
        ObjectNode n = JSON.createObjectNode();
        ObjectNode e = n.putObject("error");
        e.put("code", id);
        e.put("message", message);
        JsonReplies.write(response, status, n);
    }
}
