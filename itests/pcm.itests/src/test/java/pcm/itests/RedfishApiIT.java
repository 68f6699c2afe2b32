package pcm.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Issue 16 items 3 and 6: the Redfish API of a resident PCM, with a real HTTP client. Every resource built; every
 * request authenticated (401 without or with wrong credentials); a read-only user and cross-site or non-JSON
 * requests may not change state (403) and change nothing; Reset drives the guest; the processors' health and the
 * verdict log follow the verifiers (a fault-injecting verifier makes a DIVERGED verdict: Critical; a configured
 * verifier that never answers: INCONCLUSIVE, Warning).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RedfishApiIT {

    static Resident pcm;
    static ApiClient api;
    static String admin;
    static final String READER = "reader";
    static final String READER_PASSWORD = "reader-password-1";
    static final HttpClient HTTP = ApiClient.HTTP;
    static final ObjectMapper JSON = ApiClient.JSON;

    @BeforeAll
    static void start() throws Exception {
        Path data = Resident.freshData("redfish-data");
        Path conf = data.resolve("conf");
        // the guest runs until stopped; windows by hand
        Files.writeString(conf.resolve("pcm.vm.cfg"), "workloadBlocks=L\"1000000000\"\n");
        // a register checkpoint after every instruction (the compact log's default is one every 1,024): windows with
        // enough CHECKPOINT events to page through by kind (oemWindowsEventsAndSettings)
        Files.writeString(conf.resolve("pcm.sampling.config"), "checkpointInterval=L\"1\"\n");
        Files.writeString(conf.resolve("pcm.api.config"), "users=[\"" + READER + ":ReadOnly:" + hash(READER_PASSWORD) + "\"]\n");
        Files.writeString(conf.resolve("pcm.verification.config"),
                "verifiers=[\"soft\",\"inject\",\"nosuch\"]\nverifierGraceMillis=L\"500\"\n");
        Files.writeString(conf.resolve("pcm.tracers.internal.fault.FaultInjectingVerifier-inject.config"),
                "pcm.rcp.id=\"inject\"\ntarget.target=\"(pcm.rcp.id=soft)\"\nmode=\"memory\"\ngpa=L\"67104768\"\nbyteValue=I\"90\"\nposition=L\"500\"\n");
        pcm = new Resident(data);
        Resident.Run r = pcm.start();
        assertEquals(0, r.status(), r.toString());
        api = ApiClient.of(pcm);
        admin = pcm.adminPassword();
    }

    @AfterAll
    static void stop() throws Exception {
        if (pcm != null) pcm.close();
    }

    /** A users entry's hash, as PasswordHash writes it (pbkdf2-sha256:iterations:salt:hash). */
    static String hash(String password) throws Exception {
        byte[] salt = new byte[16];
        new SecureRandom().nextBytes(salt);
        byte[] h = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256")
                .generateSecret(new PBEKeySpec(password.toCharArray(), salt, 10_000, 256)).getEncoded();
        return "pbkdf2-sha256:10000:" + Base64.getEncoder().encodeToString(salt) + ":" + Base64.getEncoder().encodeToString(h);
    }

    static String basic(String user, String password) {
        return ApiClient.basic(user, password);
    }

    static HttpResponse<String> send(String method, String path, String authorization, String body, Map<String, String> headers)
            throws Exception {
        return api.send(method, path, authorization, body, headers);
    }

    static JsonNode get(String path) throws Exception {
        return api.get(path);
    }

    static HttpResponse<String> reset(String authorization, String type, Map<String, String> headers) throws Exception {
        Map<String, String> h = new java.util.HashMap<>(Map.of("Content-Type", "application/json"));
        h.putAll(headers);
        return send("POST", "/redfish/v1/Systems/guest/Actions/ComputerSystem.Reset", authorization,
                "{\"ResetType\": \"" + type + "\"}", h);
    }

    static String powerState() throws Exception {
        return get("/redfish/v1/Systems/guest").get("PowerState").asText();
    }

    @Test
    @Order(1)
    void everyRequestIsAuthenticated() throws Exception {
        for (String path : List.of("/redfish", "/redfish/v1", "/redfish/v1/Systems/guest", "/redfish/v1/Managers/pcm")) {
            HttpResponse<String> none = send("GET", path, null, null, Map.of());
            assertEquals(401, none.statusCode(), path);
            assertTrue(none.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Basic realm=\"PCM\""), path);
            assertEquals("Base.1.0.NoValidSession", JSON.readTree(none.body()).get("error").get("code").asText());
        }
        assertEquals(401, send("GET", "/redfish/v1", basic("admin", admin + "x"), null, Map.of()).statusCode());
        assertEquals(401, send("GET", "/redfish/v1", basic("nobody", admin), null, Map.of()).statusCode());
        assertEquals(401, send("GET", "/redfish/v1", basic(READER, "wrong"), null, Map.of()).statusCode());
        assertEquals(200, send("GET", "/redfish/v1", basic(READER, READER_PASSWORD), null, Map.of()).statusCode());
        HttpResponse<String> exec = send("POST", "/redfish/v1/Managers/pcm/Actions/Oem/Pcm.Exec", null,
                "{\"Command\": \"pcm:vm start\"}", Map.of("Content-Type", "application/json"));
        assertEquals(401, exec.statusCode(), "the attached shell too");
        assertEquals("Off", powerState(), "nothing changed");
    }

    @Test
    @Order(2)
    void everyResourceIsThereWithItsOdataIdAndType() throws Exception {
        assertEquals("/redfish/v1/", get("/redfish").get("v1").asText());
        List<String> paths = List.of("/redfish/v1", "/redfish/v1/Systems", "/redfish/v1/Systems/guest",
                "/redfish/v1/Systems/guest/Processors", "/redfish/v1/Systems/guest/Processors/vcpu0",
                "/redfish/v1/Systems/guest/LogServices", "/redfish/v1/Systems/guest/LogServices/Verdicts",
                "/redfish/v1/Systems/guest/LogServices/Verdicts/Entries", "/redfish/v1/Managers", "/redfish/v1/Managers/pcm",
                "/redfish/v1/SessionService", "/redfish/v1/SessionService/Sessions", "/redfish/v1/EventService",
                "/redfish/v1/TaskService", "/redfish/v1/TaskService/Tasks");
        for (String p : paths) {
            JsonNode n = get(p);
            assertEquals(p, n.get("@odata.id").asText());
            assertTrue(n.get("@odata.type").asText().matches("#[A-Za-z]+(\\.v\\d+_\\d+_\\d+)?\\.[A-Za-z]+"), p + ": " + n);
            assertTrue(get(p + "/").equals(n), "a trailing slash names the same resource: " + p);
        }
        JsonNode root = get("/redfish/v1");
        assertEquals("/redfish/v1/Systems", root.get("Systems").get("@odata.id").asText());
        assertEquals("/redfish/v1/Managers", root.get("Managers").get("@odata.id").asText());
        assertEquals("/redfish/v1/SessionService/Sessions", root.get("Links").get("Sessions").get("@odata.id").asText());
        assertEquals(1, get("/redfish/v1/Systems").get("Members@odata.count").asInt());
        JsonNode system = get("/redfish/v1/Systems/guest");
        assertEquals("Off", system.get("PowerState").asText());
        List<String> allowed = new ArrayList<>();
        system.get("Actions").get("#ComputerSystem.Reset").get("ResetType@Redfish.AllowableValues").forEach(v -> allowed.add(v.asText()));
        assertEquals(List.of("On", "ForceOff", "ForceRestart", "Pause", "Resume"), allowed);
        JsonNode manager = get("/redfish/v1/Managers/pcm");
        assertTrue(manager.get("FirmwareVersion").asText().matches("\\d+\\.\\d+\\.\\d+.*"), manager.toString());
        List<String> active = new ArrayList<>();
        manager.get("Oem").get("Pcm").get("Bundles").forEach(b -> {
            if (b.get("State").asText().equals("ACTIVE")) active.add(b.get("SymbolicName").asText());
        });
        assertTrue(active.containsAll(List.of("pcm.core", "pcm.redfish", "pcm.ui", "org.apache.felix.http.jetty12")), active.toString());
        assertEquals("IDLE", manager.get("Oem").get("Pcm").get("Sampler").get("State").asText());
        for (String missing : List.of("/redfish/v1/Systems/nope", "/redfish/v1/Systems/guest/Processors/vcpu9",
                "/redfish/v1/Systems/guest/LogServices/Verdicts/Entries/w0.soft", "/redfish/v1/Chassis")) {
            HttpResponse<String> r = send("GET", missing, basic("admin", admin), null, Map.of());
            assertEquals(404, r.statusCode(), missing);
            assertEquals("Base.1.0.ResourceMissingAtURI", JSON.readTree(r.body()).get("error").get("code").asText());
        }
    }

    @Test
    @Order(3)
    void stateChangesThatAreNotAllowedChangeNothing() throws Exception {
        assertEquals(403, reset(basic(READER, READER_PASSWORD), "On", Map.of()).statusCode(), "ReadOnly role");
        assertEquals(403, reset(basic("admin", admin), "On", Map.of("Origin", "http://evil.example")).statusCode(), "cross-site");
        assertEquals(403, reset(basic("admin", admin), "On", Map.of("Referer", "http://evil.example/x.html")).statusCode(),
                "cross-site by Referer");
        assertEquals(403, reset(basic("admin", admin), "On", Map.of("Content-Type", "text/plain")).statusCode(),
                "a form or text body (a cross-site form can send that without a preflight)");
        assertEquals(401, reset(null, "On", Map.of()).statusCode());
        HttpResponse<String> bad = reset(basic("admin", admin), "Explode", Map.of());
        assertEquals(400, bad.statusCode(), bad.body());
        assertEquals("Base.1.0.ActionParameterValueNotInList", JSON.readTree(bad.body()).get("error").get("code").asText());
        assertEquals(400, send("POST", "/redfish/v1/Systems/guest/Actions/ComputerSystem.Reset", basic("admin", admin), "{oops",
                Map.of("Content-Type", "application/json")).statusCode());
        assertEquals("Off", powerState(), "nothing changed");
        assertEquals(0, get("/redfish/v1/Systems/guest/LogServices/Verdicts/Entries").get("Members@odata.count").asInt());
    }

    @Test
    @Order(4)
    void resetDrivesTheGuest() throws Exception {
        assertEquals(204, reset(basic("admin", admin), "On", Map.of()).statusCode());
        assertEquals("On", powerState());
        assertEquals("Enabled", get("/redfish/v1/Systems/guest/Processors/vcpu0").get("Status").get("State").asText());
        assertEquals(204, reset(basic("admin", admin), "Pause", Map.of()).statusCode());
        assertEquals("Paused", powerState());
        assertEquals(409, reset(basic("admin", admin), "On", Map.of()).statusCode(), "a paused guest is resumed, not powered on");
        assertEquals(204, reset(basic("admin", admin), "Resume", Map.of()).statusCode());
        assertEquals("On", powerState());
        // the attached shell and the API act on the same VM
        JsonNode vm = exec("pcm:vm status");
        assertTrue(vm.get("Output").asText().startsWith("VM RUNNING"), vm.toString());
    }

    @Test
    @Order(5)
    void verdictsAreTheLogAndTheProcessorsHealth() throws Exception {
        JsonNode sampled = exec("pcm:sample now --insns 2000");
        assertEquals(0, sampled.get("ExitStatus").asInt(), sampled.toString());
        JsonNode entries = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() - deadline < 0) {
            entries = get("/redfish/v1/Systems/guest/LogServices/Verdicts/Entries");
            if (entries.get("Members@odata.count").asInt() >= 3) break;
            Thread.sleep(200);
        }
        Map<String, String> severity = new java.util.TreeMap<>();
        for (JsonNode e : entries.get("Members")) severity.put(e.get("Oem").get("Pcm").get("Verifier").asText(), e.get("Severity").asText());
        assertEquals(Map.of("inject", "Critical", "nosuch", "Warning", "soft", "OK"), severity, entries.toString());
        String id = entries.get("Members").get(0).get("Id").asText();
        assertEquals(id, get("/redfish/v1/Systems/guest/LogServices/Verdicts/Entries/" + id).get("Id").asText());
        assertEquals("Critical", get("/redfish/v1/Systems/guest/Processors/vcpu0").get("Status").get("Health").asText(),
                "a DIVERGED verdict makes the processor Critical");
        assertEquals("Critical", get("/redfish/v1/Systems/guest").get("Status").get("HealthRollup").asText());
    }

    @Test
    @Order(6)
    void theAttachedShellRunsCommandsWithTheirStatus() throws Exception {
        assertEquals(2, exec("pcm:nosuch").get("ExitStatus").asInt());
        assertEquals(2, exec("pcm:vm explode").get("ExitStatus").asInt());
        HttpResponse<String> reader = send("POST", "/redfish/v1/Managers/pcm/Actions/Oem/Pcm.Exec", basic(READER, READER_PASSWORD),
                "{\"Command\": \"pcm:vm stop\"}", Map.of("Content-Type", "application/json"));
        assertEquals(403, reader.statusCode(), "a read-only user runs no command");
        assertEquals("On", powerState());
    }

    @Test
    @Order(7)
    void forceOffStopsTheGuest() throws Exception {
        assertEquals(204, reset(basic("admin", admin), "ForceOff", Map.of()).statusCode());
        assertEquals("Off", powerState());
    }

    /** Ctrl-C of an attached shell: Pcm.Interrupt ends the command (pcm:run closes its window, stops the guest), not PCM. */
    @Test
    @Order(8)
    void anInterruptEndsTheCommandNotPcm() throws Exception {
        var running = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                HttpResponse<String> r = send("POST", "/redfish/v1/Managers/pcm/Actions/Oem/Pcm.Exec", basic("admin", admin),
                        "{\"Command\": \"pcm:run --timeout 600\", \"ExecId\": \"it-1\"}", Map.of("Content-Type", "application/json"));
                return JSON.readTree(r.body());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!powerState().equals("On")) {
            assertTrue(System.nanoTime() - deadline < 0, "pcm:run did not start the guest");
            Thread.sleep(50);
        }
        HttpResponse<String> interrupt = send("POST", "/redfish/v1/Managers/pcm/Actions/Oem/Pcm.Interrupt", basic("admin", admin),
                "{\"ExecId\": \"it-1\"}", Map.of("Content-Type", "application/json"));
        assertEquals(204, interrupt.statusCode(), interrupt.body());
        JsonNode result = running.get(60, TimeUnit.SECONDS);
        assertEquals(6, result.get("ExitStatus").asInt(), result.toString());
        assertTrue(result.get("Message").asText().contains("interrupted"), result.toString());
        assertEquals("Off", powerState(), "the run stopped its guest");
        assertEquals("IDLE", get("/redfish/v1/Managers/pcm").get("Oem").get("Pcm").get("Sampler").get("State").asText());
        assertEquals(404, send("POST", "/redfish/v1/Managers/pcm/Actions/Oem/Pcm.Interrupt", basic("admin", admin),
                "{\"ExecId\": \"it-1\"}", Map.of("Content-Type", "application/json")).statusCode(), "nothing runs as it-1 now");
        // the event log's writer closes a window's log on its own thread: give it a moment before calling one torn
        JsonNode check = exec("pcm:log check");
        for (int i = 0; i < 50 && check.get("ExitStatus").asInt() != 0; i++) {
            Thread.sleep(100);
            check = exec("pcm:log check");
        }
        assertEquals(0, check.get("ExitStatus").asInt(), "no torn window: " + check);
    }

    /** Redfish sessions: login for an X-Auth-Token, the token's role holds, logout ends it. */
    @Test
    @Order(9)
    void sessionsLogInAndOut() throws Exception {
        String sessions = "/redfish/v1/SessionService/Sessions";
        Map<String, String> json = Map.of("Content-Type", "application/json");
        assertEquals(401, send("POST", sessions, null, "{\"UserName\": \"reader\", \"Password\": \"wrong\"}", json).statusCode());
        assertEquals(400, send("POST", sessions, null, "{\"UserName\": \"reader\"}", json).statusCode());
        assertEquals(403, send("POST", sessions, null, "UserName=reader&Password=" + READER_PASSWORD,
                Map.of("Content-Type", "application/x-www-form-urlencoded")).statusCode(), "no login by a cross-site form");
        HttpResponse<String> login = send("POST", sessions, null,
                "{\"UserName\": \"reader\", \"Password\": \"" + READER_PASSWORD + "\"}", json);
        assertEquals(201, login.statusCode(), login.body());
        String token = login.headers().firstValue("X-Auth-Token").orElseThrow();
        String location = login.headers().firstValue("Location").orElseThrow();
        assertEquals(location, JSON.readTree(login.body()).get("@odata.id").asText());
        Map<String, String> withToken = Map.of("X-Auth-Token", token);
        assertEquals(200, send("GET", "/redfish/v1/Systems/guest", null, null, withToken).statusCode());
        assertEquals("reader", JSON.readTree(send("GET", location, null, null, withToken).body()).get("UserName").asText());
        assertEquals(403, reset(null, "On", withToken).statusCode(), "the session has the reader's role");
        assertEquals(401, send("GET", "/redfish/v1", null, null, Map.of("X-Auth-Token", token + "x")).statusCode());
        assertTrue(get(sessions).get("Members").toString().contains(location), "an Administrator sees every session");
        assertEquals(204, send("DELETE", location, null, null, withToken).statusCode(), "a reader may log itself out");
        assertEquals(401, send("GET", "/redfish/v1", null, null, withToken).statusCode(), "logged out");
        assertEquals(0, get(sessions).get("Members@odata.count").asInt());
    }

    /** Live state: the EventService's server-sent events carry power state changes and verdicts as they come. */
    @Test
    @Order(10)
    void serverSentEventsCarryStateChangesAndVerdicts() throws Exception {
        String sse = get("/redfish/v1/EventService").get("ServerSentEventUri").asText();
        assertEquals(401, send("GET", sse, null, null, Map.of()).statusCode());
        java.util.concurrent.BlockingQueue<String> lines = new java.util.concurrent.LinkedBlockingQueue<>();
        HttpRequest request = HttpRequest.newBuilder(URI.create(api.base() + sse)).header("Authorization", basic("admin", admin)).build();
        var stream = HTTP.sendAsync(request, HttpResponse.BodyHandlers.ofLines());
        HttpResponse<java.util.stream.Stream<String>> response = stream.get(30, TimeUnit.SECONDS);
        assertEquals(200, response.statusCode());
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"));
        Thread reader = Thread.ofVirtual().start(() -> {
            try {
                response.body().forEach(lines::add);
            } catch (RuntimeException closed) {
                // the test ended the stream
            }
        });
        try {
            awaitLine(lines, ": PCM events");
            assertEquals(204, reset(basic("admin", admin), "On", Map.of()).statusCode());
            JsonNode power = event(awaitLine(lines, "Pcm.1.0.PowerStateChanged"));
            assertEquals("the guest is RUNNING", power.get("Events").get(0).get("Message").asText());
            assertEquals("/redfish/v1/Systems/guest", power.get("Events").get(0).get("OriginOfCondition").get("@odata.id").asText());
            assertEquals(0, exec("pcm:sample now --insns 2000").get("ExitStatus").asInt());
            JsonNode verdict = event(awaitLine(lines, "Pcm.1.0.Verdict"));
            assertTrue(verdict.get("Events").get(0).get("OriginOfCondition").get("@odata.id").asText()
                    .startsWith("/redfish/v1/Systems/guest/LogServices/Verdicts/Entries/w"), verdict.toString());
            assertEquals("#Event.v1_9_0.Event", verdict.get("@odata.type").asText());
        } finally {
            response.body().close();
            reader.interrupt();
            reset(basic("admin", admin), "ForceOff", Map.of());
        }
    }

    /** Long work as a Redfish task: verifying a stored window again, with progress and the verdict as its status. */
    @Test
    @Order(11)
    void verifyingAWindowIsATask() throws Exception {
        String verify = get("/redfish/v1/Systems/guest/LogServices/Verdicts").get("Actions").get("Oem").get("#Pcm.Verify")
                .get("target").asText();
        String window = get("/redfish/v1/Systems/guest/LogServices/Verdicts/Entries").get("Members").get(0).get("Oem").get("Pcm")
                .get("WindowId").asText();
        Map<String, String> json = Map.of("Content-Type", "application/json");
        assertEquals(403, send("POST", verify, basic(READER, READER_PASSWORD), "{\"WindowId\": \"" + window + "\", \"Verifier\": \"soft\"}",
                json).statusCode(), "a read-only user starts no task");
        assertEquals(404, send("POST", verify, basic("admin", admin), "{\"WindowId\": \"w0\", \"Verifier\": \"soft\"}", json).statusCode());
        assertEquals(400, send("POST", verify, basic("admin", admin), "{\"WindowId\": \"" + window + "\"}", json).statusCode());
        JsonNode match = awaitTask(send("POST", verify, basic("admin", admin),
                "{\"WindowId\": \"" + window + "\", \"Verifier\": \"soft\"}", json));
        assertEquals("OK", match.get("TaskStatus").asText(), match.toString());
        assertEquals(100, match.get("PercentComplete").asInt());
        assertEquals("MATCH", match.get("Oem").get("Pcm").get("Outcome").asText());
        JsonNode diverged = awaitTask(send("POST", verify, basic("admin", admin),
                "{\"WindowId\": \"" + window + "\", \"Verifier\": \"inject\"}", json));
        assertEquals("Critical", diverged.get("TaskStatus").asText(), diverged.toString());
        assertEquals("DIVERGED", diverged.get("Oem").get("Pcm").get("Outcome").asText());
        assertTrue(get("/redfish/v1/TaskService/Tasks").get("Members@odata.count").asInt() >= 2);
    }

    /** A 202 with a task monitor: polls it until the task is done (at most 90 s). */
    static JsonNode awaitTask(HttpResponse<String> accepted) throws Exception {
        assertEquals(202, accepted.statusCode(), accepted.body());
        String monitor = accepted.headers().firstValue("Location").orElseThrow();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (true) {
            JsonNode t = get(monitor);
            String state = t.get("TaskState").asText();
            if (state.equals("Completed") || state.equals("Exception")) {
                assertEquals("Completed", state, t.toString());
                return t;
            }
            assertTrue(System.nanoTime() - deadline < 0, "task not done in 90 s: " + t);
            Thread.sleep(100);
        }
    }

    static String awaitLine(java.util.concurrent.BlockingQueue<String> lines, String text) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() - deadline < 0) {
            String l = lines.poll(1, TimeUnit.SECONDS);
            if (l != null && l.contains(text)) return l;
        }
        throw new AssertionError("no event line with '" + text + "' within 90 s");
    }

    static JsonNode event(String line) throws Exception {
        assertTrue(line.startsWith("data: "), line);
        return JSON.readTree(line.substring(6));
    }

    /** PCM's OEM resources (issue 16 item 3, what the web console shows): windows with verdicts, events, settings. */
    @Test
    @Order(12)
    void oemWindowsEventsAndSettings() throws Exception {
        JsonNode windows = get("/redfish/v1/Oem/Pcm/Windows");
        assertTrue(windows.get("Members@odata.count").asInt() > 0, windows.toString());
        JsonNode diverged = null;
        for (JsonNode w : windows.get("Members")) if ("DIVERGED".equals(w.get("Outcome").asText())) diverged = w;
        assertTrue(diverged != null, "the fault-injecting verifier's DIVERGED window is listed: " + windows);
        assertTrue(windows.get("Outcomes").get("DIVERGED").asInt() > 0);
        assertTrue(diverged.get("StartTime").asText().matches("\\d{4}-.*Z"), diverged.toString());
        String id = diverged.get("Id").asText();
        JsonNode w = get("/redfish/v1/Oem/Pcm/Windows/" + id);
        JsonNode injected = null;
        for (JsonNode v : w.get("Verdicts")) if ("inject".equals(v.get("Verifier").asText())) injected = v;
        assertTrue(injected != null && injected.get("Divergence").get("Differences").size() > 0, w.toString());
        assertTrue(w.get("Snapshots").get("End").get("Registers").get("rip").asText().startsWith("0x"), w.toString());
        JsonNode page = get("/redfish/v1/Oem/Pcm/Windows/" + id + "/Events?kind=CHECKPOINT&$skip=10&$top=5");
        assertEquals(5, page.get("Members").size(), page.toString());
        for (JsonNode e : page.get("Members")) assertEquals("CHECKPOINT", e.get("Kind").asText());
        assertEquals("VALID", page.get("LogStatus").asText());
        assertEquals(400, send("GET", "/redfish/v1/Oem/Pcm/Windows/" + id + "/Events?kind=NOSUCH", basic("admin", admin), null,
                Map.of()).statusCode());
        assertEquals(404, send("GET", "/redfish/v1/Oem/Pcm/Windows/w0", basic("admin", admin), null, Map.of()).statusCode());

        String uri = "/redfish/v1/Oem/Pcm/Settings/pcm.sampling.periodic";
        assertTrue(get("/redfish/v1/Oem/Pcm/Settings").toString().contains("pcm.sampling.periodic"));
        Path file = pcm.data.resolve("conf/pcm.sampling.periodic.config");
        Map<String, String> json = Map.of("Content-Type", "application/json");
        assertEquals(403, send("PATCH", uri, basic(READER, READER_PASSWORD), "{\"Attributes\": {\"periodMillis\": 7000}}", json).statusCode());
        assertEquals(403, send("PATCH", uri, basic("admin", admin), "{\"Attributes\": {\"periodMillis\": 7000}}",
                Map.of("Content-Type", "application/json", "Origin", "http://evil.example")).statusCode());
        HttpResponse<String> refused = send("PATCH", uri, basic("admin", admin), "{\"Attributes\": {\"periodMillis\": -5, \"nosuch\": 1}}", json);
        assertEquals(400, refused.statusCode(), refused.body());
        assertTrue(refused.body().contains("nosuch"), refused.body());
        assertTrue(!Files.exists(file), "nothing written for refused values");
        HttpResponse<String> changed = send("PATCH", uri, basic("admin", admin), "{\"Attributes\": {\"periodMillis\": 7000}}", json);
        assertEquals(200, changed.statusCode(), changed.body());
        assertTrue(JSON.readTree(changed.body()).get("Applied").asBoolean());
        assertTrue(Files.readString(file).contains("periodMillis=L\"7000\""), Files.readString(file));
        assertTrue(get(uri).toString().contains("\"7000\""), "Config Admin holds the new value");
    }

    static JsonNode exec(String line) throws Exception {
        HttpResponse<String> r = send("POST", "/redfish/v1/Managers/pcm/Actions/Oem/Pcm.Exec", basic("admin", admin),
                JSON.writeValueAsString(Map.of("Command", line)), Map.of("Content-Type", "application/json"));
        assertEquals(200, r.statusCode(), r.body());
        return JSON.readTree(r.body());
    }
}
