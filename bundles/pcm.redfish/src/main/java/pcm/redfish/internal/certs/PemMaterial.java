package pcm.redfish.internal.certs;

import java.io.IOException;
import java.io.StringReader;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * What a PEM text holds: X.509 certificates in the order given (the server's first, then its issuers) and at most one
 * private key, in any of the forms openssl writes — PKCS#8 ({@code PRIVATE KEY}), PKCS#1 ({@code RSA PRIVATE KEY}) or
 * SEC1 ({@code EC PRIVATE KEY}). BouncyCastle's {@link PEMParser} reads the ASN.1; the keys and certificates become the
 * JDK's own objects (no security provider is registered). Everything else — an encrypted key, a CSR, garbage between
 * blocks that does not decode — is refused naming what it was.
 */
public record PemMaterial(List<X509Certificate> certificates, Optional<PrivateKey> key) {

    /** A server certificate with a long chain and an RSA 4096 key is about 10 KB of PEM. */
    public static final int MAX_CHARS = 64 * 1024;

    public static PemMaterial parse(String text, String parameter) throws CertificateRequestException {
        if (text.length() > MAX_CHARS)
            throw CertificateRequestException.value(parameter, text.length() + " characters: more than the " + MAX_CHARS + " a certificate chain and key need");
        List<X509Certificate> certificates = new ArrayList<>();
        PrivateKey key = null;
        JcaX509CertificateConverter certs = new JcaX509CertificateConverter();
        JcaPEMKeyConverter keys = new JcaPEMKeyConverter();
        int block = 0;
        try (PEMParser pem = new PEMParser(new StringReader(text))) {
            for (Object o; (o = pem.readObject()) != null;) {
                block++;
                if (o instanceof X509CertificateHolder h) {
                    certificates.add(certs.getCertificate(h));
                    continue;
                }
                if (o instanceof PEMEncryptedKeyPair || o instanceof PKCS8EncryptedPrivateKeyInfo)
                    throw CertificateRequestException.value(parameter, "PEM block " + block + " is an encrypted private key: PCM takes the key "
                            + "unencrypted (openssl pkey -in key.pem -out plain.pem), over HTTPS as an Administrator");
                if (o instanceof PKCS10CertificationRequest)
                    throw CertificateRequestException.value(parameter, "PEM block " + block + " is a certificate signing request, "
                            + "not a certificate: have a CA sign it and post the certificate it issues");
                PrivateKey k;
                // PKCS#1 or SEC1; a SEC1 key may leave out its public key, so only the private part is converted
                if (o instanceof PEMKeyPair kp) k = keys.getPrivateKey(kp.getPrivateKeyInfo());
                else if (o instanceof PrivateKeyInfo info) k = keys.getPrivateKey(info);
                else throw CertificateRequestException.value(parameter, "PEM block " + block + " is a " + o.getClass().getSimpleName()
                            + ", neither a certificate nor a private key");
                if (key != null) throw CertificateRequestException.value(parameter, "more than one private key (PEM block " + block + ")");
                key = k;
            }
        } catch (CertificateRequestException e) {
            throw e;
        } catch (IOException | CertificateException | RuntimeException e) {
            // PEMParser throws IOExceptions for bad base64 or ASN.1, and sometimes unchecked ones for odd DER
            throw CertificateRequestException.value(parameter, "not readable PEM after block " + block + " (" + reason(e) + ")", e);
        }
        if (block == 0) throw CertificateRequestException.value(parameter, "no PEM block (-----BEGIN CERTIFICATE----- ...) in it");
        if (certificates.isEmpty()) throw CertificateRequestException.value(parameter, "no certificate in it, only a private key");
        return new PemMaterial(List.copyOf(certificates), Optional.ofNullable(key));
    }

    private static String reason(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) if (t.getMessage() != null && !t.getMessage().isBlank()) return t.getMessage();
        return e.getClass().getSimpleName();
    }
}
