package pcm.redfish.internal.certs;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.Optional;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

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

import com.fasterxml.jackson.databind.node.ObjectNode;

import pcm.redfish.internal.ApiContext;
import pcm.redfish.internal.Json;
import pcm.redfish.internal.Paths;
import pcm.redfish.internal.resources.NetworkResources;
import pcm.redfish.internal.tls.HttpsKeystoreException;
import pcm.redfish.internal.tls.HttpsSetup;

/**
 * The CertificateService (issue 16 item 6): its resource with the actions and the pending CSR, CertificateLocations,
 * {@code GenerateCSR} (a new key kept in {@code <data>/secrets/} until its certificate comes) and
 * {@code ReplaceCertificate} (a PEM certificate, with its key or for the pending CSR's key, checked whole, then written
 * over PCM's own keystore and served: Felix HTTP restarts Jetty with it in this JVM, no PCM restart). In the
 * {@link ApiContext}: authenticated; the actions need an Administrator and pass the cross-site check. A wrong request is
 * a 400 naming the parameter and the problem, and changes nothing.
 */
@Component(service = Servlet.class)
@HttpWhiteboardContextSelect(ApiContext.SELECT)
@HttpWhiteboardServletPattern("/v1/CertificateService/*")
public class CertificateServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(CertificateServlet.class);

    public static final String ACTIONS = NetworkResources.CERTIFICATE_SERVICE + "/Actions/";

    /** Whether and how HTTPS is served; absent outside a resident PCM. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile HttpsSetup https;

    private final transient CertificateStore store;

    @Activate
    public CertificateServlet(BundleContext context) {
        String data = context.getProperty("pcm.data");
        this.store = new CertificateStore(Path.of(data == null ? "pcm-data" : data));
    }

    private HttpsSetup.State state() {
        HttpsSetup h = https;
        return h == null ? null : h.state();
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String p = Paths.of(request, NetworkResources.CERTIFICATE_SERVICE);
        if (p.equals(NetworkResources.CERTIFICATE_SERVICE)) Json.write(response, 200, service());
        else if (p.equals(NetworkResources.LOCATIONS)) Json.write(response, 200, NetworkResources.locations(state()));
        else Json.error(response, 404, "Base.1.0.ResourceMissingAtURI", "no resource at " + p);
    }

    private ObjectNode service() {
        ObjectNode n = NetworkResources.certificateService();
        ObjectNode actions = n.putObject("Actions");
        actions.putObject("#" + CertificateActions.GENERATE_CSR).put("target", ACTIONS + CertificateActions.GENERATE_CSR);
        ObjectNode replace = actions.putObject("#" + CertificateActions.REPLACE);
        replace.put("target", ACTIONS + CertificateActions.REPLACE);
        var types = replace.putArray("CertificateType@Redfish.AllowableValues");
        CertificateActions.CERTIFICATE_TYPES.forEach(types::add);
        ObjectNode oem = n.putObject("Oem").putObject("Pcm");
        Optional<CertificateStore.Pending> pending = store.pending();
        if (pending.isEmpty()) oem.putNull("PendingCsr");
        else {
            ObjectNode c = oem.putObject("PendingCsr");
            c.put("Subject", pending.get().subject());
            c.put("KeyType", pending.get().keyType());
            c.put("Created", pending.get().created().toString());
            c.put("CSRString", pending.get().csrPem());
        }
        HttpsSetup h = https;
        oem.put("Replaceable", h != null && h.replaceRefusal().isEmpty());
        if (h != null) h.replaceRefusal().ifPresent(r -> oem.put("NotReplaceableBecause", r));
        return n;
    }

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String p = Paths.of(request, NetworkResources.CERTIFICATE_SERVICE);
        boolean csr = p.equals(ACTIONS + CertificateActions.GENERATE_CSR);
        boolean replace = p.equals(ACTIONS + CertificateActions.REPLACE);
        if (!csr && !replace) {
            Json.error(response, 405, "Base.1.0.ActionNotSupported", "no action at " + p);
            return;
        }
        ObjectNode body = Json.body(request, response);
        if (body == null) return;
        HttpsSetup h = https;
        try {
            if (h == null) throw CertificateRequestException.conflict("HTTPS is not managed here (not a resident PCM)");
            Optional<String> refusal = h.replaceRefusal();
            if (refusal.isPresent()) throw CertificateRequestException.conflict(refusal.get());
            if (csr) generateCsr(body, request, response);
            else replace(h, body, request, response);
        } catch (CertificateRequestException e) {
            LOG.warn("API: {} {} refused: {}", request.getRemoteUser(), p.substring(ACTIONS.length()), e.getMessage());
            Json.error(response, e.status(), e.messageId(), e.getMessage());
        } catch (RuntimeException e) {
            // a library's surprise on odd input: an answer naming it, the old certificate kept, PCM unharmed
            LOG.error("API: {} failed", p.substring(ACTIONS.length()), e);
            Json.error(response, 500, "Base.1.0.InternalError", p.substring(ACTIONS.length()) + " failed, nothing was changed: " + e);
        }
    }

    private void generateCsr(ObjectNode body, HttpServletRequest request, HttpServletResponse response)
            throws CertificateRequestException, IOException {
        CsrRequest r = CertificateActions.csrRequest(body);
        CsrGenerator.Csr csr;
        try {
            csr = store.generate(r);
        } catch (GeneralSecurityException | IOException e) {
            LOG.error("API: GenerateCSR failed", e);
            Json.error(response, 500, "Base.1.0.InternalError", "cannot generate the key or the CSR: " + e.getMessage());
            return;
        }
        LOG.info("API: {} generated a CSR for {} ({}); its key waits in {} for the certificate", request.getRemoteUser(), csr.subject(),
                r.key().describe(), CertificateStore.PENDING_KEY);
        ObjectNode n = Json.object();
        n.put("@odata.type", "#CertificateService.v1_0_5.GenerateCSRResponse");
        n.put("CSRString", csr.pem());
        n.putObject("CertificateCollection").put("@odata.id", NetworkResources.CERTIFICATES);
        ObjectNode oem = n.putObject("Oem").putObject("Pcm");
        oem.put("Subject", csr.subject());
        oem.put("KeyType", r.key().describe());
        oem.put("Note", "PCM keeps the new key until ReplaceCertificate posts the certificate a CA issued for this request; "
                + "a newer GenerateCSR replaces it");
        Json.write(response, 200, n);
    }

    private void replace(HttpsSetup h, ObjectNode body, HttpServletRequest request, HttpServletResponse response)
            throws CertificateRequestException, IOException {
        String pem = CertificateActions.replacement(body);
        CertificateStore.Replaced r;
        try {
            r = store.replace(pem, Instant.now());
        } catch (HttpsKeystoreException | IOException e) {
            LOG.error("API: ReplaceCertificate could not write the keystore (the old certificate is kept)", e);
            Json.error(response, 500, "Base.1.0.InternalError", "cannot write the new keystore, the old certificate is kept: " + e.getMessage());
            return;
        }
        try {
            h.reload(r.served(), request.getLocalPort());
        } catch (HttpsKeystoreException e) {
            LOG.error("API: the certificate was replaced but is not served yet: {}", e.getMessage());
            Json.error(response, 500, "Base.1.0.InternalError", "the keystore holds the new certificate, but it could not be served now ("
                    + e.getMessage() + "); it is served from the next start");
            return;
        }
        LOG.info("API: {} replaced the HTTPS certificate: {} ({}{})", request.getRemoteUser(), r.served().certificate().getSubjectX500Principal(),
                r.keyType(), r.pendingKeyUsed() ? ", the pending CSR's key" : "");
        ObjectNode n = NetworkResources.certificate(h.state());
        String message = "The certificate was replaced. The HTTP server restarts with it within about a second (open connections, "
                + "e.g. event streams, are closed and must reconnect; the guest, sampling and verification go on). "
                + "Clients must trust the new certificate: SHA-256 " + r.served().sha256Fingerprint() + ".";
        ObjectNode info = n.putArray("@Message.ExtendedInfo").addObject();
        info.put("@odata.type", "#Message.v1_1_2.Message");
        info.put("MessageId", "Base.1.0.Success");
        info.put("Message", message);
        info.put("Severity", "OK");
        ObjectNode oem = n.with("Oem").with("Pcm");
        oem.put("KeyType", r.keyType());
        oem.put("PendingCsrKeyUsed", r.pendingKeyUsed());
        oem.put("TakesEffect", "HttpServerRestart");
        Json.write(response, 200, n);
        response.flushBuffer();
    }
}
