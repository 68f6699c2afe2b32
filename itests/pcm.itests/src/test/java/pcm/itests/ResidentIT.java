package pcm.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Issue 16 item 1: a resident PCM. {@code bin/pcm start} runs it in the background, {@code exec} and {@code shell}
 * attach to it (every call sees the same VM: a one-shot framework would say CREATED), the guest runs, is sampled and
 * verified in it, {@code status} tells, {@code stop} ends it; a second start on the same data directory is refused.
 * Item 6: it serves HTTPS only, with the certificate it generated at the first start (bin/pcm attaches with curl
 * --cacert); plain HTTP gets nothing; a keystore that does not open stops the start with an error naming it.
 */
class ResidentIT {

    @Test
    void startAttachRunSampleVerifyStop() throws Exception {
        Path data = Resident.freshData("resident-data");
        try (Resident pcm = new Resident(data)) {
            Resident.Run start = pcm.start();
            assertEquals(0, start.status(), start.toString());
            assertTrue(start.out().contains("API (Redfish):  https://127.0.0.1:"), start.toString());
            assertHttps(pcm, start);
            assertTrue(start.out().contains(data.resolve("secrets/admin.password").toString()), start.toString());
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(data.resolve("secrets/admin.password"))));
            assertTrue(Files.isRegularFile(data.resolve("log/pcm.log")));
            long pid = pcm.pid();
            assertTrue(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "pid file names the running JVM");

            Resident.Run again = pcm.start();
            assertEquals(6, again.status(), again.toString());
            assertTrue(again.err().contains("already runs on " + data + " (pid " + pid), again.toString());

            Resident.Run run = pcm.pcm("run");
            assertEquals(6, run.status(), "a second kernel would record into the resident's store: " + run);
            assertTrue(run.err().contains("a resident PCM runs on"), run.toString());

            Resident.Run created = pcm.exec("pcm:vm status");
            assertEquals(0, created.status(), created.toString());
            assertTrue(created.out().startsWith("VM CREATED"), created.toString());

            // the main job, attached: the guest runs in the resident kernel, its windows are sampled and verified there
            Resident.Run job = pcm.exec("pcm:run --blocks 16");
            assertEquals(0, job.status(), job.toString());
            assertTrue(job.out().contains(" MATCH rcp=soft "), job.toString());
            assertTrue(job.out().contains("guest stopped: status 0 (guest power off)"), job.toString());

            // a second exec sees the VM the first one ran
            Resident.Run stopped = pcm.exec("pcm:vm status");
            assertTrue(stopped.out().startsWith("VM STOPPED (guest power off)"), stopped.toString());
            Resident.Run windows = pcm.exec("pcm:windows");
            assertTrue(windows.out().contains("soft:MATCH"), windows.toString());

            Resident.Run status = pcm.pcm("status");
            assertEquals(0, status.status(), status.toString());
            assertTrue(status.out().contains("PCM runs on " + data + " (pid " + pid + ")"), status.toString());
            assertTrue(status.out().contains("VM STOPPED"), status.toString());
            assertTrue(status.out().contains("sampling IDLE"), status.toString());

            Resident.Run shell = pcm.withInput("pcm:vm status\npcm:nosuch\nexit\n", "shell");
            assertEquals(0, shell.status(), shell.toString());
            assertTrue(shell.out().contains("attached to the resident PCM"), shell.toString());
            assertTrue(shell.out().contains("VM STOPPED (guest power off)"), shell.toString());
            assertTrue(shell.err().contains("command not found: pcm:nosuch"), shell.toString());
            assertTrue(shell.err().contains("(exit status 2)"), shell.toString());

            Resident.Run unknown = pcm.exec("pcm:nosuch");
            assertEquals(2, unknown.status(), "the command's status, through the API: " + unknown);

