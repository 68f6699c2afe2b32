package pcm.redfish.internal.certs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcePEMEncryptorBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import pcm.redfish.internal.tls.SelfSignedKeystore;
import pcm.redfish.internal.tls.ServerCertificate;

/**
 * ReplaceCertificate and GenerateCSR below the HTTP layer: a CA-issued certificate with its key, or for the key of a
 * pending CSR, replaces PCM's keystore; every way the material can be wrong is refused naming the problem, and the
 * keystore is then byte for byte the old one.
 */
class CertificateStoreTest {

    @TempDir
    static Path template;
    @TempDir
    Path data;
    static TestCa ca;
    CertificateStore store;

    /** PCM's generated keystore, made once (keytool is a JVM of its own) and copied for each test. */
    @BeforeAll
    static void generate() throws Exception {
        SelfSignedKeystore.generate(template, List.of(), 30, Path.of(System.getProperty("java.home"), "bin", "keytool"));
        ca = new TestCa("PCM test CA");
    }

    @BeforeEach
    void copy() throws Exception {
        Files.createDirectories(data.resolve("secrets"));
        for (String f : List.of(SelfSignedKeystore.KEYSTORE, SelfSignedKeystore.PASSWORD))
            Files.copy(template.resolve(f), data.resolve(f));
        store = new CertificateStore(data);
    }

    ServerCertificate served() throws Exception {
        Path ks = data.resolve(SelfSignedKeystore.KEYSTORE);
        return ServerCertificate.load(ks, "PKCS12", SelfSignedKeystore.readPassword(data.resolve(SelfSignedKeystore.PASSWORD), ks));
    }

