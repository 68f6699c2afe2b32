package pcm.redfish.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
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

import pcm.branding.api.Branding;
import pcm.core.api.sampling.Sampler;
import pcm.core.api.sampling.WindowInfo;
import pcm.core.api.verify.Verdict;
import pcm.core.api.verify.VerificationService;
import pcm.core.api.vm.Vm;
import pcm.core.api.vm.VmException;
import pcm.redfish.internal.resources.BrandingResources;
import pcm.redfish.internal.resources.ClearedVerdicts;
import pcm.redfish.internal.resources.EventResources;
import pcm.redfish.internal.resources.ManagerResources;
import pcm.redfish.internal.resources.NetworkResources;
import pcm.redfish.internal.resources.Odata;
import pcm.redfish.internal.resources.ServiceRoot;
import pcm.redfish.internal.resources.SessionResources;
import pcm.redfish.internal.security.ApiSecurity;
import pcm.redfish.internal.security.User;
import pcm.redfish.internal.resources.Sources;
import pcm.redfish.internal.resources.SystemResources;
import pcm.redfish.internal.resources.TaskResources;
import pcm.redfish.internal.tasks.ApiTasks;
import pcm.redfish.internal.tls.HttpsSetup;
import pcm.ui.api.selftest.SelfTest;
import pcm.redfish.internal.resources.VerdictLog;

/**
 * The Redfish resources under {@code /redfish} (issue 16 item 3): service root, {@code Systems/guest} with its
 * Processors, Reset action and verdict LogService, {@code Managers/pcm}. Served in the {@link ApiContext}, so every
 * request is authenticated before it gets here. A kernel service that is away (a bundle being updated) is a 503.
 */
@Component(service = Servlet.class)
@HttpWhiteboardContextSelect(ApiContext.SELECT)
@HttpWhiteboardServletPattern("/*")
public class RedfishServlet extends HttpServlet implements Sources {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(RedfishServlet.class);

    private final transient BundleContext context;
    private final String uuid;
    /** What ClearLog cleared of the verdict log (persisted under the data directory). */
    private final transient ClearedVerdicts cleared;

    @Reference
    private ApiSecurity security;
    @Reference
    private ApiTasks tasks;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile Vm vm;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile Sampler sampler;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile VerificationService verification;
    /** The highest-ranked branding: another branding bundle changes Manufacturer and Model at once. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile Branding branding;
    /** Whether HTTPS is on and with which certificate (NetworkProtocol, CertificateService); absent outside a resident PCM. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile HttpsSetup https;
    /** pcm.ui's self-test, run as a task (Pcm.SelfTest). */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile SelfTest selfTest;

    @Activate
    public RedfishServlet(BundleContext context) {
        this.context = context;
        // stable for one data directory: a client can tell two PCMs apart
        String data = String.valueOf(context.getProperty("pcm.data"));
        this.uuid = UUID.nameUUIDFromBytes(("pcm:" + data).getBytes(StandardCharsets.UTF_8)).toString();
        this.cleared = new ClearedVerdicts(context.getProperty("pcm.data") == null ? null : Path.of(data));
    }

    @Override
    public Vm vm() { return vm; }

    @Override
    public Sampler sampler() { return sampler; }

    /** The verdicts in the log: every window's in the store, less what ClearLog cleared (health follows them too). */
    @Override
    public List<Verdict> verdicts() {
        return cleared.visible(verdictsByWindow());
    }

    /** Every window in the store with all its verdicts, oldest window first. */
    private Map<String, List<Verdict>> verdictsByWindow() {
        Sampler s = sampler;
        VerificationService v = verification;
        Map<String, List<Verdict>> all = new LinkedHashMap<>();
        if (s == null) return all;
        // the store's listing carries no verdicts while the verification service holds them: ask it
        for (WindowInfo w : s.windows()) all.put(w.id(), w.verdicts().isEmpty() && v != null ? v.verdicts(w.id()) : w.verdicts());
        return all;
    }

    @Override
    public Bundle[] bundles() { return context.getBundles(); }

    private HttpsSetup.State httpsState() {
        HttpsSetup h = https;
        return h == null ? null : h.state();
    }

    @Override
    public String firmwareVersion() {
        for (Bundle b : context.getBundles()) if ("pcm.core".equals(b.getSymbolicName())) return b.getVersion().toString();
        return "unknown";
    }

