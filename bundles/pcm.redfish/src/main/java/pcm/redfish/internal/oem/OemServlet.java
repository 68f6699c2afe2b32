package pcm.redfish.internal.oem;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

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

import com.fasterxml.jackson.databind.node.ObjectNode;

import pcm.config.api.ChangeResult;
import pcm.config.api.Settings;
import pcm.config.api.SettingsException;
import pcm.core.api.event.EventKind;
import pcm.core.api.sampling.Sampler;
import pcm.core.api.sampling.SamplingException;
import pcm.core.api.sampling.WindowInfo;
import pcm.core.api.sampling.WindowLogs;
import pcm.core.api.verify.Verdict;
import pcm.core.api.verify.VerificationService;
import pcm.core.api.verify.Window;
import pcm.redfish.internal.ApiContext;
import pcm.redfish.internal.Json;
import pcm.redfish.internal.Paths;

/**
 * PCM's OEM resources under {@value WindowResources#BASE} (DSP0266 puts a vendor's own resources under
 * {@code /redfish/v1/Oem/<vendor>}): the windows (listing with verdicts, one window, its events paged and
 * filtered) and the settings (metatype-described configuration, PATCH to change). In the {@link ApiContext}:
 * authenticated, and PATCH needs an Administrator and passes the cross-site check like every change.
 */
