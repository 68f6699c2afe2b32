package pcm.trust.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.Date;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import pcm.trust.api.Signer;
import pcm.trust.api.UntrustedBundleException;
import pcm.trust.api.UntrustedBundleException.Reason;

/** Each way a jar passes or is refused, on jars signed with real keys (keytool) by the JDK's JarSigner. */
class JarSignatureVerifierTest {

    @TempDir
    static Path dir;
    static Path plain;
    static Path signed;
    static X509Certificate trusted;
    static X509Certificate ca;
    static Path otherSigned;
    static Path expiredSigned;
    static X509Certificate expired;
    static Path issuedSigned;

    @BeforeAll
    static void keysAndJars() throws Exception {
        plain = TestJars.bundle(dir.resolve("plain.jar"));
        Path vendor = TestJars.key(dir, "vendor", null, 30);
        trusted = TestJars.certificate(vendor, "vendor");
        signed = TestJars.sign(TestJars.signer(vendor, "vendor"), plain, dir.resolve("signed.jar"));
        Path other = TestJars.key(dir, "stranger", null, 30);
        otherSigned = TestJars.sign(TestJars.signer(other, "stranger"), plain, dir.resolve("stranger.jar"));
        Path old = TestJars.key(dir, "old", "-10d", 2); // valid from 10 days ago for 2 days
        expired = TestJars.certificate(old, "old");
        expiredSigned = TestJars.sign(TestJars.signer(old, "old"), plain, dir.resolve("expired.jar"));
        // a signer certificate issued by a CA: the trust store holds only the CA
        Path cas = TestJars.key(dir, "ca", null, 60);
        ca = TestJars.certificate(cas, "ca");
        Path leaf = TestJars.key(dir, "leaf", null, 30);
        Path csr = dir.resolve("leaf.csr");
        Path crt = dir.resolve("leaf.crt");
        Path caCrt = dir.resolve("ca.crt");
        TestJars.keytool(dir, "-certreq", "-keystore", leaf.toString(), "-storepass", TestJars.PASS, "-alias", "leaf", "-file", csr.toString());
        TestJars.keytool(dir, "-gencert", "-keystore", cas.toString(), "-storepass", TestJars.PASS, "-alias", "ca", "-infile", csr.toString(),
                "-outfile", crt.toString(), "-validity", "30");
        TestJars.keytool(dir, "-exportcert", "-keystore", cas.toString(), "-storepass", TestJars.PASS, "-alias", "ca", "-file", caCrt.toString());
        TestJars.keytool(dir, "-importcert", "-noprompt", "-keystore", leaf.toString(), "-storepass", TestJars.PASS, "-alias", "ca-root",
                "-file", caCrt.toString());
        TestJars.keytool(dir, "-importcert", "-keystore", leaf.toString(), "-storepass", TestJars.PASS, "-alias", "leaf", "-file", crt.toString());
        issuedSigned = TestJars.sign(TestJars.signer(leaf, "leaf"), plain, dir.resolve("issued.jar"));
    }

    static Signer verify(Path jar, X509Certificate... anchors) throws UntrustedBundleException {
        return new JarSignatureVerifier(List.of(anchors), new Date()).verify(jar.getFileName().toString(), jar);
    }

    static UntrustedBundleException refused(Reason reason, Path jar, X509Certificate... anchors) {
        UntrustedBundleException e = assertThrows(UntrustedBundleException.class, () -> verify(jar, anchors));
        assertEquals(reason, e.reason(), e.getMessage());
        assertEquals(jar.getFileName().toString(), e.jar());
        assertTrue(e.getMessage().startsWith(jar.getFileName() + ": " + reason + ": "), e.getMessage());
        return e;
    }

    @Test
    void aJarSignedByATrustedKeyPasses() throws Exception {
        Signer s = verify(signed, trusted);
        assertEquals("CN=vendor,O=PCM test", s.subject());
        assertEquals(JarSignatureVerifier.fingerprint(trusted), s.fingerprint());
    }

    @Test
    void aSignerIssuedByATrustedCaPasses() throws Exception {
        Signer s = verify(issuedSigned, ca);
        assertEquals("CN=leaf,O=PCM test", s.subject());
        assertEquals("CN=ca,O=PCM test", s.anchor());
    }

    @Test
    void anUnsignedJarIsRefused() {
        assertTrue(refused(Reason.UNSIGNED, plain, trusted).getMessage().contains("no entry is signed"));
    }

    @Test
    void anEntryChangedAfterSigningIsRefused() throws Exception {
        Path t = TestJars.rewrite(signed, dir.resolve("changed.jar"),
                (n, c) -> n.equals("test/readme.txt") ? TestJars.bytes("evil") : c, Map.of());
        assertTrue(refused(Reason.TAMPERED, t, trusted).getMessage().contains("test/readme.txt"));
    }

    @Test
    void anEntryAddedAfterSigningIsRefused() throws Exception {
        Path t = TestJars.rewrite(signed, dir.resolve("added.jar"), (n, c) -> c, Map.of("test/Evil.class", new byte[] {1, 2, 3}));
        assertTrue(refused(Reason.TAMPERED, t, trusted).getMessage().contains("entry test/Evil.class is not signed"));
    }

    @Test
    void aRemovedSignatureIsRefusedAsTampered() throws Exception {
        Path t = TestJars.rewrite(signed, dir.resolve("stripped.jar"),
                (n, c) -> n.matches("META-INF/[^/]+\\.(SF|EC|RSA|DSA)") ? null : c, Map.of());
        assertTrue(refused(Reason.TAMPERED, t, trusted).getMessage().contains("signature was removed"));
    }

    @Test
    void aJarSignedByAnUntrustedKeyIsRefused() {
        assertTrue(refused(Reason.UNTRUSTED, otherSigned, trusted).getMessage().contains("CN=stranger"));
    }

    @Test
    void aCaSignedJarIsRefusedWhenOnlyAnotherKeyIsTrusted() {
        refused(Reason.UNTRUSTED, issuedSigned, trusted);
    }

    @Test
    void anExpiredSignerIsRefused() {
        assertTrue(refused(Reason.EXPIRED, expiredSigned, expired).getMessage().contains("expired"));
    }

    @Test
    void aCertificateNotYetValidIsRefused() {
        UntrustedBundleException e = assertThrows(UntrustedBundleException.class,
                () -> new JarSignatureVerifier(List.of(trusted), new Date(System.currentTimeMillis() - 86_400_000L * 5)).verify("early.jar", signed));
        assertEquals(Reason.NOT_YET_VALID, e.reason(), e.getMessage());
    }

    @Test
    void somethingThatIsNotAJarIsMalformed() throws Exception {
        Path junk = Files.writeString(dir.resolve("junk.jar"), "not a zip");
        refused(Reason.MALFORMED, junk, trusted);
    }

    @Test
    void anEmptyTrustStoreTrustsNothing() {
        refused(Reason.NO_TRUST_STORE, otherSigned);
    }

    @Test
    void signatureFilesAreTellApartFromSignedContent() {
        assertTrue(JarSignatureVerifier.signatureRelated("META-INF/MANIFEST.MF"));
        assertTrue(JarSignatureVerifier.signatureRelated("META-INF/VENDOR.SF"));
        assertTrue(JarSignatureVerifier.signatureRelated("META-INF/VENDOR.EC"));
        assertTrue(!JarSignatureVerifier.signatureRelated("META-INF/maven/pom.xml"));
        assertTrue(!JarSignatureVerifier.signatureRelated("OSGI-INF/VENDOR.SF"));
    }
}