    private static String path(HttpServletRequest request) {
        return Paths.of(request, "/redfish");
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String p = path(request);
        ObjectNode body = switch (p) {
            case "/redfish" -> ServiceRoot.versions();
            case Odata.ROOT -> ServiceRoot.root(uuid);
            case Odata.SYSTEMS -> SystemResources.collection();
            case Odata.MANAGERS -> ManagerResources.collection();
            case Odata.MANAGER -> ManagerResources.manager(this);
            case NetworkResources.PROTOCOL -> NetworkResources.protocol(httpsState(), request.getLocalPort(), request.getServerName());
            case NetworkResources.CERTIFICATES -> NetworkResources.certificates(httpsState());
            case Odata.SYSTEM + "/LogServices" -> VerdictLog.services();
            case EventResources.SERVICE -> EventResources.service();
            case TaskResources.SERVICE -> TaskResources.service();
            case TaskResources.TASKS -> TaskResources.collection(tasks.all());
            case SessionResources.SERVICE -> SessionResources.service(security.sessions().timeoutSeconds());
            case SessionResources.SESSIONS -> SessionResources.collection(security.sessions().live(), user(request));
            default -> null;
        };
        if (body == null && p.equals(NetworkResources.CERTIFICATE)) {
            body = NetworkResources.certificate(httpsState());
            if (body == null) {
                notFound(p, response);
                return;
            }
        }
        if (body == null && p.startsWith(SessionResources.SESSIONS + "/")) {
            var s = security.sessions().byId(p.substring(SessionResources.SESSIONS.length() + 1))
                    .filter(x -> SessionResources.visible(x, user(request)));
            if (s.isEmpty()) {
                notFound(p, response);
                return;
            }
            body = SessionResources.session(s.get());
        }
        if (body == null && p.startsWith(TaskResources.TASKS + "/")) {
            var t = tasks.get(p.substring(TaskResources.TASKS.length() + 1));
            if (t.isEmpty()) {
                notFound(p, response);
                return;
            }
            body = TaskResources.task(t.get());
        }
        if (body == null) body = kernelResource(p, response);
        if (body != null) BrandingResources.brand(p, body, branding);
        if (body != null) Json.write(response, 200, body);
    }

    /** Resources made of the VM and the verdicts; null after writing the error. */
    private ObjectNode kernelResource(String p, HttpServletResponse response) throws IOException {
        Vm v = vm;
        if (!p.startsWith(Odata.SYSTEM)) return notFound(p, response);
        if (v == null) {
            Json.error(response, 503, "Base.1.0.ServiceTemporarilyUnavailable", "the VM service is not available");
            return null;
        }
        if (p.equals(Odata.SYSTEM)) return SystemResources.system(v, verdicts());
        if (p.equals(Odata.SYSTEM + "/Processors")) return SystemResources.processors(v);
        if (p.startsWith(Odata.SYSTEM + "/Processors/")) {
            int cpu = SystemResources.vcpuOf(v, p.substring((Odata.SYSTEM + "/Processors/").length()));
            return cpu < 0 ? notFound(p, response) : SystemResources.processor(v, cpu, verdicts());
        }
        if (p.equals(Odata.VERDICT_LOG)) return VerdictLog.service(verdicts().size(), cleared.last());
        if (p.equals(Odata.VERDICT_LOG + "/Entries")) {
            List<Verdict> listed = verdicts();
            // ClearLog's LogEntriesETag: clear only what the client has seen
            response.setHeader("ETag", ClearedVerdicts.etag(listed));
            return VerdictLog.entries(listed);
        }
        if (p.startsWith(Odata.VERDICT_LOG + "/Entries/")) {
            var v1 = VerdictLog.find(verdicts(), p.substring((Odata.VERDICT_LOG + "/Entries/").length()));
            return v1.isPresent() ? VerdictLog.entry(v1.get()) : notFound(p, response);
        }
        return notFound(p, response);
    }

    private static ObjectNode notFound(String p, HttpServletResponse response) throws IOException {
        Json.error(response, 404, "Base.1.0.ResourceMissingAtURI", "no resource at " + p);
        return null;
    }

    private static User user(HttpServletRequest request) {
        return (User) request.getAttribute(ApiContext.USER);
    }

    /** Login: {"UserName", "Password"} for a session; 201 with its token in X-Auth-Token and its URI in Location. */
    private void login(HttpServletRequest request, HttpServletResponse response) throws IOException {
        ObjectNode body = Json.body(request, response);
        if (body == null) return;
        String name = body.hasNonNull("UserName") ? body.get("UserName").asText() : null;
        String password = body.hasNonNull("Password") ? body.get("Password").asText() : null;
        if (name == null || password == null) {
            Json.error(response, 400, "Base.1.0.ActionParameterMissing", "a session needs UserName and Password");
            return;
        }
        var u = security.authenticator().check(name, password);
        if (u.isEmpty()) {
            LOG.warn("API: login of '{}' refused", name);
            Json.error(response, 401, "Base.1.0.NoValidSession", "wrong user name or password");
            return;
        }
        var session = security.sessions().create(u.get());
        LOG.info("API: {} logged in (session {})", name, session.id());
        response.setHeader("X-Auth-Token", session.token());
        response.setHeader("Location", SessionResources.SESSIONS + "/" + session.id());
        Json.write(response, 201, SessionResources.session(session));
    }

