package pcm.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Issue 16 item 6: the HTTPS certificate managed through Redfish's CertificateService on a resident PCM, with a real
 * HTTP client and a CA of the test's own. GenerateCSR makes a key PCM keeps pending; the CA signs the CSR; the
 * certificate posted with ReplaceCertificate is served by the same JVM (Felix HTTP restarts Jetty with it: the pid and
 * the port stay) to a client that trusts only the CA; a certificate with its own key (RSA, PKCS#1) replaces it again,
 * and a restart serves that one. Wrong requests — no credentials (401), a ReadOnly user or a cross-site form (403),
 * every kind of unusable parameter or material (400, naming it) — change nothing: the same certificate is served.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CertificateIT {

    static final String SERVICE = "/redfish/v1/CertificateService";
    static final String CSR = SERVICE + "/Actions/CertificateService.GenerateCSR";
    static final String REPLACE = SERVICE + "/Actions/CertificateService.ReplaceCertificate";
    static final String CERTIFICATE = "/redfish/v1/Managers/pcm/NetworkProtocol/HTTPS/Certificates/1";
    static final String COLLECTION = "/redfish/v1/Managers/pcm/NetworkProtocol/HTTPS/Certificates";
    static final String READER = "reader";
    static final String READER_PASSWORD = "reader-password-1";
    static final Map<String, String> JSON_BODY = Map.of("Content-Type", "application/json");

    static Resident pcm;
    static ApiClient api;
    static TestCa ca;

    @BeforeAll
    static void start() throws Exception {
        Path data = Resident.freshData("certificate-data");
        Files.writeString(data.resolve("conf/pcm.api.config"), "users=[\"" + READER + ":ReadOnly:" + RedfishApiIT.hash(READER_PASSWORD) + "\"]\n");
        pcm = Resident.started(data);
        api = ApiClient.of(pcm);
        ca = new TestCa("PCM test CA");
    }

    @AfterAll
    static void stop() throws Exception {
        if (pcm != null) pcm.close();
    }

    static HttpResponse<String> post(String path, String authorization, String body) throws Exception {
        return api.send("POST", path, authorization, body, JSON_BODY);
    }

    static HttpResponse<String> admin(String path, Object body) throws Exception {
        return post(path, api.admin(), ApiClient.JSON.writeValueAsString(body));
    }

    /** A 400 (or other) error whose Redfish message names {@code what}. */
    static void refused(HttpResponse<String> r, int status, String messageId, String what) throws Exception {
        assertEquals(status, r.statusCode(), r.body());
        JsonNode error = ApiClient.JSON.readTree(r.body()).get("error");
        assertEquals(messageId, error.get("code").asText(), r.body());
        assertTrue(error.get("message").asText().contains(what), "'" + what + "' in: " + error.get("message").asText());
    }

    static String fingerprint(X509Certificate c) throws Exception {
        return HexFormat.ofDelimiter(":").withUpperCase().formatHex(MessageDigest.getInstance("SHA-256").digest(c.getEncoded()));
    }

    static Map<String, Object> replace(String pem) {
        return Map.of("CertificateString", pem, "CertificateType", "PEMchain", "CertificateUri", Map.of("@odata.id", CERTIFICATE));
    }

    /**
     * Waits until the server's TLS handshake presents {@code expected} to a client that trusts only the test CA (a new
     * client each time: no connection from before the restart), and answers an authenticated GET; returns the served
     * certificate.
     */
    static X509Certificate awaitServed(X509Certificate expected) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        Exception last = null;
        while (System.nanoTime() - deadline < 0) {
            try (HttpClient client = HttpClient.newBuilder().sslContext(ca.trustingOnlyThis()).connectTimeout(Duration.ofSeconds(5)).build()) {
                HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(api.base() + "/redfish/v1"))
                        .header("Authorization", api.admin()).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
                X509Certificate served = (X509Certificate) r.sslSession().orElseThrow().getPeerCertificates()[0];
                if (r.statusCode() == 200 && served.equals(expected)) return served;
            } catch (Exception e) {
                last = e; // the old certificate (not trusted by this client) or Jetty restarting
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the new certificate was not served within 60 s", last);
    }

    @Test
    @Order(1)
    void theServiceOffersBothActionsAndNoCsrIsPending() throws Exception {
        JsonNode s = api.get(SERVICE);
        assertEquals(CSR, s.get("Actions").get("#CertificateService.GenerateCSR").get("target").asText());
        assertEquals(REPLACE, s.get("Actions").get("#CertificateService.ReplaceCertificate").get("target").asText());
        assertTrue(s.get("Oem").get("Pcm").get("Replaceable").asBoolean(), s.toString());
        assertTrue(s.get("Oem").get("Pcm").get("PendingCsr").isNull());
        assertTrue(api.get(CERTIFICATE).get("Oem").get("Pcm").get("SelfSigned").asBoolean());
    }

    @Test
    @Order(2)
    void wrongRequestsAreRefusedNamingTheProblemAndChangeNothing() throws Exception {
        String served = api.get(CERTIFICATE).get("Fingerprint").asText();
        String pemFile = Files.readString(pcm.certificate());
        KeyPair ec = TestCa.ec();
        X509Certificate good = ca.issue("localhost", ec.getPublic());
        String goodPem = TestCa.pem(good) + TestCa.pkcs8(ec.getPrivate());
        // authentication and roles: nothing reaches the actions
        assertEquals(401, post(REPLACE, null, ApiClient.JSON.writeValueAsString(replace(goodPem))).statusCode());
        assertEquals(401, post(CSR, ApiClient.basic("admin", "wrong"), "{}").statusCode());
        refused(post(REPLACE, ApiClient.basic(READER, READER_PASSWORD), ApiClient.JSON.writeValueAsString(replace(goodPem))), 403,
                "Base.1.0.InsufficientPrivilege", "ReadOnly");
        refused(post(CSR, ApiClient.basic(READER, READER_PASSWORD), "{\"CommonName\": \"x\"}"), 403, "Base.1.0.InsufficientPrivilege", "ReadOnly");
        // a browser form from another site cannot carry JSON
        assertEquals(403, api.send("POST", REPLACE, api.admin(), ApiClient.JSON.writeValueAsString(replace(goodPem)),
                Map.of("Content-Type", "text/plain")).statusCode());
        refused(post(REPLACE, api.admin(), "{oops"), 400, "Base.1.0.MalformedJSON", "not JSON");
        // GenerateCSR's parameters
        Map<String, Object> coll = Map.of("@odata.id", COLLECTION);
        refused(admin(CSR, Map.of("CertificateCollection", coll)), 400, "Base.1.0.ActionParameterMissing", "CommonName");
        refused(admin(CSR, Map.of("CommonName", "pcm")), 400, "Base.1.0.ActionParameterMissing", "CertificateCollection");
        refused(admin(CSR, Map.of("CertificateCollection", Map.of("@odata.id", "/redfish/v1/AccountService/Certificates"), "CommonName", "pcm")),
                400, "Base.1.0.ActionParameterValueError", "CertificateCollection");
        refused(admin(CSR, Map.of("CertificateCollection", coll, "CommonName", "pcm", "KeyCurveId", "TPM_ECC_BN_P256")), 400,
                "Base.1.0.ActionParameterValueNotInList", "KeyCurveId");
        refused(admin(CSR, Map.of("CertificateCollection", coll, "CommonName", "pcm", "KeyPairAlgorithm", "TPM_ALG_RSA", "KeyBitLength", 1024)),
                400, "Base.1.0.ActionParameterValueNotInList", "KeyBitLength");
        refused(admin(CSR, Map.of("CertificateCollection", coll, "CommonName", "pcm", "Country", "Germany")), 400,
                "Base.1.0.ActionParameterValueError", "Country");
        refused(admin(CSR, Map.of("CertificateCollection", coll, "CommonName", "pcm", "AlternativeNames", "localhost")), 400,
                "Base.1.0.ActionParameterValueTypeError", "AlternativeNames");
        refused(admin(CSR, Map.of("CertificateCollection", coll, "CommonName", "pcm", "Colour", "blue")), 400,
                "Base.1.0.ActionParameterUnknown", "Colour");
        // ReplaceCertificate's parameters and the material
        refused(admin(REPLACE, Map.of("CertificateType", "PEM", "CertificateUri", Map.of("@odata.id", CERTIFICATE))), 400,
                "Base.1.0.ActionParameterMissing", "CertificateString");
        refused(admin(REPLACE, Map.of("CertificateString", goodPem, "CertificateType", "DER", "CertificateUri", Map.of("@odata.id", CERTIFICATE))),
                400, "Base.1.0.ActionParameterValueNotInList", "CertificateType");
        refused(admin(REPLACE, Map.of("CertificateString", goodPem, "CertificateType", "PEM", "CertificateUri", Map.of("@odata.id", COLLECTION + "/2"))),
                400, "Base.1.0.ActionParameterValueError", "CertificateUri");
        refused(admin(REPLACE, replace("not a certificate")), 400, "Base.1.0.ActionParameterValueError", "CertificateString: no PEM block");
        refused(admin(REPLACE, replace(TestCa.pem(good))), 400, "Base.1.0.ActionParameterValueError", "no private key and no CSR is pending");
        refused(admin(REPLACE, replace(TestCa.pem(good) + TestCa.pkcs8(TestCa.ec().getPrivate()))), 400, "Base.1.0.ActionParameterValueError",
                "does not belong to the certificate");
        Instant now = Instant.now();
        X509Certificate expired = ca.issue("localhost", ec.getPublic(), now.minus(Duration.ofDays(9)), now.minus(Duration.ofDays(2)));
        refused(admin(REPLACE, replace(TestCa.pem(expired) + TestCa.pkcs8(ec.getPrivate()))), 400, "Base.1.0.ActionParameterValueError", "expired on");
        KeyPair small = TestCa.rsa(1024);
        refused(admin(REPLACE, replace(TestCa.pem(ca.issue("localhost", small.getPublic()), small))), 400, "Base.1.0.ActionParameterValueError",
                "RSA key of 1024 bits");
        // nothing changed: the same certificate, no pending CSR, PCM still serving
        assertEquals(served, api.get(CERTIFICATE).get("Fingerprint").asText());
        assertEquals(pemFile, Files.readString(pcm.certificate()));
        assertTrue(api.get(SERVICE).get("Oem").get("Pcm").get("PendingCsr").isNull());
    }

    @Test
    @Order(3)
    void aCertificateTheCaIssuedForPcmsCsrIsServedWithoutARestart() throws Exception {
        long pid = pcm.pid();
        String url = Files.readString(pcm.data.resolve("run/api.url")).strip();
        HttpResponse<String> r = admin(CSR, Map.of("CertificateCollection", Map.of("@odata.id", COLLECTION), "CommonName", "localhost",
                "AlternativeNames", java.util.List.of("127.0.0.1", "localhost"), "Organization", "PCM test", "Country", "DE"));
        assertEquals(200, r.statusCode(), r.body());
        JsonNode csr = ApiClient.JSON.readTree(r.body());
        String csrPem = csr.get("CSRString").asText();
        assertTrue(csrPem.startsWith("-----BEGIN CERTIFICATE REQUEST-----"), csrPem);
        assertEquals(COLLECTION, csr.get("CertificateCollection").get("@odata.id").asText());
        JsonNode pending = api.get(SERVICE).get("Oem").get("Pcm").get("PendingCsr");
        assertEquals(csrPem, pending.get("CSRString").asText());
        assertEquals("EC P-256", pending.get("KeyType").asText());
        assertTrue(pending.get("Subject").asText().contains("CN=localhost"), pending.toString());

        X509Certificate issued = ca.sign(csrPem);
        // the certificate alone (its key is PCM's pending one), with the CA after it
        r = admin(REPLACE, replace(TestCa.pem(issued, ca.certificate)));
        assertEquals(200, r.statusCode(), r.body());
        JsonNode answer = ApiClient.JSON.readTree(r.body());
        assertEquals(fingerprint(issued), answer.get("Fingerprint").asText());
        assertTrue(answer.get("Oem").get("Pcm").get("PendingCsrKeyUsed").asBoolean());
        assertEquals("HttpServerRestart", answer.get("Oem").get("Pcm").get("TakesEffect").asText());
        assertTrue(answer.get("@Message.ExtendedInfo").get(0).get("Message").asText().contains(fingerprint(issued)));

        awaitServed(issued);
        assertEquals(pid, pcm.pid(), "the same JVM: no PCM restart");
        assertEquals(url, Files.readString(pcm.data.resolve("run/api.url")).strip(), "the same port (started with --port 0)");
        ApiClient.trust(pcm.certificate());
        assertEquals(fingerprint(issued), api.get(CERTIFICATE).get("Fingerprint").asText());
        assertFalse(api.get(CERTIFICATE).get("Oem").get("Pcm").get("SelfSigned").asBoolean());
        assertTrue(api.get(SERVICE).get("Oem").get("Pcm").get("PendingCsr").isNull(), "the pending key is served now");
        // bin/pcm trusts secrets/https.crt, which is the new certificate now: it attaches and prints the new fingerprint
        Resident.Run status = pcm.pcm("status");
        assertEquals(0, status.status(), status.toString());
        assertTrue(status.out().contains("SHA-256 " + fingerprint(issued)), status.out());
        Resident.Run exec = pcm.exec("pcm:vm status");
        assertEquals(0, exec.status(), "curl --cacert takes the CA-issued certificate as its trust anchor: " + exec);
    }

    @Test
    @Order(4)
    void aCertificateWithItsOwnKeyReplacesItAgainAndAStartServesIt() throws Exception {
        KeyPair rsa = TestCa.rsa(2048);
        X509Certificate issued = ca.issue("localhost", rsa.getPublic());
        // PKCS#1 (RSA PRIVATE KEY), the key first
        HttpResponse<String> r = admin(REPLACE, Map.of("CertificateString", TestCa.pem(rsa) + TestCa.pem(issued), "CertificateType", "PEM",
                "CertificateUri", Map.of("@odata.id", CERTIFICATE)));
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("RSA 2048", ApiClient.JSON.readTree(r.body()).get("Oem").get("Pcm").get("KeyType").asText());
        awaitServed(issued);
        Resident.Run stop = pcm.pcm("stop");
        assertEquals(0, stop.status(), stop.toString());
        Resident.Run start = pcm.start();
        assertEquals(0, start.status(), start.toString());
        assertTrue(start.out().contains("SHA-256 " + fingerprint(issued)), start.out());
        awaitServedAfterStart(issued);
    }

    /** After a start the URL may differ (--port 0): read it again. */
    static void awaitServedAfterStart(X509Certificate issued) throws Exception {
        String url = pcm.url();
        api = new ApiClient(url.substring(0, url.indexOf("/redfish")), api.admin());
        awaitServed(issued);
    }
}
