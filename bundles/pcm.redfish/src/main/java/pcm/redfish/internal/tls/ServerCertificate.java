package pcm.redfish.internal.tls;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.UnrecoverableKeyException;
import java.security.cert.Certificate;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.Collections;
import java.util.HexFormat;
import java.util.Locale;

/**
 * The certificate the server presents, as read from its keystore: the keystore must open with its password and hold
 * exactly the private key Jetty will serve (the first key entry) with its certificate. Loading is the check that a
 * keystore is usable before Jetty is told about it, so its errors are the operator's, naming the file.
 */
public record ServerCertificate(Path keystore, String type, String password, String alias, X509Certificate certificate) {

    /** Opens the keystore and finds its key entry; every way it can be wrong is a {@link HttpsKeystoreException}. */
    public static ServerCertificate load(Path keystore, String type, String password) throws HttpsKeystoreException {
        if (!Files.isRegularFile(keystore)) throw new HttpsKeystoreException(keystore, "the HTTPS keystore does not exist");
        KeyStore ks;
        try {
            ks = KeyStore.getInstance(type);
        } catch (GeneralSecurityException e) {
            throw new HttpsKeystoreException(keystore, "unknown keystore type '" + type + "' (PKCS12 or JKS)", e);
        }
        try (InputStream in = Files.newInputStream(keystore)) {
            ks.load(in, password.toCharArray());
        } catch (IOException e) {
            // the JDK reports a wrong password as an IOException whose cause is an UnrecoverableKeyException
            if (e.getCause() instanceof UnrecoverableKeyException || String.valueOf(e.getMessage()).contains("password"))
                throw new HttpsKeystoreException(keystore, "wrong keystore password", e);
            throw new HttpsKeystoreException(keystore, "not a readable " + type + " keystore (" + reason(e) + ")", e);
        } catch (GeneralSecurityException e) {
            throw new HttpsKeystoreException(keystore, "not a readable " + type + " keystore (" + reason(e) + ")", e);
        }
        try {
            for (String alias : Collections.list(ks.aliases())) {
                if (!ks.isKeyEntry(alias)) continue;
                try {
                    ks.getKey(alias, password.toCharArray());
                } catch (UnrecoverableKeyException e) {
                    // Jetty reads the key with the keystore's password: a key with a password of its own cannot be served
                    throw new HttpsKeystoreException(keystore, "the key '" + alias + "' does not open with the keystore password", e);
                }
                Certificate c = ks.getCertificate(alias);
                if (!(c instanceof X509Certificate x))
                    throw new HttpsKeystoreException(keystore, "the key '" + alias + "' has no X.509 certificate");
                return new ServerCertificate(keystore, type, password, alias, x);
            }
        } catch (GeneralSecurityException e) {
            throw new HttpsKeystoreException(keystore, "cannot read the HTTPS keystore (" + reason(e) + ")", e);
        }
        throw new HttpsKeystoreException(keystore, "the HTTPS keystore holds no private key (a server key with its certificate)");
    }

    /** The first message along the causes (the JDK's parsers often throw without one), else the exception's type. */
    static String reason(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) if (t.getMessage() != null && !t.getMessage().isBlank()) return t.getMessage();
        return e.getClass().getSimpleName();
    }

    /** SHA-256 of the certificate's DER encoding, upper-case hex bytes separated by colons (as openssl and browsers show it). */
    public String sha256Fingerprint() {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded());
            return HexFormat.ofDelimiter(":").withUpperCase().formatHex(d);
        } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
            throw new IllegalStateException("cannot digest the server certificate", e);
        }
    }

    /** The certificate as PEM: what curl --cacert and a browser's import take. */
    public String pem() {
        try {
            String b64 = Base64.getMimeEncoder(64, "\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII))
                    .encodeToString(certificate.getEncoded());
            return "-----BEGIN CERTIFICATE-----\n" + b64 + "\n-----END CERTIFICATE-----\n";
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException("cannot encode the server certificate", e);
        }
    }

    /** Whether the certificate was issued by itself (PCM's generated one, or an operator's self-signed one). */
    public boolean selfSigned() {
        return certificate.getSubjectX500Principal().equals(certificate.getIssuerX500Principal());
    }

    @Override
    public String toString() {
        // never the password
        return "ServerCertificate[" + keystore + ", " + type.toUpperCase(Locale.ROOT) + ", " + certificate.getSubjectX500Principal() + "]";
    }
}