    /** {"WindowId", "Verifier"}: verifies a stored window now, as a task; 202 with the task monitor in Location. */
    private void verifyTask(HttpServletRequest request, HttpServletResponse response) throws IOException {
        ObjectNode body = Json.body(request, response);
        if (body == null) return;
        Sampler s = sampler;
        VerificationService v = verification;
        if (s == null || v == null) {
            Json.error(response, 503, "Base.1.0.ServiceTemporarilyUnavailable", "the sampler or the verification service is not available");
            return;
        }
        String window = body.hasNonNull("WindowId") ? body.get("WindowId").asText() : null;
        String verifier = body.hasNonNull("Verifier") ? body.get("Verifier").asText() : null;
        if (window == null || verifier == null) {
            Json.error(response, 400, "Base.1.0.ActionParameterMissing", "Pcm.Verify needs WindowId and Verifier");
            return;
        }
        var info = s.windows().stream().filter(w -> w.id().equals(window)).findFirst();
        if (info.isEmpty()) {
            Json.error(response, 404, "Base.1.0.ResourceMissingAtURI", "no window " + window + " in the store");
            return;
        }
        ApiTasks.Task t = tasks.verify(v, window, verifier, info.get().instructions());
        LOG.info("API: {} verifies window {} with {} (task {})", request.getRemoteUser(), window, verifier, t.id);
        response.setHeader("Location", TaskResources.TASKS + "/" + t.id);
        Json.write(response, 202, TaskResources.task(t));
    }

    /** Runs the self-test as a task: 202 with the task monitor in Location; 409 while one runs. Takes no parameters. */
    private void selfTestTask(HttpServletRequest request, HttpServletResponse response) throws IOException {
        ObjectNode body = Json.body(request, response);
        if (body == null) return;
        for (var it = body.fieldNames(); it.hasNext();) {
            String f = it.next();
            if (f.startsWith("@")) continue;
            Json.error(response, 400, "Base.1.0.ActionParameterUnknown", f + ": Pcm.SelfTest takes no parameters");
            return;
        }
        SelfTest st = selfTest;
        if (st == null) {
            Json.error(response, 503, "Base.1.0.ServiceTemporarilyUnavailable", "the self-test service (pcm.ui) is not available");
            return;
        }
        var t = tasks.selfTest(st);
        if (t.isEmpty()) {
            Json.error(response, 409, "Base.1.0.ResourceInUse", "a self-test task is running already: "
                    + tasks.all().stream().filter(x -> x.kind == ApiTasks.Kind.SELF_TEST && x.end == null).map(x -> TaskResources.TASKS + "/" + x.id)
                            .findFirst().orElse(TaskResources.TASKS));
            return;
        }
        LOG.info("API: {} runs the self-test (task {})", request.getRemoteUser(), t.get().id);
        response.setHeader("Location", TaskResources.TASKS + "/" + t.get().id);
        Json.write(response, 202, TaskResources.task(t.get()));
    }

