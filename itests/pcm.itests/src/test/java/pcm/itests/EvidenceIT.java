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

    static Resident pcm;
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
        pcm = new Resident(data);
        Resident.Run r = pcm.start();
        assertEquals(0, r.status(), r.toString());
        // RedfishApiIT's client helpers, on this PCM
        String url = pcm.url();
        RedfishApiIT.base = url.substring(0, url.indexOf("/redfish"));
        RedfishApiIT.admin = pcm.adminPassword();
    }

    @AfterAll
    static void stop() throws Exception {
        if (pcm != null) pcm.close();
    }

    static String admin() {
        return RedfishApiIT.basic("admin", RedfishApiIT.admin);
    }

    static String sample() throws Exception {
        JsonNode r = RedfishApiIT.exec("pcm:sample now --insns 2000");
        assertEquals(0, r.get("ExitStatus").asInt(), r.toString());
        Matcher m = Pattern.compile("window (\\S+) recorded").matcher(r.get("Output").asText());
        assertTrue(m.find(), r.toString());
        return m.group(1);
    }

    @Test
    @Order(1)
    void theSoftCpuRecordsAMatchingAndADivergedWindow() throws Exception {
        assertEquals(204, RedfishApiIT.reset(admin(), "On", Map.of()).statusCode());
        try {
            matchWindow = sample();
            divergedWindow = sample();
        } finally {
            assertEquals(204, RedfishApiIT.reset(admin(), "ForceOff", Map.of()).statusCode());
        }
        JsonNode match = RedfishApiIT.exec("pcm:verify " + matchWindow);
        assertEquals(0, match.get("ExitStatus").asInt(), match.toString());
        assertTrue(match.get("Output").asText().contains("window " + matchWindow + " MATCH rcp=soft"), match.toString());
        JsonNode diverged = RedfishApiIT.exec("pcm:verify --rcp inject " + divergedWindow);
        assertEquals(1, diverged.get("ExitStatus").asInt(), diverged.toString());
        Matcher m = DIVERGENCE.matcher(diverged.get("Output").asText());
        assertTrue(m.find(), diverged.toString());
        divergence = m.group();
    }

    static HttpResponse<String> collect(String authorization, String body, Map<String, String> headers) throws Exception {
        Map<String, String> h = new java.util.HashMap<>(Map.of("Content-Type", "application/json"));
        h.putAll(headers);
        return RedfishApiIT.send("POST", "/redfish/v1/Systems/guest/LogServices/Verdicts/Actions/LogService.CollectDiagnosticData",
                authorization, body, h);
    }

    static String request(String window) {
        return "{\"DiagnosticDataType\": \"OEM\", \"OEMDiagnosticDataType\": \"PcmEvidence\", \"Oem\": {\"Pcm\": {\"WindowId\": \""
                + window + "\"}}}";
    }

    @Test
    @Order(2)
    void collectingIsAuthenticatedAndCrossSiteProtected() throws Exception {
        String target = RedfishApiIT.get("/redfish/v1/Systems/guest/LogServices/Verdicts").get("Actions")
                .get("#LogService.CollectDiagnosticData").get("target").asText();
        assertEquals("/redfish/v1/Systems/guest/LogServices/Verdicts/Actions/LogService.CollectDiagnosticData", target);
        assertEquals(401, collect(null, request(matchWindow), Map.of()).statusCode());
        assertEquals(401, collect(RedfishApiIT.basic("admin", "wrong"), request(matchWindow), Map.of()).statusCode());
        assertEquals(403, collect(RedfishApiIT.basic(RedfishApiIT.READER, RedfishApiIT.READER_PASSWORD), request(matchWindow), Map.of())
                .statusCode(), "a read-only user collects nothing");
        assertEquals(403, collect(admin(), request(matchWindow), Map.of("Origin", "http://evil.example")).statusCode(), "cross-site");
        assertEquals(403, collect(admin(), request(matchWindow), Map.of("Content-Type", "text/plain")).statusCode(), "a form body");
        assertEquals(400, collect(admin(), "{\"DiagnosticDataType\": \"Manager\", \"Oem\": {\"Pcm\": {\"WindowId\": \"" + matchWindow
                + "\"}}}", Map.of()).statusCode());
        assertEquals(400, collect(admin(), "{\"DiagnosticDataType\": \"OEM\", \"OEMDiagnosticDataType\": \"PcmEvidence\"}", Map.of()).statusCode());
        assertEquals(404, collect(admin(), request("w0"), Map.of()).statusCode());
        assertEquals(0, RedfishApiIT.get("/redfish/v1/Systems/guest/LogServices/Evidence/Entries").get("Members@odata.count").asInt(),
                "nothing collected");
    }

    @Test
    @Order(3)
    void bundlesAreCollectedAndDownloadedOverHttp() throws Exception {
        for (String window : new String[] {matchWindow, divergedWindow}) {
            HttpResponse<String> created = collect(admin(), request(window), Map.of());
            assertEquals(201, created.statusCode(), created.body());
            JsonNode entry = RedfishApiIT.JSON.readTree(created.body());
            String location = created.headers().firstValue("Location").orElseThrow();
            assertEquals(location, entry.get("@odata.id").asText());
            assertEquals(entry, RedfishApiIT.get(location), "the entry is there to GET");
            assertEquals("OEM", entry.get("DiagnosticDataType").asText());
            assertEquals("PcmEvidence", entry.get("OEMDiagnosticDataType").asText());
            assertEquals(window, entry.get("Oem").get("Pcm").get("WindowId").asText());
            String attachment = entry.get("AdditionalDataURI").asText();
            assertEquals(401, RedfishApiIT.send("GET", attachment, null, null, Map.of()).statusCode(), "the archive too is authenticated");
            HttpResponse<byte[]> zip = RedfishApiIT.HTTP.send(HttpRequest.newBuilder(URI.create(RedfishApiIT.base + attachment))
                    .header("Authorization", admin()).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, zip.statusCode());
            assertEquals("application/zip", zip.headers().firstValue("Content-Type").orElse(""));
            assertEquals(entry.get("AdditionalDataSizeBytes").asLong(), zip.body().length);
            String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(zip.body()));
            assertEquals(entry.get("Oem").get("Pcm").get("Sha256").asText(), sha, "what was downloaded is what was collected");
            bundles.put(window, Files.write(downloads.resolve(window + ".zip"), zip.body()));
        }
        JsonNode diverged = RedfishApiIT.get("/redfish/v1/Systems/guest/LogServices/Evidence/Entries");
        assertEquals(2, diverged.get("Members@odata.count").asInt());
        assertEquals("Critical", diverged.get("Members").get(1).get("Severity").asText(), "the DIVERGED window's bundle");
        assertEquals("OK", diverged.get("Members").get(0).get("Severity").asText());
    }

    @Test
    @Order(4)
    void theBundlesReplayToTheSameVerdictsOnAFreshDataDirectory() throws Exception {
        Path second = Resident.freshData("evidence-replay-data");
        Files.writeString(second.resolve("conf/pcm.verification.config"), "verifiers=[\"soft\"]\n");
        Files.writeString(second.resolve("conf").resolve(INJECT_CONF), INJECT);
        Resident replay = new Resident(second); // no resident there: each exec is a one-shot PCM on that directory
        for (Path bundle : bundles.values()) {
            Resident.Run imported = replay.exec("pcm:evidence import " + bundle);
            assertEquals(0, imported.status(), imported.toString());
            assertTrue(imported.out().contains("imported window "), imported.toString());
        }
        Resident.Run match = replay.exec("pcm:verify " + matchWindow);
        assertEquals(0, match.status(), match.toString());
        assertTrue(match.out().contains("window " + matchWindow + " MATCH rcp=soft"), match.toString());
        Resident.Run diverged = replay.exec("pcm:verify --rcp inject " + divergedWindow);
        assertEquals(1, diverged.status(), diverged.toString());
        assertTrue(diverged.out().contains("window " + divergedWindow + " DIVERGED rcp=inject"), diverged.toString());
        assertTrue(diverged.out().contains(divergence), "the same position and RIP as where it was recorded (" + divergence + "):\n" + diverged);
        Resident.Run soft = replay.exec("pcm:verify --rcp soft " + divergedWindow);
        assertEquals(0, soft.status(), "the real CPU model MATCHes the diverged window: the fault was the verifier's\n" + soft);

        Path bundle = bundles.get(matchWindow);
        Resident.Run again = replay.exec("pcm:evidence import " + bundle);
        assertEquals(2, again.status(), "a window of the same id is not overwritten unless told\n" + again);
        assertTrue(again.err().contains("WINDOW_EXISTS"), again.toString());
        Resident.Run replaced = replay.exec("pcm:evidence import --replace " + bundle);
        assertEquals(0, replaced.status(), replaced.toString());
    }

    @Test
    @Order(5)
    void aDamagedOrCutShortBundleIsRefusedWithItsProblem() throws Exception {
        byte[] zip = Files.readAllBytes(bundles.get(divergedWindow));
        Path cut = Files.write(downloads.resolve("cut.zip"), java.util.Arrays.copyOf(zip, zip.length / 2));
        Path second = Resident.freshData("evidence-refusal-data");
        Resident replay = new Resident(second);
        Resident.Run r = replay.exec("pcm:evidence import " + cut);
        assertEquals(4, r.status(), r.toString());
        assertTrue(r.err().contains("TRUNCATED"), r.toString());
        assertFalse((r.out() + r.err()).contains("\tat "), "no stack trace at the operator\n" + r);
        Resident.Run check = replay.exec("pcm:evidence check " + bundles.get(divergedWindow));
        assertEquals(0, check.status(), check.toString());
        assertTrue(check.out().contains("VALID") && check.out().contains("inject DIVERGED at instruction"), check.toString());
        Resident.Run windows = replay.exec("pcm:windows");
        assertTrue(windows.out().contains("no windows"), "nothing imported from the cut archive\n" + windows);
    }
}
