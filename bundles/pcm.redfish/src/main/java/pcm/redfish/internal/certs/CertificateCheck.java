package pcm.redfish.internal.certs;

import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPublicKey;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;

/**
 * Whether a certificate chain and key can be served as PCM's HTTPS certificate, checked before anything is written:
 * the key is one TLS clients take (EC P-256, P-384 or P-521, RSA of at least 2048 bits), the private key belongs to
 * the certificate (it signs, the certificate's public key verifies), every certificate is valid now, the chain is in
 * order (each issued by the next), and the certificate may serve TLS (key usage and extended key usage, when present).
 */
public final class CertificateCheck {

    static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
    static final String ANY_EKU = "2.5.29.37.0";
    private static final Map<String, String> CURVES = Map.of("1.2.840.10045.3.1.7", "P-256", "1.3.132.0.34", "P-384",
            "1.3.132.0.35", "P-521");
    public static final int MIN_RSA_BITS = 2048;

    private CertificateCheck() {}

    /** Checks the chain (the server's certificate first) and its key; {@code parameter} is what the errors name. */
    public static void check(List<X509Certificate> chain, PrivateKey key, Instant now, String parameter) throws CertificateRequestException {
        X509Certificate server = chain.getFirst();
        String type = keyType(server.getPublicKey(), parameter);
        if (!matches(key, server.getPublicKey())) {
            for (int i = 1; i < chain.size(); i++)
                if (matches(key, chain.get(i).getPublicKey()))
                    throw CertificateRequestException.value(parameter, "the private key belongs to certificate " + (i + 1) + " ("
                            + subject(chain.get(i)) + "), not to the first: give the server's certificate first, then each issuer in order");
            throw CertificateRequestException.value(parameter, "the private key does not belong to the certificate (" + subject(server)
                    + ", " + type + "): its signature does not verify with the certificate's public key");
        }
        for (int i = 0; i < chain.size(); i++) validity(chain.get(i), now, parameter, i);
        for (int i = 0; i + 1 < chain.size(); i++) {
            try {
                chain.get(i).verify(chain.get(i + 1).getPublicKey());
            } catch (GeneralSecurityException e) {
                throw CertificateRequestException.value(parameter, "certificate " + (i + 2) + " (" + subject(chain.get(i + 1))
                        + ") did not issue certificate " + (i + 1) + " (" + subject(chain.get(i)) + "): give the server's certificate "
                        + "first, then each issuer in order");
            }
        }
        serverUsage(server, parameter);
    }

    /** "EC P-256", "RSA 3072"; a key TLS clients would not take is refused. */
    public static String keyType(PublicKey key, String parameter) throws CertificateRequestException {
        if (key instanceof RSAPublicKey rsa) {
            int bits = rsa.getModulus().bitLength();
            if (bits < MIN_RSA_BITS)
                throw CertificateRequestException.value(parameter, "an RSA key of " + bits + " bits: at least " + MIN_RSA_BITS + " are needed");
            return "RSA " + bits;
        }
        if ("EC".equals(key.getAlgorithm())) {
            String curve = curve(key);
            if (curve == null)
                throw CertificateRequestException.value(parameter, "an EC key on a curve TLS clients do not take (EC keys: P-256, P-384 or P-521)");
            return "EC " + curve;
        }
        throw CertificateRequestException.value(parameter, "a key of type " + key.getAlgorithm() + ": PCM serves EC (P-256, P-384, P-521) or RSA "
                + "(at least " + MIN_RSA_BITS + " bits) keys, the ones browsers and curl take for TLS");
    }

    /** The named curve of an EC public key, from its encoding's algorithm parameters; null when not one of the three. */
    static String curve(PublicKey key) {
        try {
            var params = SubjectPublicKeyInfo.getInstance(key.getEncoded()).getAlgorithm().getParameters();
            return params instanceof ASN1ObjectIdentifier oid ? CURVES.get(oid.getId()) : null;
        } catch (RuntimeException e) {
            return null; // explicit curve parameters or an odd encoding: not a named curve
        }
    }

    /** Whether the private key belongs to the public key: a signature by one verifies with the other. */
    public static boolean matches(PrivateKey key, PublicKey pub) {
        if (!key.getAlgorithm().equals(pub.getAlgorithm())) return false;
        String alg = "EC".equals(pub.getAlgorithm()) ? "SHA256withECDSA" : "SHA256withRSA";
        try {
            byte[] challenge = new byte[32];
            new SecureRandom().nextBytes(challenge);
            Signature s = Signature.getInstance(alg);
            s.initSign(key);
            s.update(challenge);
            byte[] sig = s.sign();
            Signature v = Signature.getInstance(alg);
            v.initVerify(pub);
            v.update(challenge);
            return v.verify(sig);
        } catch (GeneralSecurityException | RuntimeException e) {
            return false; // a key of another curve or size cannot sign for this public key
        }
    }

    private static void validity(X509Certificate c, Instant now, String parameter, int index) throws CertificateRequestException {
        String which = index == 0 ? "the certificate (" + subject(c) + ")" : "certificate " + (index + 1) + " of the chain (" + subject(c) + ")";
        if (now.isAfter(c.getNotAfter().toInstant()))
            throw CertificateRequestException.value(parameter, which + " expired on " + c.getNotAfter().toInstant());
        if (now.isBefore(c.getNotBefore().toInstant()))
            throw CertificateRequestException.value(parameter, which + " is not valid before " + c.getNotBefore().toInstant());
    }

    /** A certificate that says what it may be used for must allow a TLS server: clients check it. */
    private static void serverUsage(X509Certificate c, String parameter) throws CertificateRequestException {
        boolean[] usage = c.getKeyUsage();
        boolean rsa = c.getPublicKey() instanceof RSAPublicKey;
        // digitalSignature (0) for ECDHE handshakes; keyEncipherment (2) is enough for an RSA key
        if (usage != null && !usage[0] && !(rsa && usage.length > 2 && usage[2]))
            throw CertificateRequestException.value(parameter, "the certificate's key usage allows neither digitalSignature"
                    + (rsa ? " nor keyEncipherment" : "") + ": it cannot serve TLS");
        try {
            List<String> eku = c.getExtendedKeyUsage();
            if (eku != null && !eku.contains(SERVER_AUTH) && !eku.contains(ANY_EKU))
                throw CertificateRequestException.value(parameter, "the certificate's extended key usage " + eku
                        + " does not include serverAuth (" + SERVER_AUTH + "): clients refuse it for a server");
        } catch (CertificateParsingException e) {
            throw CertificateRequestException.value(parameter, "the certificate's extended key usage is unreadable", e);
        }
    }

    static String subject(X509Certificate c) {
        return c.getSubjectX500Principal().getName();
    }
}
