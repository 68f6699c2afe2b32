package pcm.redfish.internal.resources;

import java.security.cert.X509Certificate;
import java.time.format.DateTimeFormatter;
import java.time.ZoneOffset;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.node.ObjectNode;

import pcm.redfish.internal.tls.HttpsSetup;
import pcm.redfish.internal.tls.ServerCertificate;

/**
 * How PCM is reached, in Redfish's standard schemas (as BMCs show it): {@code Managers/pcm/NetworkProtocol} (HTTP and
 * HTTPS, enabled or not, on which port), the HTTPS certificate ({@code Certificate}: PEM, SHA-256 fingerprint,
 * validity) and the {@code CertificateService}'s {@code CertificateLocations}. The CertificateService's actions
 * (GenerateCSR, ReplaceCertificate) are {@code certs.CertificateServlet}'s.
 */
public final class NetworkResources {

    public static final String PROTOCOL = Odata.MANAGER + "/NetworkProtocol";
    public static final String CERTIFICATES = PROTOCOL + "/HTTPS/Certificates";
    public static final String CERTIFICATE = CERTIFICATES + "/1";
    public static final String CERTIFICATE_SERVICE = Odata.ROOT + "/CertificateService";
    public static final String LOCATIONS = CERTIFICATE_SERVICE + "/CertificateLocations";

    private static final Pattern CN = Pattern.compile("(?:^|,)\\s*CN=([^,]*)");
    private static final Pattern O = Pattern.compile("(?:^|,)\\s*O=([^,]*)");

    private NetworkResources() {}

    /** {@code port}: the one the request came in on (the API's single port). */
    public static ObjectNode protocol(HttpsSetup.State state, int port, String hostName) {
        ObjectNode n = Odata.resource("NetworkProtocol", "#ManagerNetworkProtocol.v1_10_0.ManagerNetworkProtocol", PROTOCOL,
                "PCM network protocols");
        n.put("HostName", hostName);
        boolean https = state != null && state.https();
        ObjectNode http = n.putObject("HTTP");
        http.put("ProtocolEnabled", !https);
        if (!https) http.put("Port", port);
        else http.putNull("Port");
        ObjectNode s = n.putObject("HTTPS");
        s.put("ProtocolEnabled", https);
        if (https) s.put("Port", port);
        else s.putNull("Port");
        s.set("Certificates", Odata.link(CERTIFICATES));
        n.set("Status", Odata.status("Enabled", state != null && state.error().isPresent() ? "Critical" : "OK"));
        if (state != null && state.error().isPresent()) n.putObject("Oem").putObject("Pcm").put("HttpsError", state.error().get());
        return n;
    }

    public static ObjectNode certificates(HttpsSetup.State state) {
        List<String> members = state != null && state.certificate().isPresent() ? List.of(CERTIFICATE) : List.of();
        return Odata.collection("#CertificateCollection.CertificateCollection", CERTIFICATES, "HTTPS certificates", members);
    }

    /** The served certificate; null when HTTPS is off. */
    public static ObjectNode certificate(HttpsSetup.State state) {
        if (state == null || state.certificate().isEmpty()) return null;
        ServerCertificate c = state.certificate().get();
        X509Certificate x = c.certificate();
        ObjectNode n = Odata.resource("1", "#Certificate.v1_8_0.Certificate", CERTIFICATE, "HTTPS server certificate");
        n.put("CertificateString", c.pem());
        n.put("CertificateType", "PEM");
        n.put("Fingerprint", c.sha256Fingerprint());
        n.put("FingerprintHashAlgorithm", "TPM_ALG_SHA256");
        n.put("SerialNumber", x.getSerialNumber().toString(16).toUpperCase(java.util.Locale.ROOT));
        n.put("SignatureAlgorithm", x.getSigAlgName());
        n.put("ValidNotBefore", iso(x.getNotBefore()));
        n.put("ValidNotAfter", iso(x.getNotAfter()));
        n.set("Subject", identifier(x.getSubjectX500Principal().getName()));
        n.set("Issuer", identifier(x.getIssuerX500Principal().getName()));
        n.putArray("KeyUsage").add("ServerAuthentication");
        ObjectNode oem = n.putObject("Oem").putObject("Pcm");
        oem.put("SelfSigned", c.selfSigned());
        oem.put("Keystore", c.keystore().toString());
        return n;
    }

    public static ObjectNode certificateService() {
        ObjectNode n = Odata.resource("CertificateService", "#CertificateService.v1_0_5.CertificateService", CERTIFICATE_SERVICE,
                "Certificate Service");
        n.set("CertificateLocations", Odata.link(LOCATIONS));
        return n;
    }

    public static ObjectNode locations(HttpsSetup.State state) {
        ObjectNode n = Odata.resource("CertificateLocations", "#CertificateLocations.v1_0_4.CertificateLocations", LOCATIONS,
                "Certificate Locations");
        var certs = n.putObject("Links").putArray("Certificates");
        if (state != null && state.certificate().isPresent()) certs.add(Odata.link(CERTIFICATE));
        n.with("Links").put("Certificates@odata.count", certs.size());
        return n;
    }

    private static ObjectNode identifier(String rfc2253) {
        ObjectNode n = pcm.redfish.internal.Json.object();
        Matcher cn = CN.matcher(rfc2253);
        if (cn.find()) n.put("CommonName", cn.group(1));
        Matcher o = O.matcher(rfc2253);
        if (o.find()) n.put("Organization", o.group(1));
        return n;
    }

    private static String iso(java.util.Date d) {
        return DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(d.toInstant().atOffset(ZoneOffset.UTC));
    }
}