@Component(service = Servlet.class)
@HttpWhiteboardContextSelect(ApiContext.SELECT)
@HttpWhiteboardServletPattern("/v1/Oem/Pcm/*")
public class OemServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(OemServlet.class);

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile Sampler sampler;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile WindowLogs logs;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile VerificationService verification;
    /** pcm.config's settings service: the one the shell's pcm:config uses too. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile Settings settings;

    private List<Verdict> verdictsOf(WindowInfo w) {
        VerificationService v = verification;
        // the store's listing carries no verdicts while the verification service holds them: ask it
        return w.verdicts().isEmpty() && v != null ? v.verdicts(w.id()) : w.verdicts();
    }

    private static String path(HttpServletRequest request) {
        return Paths.of(request, WindowResources.BASE);
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String p = path(request);
        if (p.equals(WindowResources.BASE)) {
            ObjectNode n = Json.object();
            n.put("@odata.id", WindowResources.BASE);
            n.put("@odata.type", "#PcmService.v1_0_0.PcmService");
            n.put("Name", "PCM OEM resources");
            n.putObject("Windows").put("@odata.id", WindowResources.WINDOWS);
            n.putObject("Settings").put("@odata.id", SettingsResources.SETTINGS);
            n.putObject("Branding").put("@odata.id", pcm.redfish.internal.resources.BrandingResources.BRANDING);
            Json.write(response, 200, n);
        } else if (p.equals(WindowResources.WINDOWS) || p.startsWith(WindowResources.WINDOWS + "/")) windows(p, request, response);
        else if (p.equals(SettingsResources.SETTINGS) || p.startsWith(SettingsResources.SETTINGS + "/")) settingsGet(p, response);
        else notFound(p, response);
    }

    private void windows(String p, HttpServletRequest request, HttpServletResponse response) throws IOException {
        Sampler s = sampler;
        if (s == null) {
            unavailable(response, "the sampler is not available");
            return;
        }
        List<WindowInfo> all = s.windows();
        if (p.equals(WindowResources.WINDOWS)) {
            ObjectNode n = WindowResources.collection(all, this::verdictsOf);
            ObjectNode counts = n.putObject("Outcomes");
            WindowResources.outcomes(all, this::verdictsOf).forEach(counts::put);
            Json.write(response, 200, n);
            return;
        }
        String rest = p.substring(WindowResources.WINDOWS.length() + 1);
        boolean events = rest.endsWith("/Events");
        String id = events ? rest.substring(0, rest.length() - "/Events".length()) : rest;
        Optional<WindowInfo> w = all.stream().filter(x -> x.id().equals(id)).findFirst();
        if (w.isEmpty() || id.contains("/")) {
            notFound(p, response);
            return;
        }
        if (events) events(w.get(), request, response);
        else Json.write(response, 200, window(s, w.get()));
    }

    private ObjectNode window(Sampler s, WindowInfo w) {
        Window loaded = null;
        String problem = null;
        if ("COMPLETE".equals(w.state())) {
            try {
                loaded = s.window(w.id()).orElse(null);
            } catch (SamplingException | RuntimeException e) {
                problem = "the snapshots cannot be read: " + e.getMessage();
            }
        } else problem = "a " + w.state() + " window has no readable snapshots";
        return WindowResources.window(w, verdictsOf(w), loaded, problem);
    }

    private void events(WindowInfo w, HttpServletRequest request, HttpServletResponse response) throws IOException {
        WindowLogs l = logs;
        if (l == null) {
            unavailable(response, "the window log service is not available");
            return;
        }
        Set<EventKind> kinds;
        long skip;
        int top;
        try {
            kinds = WindowResources.kinds(request.getParameter("kind"));
            skip = request.getParameter("$skip") == null ? 0 : Long.parseLong(request.getParameter("$skip"));
            top = request.getParameter("$top") == null ? 100 : Integer.parseInt(request.getParameter("$top"));
            if (skip < 0 || top < 0) throw new NumberFormatException("negative");
        } catch (IllegalArgumentException e) {
            Json.error(response, 400, "Base.1.0.QueryParameterValueFormatError", "kind is a comma list of " + List.of(EventKind.values())
                    + ", $skip and $top are counts (" + e.getMessage() + ")");
            return;
        }
        var page = new WindowResources.EventPage(kinds, skip, Math.min(top, WindowResources.MAX_PAGE));
        try {
            WindowLogs.LogStatus status = l.read(w.id(), page);
            Json.write(response, 200, page.body(w.id(), request.getParameter("kind"), status.status(), status.problem()));
        } catch (SamplingException e) {
            Json.error(response, 500, "Base.1.0.InternalError", "reading window " + w.id() + ": " + e.getMessage());
        }
    }

    private Settings settings(HttpServletResponse response) throws IOException {
        Settings s = settings;
        if (s == null) unavailable(response, "the settings service (pcm.config) is not available");
        return s;
    }

    private void settingsGet(String p, HttpServletResponse response) throws IOException {
        Settings s = settings(response);
        if (s == null) return;
        if (p.equals(SettingsResources.SETTINGS)) {
            Json.write(response, 200, SettingsResources.collection(s.list()));
            return;
        }
        var pid = s.get(p.substring(SettingsResources.SETTINGS.length() + 1));
        if (pid.isEmpty()) notFound(p, response);
        else Json.write(response, 200, SettingsResources.settings(pid.get()));
    }

    /**
     * {"Attributes": {id: value}}: 200 once applied, 202 when written but not applied within the service's wait, 400
     * refused (nothing written), 404 no such PID.
     */
    @Override
    protected void doPatch(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String p = path(request);
        if (!p.startsWith(SettingsResources.SETTINGS + "/")) {
            Json.error(response, 405, "Base.1.0.PropertyNotWritable", "no writable property at " + p);
            return;
        }
        Settings s = settings(response);
        if (s == null) return;
        String pid = p.substring(SettingsResources.SETTINGS.length() + 1);
        if (s.get(pid).isEmpty()) {
            notFound(p, response);
            return;
        }
        ObjectNode body = Json.body(request, response);
        if (body == null) return;
        if (!(body.get("Attributes") instanceof ObjectNode attributes) || attributes.isEmpty()) {
            Json.error(response, 400, "Base.1.0.PropertyMissing", "PATCH needs {\"Attributes\": {\"<id>\": <value>, ...}}");
            return;
        }
        Map<String, String> changes = new LinkedHashMap<>();
        attributes.properties().forEach(e -> changes.put(e.getKey(), SettingsResources.text(e.getValue())));
        try {
            ChangeResult r = s.change(pid, changes);
            LOG.info("API: {} changed settings of {}: {} (written to {})", request.getRemoteUser(), pid, changes.keySet(), r.file());
            ObjectNode n = SettingsResources.settings(r.after());
            n.put("Applied", r.applied());
            if (!r.applied()) n.put("Message", "written to " + r.file() + "; not applied in time (FileInstall applies conf/ files;"
                    + " see log/pcm.log)");
            Json.write(response, r.applied() ? 200 : 202, n);
        } catch (SettingsException e) {
            switch (e.kind()) {
                case REFUSED -> Json.error(response, 400, "Base.1.0.PropertyValueError", e.getMessage());
                case UNKNOWN_PID -> notFound(p, response);
                case WRITE_FAILED -> Json.error(response, 500, "Base.1.0.InternalError", e.getMessage());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            unavailable(response, "interrupted");
        }
    }

    private static void notFound(String p, HttpServletResponse response) throws IOException {
        Json.error(response, 404, "Base.1.0.ResourceMissingAtURI", "no resource at " + p);
    }

    private static void unavailable(HttpServletResponse response, String why) throws IOException {
        Json.error(response, 503, "Base.1.0.ServiceTemporarilyUnavailable", why);
    }
}
