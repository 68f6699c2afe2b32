package pcm.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Issue 16 item 2 on a resident PCM: the JLine shell attached to it ({@code bin/pcm shell}, pcm.client) on a
 * pseudo-terminal — Tab completion of commands, options and window ids from the API, output streamed while the command
 * runs, Ctrl-C interrupting the remote command (PCM and the client go on), {@code pcm:console} attached in raw mode
 * (Ctrl-C goes to the guest, Ctrl-] detaches), Ctrl-D detaching with the history kept — and the API under it: the
 * streamed {@code Pcm.Exec}, the console resource, its event stream and {@code PcmConsole.Send} with their refusals, a
 * broken connection that interrupts its command and leaves PCM up, the console always in {@code <data>/log/console.log}.
 * The local shell's raw {@code pcm:console} too. One resident PCM for all of it.
 */
class AttachedShellIT {

    private static Resident pcm;
    private static ApiClient api;
    private static String window;

    @BeforeAll
    static void start() throws Exception {
        pcm = Resident.started(Resident.freshData("attached-shell-data"));
        api = ApiClient.of(pcm);
        // one short run records a window (completion of window ids) and prints the guest console (console.log)
        Resident.Run run = pcm.exec("pcm:run --backend soft --blocks 64 --windows 1");
        assertEquals(0, run.status(), run.toString());
        Matcher m = Pattern.compile("window (w\\d+) MATCH").matcher(run.out());
        assertTrue(m.find(), run.toString());
        window = m.group(1);
    }

    @AfterAll
    static void stop() throws Exception {
        if (pcm != null) pcm.close();
    }

    private String admin() throws Exception {
        return ApiClient.basic("admin", pcm.adminPassword());
    }

    /** The events of a streamed exec, until its end event. */
    private List<String[]> streamedExec(String line) throws Exception {
        HttpRequest r = HttpRequest.newBuilder(URI.create(pcm.url() + "/Managers/pcm/Actions/Oem/Pcm.Exec")).timeout(Duration.ofSeconds(60))
                .header("Authorization", admin()).header("Content-Type", "application/json").header("Accept", "text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(ApiClient.JSON.createObjectNode().put("Command", line).toString())).build();
        HttpResponse<InputStream> resp = ApiClient.HTTP.send(r, HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, resp.statusCode());
        assertTrue(resp.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"));
        List<String[]> events = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(resp.body(), StandardCharsets.UTF_8))) {
            String type = null;
            for (String l; (l = in.readLine()) != null; ) {
                if (l.startsWith("event: ")) type = l.substring(7);
                else if (l.startsWith("data: ")) {
                    events.add(new String[] {type, l.substring(6)});
                    if ("end".equals(type)) break;
                }
            }
        }
        return events;
    }

    private static int endStatus(List<String[]> events) throws Exception {
        String[] last = events.get(events.size() - 1);
        assertEquals("end", last[0]);
        return ApiClient.JSON.readTree(last[1]).path("ExitStatus").asInt();
    }