    /**
     * ClearLog of the verdict log: hides the verdicts listed now (and the health they make), deletes nothing. With
     * {@code LogEntriesETag} only if the log is still what the client read (412 otherwise: a verdict came meanwhile).
     */
    private void clearLog(HttpServletRequest request, HttpServletResponse response) throws IOException {
        ObjectNode body = Json.body(request, response);
        if (body == null) return;
        for (var it = body.fieldNames(); it.hasNext();) {
            String f = it.next();
            if (f.equals("LogEntriesETag") || f.startsWith("@")) continue;
            Json.error(response, 400, "Base.1.0.ActionParameterUnknown", f + ": not a parameter of LogService.ClearLog (only LogEntriesETag). "
                    + "ClearLog deletes no window: windows leave the store by retention (pcm.eventlog maxWindows, maxBytes, maxAgeDays)");
            return;
        }
        JsonNode tag = body.get("LogEntriesETag");
        if (tag != null && !tag.isTextual()) {
            Json.error(response, 400, "Base.1.0.ActionParameterValueTypeError", "LogEntriesETag: must be a string, the ETag of "
                    + Odata.VERDICT_LOG + "/Entries");
            return;
        }
        if (sampler == null) {
            Json.error(response, 503, "Base.1.0.ServiceTemporarilyUnavailable", "the sampler (the window store) is not available");
            return;
        }
        Map<String, List<Verdict>> all = verdictsByWindow();
        ClearedVerdicts.Summary done;
        synchronized (cleared) {
            String now = ClearedVerdicts.etag(cleared.visible(all));
            if (tag != null && !unquoted(tag.asText()).equals(unquoted(now))) {
                Json.error(response, 412, "Base.1.0.PreconditionFailed", "LogEntriesETag " + tag.asText() + " is not the log's ETag "
                        + now + ": entries came or went since it was read; nothing was cleared (read the entries again)");
                return;
            }
            try {
                done = cleared.clear(all, request.getRemoteUser(), java.time.Instant.now());
            } catch (IOException e) {
                LOG.error("API: ClearLog could not write {}: {}", ClearedVerdicts.FILE, e.toString());
                Json.error(response, 500, "Base.1.0.InternalError", "cannot record the clear (" + e.getMessage() + "); nothing was cleared");
                return;
            }
        }
        LOG.info("API: {} cleared the verdict log: {} entries {} (windows, verdict files and evidence kept)", request.getRemoteUser(),
                done.entries(), done.outcomes());
        Json.write(response, 200, VerdictLog.cleared(done, all.size()));
    }

    private static String unquoted(String etag) {
        String t = etag.strip();
        if (t.startsWith("W/")) t = t.substring(2);
        return t.replace("\"", "");
    }

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String p = path(request);
        if (p.equals(SessionResources.SESSIONS)) {
            login(request, response);
            return;
        }
        if (p.equals(TaskResources.VERIFY)) {
            verifyTask(request, response);
            return;
        }
        if (p.equals(TaskResources.SELF_TEST)) {
            selfTestTask(request, response);
            return;
        }
        if (p.equals(VerdictLog.CLEAR)) {
            clearLog(request, response);
            return;
        }
        if (!p.equals(Odata.SYSTEM + "/Actions/ComputerSystem.Reset")) {
            Json.error(response, 405, "Base.1.0.ActionNotSupported", "no action at " + p);
            return;
        }
        ObjectNode body = Json.body(request, response);
        if (body == null) return;
        Vm v = vm;
        if (v == null) {
            Json.error(response, 503, "Base.1.0.ServiceTemporarilyUnavailable", "the VM service is not available");
            return;
        }
        if (!body.hasNonNull("ResetType") || !body.get("ResetType").isTextual()) {
            Json.error(response, 400, "Base.1.0.ActionParameterMissing", "ComputerSystem.Reset needs ResetType, one of "
                    + SystemResources.RESET_TYPES);
            return;
        }
        String type = body.get("ResetType").asText();
        try {
            String refused = SystemResources.reset(v, type);
            if (refused != null) Json.error(response, 409, "Base.1.0.ActionNotSupported", refused + " (VM " + v.state() + ")");
            else {
                LOG.info("API: {} reset the guest: {}", request.getRemoteUser(), type);
                response.setStatus(204);
            }
        } catch (IllegalArgumentException e) {
            Json.error(response, 400, "Base.1.0.ActionParameterValueNotInList", e.getMessage());
        } catch (VmException e) {
            Json.error(response, 409, "Base.1.0.ActionNotSupported", "ResetType " + type + ": " + e.getMessage() + " (VM " + v.state() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            Json.error(response, 503, "Base.1.0.ServiceTemporarilyUnavailable", "interrupted");
        }
    }

    @Override
    protected void doPatch(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Json.error(response, 405, "Base.1.0.PropertyNotWritable", "no writable property at " + path(request) + " (not built yet)");
    }

    @Override
    protected void doPut(HttpServletRequest request, HttpServletResponse response) throws IOException {
        doPatch(request, response);
    }

    /** Logout: ends a session (its own, or any for an Administrator). */
    @Override
    protected void doDelete(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String p = path(request);
        if (!p.startsWith(SessionResources.SESSIONS + "/")) {
            doPatch(request, response);
            return;
        }
        var s = security.sessions().byId(p.substring(SessionResources.SESSIONS.length() + 1))
                .filter(x -> SessionResources.visible(x, user(request)));
        if (s.isEmpty() || !security.sessions().end(s.get().id())) {
            notFound(p, response);
            return;
        }
        LOG.info("API: session {} of {} ended", s.get().id(), s.get().user().name());
        response.setStatus(204);
    }
}
