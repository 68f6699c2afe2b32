package pcm.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Issue 16 item 4: the self-test as a Redfish task on a resident PCM, with a real HTTP client. {@code Pcm.SelfTest} on
 * the manager answers 202 with the task monitor; the task shows its progress (the checks decided so far, each a
 * message) while it runs and ends Completed, OK, every check passed, the report kept under {@code <data>/selftest/}.
 * Refused: without credentials (401), a ReadOnly user (403), a parameter it does not have (400), a second one while
 * the first runs (409) — none starts a run.
 */
class SelfTestTaskIT {

    static final String ACTION = "/redfish/v1/Managers/pcm/Actions/Oem/Pcm.SelfTest";
    static final String READER = "reader";
    static final String READER_PASSWORD = "reader-password-1";
    static final Map<String, String> JSON_BODY = Map.of("Content-Type", "application/json");

    static Resident pcm;
    static ApiClient api;

    @BeforeAll
    static void start() throws Exception {
        Path data = Resident.freshData("selftest-task-data");
        Files.writeString(data.resolve("conf/pcm.api.config"), "users=[\"" + READER + ":ReadOnly:" + RedfishApiIT.hash(READER_PASSWORD) + "\"]\n");
        pcm = Resident.started(data);
        api = ApiClient.of(pcm);
    }

    @AfterAll
    static void stop() throws Exception {
        if (pcm != null) pcm.close();
    }

    @Test
    void theSelfTestRunsAsATaskWithProgressAndRefusedRequestsStartNothing() throws Exception {
        assertEquals(ACTION, api.get("/redfish/v1/Managers/pcm").get("Actions").get("Oem").get("#Pcm.SelfTest").get("target").asText());
        assertEquals(401, api.send("POST", ACTION, null, "{}", JSON_BODY).statusCode());
        assertEquals(403, api.send("POST", ACTION, ApiClient.basic(READER, READER_PASSWORD), "{}", JSON_BODY).statusCode());
        HttpResponse<String> unknown = api.send("POST", ACTION, api.admin(), "{\"Quick\": true}", JSON_BODY);
        assertEquals(400, unknown.statusCode(), unknown.body());
        assertTrue(unknown.body().contains("Quick"), unknown.body());
        assertEquals(0, api.get("/redfish/v1/TaskService/Tasks").get("Members@odata.count").asInt(), "nothing started");

        HttpResponse<String> started = api.send("POST", ACTION, api.admin(), "{}", JSON_BODY);
        assertEquals(202, started.statusCode(), started.body());
        String monitor = started.headers().firstValue("Location").orElseThrow();
        HttpResponse<String> second = api.send("POST", ACTION, api.admin(), "{}", JSON_BODY);
        assertEquals(409, second.statusCode(), second.body());
        assertTrue(second.body().contains(monitor), second.body());

        List<Integer> progress = new ArrayList<>();
        JsonNode task = api.get(monitor);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(150);
        while (!task.get("TaskState").asText().equals("Completed") && !task.get("TaskState").asText().equals("Exception")
                && System.nanoTime() - deadline < 0) {
            if (task.get("TaskState").asText().equals("Running")) progress.add(task.get("PercentComplete").asInt());
            Thread.sleep(100);
            task = api.get(monitor);
        }
        assertEquals("Completed", task.get("TaskState").asText(), task.toString());
        assertEquals("OK", task.get("TaskStatus").asText(), task.toString());
        assertEquals(100, task.get("PercentComplete").asInt());
        assertTrue(progress.stream().anyMatch(p -> p > 0 && p < 100), "progress while it ran: " + progress);
        JsonNode messages = task.get("Messages");
        assertEquals(5, messages.size(), task.toString());
        for (JsonNode m : messages) assertEquals("OK", m.get("MessageSeverity").asText(), m.toString());
        assertTrue(messages.get(4).get("Message").asText().startsWith("injected fault DIVERGED: PASS"), messages.toString());
        JsonNode oem = task.get("Oem").get("Pcm");
        assertTrue(oem.get("Passed").asBoolean());
        assertTrue(Files.isRegularFile(Path.of(oem.get("Report").asText())), oem.toString());
        assertEquals(1, api.get("/redfish/v1/TaskService/Tasks").get("Members@odata.count").asInt(), "the refused ones made no task");
    }
}
