package pcm.redfish.internal.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.node.ObjectNode;

import pcm.redfish.internal.resources.NetworkResources;

/** PCM's generated HTTPS certificate and the errors of a keystore that cannot be served (each names the file). */
class HttpsKeystoreTest {

    @TempDir
    static Path data;
    static ServerCertificate generated;

    static Path keytool() {
        return Path.of(System.getProperty("java.home"), "bin", "keytool");
    }

    /** One generation for the class: keytool is a JVM of its own (about 1-2 s). */
    @BeforeAll
    static void generate() throws Exception {
        SelfSignedKeystore.generate(data, List.of("0.0.0.0", "pcm.example.org", "192.0.2.7"), 30, keytool());
        Path keystore = data.resolve(SelfSignedKeystore.KEYSTORE);
        generated = ServerCertificate.load(keystore, "PKCS12",
                SelfSignedKeystore.readPassword(data.resolve(SelfSignedKeystore.PASSWORD), keystore));
    }

    @Test
    void generatedKeystoreAndPasswordAreOwnerOnlyAndHoldAnEcP256KeyForTheLoopbackAndConfiguredNames() throws Exception {
        for (String f : List.of(SelfSignedKeystore.KEYSTORE, SelfSignedKeystore.PASSWORD))
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(data.resolve(f))), f);
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(data.resolve("secrets"))));
        X509Certificate x = generated.certificate();
        assertTrue(x.getPublicKey() instanceof ECPublicKey ec && ec.getParams().getCurve().getField().getFieldSize() == 256, "EC P-256");
        Set<String> san = x.getSubjectAlternativeNames().stream().map(l -> String.valueOf(l.get(1))).collect(Collectors.toSet());
        // the wildcard address is no name a client connects to: left out
        assertEquals(Set.of("localhost", "127.0.0.1", "0:0:0:0:0:0:0:1", "pcm.example.org", "192.0.2.7"), san);
        assertTrue(x.getExtendedKeyUsage().contains("1.3.6.1.5.5.7.3.1"), "serverAuth");
        assertTrue(generated.selfSigned());
        assertEquals(SelfSignedKeystore.ALIAS, generated.alias());
        // no leftovers of the generation beside the keystore
        try (var files = Files.list(data.resolve("secrets"))) {
            assertEquals(Set.of("https.p12", "https.password"), files.map(p -> p.getFileName().toString()).collect(Collectors.toSet()));
        }
    }

    @Test
    void pemIsTheSameCertificateAndTheFingerprintIsItsSha256() throws Exception {
        X509Certificate back = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(generated.pem().getBytes(StandardCharsets.US_ASCII)));
        assertEquals(generated.certificate(), back);
        String fp = generated.sha256Fingerprint();
        assertTrue(fp.matches("([0-9A-F]{2}:){31}[0-9A-F]{2}"), fp);
        byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(back.getEncoded());
        assertEquals(java.util.HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest), fp);
    }

    @Test
    void wrongPasswordIsATypedErrorNamingTheKeystore() {
        Path keystore = data.resolve(SelfSignedKeystore.KEYSTORE);
        var e = assertThrows(HttpsKeystoreException.class, () -> ServerCertificate.load(keystore, "PKCS12", "not-the-password"));
        assertEquals(keystore, e.file());
        assertTrue(e.getMessage().startsWith(keystore + ": ") && e.getMessage().contains("wrong keystore password"), e.getMessage());
    }

    @Test
    void missingOrGarbledOrUnknownTypeOfKeystoreNamesTheFile(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("none.p12");
        var e1 = assertThrows(HttpsKeystoreException.class, () -> ServerCertificate.load(missing, "PKCS12", "x"));
        assertTrue(e1.getMessage().contains(missing + ": the HTTPS keystore does not exist"), e1.getMessage());

        Path junk = dir.resolve("junk.p12");
        Files.writeString(junk, "not a keystore\n");
        var e2 = assertThrows(HttpsKeystoreException.class, () -> ServerCertificate.load(junk, "PKCS12", "x"));
        assertTrue(e2.getMessage().startsWith(junk + ": not a readable PKCS12 keystore ("), e2.getMessage());
        assertFalse(e2.getMessage().contains("null"), e2.getMessage());

        var e3 = assertThrows(HttpsKeystoreException.class, () -> ServerCertificate.load(data.resolve(SelfSignedKeystore.KEYSTORE), "PEMX", "x"));
        assertTrue(e3.getMessage().contains("unknown keystore type 'PEMX'"), e3.getMessage());
    }

    @Test
    void keystoreWithoutAPrivateKeyIsRefused(@TempDir Path dir) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setCertificateEntry("ca", generated.certificate());
        Path f = dir.resolve("trust-only.p12");
        try (OutputStream out = Files.newOutputStream(f)) {
            ks.store(out, "secret".toCharArray());
        }
        var e = assertThrows(HttpsKeystoreException.class, () -> ServerCertificate.load(f, "PKCS12", "secret"));
        assertTrue(e.getMessage().contains("holds no private key"), e.getMessage());
    }

    @Test
    void emptyOrMissingPasswordFileNamesThePasswordFile(@TempDir Path dir) throws Exception {
        Path empty = dir.resolve("empty.pw");
        Files.writeString(empty, "\n");
        var e1 = assertThrows(HttpsKeystoreException.class, () -> SelfSignedKeystore.readPassword(empty, dir.resolve("k.p12")));
        assertEquals(empty, e1.file());
        var e2 = assertThrows(HttpsKeystoreException.class, () -> SelfSignedKeystore.readPassword(dir.resolve("none.pw"), dir.resolve("k.p12")));
        assertTrue(e2.getMessage().startsWith(dir.resolve("none.pw") + ": cannot read the password of"), e2.getMessage());
    }

    @Test
    void hostNamesThatCouldBreakKeytoolsArgumentsAreRefusedBeforeItRuns(@TempDir Path dir) {
        for (String bad : List.of("a,b", "evil, CN=x", "host name", "-ext")) {
            var e = assertThrows(HttpsKeystoreException.class, () -> SelfSignedKeystore.generate(dir, List.of(bad), 30, keytool()), bad);
            assertTrue(e.getMessage().contains("'" + bad + "' is not a host name or address"), e.getMessage());
        }
        assertFalse(Files.exists(dir.resolve(SelfSignedKeystore.KEYSTORE)));
    }

    @Test
    void missingKeytoolIsATypedError(@TempDir Path dir) {
        var e = assertThrows(HttpsKeystoreException.class, () -> SelfSignedKeystore.generate(dir, List.of(), 30, dir.resolve("no-keytool")));
        assertTrue(e.getMessage().contains("no keytool at"), e.getMessage());
    }

    @Test
    void redfishCertificateResourceCarriesThePemAndFingerprint() {
        var state = new HttpsSetup.State(true, true, java.util.Optional.of(generated), java.util.Optional.empty());
        ObjectNode c = NetworkResources.certificate(state);
        assertNotNull(c);
        assertEquals(generated.sha256Fingerprint(), c.get("Fingerprint").asText());
        assertEquals("TPM_ALG_SHA256", c.get("FingerprintHashAlgorithm").asText());
        assertEquals(generated.pem(), c.get("CertificateString").asText());
        assertEquals("pcm.example.org", c.get("Subject").get("CommonName").asText());
        ObjectNode p = NetworkResources.protocol(state, 8181, "127.0.0.1");
        assertTrue(p.get("HTTPS").get("ProtocolEnabled").asBoolean());
        assertEquals(8181, p.get("HTTPS").get("Port").asInt());
        assertFalse(p.get("HTTP").get("ProtocolEnabled").asBoolean());
        var off = new HttpsSetup.State(true, false, java.util.Optional.empty(), java.util.Optional.empty());
        assertEquals(null, NetworkResources.certificate(off));
        assertEquals(0, NetworkResources.certificates(off).get("Members@odata.count").asInt());
    }
}
