package pcm.trust.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.security.CodeSigner;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertPathValidatorException.BasicReason;
import java.security.cert.Certificate;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.zip.ZipException;

import pcm.trust.api.Signer;
import pcm.trust.api.UntrustedBundleException;
import pcm.trust.api.UntrustedBundleException.Reason;

/**
 * Verifies a signed jar the way the JDK does ({@link JarFile} with verification on: each entry's digest against the
 * manifest, the manifest against the signature file, the signature file against its signature block), then adds what
 * the JDK leaves to the caller: every entry signed, by one signer for all, whose certificate chain validates (PKIX, at
 * the given time, no revocation check) against the trust anchors. A timestamp does not extend an expired certificate:
 * re-sign instead.
 */
public final class JarSignatureVerifier {

    private final Collection<X509Certificate> anchors;
    private final Date now;

    public JarSignatureVerifier(Collection<X509Certificate> anchors, Date now) {
        this.anchors = List.copyOf(anchors);
        this.now = now;
    }

    public Signer verify(String name, Path jar) throws UntrustedBundleException {
        Map<X509Certificate, CertPath> common = null;
        String unsigned = null;
        int files = 0;
        Manifest manifest;
        try (JarFile jf = new JarFile(jar.toFile(), true)) {
            manifest = jf.getManifest();
            if (manifest == null) throw new UntrustedBundleException(name, Reason.MALFORMED, "no META-INF/MANIFEST.MF");
            for (JarEntry e : jf.stream().toList()) {
                if (e.isDirectory()) continue;
                try (InputStream in = jf.getInputStream(e)) {
                    in.transferTo(OutputStream.nullOutputStream()); // the digest is checked at the end of the entry
                } catch (SecurityException tampered) {
                    throw new UntrustedBundleException(name, Reason.TAMPERED, "entry " + e.getName()
                            + " does not match its signed digest (changed after signing): " + tampered.getMessage(), tampered);
                }
                if (signatureRelated(e.getName())) continue;
                files++;
                Map<X509Certificate, CertPath> signers = signers(e.getCodeSigners());
                if (signers.isEmpty()) {
                    if (unsigned == null) unsigned = e.getName();
                    continue;
                }
                if (common == null) common = signers;
                else common.keySet().retainAll(signers.keySet());
            }
        } catch (SecurityException e) {
            throw new UntrustedBundleException(name, Reason.TAMPERED, "its signature does not verify: " + e.getMessage(), e);
        } catch (ZipException e) {
            throw new UntrustedBundleException(name, Reason.MALFORMED, "not a jar: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UntrustedBundleException(name, Reason.MALFORMED, "cannot be read: " + e, e);
        }
        if (common == null) {
            if (hasEntryDigests(manifest))
                throw new UntrustedBundleException(name, Reason.TAMPERED, "its manifest lists signed digests, but the signature files"
                        + " (META-INF/*.SF and its .RSA/.EC/.DSA block) are gone: the signature was removed");
            throw new UntrustedBundleException(name, Reason.UNSIGNED, files == 0 ? "it has no entries to sign" : "no entry is signed");
        }
        if (unsigned != null)
            throw new UntrustedBundleException(name, Reason.TAMPERED, "entry " + unsigned + " is not signed (added or changed after signing)");
        if (common.isEmpty())
            throw new UntrustedBundleException(name, Reason.TAMPERED, "its entries are not all signed by the same signer");
        UntrustedBundleException first = null;
        for (CertPath path : common.values()) {
            try {
                return trusted(name, path);
            } catch (UntrustedBundleException e) {
                if (first == null) first = e;
            }
        }
        throw first;
    }

    /** The manifest, the signature files and blocks: what signing adds, not what it signs. */
    static boolean signatureRelated(String entry) {
        String n = entry.toUpperCase(Locale.ROOT);
        if (!n.startsWith("META-INF/") || n.indexOf('/', "META-INF/".length()) >= 0) return false;
        String f = n.substring("META-INF/".length());
        return f.equals("MANIFEST.MF") || f.startsWith("SIG-") || f.endsWith(".SF") || f.endsWith(".RSA") || f.endsWith(".DSA")
                || f.endsWith(".EC");
    }

    private static boolean hasEntryDigests(Manifest manifest) {
        for (Attributes a : manifest.getEntries().values())
            for (Object k : a.keySet()) if (k.toString().toUpperCase(Locale.ROOT).endsWith("-DIGEST")) return true;
        return false;
    }

    /** Each signer by its own certificate (the first of its path), with its path. */
    private static Map<X509Certificate, CertPath> signers(CodeSigner[] codeSigners) {
        Map<X509Certificate, CertPath> out = new LinkedHashMap<>();
        if (codeSigners == null) return out;
        for (CodeSigner s : codeSigners) {
            List<? extends Certificate> certs = s.getSignerCertPath().getCertificates();
            if (!certs.isEmpty() && certs.get(0) instanceof X509Certificate c) out.put(c, s.getSignerCertPath());
        }
        return out;
    }

    private Signer trusted(String name, CertPath path) throws UntrustedBundleException {
        List<X509Certificate> chain = new ArrayList<>();
        for (Certificate c : path.getCertificates()) chain.add((X509Certificate) c);
        X509Certificate signer = chain.get(0);
        // PKIX wants the path without its anchor: cut it where a trust store certificate appears
        for (int i = 0; i < chain.size(); i++) {
            X509Certificate anchor = anchorEqualTo(chain.get(i));
            if (anchor == null) continue;
            List<X509Certificate> below = chain.subList(0, i);
            for (X509Certificate c : chain.subList(0, i + 1)) valid(name, c); // the anchor itself too: it is the signer's key
            if (!below.isEmpty()) validate(name, below, Set.of(new TrustAnchor(anchor, null)));
            return signer(signer, anchor);
        }
        Set<TrustAnchor> all = new HashSet<>();
        for (X509Certificate a : anchors) all.add(new TrustAnchor(a, null));
        if (all.isEmpty()) throw new UntrustedBundleException(name, Reason.NO_TRUST_STORE, "the trust store holds no certificate");
        X509Certificate anchor = validate(name, chain, all);
        return signer(signer, anchor);
    }

    private X509Certificate anchorEqualTo(X509Certificate c) {
        for (X509Certificate a : anchors) if (a.equals(c)) return a;
        return null;
    }

    private void valid(String name, X509Certificate c) throws UntrustedBundleException {
        try {
            c.checkValidity(now);
        } catch (CertificateExpiredException e) {
            throw new UntrustedBundleException(name, Reason.EXPIRED, "signed by " + c.getSubjectX500Principal().getName()
                    + ", whose certificate expired " + c.getNotAfter().toInstant());
        } catch (CertificateNotYetValidException e) {
            throw new UntrustedBundleException(name, Reason.NOT_YET_VALID, "signed by " + c.getSubjectX500Principal().getName()
                    + ", whose certificate is valid from " + c.getNotBefore().toInstant() + " only");
        }
    }

    private X509Certificate validate(String name, List<X509Certificate> chain, Set<TrustAnchor> trustAnchors) throws UntrustedBundleException {
        String who = chain.get(0).getSubjectX500Principal().getName();
        try {
            PKIXParameters p = new PKIXParameters(trustAnchors);
            p.setRevocationEnabled(false);
            p.setDate(now);
            CertPath cp = CertificateFactory.getInstance("X.509").generateCertPath(chain);
            return ((java.security.cert.PKIXCertPathValidatorResult) CertPathValidator.getInstance("PKIX").validate(cp, p))
                    .getTrustAnchor().getTrustedCert();
        } catch (CertPathValidatorException e) {
            if (e.getReason() == BasicReason.EXPIRED)
                throw new UntrustedBundleException(name, Reason.EXPIRED, "signed by " + who + ", whose certificate chain has expired: " + e.getMessage(), e);
            if (e.getReason() == BasicReason.NOT_YET_VALID)
                throw new UntrustedBundleException(name, Reason.NOT_YET_VALID, "signed by " + who + ", whose certificate chain is not valid yet: " + e.getMessage(), e);
            throw new UntrustedBundleException(name, Reason.UNTRUSTED, "signed by " + who + " (issuer "
                    + chain.get(chain.size() - 1).getIssuerX500Principal().getName() + "), which the trust store does not vouch for: " + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new UntrustedBundleException(name, Reason.UNTRUSTED, "the chain of " + who + " cannot be checked: " + e, e);
        }
    }

    private static Signer signer(X509Certificate signer, X509Certificate anchor) {
        return new Signer(signer.getSubjectX500Principal().getName(), fingerprint(signer), anchor.getSubjectX500Principal().getName());
    }

    static String fingerprint(X509Certificate c) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(c.getEncoded()));
        } catch (GeneralSecurityException e) {
            return "?";
        }
    }
}
