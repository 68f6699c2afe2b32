package pcm.redfish.internal.evidence;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.util.Optional;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardContextSelect;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletPattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import pcm.redfish.internal.ApiContext;
import pcm.redfish.internal.Json;
import pcm.redfish.internal.resources.EvidenceResources;
import pcm.ui.api.evidence.Evidence;
import pcm.ui.api.evidence.EvidenceBundle;
import pcm.ui.api.evidence.EvidenceException;

/**
 * Evidence bundles over Redfish: {@code LogService.CollectDiagnosticData} (on the verdict log and on the evidence log)
 * writes a window's bundle through pcm.ui's {@link Evidence} service — synchronously, a window's files are a few MB —
 * and answers 201 with the new LogEntry (Location); the Evidence LogService lists them; the entry's
 * {@code AdditionalDataURI} serves the archive. In the {@link ApiContext}: authenticated; collecting needs an
 * Administrator and passes the cross-site check.
 */
@Component(service = Servlet.class)
@HttpWhiteboardContextSelect(ApiContext.SELECT)
@HttpWhiteboardServletPattern({"/v1/Systems/guest/LogServices/Verdicts/Actions/LogService.CollectDiagnosticData",
        "/v1/Systems/guest/LogServices/Evidence/*"})
public class EvidenceServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(EvidenceServlet.class);

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile Evidence evidence;

    /** The resource's URI: servlet path and path info, without a trailing slash. */
    static String path(HttpServletRequest request) {
        String p = ApiContext.PATH + request.getServletPath() + (request.getPathInfo() == null ? "" : request.getPathInfo());
        while (p.endsWith("/")) p = p.substring(0, p.length() - 1);
        return p;
    }

    private Evidence evidence(HttpServletResponse response) throws IOException {
        Evidence e = evidence;
        if (e == null) Json.error(response, 503, "Base.1.0.ServiceTemporarilyUnavailable", "the evidence service (pcm.ui) is not available");
        return e;
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Evidence e = evidence(response);
        if (e == null) return;
        String p = path(request);
        try {
            if (p.equals(EvidenceResources.SERVICE)) Json.write(response, 200, EvidenceResources.service(e.collected().size()));
            else if (p.equals(EvidenceResources.ENTRIES)) Json.write(response, 200, EvidenceResources.entries(e.collected()));
            else if (p.startsWith(EvidenceResources.ENTRIES + "/")) {
                String rest = p.substring(EvidenceResources.ENTRIES.length() + 1);
                boolean attachment = rest.endsWith("/" + EvidenceResources.ATTACHMENT);
                String id = attachment ? rest.substring(0, rest.length() - EvidenceResources.ATTACHMENT.length() - 1) : rest;
                Optional<EvidenceBundle> b = id.contains("/") ? Optional.empty() : e.collected(id);
                if (b.isEmpty()) Json.error(response, 404, "Base.1.0.ResourceMissingAtURI", "no resource at " + p);
                else if (attachment) send(b.get(), response);
                else Json.write(response, 200, EvidenceResources.entry(b.get()));
            } else Json.error(response, 404, "Base.1.0.ResourceMissingAtURI", "no resource at " + p);
        } catch (EvidenceException x) {
            // a collected bundle damaged since it was written: said, never served
            LOG.warn("API: {}: {}", p, x.getMessage());
            Json.error(response, 500, "Base.1.0.InternalError", x.getMessage() + " [" + x.problem() + "]");
        }
    }

    /** The archive itself, as it was checked (size and SHA-256 in headers, so a client can check its copy). */
    private static void send(EvidenceBundle b, HttpServletResponse response) throws IOException {
        InputStream in;
        try {
            in = Files.newInputStream(b.file());
        } catch (IOException gone) {
            Json.error(response, 404, "Base.1.0.ResourceMissingAtURI", "evidence bundle " + b.id() + " is gone: " + gone.getMessage());
            return;
        }
        response.setStatus(200);
        response.setContentType("application/zip");
        response.setHeader("Content-Disposition", "attachment; filename=\"" + b.id() + ".zip\"");
        response.setHeader("Cache-Control", "no-store");
        response.setHeader("X-Pcm-Sha256", b.sha256());
        response.setContentLengthLong(b.bytes());
        try (in; OutputStream out = response.getOutputStream()) {
            in.transferTo(out);
        }
    }

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String p = path(request);
        if (!p.equals(EvidenceResources.COLLECT) && !p.equals(EvidenceResources.COLLECT_HERE)) {
            Json.error(response, 405, "Base.1.0.ActionNotSupported", "no action at " + p);
            return;
        }
        ObjectNode body = Json.body(request, response);
        if (body == null) return;
        String type = text(body, "DiagnosticDataType");
        String oemType = text(body, "OEMDiagnosticDataType");
        String window = text(body.path("Oem").path("Pcm"), "WindowId");
        if (window == null) window = text(body, "WindowId");
        if (type == null || window == null) {
            Json.error(response, 400, "Base.1.0.ActionParameterMissing", EvidenceResources.ACTION
                    + " needs DiagnosticDataType \"OEM\", OEMDiagnosticDataType \"" + EvidenceResources.OEM_TYPE
                    + "\" and the window: {\"Oem\": {\"Pcm\": {\"WindowId\": \"w...\"}}}");
            return;
        }
        if (!type.equals("OEM") || !EvidenceResources.OEM_TYPE.equals(oemType)) {
            Json.error(response, 400, "Base.1.0.ActionParameterValueNotInList", "DiagnosticDataType " + type + " / OEMDiagnosticDataType "
                    + oemType + ": only OEM / " + EvidenceResources.OEM_TYPE + " (a window's evidence bundle) is collected here");
            return;
        }
        Evidence e = evidence(response);
        if (e == null) return;
        try {
            EvidenceBundle b = e.collect(window);
            LOG.info("API: {} collected the evidence of window {}: {}", request.getRemoteUser(), window, b.file());
            response.setHeader("Location", EvidenceResources.uri(b));
            Json.write(response, 201, EvidenceResources.entry(b));
        } catch (EvidenceException x) {
            LOG.warn("API: {}: evidence of window {} not collected: {}", request.getRemoteUser(), window, x.getMessage());
            switch (x.problem()) {
                case NO_WINDOW -> Json.error(response, 404, "Base.1.0.ResourceMissingAtURI", x.getMessage());
                case WINDOW_NOT_READY -> Json.error(response, 409, "Base.1.0.ResourceInUse", x.getMessage());
                default -> Json.error(response, 500, "Base.1.0.InternalError", x.getMessage() + " [" + x.problem() + "]");
            }
        }
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || !v.isTextual() ? null : v.asText();
    }
}
