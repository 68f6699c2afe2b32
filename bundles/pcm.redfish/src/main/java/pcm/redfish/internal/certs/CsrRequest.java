package pcm.redfish.internal.certs;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What {@code CertificateService.GenerateCSR} asks for, checked: the subject (CommonName required, the rest optional),
 * the subject alternative names, and the new key — EC on a NIST curve (P-256 by default) or RSA of 2048, 3072 or 4096
 * bits. Names in Redfish's terms (KeyPairAlgorithm {@code TPM_ALG_ECDSA}/{@code TPM_ALG_RSA}, KeyCurveId
 * {@code TPM_ECC_NIST_P256}, ...).
 */
public record CsrRequest(String commonName, List<String> alternativeNames, String organization, String organizationalUnit,
                         String city, String state, String country, String email, Key key) {

    /** The key to generate: JCA algorithm, EC curve name (null for RSA), size in bits, the CSR's signature algorithm. */
    public record Key(String algorithm, String curve, int bits, String signatureAlgorithm) {
        public String describe() {
            return curve != null ? "EC P-" + bits : "RSA " + bits; // as CertificateCheck.keyType names a key
        }
    }

    public static final String ECDSA = "TPM_ALG_ECDSA";
    public static final String RSA = "TPM_ALG_RSA";
    public static final Map<String, Key> CURVES = Map.of(
            "TPM_ECC_NIST_P256", new Key("EC", "secp256r1", 256, "SHA256withECDSA"),
            "TPM_ECC_NIST_P384", new Key("EC", "secp384r1", 384, "SHA384withECDSA"),
            "TPM_ECC_NIST_P521", new Key("EC", "secp521r1", 521, "SHA512withECDSA"));
    public static final List<Integer> RSA_BITS = List.of(2048, 3072, 4096);

    /** A host name (RFC 1123 labels, a leading wildcard label allowed) or an IPv4/IPv6 address. */
    static final Pattern HOST = Pattern.compile("(\\*\\.)?[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");
    static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern COUNTRY = Pattern.compile("[A-Z]{2}");
    private static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[^@\\s]+");
    /** X.520 upper bounds: 64 characters for names, 128 for the locality, 255 for an e-mail address. */
    private static final int NAME_MAX = 64;

    public CsrRequest {
        alternativeNames = List.copyOf(alternativeNames);
    }

    /** Checks every field; the exception names the parameter. */
    public static CsrRequest checked(String commonName, List<String> alternativeNames, String organization, String organizationalUnit,
                                     String city, String state, String country, String email, Key key) throws CertificateRequestException {
        if (commonName == null || commonName.isBlank()) throw CertificateRequestException.missing("CommonName", "GenerateCSR");
        text("CommonName", commonName, NAME_MAX);
        text("Organization", organization, NAME_MAX);
        text("OrganizationalUnit", organizationalUnit, NAME_MAX);
        text("City", city, 128);
        text("State", state, 128);
        if (country != null && !COUNTRY.matcher(country).matches())
            throw CertificateRequestException.value("Country", "'" + country + "' is not a two-letter ISO 3166 country code (e.g. DE)");
        if (email != null && (email.length() > 255 || !EMAIL.matcher(email).matches()))
            throw CertificateRequestException.value("Email", "'" + email + "' is not an e-mail address");
        for (String n : alternativeNames)
            if (n == null || !HOST.matcher(n).matches() || n.length() > 253)
                throw CertificateRequestException.value("AlternativeNames", "'" + n + "' is not a host name or an IP address");
        return new CsrRequest(commonName, alternativeNames, organization, organizationalUnit, city, state, country, email, key);
    }

    /** The key from KeyPairAlgorithm, KeyCurveId and KeyBitLength (each may be null: EC P-256). */
    public static Key key(String algorithm, String curveId, Integer bits) throws CertificateRequestException {
        String alg = algorithm == null ? ECDSA : algorithm;
        if (alg.equals(ECDSA)) {
            String id = curveId == null ? "TPM_ECC_NIST_P256" : curveId;
            Key k = CURVES.get(id);
            if (k == null) throw CertificateRequestException.notInList("KeyCurveId", id, CURVES.keySet().stream().sorted().toList());
            if (bits != null && bits != k.bits())
                throw CertificateRequestException.value("KeyBitLength", bits + " does not fit KeyCurveId " + id + " (" + k.bits() + " bits)");
            return k;
        }
        if (alg.equals(RSA)) {
            if (curveId != null) throw CertificateRequestException.value("KeyCurveId", "an RSA key has no curve");
            int b = bits == null ? 2048 : bits;
            if (!RSA_BITS.contains(b))
                throw CertificateRequestException.notInList("KeyBitLength", Integer.toString(b), RSA_BITS.stream().map(String::valueOf).toList());
            return new Key("RSA", null, b, "SHA256withRSA");
        }
        throw CertificateRequestException.notInList("KeyPairAlgorithm", alg, List.of(ECDSA, RSA));
    }

    private static void text(String parameter, String value, int max) throws CertificateRequestException {
        if (value == null) return;
        if (value.isBlank() || value.length() > max)
            throw CertificateRequestException.value(parameter, "must be 1 to " + max + " characters");
        for (int i = 0; i < value.length(); i++)
            if (Character.isISOControl(value.charAt(i))) throw CertificateRequestException.value(parameter, "holds a control character");
    }

    static boolean isAddress(String name) {
        return IPV4.matcher(name).matches() || name.contains(":");
    }
}