            Resident.Run stop = pcm.pcm("stop");
            assertEquals(0, stop.status(), stop.toString());
            assertTrue(stop.out().contains("stopped"), stop.toString());
            assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "the JVM has ended");
            assertFalse(Files.exists(data.resolve("run/api.url")), "no stale API address");
            Resident.Run down = pcm.pcm("status");
            assertEquals(3, down.status(), down.toString());
            assertTrue(down.out().contains("not running"), down.toString());

            // without a resident PCM, exec is today's one-shot framework again
            Resident.Run oneShot = pcm.exec("pcm:vm status");
            assertEquals(0, oneShot.status(), oneShot.toString());
            assertTrue(oneShot.out().startsWith("VM CREATED"), oneShot.toString());
        }
    }

    /** HTTPS with the generated certificate: bin/pcm names its PEM and fingerprint, Redfish shows it, plain HTTP gets nothing. */
    private static void assertHttps(Resident pcm, Resident.Run start) throws Exception {
        Path data = pcm.data;
        for (String f : new String[] { "secrets/https.p12", "secrets/https.password" })
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(data.resolve(f))), f);
        assertTrue(start.out().contains("certificate:    " + data.resolve("secrets/https.crt")), start.toString());
        ApiClient api = ApiClient.of(pcm); // trusts exactly this certificate, checks the host name 127.0.0.1
        JsonNode cert = api.get("/redfish/v1/Managers/pcm/NetworkProtocol/HTTPS/Certificates/1");
        String fingerprint = cert.get("Fingerprint").asText();
        assertTrue(start.out().contains("SHA-256 " + fingerprint), "bin/pcm start prints the fingerprint Redfish shows: " + start);
        assertEquals(Files.readString(data.resolve("secrets/https.crt")), cert.get("CertificateString").asText());
        JsonNode protocol = api.get("/redfish/v1/Managers/pcm/NetworkProtocol");
        assertTrue(protocol.at("/HTTPS/ProtocolEnabled").asBoolean(), protocol.toString());
        assertFalse(protocol.at("/HTTP/ProtocolEnabled").asBoolean(), protocol.toString());
        assertEquals(URI.create(pcm.url()).getPort(), protocol.at("/HTTPS/Port").asInt());
        assertEquals("/redfish/v1/Managers/pcm/NetworkProtocol/HTTPS/Certificates/1",
                api.get("/redfish/v1/CertificateService/CertificateLocations").at("/Links/Certificates/0/@odata.id").asText());

        // plain HTTP on the API's port: a TLS server, no API (not even a redirect that would draw credentials in clear)
        URI u = URI.create(pcm.url());
        try (Socket s = new Socket(u.getHost(), u.getPort())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(("GET /redfish/v1/Managers/pcm HTTP/1.1\r\nHost: " + u.getHost() + "\r\nAuthorization: " + api.admin()
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String answer;
            try (InputStream in = s.getInputStream()) {
                answer = new String(in.readNBytes(4096), StandardCharsets.ISO_8859_1);
            } catch (java.net.SocketException reset) {
                answer = "";
            }
            assertFalse(answer.startsWith("HTTP/"), "plain HTTP got an HTTP answer: " + answer);
            assertFalse(answer.contains("@odata"), answer);
        }
    }

    @Test
    void aKeystoreThatDoesNotOpenStopsTheStartNamingIt() throws Exception {
        Path data = Resident.freshData("resident-bad-keystore");
        Files.writeString(data.resolve("operator.p12"), "not a keystore\n");
        Files.writeString(data.resolve("operator.password"), "secret\n");
        Files.writeString(data.resolve("conf/pcm.https.cfg"), "keystore=operator.p12\nkeystorePasswordFile=operator.password\n");
        try (Resident pcm = new Resident(data)) {
            Resident.Run start = pcm.start();
            assertEquals(6, start.status(), start.toString());
            assertTrue(start.err().contains("HTTPS cannot start: " + data.resolve("operator.p12") + ": not a readable PKCS12 keystore"),
                    start.toString());
            assertFalse(Files.exists(data.resolve("run/api.url")), "nothing served: " + start);
            assertEquals(3, pcm.pcm("status").status(), "the resident was stopped");
        }
    }
}