    /** The request is refused with a message containing {@code expected}, and the keystore is unchanged. */
    void refused(String pem, String expected) throws Exception {
        byte[] before = Files.readAllBytes(data.resolve(SelfSignedKeystore.KEYSTORE));
        CertificateRequestException e = assertThrows(CertificateRequestException.class, () -> store.replace(pem, Instant.now()));
        assertEquals(400, e.status());
        assertEquals("CertificateString", e.parameter());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(data.resolve(SelfSignedKeystore.KEYSTORE)), "the keystore is unchanged");
        assertTrue(served().selfSigned());
    }

    @Test
    void aCertificateWithItsKeyInAnyOpensslFormReplacesTheKeystoreWhichStaysOwnerOnly() throws Exception {
        KeyPair ec = TestCa.ec("secp384r1");
        X509Certificate cert = ca.issue("pcm.example.org", ec.getPublic());
        // SEC1 (EC PRIVATE KEY) as openssl ecparam writes it, the chain with the CA after the server's certificate
        CertificateStore.Replaced r = store.replace(TestCa.pem(cert, ca.certificate) + TestCa.sec1(ec), Instant.now());
        assertEquals("EC P-384", r.keyType());
        assertFalse(r.pendingKeyUsed());
        assertEquals(cert, served().certificate());
        assertFalse(served().selfSigned());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(data.resolve(SelfSignedKeystore.KEYSTORE))));
        // PKCS#8 and an RSA key (PKCS#1 through the PEM writer) work the same way
        KeyPair rsa = TestCa.rsa(2048);
        X509Certificate rsaCert = ca.issue("rsa.example.org", rsa.getPublic());
        assertEquals("RSA 2048", store.replace(TestCa.pkcs8(rsa.getPrivate()) + TestCa.pem(rsaCert), Instant.now()).keyType());
        assertEquals(rsaCert, served().certificate());
        assertEquals(rsaCert, store.replace(TestCa.pem(rsaCert, rsa), Instant.now()).served().certificate());
    }

    @Test
    void aCsrKeepsItsKeyPendingUntilTheCertificateIssuedForItArrives() throws Exception {
        CsrRequest r = CsrRequest.checked("pcm.example.org", List.of("127.0.0.1", "pcm"), "Example", null, null, null, "DE", null,
                CsrRequest.key(null, null, null));
        CsrGenerator.Csr csr = store.generate(r);
        assertTrue(csr.pem().startsWith("-----BEGIN CERTIFICATE REQUEST-----"), csr.pem());
        try (PEMParser p = new PEMParser(new StringReader(csr.pem()))) {
            PKCS10CertificationRequest req = (PKCS10CertificationRequest) p.readObject();
            assertEquals("C=DE,O=Example,CN=pcm.example.org", req.getSubject().toString());
        }
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(data.resolve(CertificateStore.PENDING_KEY))));
        assertEquals("EC P-256", store.pending().orElseThrow().keyType());
        // a certificate for another key, without that key: refused, the CSR stays pending
        refused(TestCa.pem(ca.issue("other", TestCa.ec("secp256r1").getPublic())), "not issued for the pending CSR's key");
        assertTrue(store.pending().isPresent());
        X509Certificate issued = ca.sign(csr.pem());
        CertificateStore.Replaced done = store.replace(TestCa.pem(issued, ca.certificate), Instant.now());
        assertTrue(done.pendingKeyUsed());
        assertEquals(issued, served().certificate());
        assertTrue(store.pending().isEmpty(), "the key is served now, not pending");
        assertFalse(Files.exists(data.resolve(CertificateStore.PENDING_KEY)));
    }

    @Test
    void unusableMaterialIsRefusedNamingTheProblemAndChangesNothing() throws Exception {
        KeyPair ec = TestCa.ec("secp256r1");
        X509Certificate good = ca.issue("pcm", ec.getPublic());
        refused("hello", "no PEM block");
        refused("-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n", "not readable PEM");
        refused(TestCa.pkcs8(ec.getPrivate()), "no certificate in it");
        refused(TestCa.pem(good), "holds no private key and no CSR is pending");
        refused(TestCa.pem(good) + TestCa.pkcs8(TestCa.ec("secp256r1").getPrivate()), "does not belong to the certificate");
        refused(TestCa.pem(good) + TestCa.pkcs8(ec.getPrivate()) + TestCa.pkcs8(ec.getPrivate()), "more than one private key");
        Instant now = Instant.now();
        String key = TestCa.sec1(ec);
        refused(TestCa.pem(ca.issue("old", ec.getPublic(), now.minus(Duration.ofDays(10)), now.minus(Duration.ofDays(1)),
                KeyPurposeId.id_kp_serverAuth)) + key, "expired on");
        refused(TestCa.pem(ca.issue("soon", ec.getPublic(), now.plus(Duration.ofDays(1)), now.plus(Duration.ofDays(10)),
                KeyPurposeId.id_kp_serverAuth)) + key, "is not valid before");
        refused(TestCa.pem(ca.issue("client", ec.getPublic(), now.minusSeconds(60), now.plus(Duration.ofDays(1)),
                KeyPurposeId.id_kp_clientAuth)) + key, "does not include serverAuth");
        KeyPair small = TestCa.rsa(1024);
        refused(TestCa.pem(ca.issue("small", small.getPublic()), small), "RSA key of 1024 bits");
        KeyPair ed = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        refused(TestCa.pem(ca.issue("ed", ed.getPublic())) + TestCa.pkcs8(ed.getPrivate()), "a key of type EdDSA");
        // the CA first, then the server's certificate: not a chain
        refused(TestCa.pem(ca.certificate, good) + key, "belongs to certificate 2");
        // a chain whose second certificate did not issue the first
        refused(TestCa.pem(good, new TestCa("another CA").certificate) + key, "did not issue certificate 1");
        // an encrypted key and a CSR where the certificate belongs
        java.io.StringWriter enc = new java.io.StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(enc)) {
            w.writeObject(ec, new JcePEMEncryptorBuilder("AES-128-CBC").setProvider(new org.bouncycastle.jce.provider.BouncyCastleProvider()).build("secret".toCharArray()));
        }
        refused(TestCa.pem(good) + enc, "encrypted private key");
        CsrGenerator.Csr csr = CsrGenerator.generate(CsrRequest.checked("x", List.of(), null, null, null, null, null, null,
                CsrRequest.key(null, null, null)));
        refused(csr.pem(), "certificate signing request");
        refused("x".repeat(PemMaterial.MAX_CHARS + 1), "more than the");
    }

    @Test
    void csrParametersAreCheckedNamingTheParameter() {
        record Case(String parameter, org.junit.jupiter.api.function.Executable call) {}
        for (Case c : List.of(
                new Case("CommonName", () -> CsrRequest.checked(" ", List.of(), null, null, null, null, null, null, null)),
                new Case("Country", () -> CsrRequest.checked("a", List.of(), null, null, null, null, "Germany", null, null)),
                new Case("AlternativeNames", () -> CsrRequest.checked("a", List.of("bad name"), null, null, null, null, null, null, null)),
                new Case("Email", () -> CsrRequest.checked("a", List.of(), null, null, null, null, null, "nobody", null)),
                new Case("KeyCurveId", () -> CsrRequest.key("TPM_ALG_ECDSA", "TPM_ECC_BN_P256", null)),
                new Case("KeyBitLength", () -> CsrRequest.key("TPM_ALG_ECDSA", "TPM_ECC_NIST_P384", 256)),
                new Case("KeyBitLength", () -> CsrRequest.key("TPM_ALG_RSA", null, 1024)),
                new Case("KeyPairAlgorithm", () -> CsrRequest.key("TPM_ALG_SM2", null, null)))) {
            CertificateRequestException e = assertThrows(CertificateRequestException.class, c.call());
            assertEquals(c.parameter(), e.parameter(), e.getMessage());
            assertEquals(400, e.status());
        }
    }
}