    @Test
    void streamedExecTellsTheTruthAndABrokenConnectionInterruptsItsCommand() throws Exception {
        List<String[]> ok = streamedExec("pcm:vm status");
        assertEquals(0, endStatus(ok));
        assertTrue(ok.stream().anyMatch(e -> e[0].equals("output") && e[1].contains("VM ")),
                String.join("\n", ok.stream().map(e -> e[0] + " " + e[1]).toList()));
        assertEquals(2, endStatus(streamedExec("pcm:nosuch")), "unknown command: USAGE");
        List<String[]> unknownWindow = streamedExec("pcm:verify wnosuch");
        assertEquals(2, endStatus(unknownWindow), "unknown window id: USAGE");
        String said = String.join("\n", unknownWindow.stream().map(e -> e[0] + " " + e[1]).toList());
        assertTrue(said.contains("wnosuch"), "the error names the window: " + said);

        // a command that never ends by itself; its client goes away: PCM interrupts it and goes on
        HttpRequest r = HttpRequest.newBuilder(URI.create(pcm.url() + "/Managers/pcm/Actions/Oem/Pcm.Exec"))
                .header("Authorization", admin()).header("Content-Type", "application/json").header("Accept", "text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString("{\"Command\": \"log:tail --follow --file console.log\", \"ExecId\": \"it-broken\"}")).build();
        HttpResponse<InputStream> resp = ApiClient.HTTP.send(r, HttpResponse.BodyHandlers.ofInputStream());
        InputStream body = resp.body();
        byte[] first = new byte[64];
        assertTrue(body.read(first) > 0, "the stream started");
        body.close(); // the client's connection breaks
        Path log = pcm.data.resolve("log/pcm.log");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!Files.readString(log).contains("exec it-broken interrupted: its client went away") && System.nanoTime() < deadline)
            Thread.sleep(200);
        assertTrue(Files.readString(log).contains("exec it-broken interrupted: its client went away"), "pcm.log says the command was interrupted");
        assertEquals(404, api.send("POST", "/redfish/v1/Managers/pcm/Actions/Oem/Pcm.Interrupt", admin(), "{\"ExecId\": \"it-broken\"}",
                Map.of("Content-Type", "application/json")).statusCode(), "no longer running");
        assertEquals(0, pcm.exec("pcm:vm status").status(), "PCM goes on");
    }

    @Test
    void consoleResourceStreamAndSend() throws Exception {
        JsonNode c = api.get("/redfish/v1/Oem/Pcm/Console");
        assertEquals("/redfish/v1/Oem/Pcm/Console/SSE", c.path("ServerSentEventUri").asText());
        assertTrue(c.path("InputAvailable").asBoolean());
        String send = c.path("Actions").path("#PcmConsole.Send").path("target").asText();
        Map<String, String> json = Map.of("Content-Type", "application/json");
        assertEquals(401, api.send("POST", send, null, "{\"Data\": \"x\"}", json).statusCode());
        assertEquals(401, api.send("GET", "/redfish/v1/Oem/Pcm/Console/SSE", null, (byte[]) null, Map.of()).statusCode());
        HttpResponse<String> missing = api.send("POST", send, admin(), "{}", json);
        assertEquals(400, missing.statusCode());
        assertTrue(missing.body().contains("ActionParameterMissing"), missing.body());
        assertEquals(400, api.send("POST", send, admin(), "{\"Data\": 5}", json).statusCode());
        assertEquals(400, api.send("POST", send, admin(), "not json", json).statusCode());
        assertEquals(403, api.send("POST", send, admin(), "Data=x", Map.of("Content-Type", "application/x-www-form-urlencoded")).statusCode(),
                "a form (cross-site) is refused");
        assertEquals(204, api.send("POST", send, admin(), "{\"Data\": \"ab\"}", json).statusCode(), "two keys into the UART's FIFO");

        // the stream carries what the guest prints while it runs, and console.log has the same
        HttpRequest r = HttpRequest.newBuilder(URI.create(pcm.url() + "/Oem/Pcm/Console/SSE")).header("Authorization", admin()).GET().build();
        HttpResponse<InputStream> resp = ApiClient.HTTP.send(r, HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, resp.statusCode());
        StringBuilder seen = new StringBuilder();
        CompletableFuture<Void> reader = CompletableFuture.runAsync(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(resp.body(), StandardCharsets.UTF_8))) {
                for (String l; (l = in.readLine()) != null; ) {
                    if (l.startsWith("data: ")) synchronized (seen) {
                        seen.append(ApiClient.JSON.readTree(l.substring(6)).path("Text").asText());
                        if (seen.indexOf("PCM-GUEST-DONE") >= 0) return;
                    }
                }
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        Thread.sleep(500); // the stream's listener registered
        Resident.Run run = pcm.exec("pcm:run --backend soft --blocks 16 --window 0");
        assertEquals(0, run.status(), run.toString());
        reader.get(60, TimeUnit.SECONDS);
        String streamed;
        synchronized (seen) {
            streamed = seen.toString();
        }
        assertTrue(streamed.contains("PCM default guest"), streamed);
        String guestDone = streamed.substring(streamed.indexOf("PCM-GUEST-DONE")).lines().findFirst().orElseThrow();
        assertTrue(Files.readString(pcm.data.resolve("log/console.log")).contains(guestDone.strip()),
                "console.log has what the stream showed: " + guestDone);
    }

    @Test
    void jlineShellCompletesStreamsInterruptsAttachesToTheConsoleAndDetaches() throws Exception {
        assumeTrue(Pty.available(), "needs script(1) from util-linux for a pseudo-terminal");
        try (Pty shell = Pty.binPcm(pcm.data, "shell")) {
            shell.await("attached to the resident PCM", 1, 60);
            shell.await("pcm> ", 1, 30);
            shell.type("pcm:stat\t"); // one command starts so: completed from the API's list
            shell.await("pcm:status", 1, 30);
            shell.type("\r");
            shell.await("PCM kernel status", 1, 30);
            shell.type("pcm:verify w\t"); // the one stored window
            shell.await(window, 1, 30);
            shell.type("\r");
            shell.await("MATCH", 1, 90);
            shell.type("pcm:run --bl\t"); // an option of pcm:run
            shell.await("--blocks", 1, 30);
            shell.type("\u0015"); // Ctrl-U: the line cleared

            // output streamed while the command still runs; Ctrl-C interrupts it in PCM, the shell stays
            shell.type("log:tail --follow --file console.log\r");
            shell.await("PCM-GUEST-DONE", 1, 30);
            int prompts = shell.count("pcm> ");
            Thread.sleep(1000);
            assertEquals(prompts, shell.count("pcm> "), "still running (no prompt) while its output is shown:\n" + shell.text());
            shell.type("\u0003");
            shell.await("interrupting the command", 1, 30);
            shell.await("pcm> ", prompts + 1, 60);
            assertEquals(0, pcm.exec("pcm:vm status").status(), "PCM goes on after Ctrl-C");

            // the guest's console in raw mode: the guest's output as it prints, Ctrl-C to the guest, Ctrl-] detaches
            shell.type("pcm:console\r");
            shell.await("[guest console of the resident PCM", 1, 30);
            int shown = shell.count("PCM default guest");
            Resident.Run run = pcm.exec("pcm:run --backend soft --blocks 16 --window 0");
            assertEquals(0, run.status(), run.toString());
            shell.await("PCM default guest", shown + 1, 60);
            shell.type("x\u0003"); // to the guest (its FIFO), not an interrupt
            int promptsAttached = shell.count("pcm> ");
            Thread.sleep(500);
            assertEquals(promptsAttached, shell.count("pcm> "), "Ctrl-C does not detach:\n" + shell.text());
            shell.type("\u001d");
            shell.await("[detached from the guest console]", 1, 30);
            shell.await("pcm> ", promptsAttached + 1, 30);
            String console = Files.readString(pcm.data.resolve("log/console.log"));
            assertTrue(console.contains("PCM default guest"), "the console is in console.log too");

            shell.type("pcm:nosuch\r");
            shell.await("(exit status 2)", 1, 30);
            shell.type("\u0004"); // Ctrl-D detaches
            assertTrue(shell.process.waitFor(30, TimeUnit.SECONDS), "Ctrl-D ends the client; screen:\n" + shell.text());
            assertEquals(0, shell.process.exitValue(), shell.text());
        }
        List<String> history = Files.readAllLines(pcm.data.resolve("run/shell_history"));
        assertTrue(history.stream().anyMatch(h -> h.endsWith("pcm:status")), "history under the data directory: " + history);
        assertEquals(0, pcm.exec("pcm:vm status").status(), "PCM still runs after the client detached");
    }

    /** The client itself, as bin/pcm shell starts it, on a data directory made up for the case. */
    private static Resident.Run client(Path data) throws Exception {
        Path dir = Resident.repoRoot().resolve("clients/pcm.client/target/client");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Path out = Files.createTempFile(data, "out", ".txt");
        Path err = Files.createTempFile(data, "err", ".txt");
        Process p = new ProcessBuilder(java.toString(), "-cp", dir + "/*", "pcm.client.AttachedShell", "--data", data.toString())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the client ended");
        return new Resident.Run(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    @Test
    void aClientThatCannotAttachSaysWhyWithStatus6() throws Exception {
        Path data = Resident.freshData("attached-shell-refused");
        Files.createDirectories(data.resolve("run"));
        Files.createDirectories(data.resolve("secrets"));
        Files.copy(pcm.certificate(), data.resolve("secrets/https.crt"));
        // the resident's address, a wrong password: the API's 401, named
        Files.writeString(data.resolve("run/api.url"), pcm.url());
        Files.writeString(data.resolve("secrets/admin.password"), "wrong\n");
        Resident.Run refused = client(data);
        assertEquals(6, refused.status(), refused.toString());
        assertTrue(refused.err().contains("refused the request: HTTP 401"), refused.toString());
        // nobody listening there
        Files.writeString(data.resolve("run/api.url"), "https://127.0.0.1:1/redfish/v1\n");
        Resident.Run gone = client(data);
        assertEquals(6, gone.status(), gone.toString());
        assertTrue(gone.err().contains("does not answer"), gone.toString());
        assertEquals(0, pcm.exec("pcm:vm status").status(), "the resident is not disturbed");
    }

    @Test
    void localShellConsoleIsRawAndDetachesWithCtrlBracket() throws Exception {
        assumeTrue(Pty.available(), "needs script(1) from util-linux for a pseudo-terminal");
        Path data = Resident.freshData("local-console-data");
        try (Pty shell = Pty.binPcm(data, "shell")) {
            shell.await("pcm> ", 1, 120);
            shell.type("pcm:console\r");
            shell.await("[guest console; Ctrl-] detaches", 1, 30);
            int prompts = shell.count("pcm> ");
            shell.type("\u0003"); // raw mode: to the guest, the command goes on
            Thread.sleep(500);
            assertEquals(prompts, shell.count("pcm> "), "Ctrl-C does not detach:\n" + shell.text());
            assertFalse(shell.text().contains("InterruptedException"), shell.text());
            shell.type("\u001d");
            shell.await("[detached from the guest console]", 1, 30);
            shell.await("pcm> ", prompts + 1, 30);
            shell.type("pcm:vm status\r");
            shell.await("VM CREATED", 1, 30);
            shell.type("\u0004");
            assertTrue(shell.process.waitFor(60, TimeUnit.SECONDS), "Ctrl-D ends the shell; screen:\n" + shell.text());
            assertEquals(0, shell.process.exitValue(), shell.text());
        }
    }
}
