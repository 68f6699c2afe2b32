package pcm.redfish.internal.certs;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import pcm.redfish.internal.resources.NetworkResources;

/**
 * The parameters of the CertificateService's actions (Redfish CertificateService v1_0_5), read from the request's JSON
 * and checked: a missing one, one of the wrong JSON type, a value not allowed or a name the action does not have is a
 * {@link CertificateRequestException} naming it. The certificate they act on is PCM's one HTTPS certificate.
 */
public final class CertificateActions {

    public static final String GENERATE_CSR = "CertificateService.GenerateCSR";
    public static final String REPLACE = "CertificateService.ReplaceCertificate";
    public static final List<String> CERTIFICATE_TYPES = List.of("PEM", "PEMchain");

    private static final Set<String> CSR_PARAMETERS = Set.of("CertificateCollection", "CommonName", "AlternativeNames", "Organization",
            "OrganizationalUnit", "City", "State", "Country", "Email", "KeyPairAlgorithm", "KeyCurveId", "KeyBitLength", "KeyUsage");
    private static final Set<String> REPLACE_PARAMETERS = Set.of("CertificateString", "CertificateType", "CertificateUri");

    private CertificateActions() {}

    public static CsrRequest csrRequest(ObjectNode body) throws CertificateRequestException {
        known(body, CSR_PARAMETERS, GENERATE_CSR);
        String collection = link(body, "CertificateCollection", GENERATE_CSR);
        if (!collection.equals(NetworkResources.CERTIFICATES))
            throw CertificateRequestException.value("CertificateCollection", collection + " is not a certificate collection of this "
                    + "service; PCM's HTTPS certificates are " + NetworkResources.CERTIFICATES);
        List<String> names = new ArrayList<>();
        JsonNode alt = body.get("AlternativeNames");
        if (alt != null && !alt.isNull()) {
            if (!alt.isArray()) throw CertificateRequestException.type("AlternativeNames", "an array of host names and addresses");
            for (JsonNode n : alt) {
                if (!n.isTextual()) throw CertificateRequestException.type("AlternativeNames", "an array of strings");
                names.add(n.asText().strip());
            }
        }
        JsonNode usage = body.get("KeyUsage");
        if (usage != null && !usage.isNull()) {
            // the request asks for what a TLS server needs; other usages would make a certificate PCM then refuses
            if (!usage.isArray()) throw CertificateRequestException.type("KeyUsage", "an array");
            for (JsonNode u : usage)
                if (!u.isTextual() || !Set.of("DigitalSignature", "KeyEncipherment", "ServerAuthentication").contains(u.asText()))
                    throw CertificateRequestException.value("KeyUsage", u + ": PCM asks for DigitalSignature, KeyEncipherment (RSA) and "
                            + "ServerAuthentication, what an HTTPS server certificate needs, and no other usage");
        }
        Integer bits = null;
        JsonNode b = body.get("KeyBitLength");
        if (b != null && !b.isNull()) {
            if (!b.isIntegralNumber()) throw CertificateRequestException.type("KeyBitLength", "an integer");
            bits = b.asInt();
        }
        CsrRequest.Key key = CsrRequest.key(text(body, "KeyPairAlgorithm"), text(body, "KeyCurveId"), bits);
        return CsrRequest.checked(text(body, "CommonName"), names, text(body, "Organization"), text(body, "OrganizationalUnit"),
                text(body, "City"), text(body, "State"), text(body, "Country"), text(body, "Email"), key);
    }

    /** ReplaceCertificate's CertificateString, after checking CertificateType and CertificateUri. */
    public static String replacement(ObjectNode body) throws CertificateRequestException {
        known(body, REPLACE_PARAMETERS, REPLACE);
        String pem = text(body, "CertificateString");
        if (pem == null) throw CertificateRequestException.missing("CertificateString", REPLACE);
        String type = text(body, "CertificateType");
        if (type == null) throw CertificateRequestException.missing("CertificateType", REPLACE);
        if (!CERTIFICATE_TYPES.contains(type)) throw CertificateRequestException.notInList("CertificateType", type, CERTIFICATE_TYPES);
        String uri = link(body, "CertificateUri", REPLACE);
        if (!uri.equals(NetworkResources.CERTIFICATE))
            throw CertificateRequestException.value("CertificateUri", uri + " is not a certificate of this service; PCM serves one: "
                    + NetworkResources.CERTIFICATE);
        return pem;
    }

    private static void known(ObjectNode body, Set<String> parameters, String action) throws CertificateRequestException {
        for (var it = body.fieldNames(); it.hasNext();) {
            String f = it.next();
            if (!parameters.contains(f) && !f.startsWith("@")) throw CertificateRequestException.unknown(f, action);
        }
    }

    /** A string parameter; null when absent; any other JSON type is an error. */
    private static String text(ObjectNode body, String name) throws CertificateRequestException {
        JsonNode n = body.get(name);
        if (n == null || n.isNull()) return null;
        if (!n.isTextual()) throw CertificateRequestException.type(name, "a string");
        return n.asText();
    }

    /** A required link parameter {"@odata.id": "..."} (a bare string is taken too), without a trailing slash. */
    private static String link(ObjectNode body, String name, String action) throws CertificateRequestException {
        JsonNode n = body.get(name);
        if (n == null || n.isNull()) throw CertificateRequestException.missing(name, action);
        JsonNode id = n.isObject() ? n.get("@odata.id") : n;
        if (id == null || !id.isTextual()) throw CertificateRequestException.type(name, "a link: {\"@odata.id\": \"...\"}");
        String s = id.asText();
        while (s.endsWith("/")) s = s.substring(0, s.length() - 1);
        return s;
    }
}
