package pcm.redfish.internal.oem;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

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

import pcm.config.api.ConfigArchive;
import pcm.config.api.ConfigArchiveException;
import pcm.config.api.ConfigExport;
import pcm.config.api.ConfigSnapshot;
import pcm.config.api.ImportResult;
import pcm.redfish.internal.ApiContext;
import pcm.redfish.internal.Json;
import pcm.redfish.internal.security.User;

/**
 * The Settings resource's actions and snapshots (issue 17 item 2), on pcm.config's {@link ConfigArchive}:
 * {@code POST .../Settings/Actions/PcmSettings.Export} answers the export file itself (a ReadOnly user may export without
 * secrets only: {@link ApiContext} lets that one POST through, this servlet refuses {@code WithSecrets} to it),
 * {@code PcmSettings.Import} takes a file (400 naming each refused value, nothing written), the snapshot collection
 * lists and takes snapshots, a snapshot's Restore action restores it, DELETE removes it.
 */
@Component(service = Servlet.class)
@HttpWhiteboardContextSelect(ApiContext.SELECT)
@HttpWhiteboardServletPattern({"/v1/Oem/Pcm/Settings/Actions/*", "/v1/Oem/Pcm/Settings/Snapshots/*"})
public class SettingsArchiveServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(SettingsArchiveServlet.class);

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile ConfigArchive archive;

    private static String path(HttpServletRequest request) {
        String p = request.getRequestURI();
        while (p.endsWith("/")) p = p.substring(0, p.length() - 1);
        return p;
    }

    private ConfigArchive archive(HttpServletResponse response) throws IOException {
        ConfigArchive a = archive;
        if (a == null) Json.error(response, 503, "Base.1.0.ServiceTemporarilyUnavailable", "the configuration archive (pcm.config) is not available");
        return a;
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String p = path(request);
        ConfigArchive a = archive(response);
        if (a == null) return;
        try {
            if (p.equals(SettingsArchiveResources.SNAPSHOTS)) Json.write(response, 200, SettingsArchiveResources.snapshots(a.snapshots()));
            else if (p.startsWith(SettingsArchiveResources.SNAPSHOTS + "/") && !p.substring(SettingsArchiveResources.SNAPSHOTS.length() + 1).contains("/")) {
                String id = p.substring(SettingsArchiveResources.SNAPSHOTS.length() + 1);
                var s = a.snapshots().stream().filter(x -> x.id().equals(id)).findFirst();
                if (s.isPresent()) Json.write(response, 200, SettingsArchiveResources.snapshot(s.get()));
                else notFound(p, response);
            } else if (p.startsWith(SettingsArchiveResources.ACTIONS + "/"))
                Json.error(response, 405, "Base.1.0.ActionNotSupported", "an action is a POST: " + p);
            else notFound(p, response);
        } catch (ConfigArchiveException e) {
            failed(e, response);
        }
    }

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String p = path(request);
        ConfigArchive a = archive(response);
        if (a == null) return;
        try {
            if (p.equals(SettingsArchiveResources.EXPORT)) export(a, request, response);
            else if (p.equals(SettingsArchiveResources.IMPORT)) importFile(a, request, response);
            else if (p.equals(SettingsArchiveResources.SNAPSHOTS)) takeSnapshot(a, request, response);
            else if (p.startsWith(SettingsArchiveResources.SNAPSHOTS + "/") && p.endsWith(SettingsArchiveResources.RESTORE)) {
                String id = p.substring(SettingsArchiveResources.SNAPSHOTS.length() + 1, p.length() - SettingsArchiveResources.RESTORE.length());
                ObjectNode body = optionalBody(request, response);
                if (body == null) return;
                if (a.snapshots().stream().noneMatch(s -> s.id().equals(id))) {
                    notFound(p, response);
                    return;
                }
                ImportResult r = a.restore(id, body.path("DryRun").asBoolean(false));
                LOG.info("API: {} restored configuration snapshot {} ({} value(s){})", request.getRemoteUser(), id, r.changes().size(),
                        r.dryRun() ? ", dry run" : "");
                Json.write(response, r.dryRun() || r.applied() ? 200 : 202, SettingsArchiveResources.result(r));
            } else Json.error(response, 405, "Base.1.0.ActionNotSupported", "no action at " + p);
        } catch (ConfigArchiveException e) {
            failed(e, response);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            Json.error(response, 503, "Base.1.0.ServiceTemporarilyUnavailable", "interrupted");
        }
    }

    private void export(ConfigArchive a, HttpServletRequest request, HttpServletResponse response) throws IOException {
        ObjectNode body = optionalBody(request, response);
        if (body == null) return;
        boolean withSecrets = body.path("WithSecrets").asBoolean(false);
        User user = (User) request.getAttribute(ApiContext.USER);
        if (withSecrets && (user == null || !user.mayChangeState())) {
            LOG.warn("API: {} refused an export with secrets (ReadOnly)", request.getRemoteUser());
            Json.error(response, 403, "Base.1.0.InsufficientPrivilege", "user " + (user == null ? "?" : user.name() + " (" + user.role() + ")")
                    + " may export without secrets only (WithSecrets needs an Administrator)");
            return;
        }
        ConfigExport e = a.export(body.path("All").asBoolean(false), withSecrets);
        LOG.info("API: {} exported the configuration ({} configurations, secrets {})", request.getRemoteUser(), e.configurations().size(),
                withSecrets ? "included" : "left out");
        response.setStatus(200);
        response.setContentType("application/json;charset=utf-8");
        response.setHeader("Cache-Control", "no-store");
        response.setHeader("Content-Disposition", "attachment; filename=\"pcm-configuration.json\"");
        response.getOutputStream().write(e.json().getBytes(StandardCharsets.UTF_8));
    }

    private void importFile(ConfigArchive a, HttpServletRequest request, HttpServletResponse response)
            throws IOException, ConfigArchiveException, InterruptedException {
        ObjectNode body = Json.body(request, response);
        if (body == null) return;
        JsonNode file = body;
        boolean dryRun = "true".equalsIgnoreCase(request.getParameter("DryRun"));
        if (body.get("Configuration") instanceof ObjectNode inner) {
            file = inner;
            dryRun = body.path("DryRun").asBoolean(dryRun);
        }
        String source = "PcmSettings.Import of " + request.getRemoteUser();
        ImportResult r = a.importConfiguration(source, Json.MAPPER.writeValueAsString(file), dryRun);
        LOG.info("API: {} imported a configuration ({} value(s){})", request.getRemoteUser(), r.changes().size(), dryRun ? ", dry run" : "");
        Json.write(response, r.dryRun() || r.applied() ? 200 : 202, SettingsArchiveResources.result(r));
    }

    private void takeSnapshot(ConfigArchive a, HttpServletRequest request, HttpServletResponse response) throws IOException, ConfigArchiveException {
        ObjectNode body = optionalBody(request, response);
        if (body == null) return;
        JsonNode name = body.get("Name");
        ConfigSnapshot s = a.snapshot(name == null || name.isNull() ? null : name.asText());
        LOG.info("API: {} took configuration snapshot {}", request.getRemoteUser(), s.id());
        response.setHeader("Location", SettingsArchiveResources.uri(s));
        Json.write(response, 201, SettingsArchiveResources.snapshot(s));
    }

    @Override
    protected void doDelete(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String p = path(request);
        ConfigArchive a = archive(response);
        if (a == null) return;
        String id = p.startsWith(SettingsArchiveResources.SNAPSHOTS + "/") ? p.substring(SettingsArchiveResources.SNAPSHOTS.length() + 1) : "";
        try {
            if (id.isEmpty() || id.contains("/") || a.snapshots().stream().noneMatch(s -> s.id().equals(id))) {
                notFound(p, response);
                return;
            }
            a.deleteSnapshot(id);
            LOG.info("API: {} deleted configuration snapshot {}", request.getRemoteUser(), id);
            response.setStatus(204);
        } catch (ConfigArchiveException e) {
            failed(e, response);
        }
    }

    /** An action's body, which may be empty: {} then; null after writing a 400. */
    private static ObjectNode optionalBody(HttpServletRequest request, HttpServletResponse response) throws IOException {
        byte[] bytes = request.getInputStream().readAllBytes();
        if (new String(bytes, StandardCharsets.UTF_8).isBlank()) return Json.object();
        try {
            if (Json.MAPPER.readTree(bytes) instanceof ObjectNode o) return o;
        } catch (IOException e) {
            // answered below
        }
        Json.error(response, 400, "Base.1.0.MalformedJSON", "the body must be a JSON object (or empty)");
        return null;
    }

    private static void failed(ConfigArchiveException e, HttpServletResponse response) throws IOException {
        switch (e.kind()) {
            case REFUSED -> Json.write(response, 400, SettingsArchiveResources.refusal(e));
            case UNREADABLE -> Json.error(response, 400, "Base.1.0.MalformedJSON", e.getMessage());
            case BAD_NAME -> Json.error(response, 400, "Base.1.0.PropertyValueFormatError", e.getMessage());
            case NO_SUCH_SNAPSHOT -> Json.error(response, 404, "Base.1.0.ResourceMissingAtURI", e.getMessage());
            case IO_FAILED -> Json.error(response, 500, "Base.1.0.InternalError", e.getMessage());
        }
    }

    private static void notFound(String p, HttpServletResponse response) throws IOException {
        Json.error(response, 404, "Base.1.0.ResourceMissingAtURI", "no resource at " + p);
    }
}
