package pcm.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Issue 16 item 3: {@code LogService.ClearLog} of the verdict log on a resident PCM, with a real HTTP client. A window
 * verified MATCH by soft and DIVERGED by a fault-injecting verifier makes two entries and a Critical processor; refused
 * clears (401, 403 for a ReadOnly user and a cross-site form, 400 for a parameter ClearLog does not have — asking it to
 * delete windows among them —, 412 for an entity tag the log no longer has) change nothing; a clear with the log's ETag
 * empties the log and brings the health back to OK, while the window, its verdict file and every verdict in the OEM
 * window resource stay; a later window's verdicts are listed; a restart keeps the clear.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClearLogIT {

    static final String LOG = "/redfish/v1/Systems/guest/LogServices/Verdicts";
    static final String ENTRIES = LOG + "/Entries";
    static final String CLEAR = LOG + "/Actions/LogService.ClearLog";
    static final String READER = "reader";
    static final String READER_PASSWORD = "reader-password-1";
    static final Map<String, String> JSON_BODY = Map.of("Content-Type", "application/json");

    static Resident pcm;
    static ApiClient api;
    static String firstWindow;

    @BeforeAll
    static void start() throws Exception {
        Path data = Resident.freshData("clearlog-data");
        Path conf = data.resolve("conf");
        Files.writeString(conf.resolve("pcm.vm.cfg"), "workloadBlocks=L\"1000000000\"\n");
        Files.writeString(conf.resolve("pcm.api.config"), "users=[\"" + READER + ":ReadOnly:" + RedfishApiIT.hash(READER_PASSWORD) + "\"]\n");
        Files.writeString(conf.resolve("pcm.verification.config"), "verifiers=[\"soft\",\"inject\"]\n");
        Files.writeString(conf.resolve("pcm.tracers.internal.fault.FaultInjectingVerifier-inject.config"),
                "pcm.rcp.id=\"inject\"\ntarget.target=\"(pcm.rcp.id=soft)\"\nmode=\"memory\"\ngpa=L\"67104768\"\nbyteValue=I\"90\"\nposition=L\"500\"\n");
        pcm = Resident.started(data);
        api = ApiClient.of(pcm);
    }

    @AfterAll
    static void stop() throws Exception {
        if (pcm != null) pcm.close();
    }

    static JsonNode exec(String line) throws Exception {
        HttpResponse<String> r = api.send("POST", "/redfish/v1/Managers/pcm/Actions/Oem/Pcm.Exec", api.admin(),
                ApiClient.JSON.writeValueAsString(Map.of("Command", line)), JSON_BODY);
        assertEquals(200, r.statusCode(), r.body());
        return ApiClient.JSON.readTree(r.body());
    }

    /** Records a window on the running guest and waits for both verifiers' verdicts; returns the window's id. */
    static String sampleAndAwaitVerdicts(int entriesThen) throws Exception {
        JsonNode sampled = exec("pcm:sample now --insns 2000");
        assertEquals(0, sampled.get("ExitStatus").asInt(), sampled.toString());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        JsonNode entries = api.get(ENTRIES);
        while (entries.get("Members@odata.count").asInt() < entriesThen && System.nanoTime() - deadline < 0) {
            Thread.sleep(200);
            entries = api.get(ENTRIES);
        }
        assertEquals(entriesThen, entries.get("Members@odata.count").asInt(), entries.toString());
        JsonNode last = entries.get("Members").get(entriesThen - 1);
        return last.get("Oem").get("Pcm").get("WindowId").asText();
    }

    static Map<String, String> severities() throws Exception {
        Map<String, String> s = new TreeMap<>();
        for (JsonNode e : api.get(ENTRIES).get("Members")) s.put(e.get("Id").asText(), e.get("Severity").asText());
        return s;
    }

    static String health() throws Exception {
        return api.get("/redfish/v1/Systems/guest/Processors/vcpu0").get("Status").get("Health").asText();
    }

    static void refused(HttpResponse<String> r, int status, String messageId, String what) throws Exception {
        assertEquals(status, r.statusCode(), r.body());
        JsonNode error = ApiClient.JSON.readTree(r.body()).get("error");
        assertEquals(messageId, error.get("code").asText(), r.body());
        assertTrue(error.get("message").asText().contains(what), "'" + what + "' in: " + error.get("message").asText());
    }

    @Test
    @Order(1)
    void aDivergedWindowMakesTwoEntriesAndACriticalProcessor() throws Exception {
        assertEquals(CLEAR, api.get(LOG).get("Actions").get("#LogService.ClearLog").get("target").asText());
        assertTrue(api.get(LOG).get("Oem").get("Pcm").get("LastCleared").isNull());
        assertEquals(204, api.send("POST", "/redfish/v1/Systems/guest/Actions/ComputerSystem.Reset", api.admin(), "{\"ResetType\": \"On\"}",
                JSON_BODY).statusCode());
        firstWindow = sampleAndAwaitVerdicts(2);
        assertEquals(Map.of(firstWindow + ".inject", "Critical", firstWindow + ".soft", "OK"), severities());
        assertEquals("Critical", health());
    }

    @Test
    @Order(2)
    void refusedClearsChangeNothing() throws Exception {
        String tag = api.send("GET", ENTRIES, api.admin(), (byte[]) null, Map.of()).headers().firstValue("ETag").orElseThrow();
        assertEquals(401, api.send("POST", CLEAR, null, "{}", JSON_BODY).statusCode());
        refused(api.send("POST", CLEAR, ApiClient.basic(READER, READER_PASSWORD), "{}", JSON_BODY), 403, "Base.1.0.InsufficientPrivilege",
                "ReadOnly");
        assertEquals(403, api.send("POST", CLEAR, api.admin(), "{}", Map.of("Content-Type", "text/plain")).statusCode(),
                "a form from another site cannot clear the log");
        refused(api.send("POST", CLEAR, api.admin(), "{\"Oem\": {\"Pcm\": {\"DeleteWindows\": true}}}", JSON_BODY), 400,
                "Base.1.0.ActionParameterUnknown", "deletes no window");
        refused(api.send("POST", CLEAR, api.admin(), "{\"LogEntriesETag\": 7}", JSON_BODY), 400, "Base.1.0.ActionParameterValueTypeError",
                "LogEntriesETag");
        refused(api.send("POST", CLEAR, api.admin(), "{\"LogEntriesETag\": \"\\\"0123\\\"\"}", JSON_BODY), 412, "Base.1.0.PreconditionFailed",
                "nothing was cleared");
        refused(api.send("POST", CLEAR, api.admin(), "", JSON_BODY), 400, "Base.1.0.MalformedJSON", "");
        assertEquals(2, severities().size());
        assertEquals("Critical", health());
        assertEquals(tag, api.send("GET", ENTRIES, api.admin(), (byte[]) null, Map.of()).headers().firstValue("ETag").orElseThrow());
        assertTrue(api.get(LOG).get("Oem").get("Pcm").get("LastCleared").isNull());
    }

    @Test
    @Order(3)
    void clearingEmptiesTheLogAndKeepsTheWindowItsVerdictsAndEvidence() throws Exception {
        String tag = api.send("GET", ENTRIES, api.admin(), (byte[]) null, Map.of()).headers().firstValue("ETag").orElseThrow();
        HttpResponse<String> r = api.send("POST", CLEAR, api.admin(), ApiClient.JSON.writeValueAsString(Map.of("LogEntriesETag", tag)), JSON_BODY);
        assertEquals(200, r.statusCode(), r.body());
        JsonNode cleared = ApiClient.JSON.readTree(r.body()).get("Oem").get("Pcm").get("Cleared");
        assertEquals(2, cleared.get("Entries").asInt());
        assertEquals(1, cleared.get("Outcomes").get("DIVERGED").asInt());
        assertEquals(1, cleared.get("Outcomes").get("MATCH").asInt());
        assertEquals(Map.of(), severities());
        assertEquals("OK", health(), "the operator has seen the DIVERGED verdict: the health follows the log");
        assertEquals("admin", api.get(LOG).get("Oem").get("Pcm").get("LastCleared").get("By").asText());
        // nothing deleted: the window, its verdicts (OEM resource, verdict file), its evidence can still be collected
        JsonNode window = api.get("/redfish/v1/Oem/Pcm/Windows/" + firstWindow);
        assertEquals("DIVERGED", window.get("Outcome").asText(), window.toString());
        assertTrue(Files.isRegularFile(pcm.data.resolve("verdicts/" + firstWindow + ".verdicts")));
        HttpResponse<String> evidence = api.send("POST", LOG + "/Actions/LogService.CollectDiagnosticData", api.admin(),
                "{\"DiagnosticDataType\": \"OEM\", \"OEMDiagnosticDataType\": \"PcmEvidence\", \"Oem\": {\"Pcm\": {\"WindowId\": \"" + firstWindow + "\"}}}",
                JSON_BODY);
        assertEquals(201, evidence.statusCode(), evidence.body());
    }

    @Test
    @Order(4)
    void laterVerdictsAreListedAndARestartKeepsTheClear() throws Exception {
        String second = sampleAndAwaitVerdicts(2);
        assertEquals(Map.of(second + ".inject", "Critical", second + ".soft", "OK"), severities());
        assertEquals("Critical", health());
        Resident.Run stop = pcm.pcm("stop");
        assertEquals(0, stop.status(), stop.toString());
        Resident.Run start = pcm.start();
        assertEquals(0, start.status(), start.toString());
        api = ApiClient.of(pcm);
        assertEquals(Map.of(second + ".inject", "Critical", second + ".soft", "OK"), severities(), "the first window's entries stay cleared");
        assertEquals(2, api.get("/redfish/v1/Oem/Pcm/Windows").get("Members@odata.count").asInt(), "both windows are in the store");
    }
}
