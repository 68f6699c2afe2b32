package pcm.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Issue 16 item 3, firmware update: a resident PCM with its guest running takes a bundle jar through the Redfish
 * UpdateService, keeps the version it replaced, rolls back to it, refuses a malformed jar and an update that would
 * restart the guest's kernel (nothing changed, the guest runs on), and the shell's {@code update <bundle>} without a
 * URL re-reads a bundle the launcher installed from {@code jar/...} (it threw MalformedURLException).
 */
class FirmwareUpdateIT {

    static Resident pcm;
    static ApiClient api;
    static final ObjectMapper JSON = ApiClient.JSON;

    @BeforeAll
    static void start() throws Exception {
        Path data = Resident.freshData("firmware-data");
        Files.writeString(data.resolve("conf/pcm.vm.cfg"), "workloadBlocks=L\"1000000000\"\n"); // runs until stopped
        Files.writeString(data.resolve("conf/pcm.sampling.periodic.config"), "periodMillis=L\"86400000\"\n"); // no windows needed
        pcm = new Resident(data);
        Resident.Run r = pcm.start();
        assertEquals(0, r.status(), r.toString());
        api = ApiClient.of(pcm);
    }

    @AfterAll
    static void stop() throws Exception {
        if (pcm != null) pcm.close();
    }

    static HttpResponse<String> send(String method, String path, String type, byte[] body, String... headers) throws Exception {
        Map<String, String> h = new java.util.LinkedHashMap<>();
        if (type != null) h.put("Content-Type", type);
        for (int i = 0; i < headers.length; i += 2) h.put(headers[i], headers[i + 1]);
        return api.send(method, path, api.admin(), body, h);
    }

    static JsonNode get(String path) throws Exception {
        return api.get(path);
    }

    static String powerState() throws Exception {
        return get("/redfish/v1/Systems/guest").get("PowerState").asText();
    }

    /** The built bundle jar with another Bundle-Version (what a newer build of it would be). */
    static byte[] withVersion(Path jar, String version) throws Exception {
        try (JarInputStream in = new JarInputStream(Files.newInputStream(jar))) {
            Manifest m = new Manifest(in.getManifest());
            m.getMainAttributes().putValue("Bundle-Version", version);
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (JarOutputStream out = new JarOutputStream(bytes, m)) {
                for (JarEntry e = in.getNextJarEntry(); e != null; e = in.getNextJarEntry()) {
                    out.putNextEntry(new JarEntry(e.getName()));
                    in.transferTo(out);
                    out.closeEntry();
                }
            }
            return bytes.toByteArray();
        }
    }

    static Path built(String module) throws Exception {
        Path target = Resident.repoRoot().resolve("bundles").resolve(module).resolve("target");
        try (var s = Files.list(target)) {
            return s.filter(p -> p.getFileName().toString().matches(module + "-.*\\.jar") && !p.toString().contains("-tests"))
                    .findFirst().orElseThrow(() -> new AssertionError("no built jar in " + target));
        }
    }

    @Test
    void updateAndRollBackABundleWhileTheGuestRuns() throws Exception {
        HttpResponse<String> on = send("POST", "/redfish/v1/Systems/guest/Actions/ComputerSystem.Reset", "application/json",
                "{\"ResetType\": \"On\"}".getBytes(StandardCharsets.UTF_8));
        assertEquals(204, on.statusCode(), on.body());
        assertEquals("On", powerState());
        JsonNode service = get("/redfish/v1/UpdateService");
        assertEquals("/redfish/v1/UpdateService/update", service.get("HttpPushUri").asText());
        String before = get("/redfish/v1/UpdateService/FirmwareInventory/pcm.webconsole").get("Version").asText();
        String push = service.get("HttpPushUri").asText();

        HttpResponse<String> garbage = send("POST", push, "application/octet-stream", "not a jar".getBytes(StandardCharsets.UTF_8));
        assertEquals(400, garbage.statusCode(), garbage.body());
        assertTrue(garbage.body().contains("not a jar"), garbage.body());
        HttpResponse<String> kernel = send("POST", push, "application/octet-stream", Files.readAllBytes(built("pcm.core")));
        assertEquals(409, kernel.statusCode(), kernel.body());
        assertTrue(kernel.body().contains("stop the guest first"), kernel.body());
        byte[] newer = withVersion(built("pcm.webconsole"), "0.1.0.99");
        assertEquals(403, send("POST", push, "application/octet-stream", newer, "Origin", "http://evil.example").statusCode(), "cross-site");
        assertEquals(before, get("/redfish/v1/UpdateService/FirmwareInventory/pcm.webconsole").get("Version").asText(), "nothing changed");

        HttpResponse<String> updated = send("POST", push, "application/octet-stream", newer);
        assertEquals(200, updated.statusCode(), updated.body());
        assertEquals("0.1.0.99", JSON.readTree(updated.body()).get("Version").asText());
        assertEquals(before, get("/redfish/v1/UpdateService/FirmwareInventory/Previous-pcm.webconsole").get("Version").asText());
        assertEquals(200, send("GET", "/console/", null, null).statusCode(), "the updated console serves");
        assertEquals("On", powerState(), "the guest ran on");

        HttpResponse<String> back = send("POST", "/redfish/v1/UpdateService/Actions/Oem/Pcm.Rollback", "application/json",
                "{\"SoftwareId\": \"pcm.webconsole\"}".getBytes(StandardCharsets.UTF_8));
        assertEquals(200, back.statusCode(), back.body());
        assertEquals(before, JSON.readTree(back.body()).get("Version").asText());
        assertEquals(before, get("/redfish/v1/UpdateService/FirmwareInventory/pcm.webconsole").get("Version").asText());
        assertEquals("On", powerState(), "the guest ran on");

        long id = get("/redfish/v1/UpdateService/FirmwareInventory/pcm.webconsole").get("Oem").get("Pcm").get("BundleId").asLong();
        Resident.Run update = pcm.exec("update " + id);
        assertEquals(0, update.status(), update.toString());
        assertTrue(update.out().contains("pcm.webconsole " + before + " ACTIVE"), update.toString());

        // the verifiers' bundle (fault-injecting RCP variants, replay strategies) is swapped while the guest runs: the
        // kernel verifies with what is present, so this is no restart of anything the guest needs (it was refused as one)
        String tracers = get("/redfish/v1/UpdateService/FirmwareInventory/pcm.tracers").get("Version").asText();
        HttpResponse<String> verifiers = send("POST", push, "application/octet-stream", withVersion(built("pcm.tracers"), "0.1.0.99"));
        assertEquals(200, verifiers.statusCode(), verifiers.body());
        assertEquals("0.1.0.99", get("/redfish/v1/UpdateService/FirmwareInventory/pcm.tracers").get("Version").asText());
        assertEquals("On", powerState(), "the guest ran on");
        HttpResponse<String> undo = send("POST", "/redfish/v1/UpdateService/Actions/Oem/Pcm.Rollback", "application/json",
                "{\"SoftwareId\": \"pcm.tracers\"}".getBytes(StandardCharsets.UTF_8));
        assertEquals(200, undo.statusCode(), undo.body());
        assertEquals(tracers, JSON.readTree(undo.body()).get("Version").asText());
        assertEquals("On", powerState(), "the guest ran on");
    }
}
