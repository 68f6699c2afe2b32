package pcm.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Issue 16, done-when: "an evidence bundle that replays to the same verdict on a second data directory". A resident PCM
 * runs the guest on the soft CPU and records two windows: one MATCHes, the other is DIVERGED by a fault-injecting
 * verifier. Their evidence bundles are collected with Redfish {@code LogService.CollectDiagnosticData} and downloaded
 * over real HTTP, imported into a second, fresh data directory with {@code pcm:evidence import}, and verified there:
 * the same verdicts, the divergence at the same instruction and RIP. The action is authenticated and cross-site
 * protected like every other; a damaged or cut-short archive is refused with its problem, not a stack trace.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EvidenceIT {

    static final String INJECT_CONF = "pcm.tracers.internal.fault.FaultInjectingVerifier-inject.config";
    static final String INJECT = "pcm.rcp.id=\"inject\"\ntarget.target=\"(pcm.rcp.id=soft)\"\nmode=\"memory\"\ngpa=L\"67104768\"\n"
            + "byteValue=I\"90\"\nposition=L\"500\"\n";
    static final Pattern DIVERGENCE = Pattern.compile("first divergence at instruction (\\d+), rip=(0x[0-9a-f]+)");

    /** A resident PCM and a client of its API (HTTP Basic as its administrator). */
    record Api(Resident pcm, String base, String password) {
        static Api start(Resident pcm) throws Exception {
            Resident.Run r = pcm.start();
            assertEquals(0, r.status(), r.toString());
            String url = pcm.url();
            return new Api(pcm, url.substring(0, url.indexOf("/redfish")), pcm.adminPassword());
        }

        String admin() {
            return ApiClient.basic("admin", password);
        }

        HttpResponse<String> send(String method, String path, String authorization, String body, Map<String, String> headers)
                throws Exception {
            return new ApiClient(base, admin()).send(method, path, authorization, body, headers);
        }

        JsonNode get(String path) throws Exception {
            return new ApiClient(base, admin()).get(path);
        }

        /** A shell command through the attached shell's action: its output and exit status. */
        JsonNode exec(String line) throws Exception {
            HttpResponse<String> r = send("POST", "/redfish/v1/Managers/pcm/Actions/Oem/Pcm.Exec", admin(),
                    ApiClient.JSON.writeValueAsString(Map.of("Command", line)), Map.of("Content-Type", "application/json"));
            assertEquals(200, r.statusCode(), r.body());
            return ApiClient.JSON.readTree(r.body());
        }

        int reset(String type) throws Exception {
            return send("POST", "/redfish/v1/Systems/guest/Actions/ComputerSystem.Reset", admin(), "{\"ResetType\": \"" + type + "\"}",
                    Map.of("Content-Type", "application/json")).statusCode();
        }
    }

    static Api recorder;
    static Api replayer;
    static Path downloads;
    static String matchWindow;
    static String divergedWindow;
    static String divergence; // "first divergence at instruction N, rip=0x..." where the window was recorded
    static final Map<String, Path> bundles = new LinkedHashMap<>();

    @BeforeAll
    static void start() throws Exception {
        Path data = Resident.freshData("evidence-data");
        Path conf = data.resolve("conf");
        Files.writeString(conf.resolve("pcm.vm.cfg"), "backend=\"soft\"\nworkloadBlocks=L\"1000000000\"\n");
        Files.writeString(conf.resolve("pcm.verification.config"), "verifiers=[\"soft\"]\n");
        Files.writeString(conf.resolve(INJECT_CONF), INJECT);
        Files.writeString(conf.resolve("pcm.api.config"), "users=[\"" + RedfishApiIT.READER + ":ReadOnly:"
                + RedfishApiIT.hash(RedfishApiIT.READER_PASSWORD) + "\"]\n");
        downloads = Files.createDirectories(data.resolveSibling("evidence-downloads"));
        recorder = Api.start(new Resident(data));
    }

    @AfterAll
    static void stop() throws Exception {
        if (recorder != null) recorder.pcm().close();
        if (replayer != null) replayer.pcm().close();
    }

    static String admin() {
        return recorder.admin();
    }

    static String sample() throws Exception {
        JsonNode r = recorder.exec("pcm:sample now --insns 2000");
        assertEquals(0, r.get("ExitStatus").asInt(), r.toString());
        Matcher m = Pattern.compile("window (\\S+) recorded").matcher(r.get("Output").asText());
        assertTrue(m.find(), r.toString());
        return m.group(1);
    }

    @Test
    @Order(1)
    void theSoftCpuRecordsAMatchingAndADivergedWindow() throws Exception {
        assertEquals(204, recorder.reset("On"));
        try {
            matchWindow = sample();
            divergedWindow = sample();
        } finally {
            assertEquals(204, recorder.reset("ForceOff"));
        }
        JsonNode match = recorder.exec("pcm:verify " + matchWindow);
        assertEquals(0, match.get("ExitStatus").asInt(), match.toString());
        assertTrue(match.get("Output").asText().contains("window " + matchWindow + " MATCH rcp=soft"), match.toString());
        JsonNode diverged = recorder.exec("pcm:verify --rcp inject " + divergedWindow);
        assertEquals(1, diverged.get("ExitStatus").asInt(), diverged.toString());
        Matcher m = DIVERGENCE.matcher(diverged.get("Output").asText());
        assertTrue(m.find(), diverged.toString());
        divergence = m.group();
    }

    static HttpResponse<String> collect(String authorization, String body, Map<String, String> headers) throws Exception {
        Map<String, String> h = new java.util.HashMap<>(Map.of("Content-Type", "application/json"));
        h.putAll(headers);
        return recorder.send("POST", "/redfish/v1/Systems/guest/LogServices/Verdicts/Actions/LogService.CollectDiagnosticData",
                authorization, body, h);
    }

    static String request(String window) {
        return "{\"DiagnosticDataType\": \"OEM\", \"OEMDiagnosticDataType\": \"PcmEvidence\", \"Oem\": {\"Pcm\": {\"WindowId\": \""
                + window + "\"}}}";
    }

    @Test
    @Order(2)
    void collectingIsAuthenticatedAndCrossSiteProtected() throws Exception {
        String target = recorder.get("/redfish/v1/Systems/guest/LogServices/Verdicts").get("Actions")
                .get("#LogService.CollectDiagnosticData").get("target").asText();
        assertEquals("/redfish/v1/Systems/guest/LogServices/Verdicts/Actions/LogService.CollectDiagnosticData", target);
        assertEquals(401, collect(null, request(matchWindow), Map.of()).statusCode());
        assertEquals(401, collect(ApiClient.basic("admin", "wrong"), request(matchWindow), Map.of()).statusCode());
        assertEquals(403, collect(ApiClient.basic(RedfishApiIT.READER, RedfishApiIT.READER_PASSWORD), request(matchWindow), Map.of())
                .statusCode(), "a read-only user collects nothing");
        assertEquals(403, collect(admin(), request(matchWindow), Map.of("Origin", "http://evil.example")).statusCode(), "cross-site");
        assertEquals(403, collect(admin(), request(matchWindow), Map.of("Content-Type", "text/plain")).statusCode(), "a form body");
        assertEquals(400, collect(admin(), "{\"DiagnosticDataType\": \"Manager\", \"Oem\": {\"Pcm\": {\"WindowId\": \"" + matchWindow
                + "\"}}}", Map.of()).statusCode());
        assertEquals(400, collect(admin(), "{\"DiagnosticDataType\": \"OEM\", \"OEMDiagnosticDataType\": \"PcmEvidence\"}", Map.of()).statusCode());
        assertEquals(404, collect(admin(), request("w0"), Map.of()).statusCode());
        assertEquals(0, recorder.get("/redfish/v1/Systems/guest/LogServices/Evidence/Entries").get("Members@odata.count").asInt(),
                "nothing collected");
    }

    @Test
    @Order(3)
    void bundlesAreCollectedAndDownloadedOverHttp() throws Exception {
        for (String window : new String[] {matchWindow, divergedWindow}) {
            HttpResponse<String> created = collect(admin(), request(window), Map.of());
            assertEquals(201, created.statusCode(), created.body());
            JsonNode entry = ApiClient.JSON.readTree(created.body());
            String location = created.headers().firstValue("Location").orElseThrow();
            assertEquals(location, entry.get("@odata.id").asText());
            assertEquals(entry, recorder.get(location), "the entry is there to GET");
            assertEquals("OEM", entry.get("DiagnosticDataType").asText());
            assertEquals("PcmEvidence", entry.get("OEMDiagnosticDataType").asText());
            assertEquals(window, entry.get("Oem").get("Pcm").get("WindowId").asText());
            String attachment = entry.get("AdditionalDataURI").asText();
            assertEquals(401, recorder.send("GET", attachment, null, null, Map.of()).statusCode(), "the archive too is authenticated");
            HttpResponse<byte[]> zip = ApiClient.HTTP.send(HttpRequest.newBuilder(URI.create(recorder.base() + attachment))
                    .header("Authorization", admin()).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, zip.statusCode());
            assertEquals("application/zip", zip.headers().firstValue("Content-Type").orElse(""));
            assertEquals(entry.get("AdditionalDataSizeBytes").asLong(), zip.body().length);
            String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(zip.body()));
            assertEquals(entry.get("Oem").get("Pcm").get("Sha256").asText(), sha, "what was downloaded is what was collected");
            bundles.put(window, Files.write(downloads.resolve(window + ".zip"), zip.body()));
        }
        JsonNode diverged = recorder.get("/redfish/v1/Systems/guest/LogServices/Evidence/Entries");
        assertEquals(2, diverged.get("Members@odata.count").asInt());
        assertEquals("Critical", diverged.get("Members").get(1).get("Severity").asText(), "the DIVERGED window's bundle");
        assertEquals("OK", diverged.get("Members").get(0).get("Severity").asText());
    }

    /** The second data directory, fresh, with the same verifiers installed (the fault-injecting one too), and its own PCM. */
    @Test
    @Order(4)
    void theBundlesReplayToTheSameVerdictsOnAFreshDataDirectory() throws Exception {
        Path second = Resident.freshData("evidence-replay-data");
        Files.writeString(second.resolve("conf/pcm.verification.config"), "verifiers=[\"soft\"]\n");
        Files.writeString(second.resolve("conf").resolve(INJECT_CONF), INJECT);
        replayer = Api.start(new Resident(second));
        assertTrue(replayer.exec("pcm:windows").path("Output").asText().contains("no windows"), "a store without windows");
        for (Path bundle : bundles.values()) {
            JsonNode imported = replayer.exec("pcm:evidence import " + bundle);
            assertEquals(0, imported.get("ExitStatus").asInt(), imported.toString());
            assertTrue(imported.get("Output").asText().contains("imported window "), imported.toString());
        }
        JsonNode match = replayer.exec("pcm:verify " + matchWindow);
        assertEquals(0, match.get("ExitStatus").asInt(), match.toString());
        assertTrue(match.get("Output").asText().contains("window " + matchWindow + " MATCH rcp=soft"), match.toString());
        JsonNode diverged = replayer.exec("pcm:verify --rcp inject " + divergedWindow);
        assertEquals(1, diverged.get("ExitStatus").asInt(), diverged.toString());
        assertTrue(diverged.get("Output").asText().contains("window " + divergedWindow + " DIVERGED rcp=inject"), diverged.toString());
        assertTrue(diverged.get("Output").asText().contains(divergence),
                "the same position and RIP as where it was recorded (" + divergence + "): " + diverged);
        JsonNode soft = replayer.exec("pcm:verify --rcp soft " + divergedWindow);
        assertEquals(0, soft.get("ExitStatus").asInt(), "the CPU model MATCHes the diverged window: the fault was the verifier's " + soft);

        Path bundle = bundles.get(matchWindow);
        JsonNode again = replayer.exec("pcm:evidence import " + bundle);
        assertEquals(2, again.get("ExitStatus").asInt(), "a window of the same id is not overwritten unless told: " + again);
        assertTrue(again.toString().contains("WINDOW_EXISTS"), again.toString());
        JsonNode replaced = replayer.exec("pcm:evidence import --replace " + bundle);
        assertEquals(0, replaced.get("ExitStatus").asInt(), replaced.toString());
    }

    @Test
    @Order(5)
    void aDamagedOrCutShortBundleIsRefusedWithItsProblem() throws Exception {
        byte[] zip = Files.readAllBytes(bundles.get(divergedWindow));
        Path cut = Files.write(downloads.resolve("cut.zip"), java.util.Arrays.copyOf(zip, zip.length / 2));
        JsonNode r = replayer.exec("pcm:evidence import --replace " + cut);
        assertEquals(4, r.get("ExitStatus").asInt(), r.toString());
        assertTrue(r.toString().contains("TRUNCATED"), r.toString());
        assertFalse(r.toString().contains("\\tat ") || r.toString().contains("Exception"), "no stack trace at the operator: " + r);
        JsonNode check = replayer.exec("pcm:evidence check " + bundles.get(divergedWindow));
        assertEquals(0, check.get("ExitStatus").asInt(), check.toString());
        assertTrue(check.get("Output").asText().contains("VALID") && check.get("Output").asText().contains("inject DIVERGED at instruction"),
                check.toString());
        JsonNode verified = replayer.exec("pcm:verify --rcp inject " + divergedWindow);
        assertTrue(verified.get("Output").asText().contains(divergence), "the refused archive replaced nothing: " + verified);
        // and the one-shot PCM of bin/pcm exec (no resident on the directory) says the same
        Path third = Resident.freshData("evidence-refusal-data");
        Resident.Run once = new Resident(third).exec("pcm:evidence import " + cut);
        assertEquals(4, once.status(), once.toString());
        assertTrue(once.err().contains("TRUNCATED"), once.toString());
        assertFalse((once.out() + once.err()).contains("\tat "), "no stack trace at the operator\n" + once);
    }
}
