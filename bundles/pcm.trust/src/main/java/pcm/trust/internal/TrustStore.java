package pcm.trust.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import pcm.trust.api.UntrustedBundleException;
import pcm.trust.api.UntrustedBundleException.Reason;

/** The certificates of a PKCS12 or JKS trust store (its trusted-certificate entries; key entries are not anchors). */
final class TrustStore {

    private TrustStore() {}

    static List<X509Certificate> load(String jar, Path file, String type, char[] password) throws UntrustedBundleException {
        if (!Files.isRegularFile(file))
            throw new UntrustedBundleException(jar, Reason.NO_TRUST_STORE, "signed bundles are required, but there is no trust store " + file
                    + " (pcm.trust trustStore)");
        try (InputStream in = Files.newInputStream(file)) {
            KeyStore ks = KeyStore.getInstance(type);
            ks.load(in, password);
            List<X509Certificate> out = new ArrayList<>();
            for (String alias : Collections.list(ks.aliases())) {
                if (!ks.isCertificateEntry(alias)) continue;
                Certificate c = ks.getCertificate(alias);
                if (c instanceof X509Certificate x) out.add(x);
            }
            if (out.isEmpty())
                throw new UntrustedBundleException(jar, Reason.NO_TRUST_STORE, "the trust store " + file + " holds no trusted certificate entry"
                        + (password == null ? " readable without a password (set pcm.trust trustStorePassword if its certificates are"
                                + " encrypted)" : "") + " (keytool -importcert adds one)");
            return out;
        } catch (IOException | GeneralSecurityException e) {
            throw new UntrustedBundleException(jar, Reason.NO_TRUST_STORE, "the trust store " + file + " (" + type + ") cannot be read: " + e, e);
        }
    }
}
