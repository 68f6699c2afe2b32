package pcm.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Issue 16 item 5, "Done when": the web console in real headless Chromium (Debian's {@code chromium}), driven by
 * Playwright ({@code itests/pcm.browser/console-test.mjs}, playwright-core pinned in its lockfile) against a resident
 * PCM: a wrong password is refused, the dashboard shows the guest (started and sampled from there), the timeline fills
 * while it runs, a window opens from the timeline (verdicts, snapshots, events paged and filtered), verifying it again
 * shows a task's progress, a setting is refused out of range and applied in range, the verdict log, a bundle updated
 * and rolled back on the firmware page, the diagnostics.
 * Screenshots of every step: {@code target/browser/}. Skips with the reason where node, npm or Chromium is absent.
 */
class WebConsoleIT {

    static final long SCRIPT_SECONDS = 150;

    static Path onPath(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, name);
            if (Files.isExecutable(p)) return p;
        }
        return null;
    }

    static String run(Path dir, long seconds, String... command) throws Exception {
        return run(dir, seconds, java.util.Map.of(), command);
    }

    static String run(Path dir, long seconds, java.util.Map<String, String> env, String... command) throws Exception {
        Path log = Files.createTempFile("browser", ".log");
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not end within " + seconds + " s:\n" + Files.readString(log));
        }
        String out = Files.readString(log);
        Files.delete(log);
        return p.exitValue() + "\n" + out;
    }

    @Test
    void consoleInHeadlessChromium() throws Exception {
        Path node = onPath("node");
        Path npm = onPath("npm");
        Path chromium = Path.of(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium"));
        Assumptions.assumeTrue(node != null && npm != null, "browser tests skipped: node/npm not installed (.ci/run installs nodejs and npm through apt)");
        Assumptions.assumeTrue(Files.isExecutable(chromium), "browser tests skipped: no Chromium at " + chromium + " (.ci/run installs Debian's chromium)");

        Path project = Resident.repoRoot().resolve("itests/pcm.browser");
        // npm ci from the lockfile when playwright-core is missing or not the pinned version
        Path installed = project.resolve("node_modules/playwright-core/package.json");
        String pinned = new ObjectMapper().readTree(project.resolve("package.json").toFile()).at("/dependencies/playwright-core").asText();
        if (!Files.exists(installed) || !pinned.equals(new ObjectMapper().readTree(installed.toFile()).path("version").asText())) {
            String ci = run(project, 300, npm.toString(), "ci", "--no-audit", "--no-fund");
            Assumptions.assumeTrue(ci.startsWith("0\n"), "browser tests skipped: npm ci of itests/pcm.browser failed (registry unreachable?):\n" + ci);
        }

        Path data = Resident.freshData("webconsole-data");
        Path conf = data.resolve("conf");
        Files.writeString(conf.resolve("pcm.vm.cfg"), "workloadBlocks=L\"1000000000\"\n"); // runs until stopped
        Files.writeString(conf.resolve("pcm.sampling.periodic.config"), "periodMillis=L\"300\"\nwindowInstructions=L\"2000\"\n");
        // a register checkpoint after every instruction (the compact log's default is one every 1,024): windows with
        // 2,000 CHECKPOINT events, so the events view has pages to turn (console-test.mjs open-window-from-timeline)
        Files.writeString(conf.resolve("pcm.sampling.config"), "checkpointInterval=L\"1\"\n");
        Path shots = Path.of(System.getProperty("pcm.itest.workdir", "target/itest")).toAbsolutePath().getParent().resolve("browser");
        if (Files.exists(shots)) try (var walk = Files.walk(shots)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        try (Resident pcm = new Resident(data)) {
            Resident.Run started = pcm.start();
            assertEquals(0, started.status(), started.toString());
            String url = pcm.url();
            String base = url.substring(0, url.indexOf("/redfish"));
            Path jar = data.resolve("pcm.webconsole-newer.jar"); // what the firmware page pushes (then rolls back)
            Files.write(jar, FirmwareUpdateIT.withVersion(FirmwareUpdateIT.built("pcm.webconsole"), "0.1.0.99"));
            // Chromium trusts exactly this resident's key (--ignore-certificate-errors-spki-list, console-test.mjs): the
            // generated certificate is self-signed, and adding it to the user's NSS database would change the machine
            String spki = java.util.Base64.getEncoder().encodeToString(java.security.MessageDigest.getInstance("SHA-256").digest(
                    java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(Files.newInputStream(pcm.certificate()))
                            .getPublicKey().getEncoded()));
            String out = run(project, SCRIPT_SECONDS, java.util.Map.of("PCM_SERVER_SPKI", spki), node.toString(), "console-test.mjs", base,
                    data.resolve("secrets/admin.password").toString(), shots.toString(), jar.toString());
            Path result = shots.resolve("result.json");
            assertTrue(Files.exists(result), "no result from the browser script:\n" + out);
            JsonNode r = new ObjectMapper().readTree(result.toFile());
            StringBuilder report = new StringBuilder();
            for (JsonNode s : r.get("steps"))
                report.append(s.get("ok").asBoolean() ? "PASS " : "FAIL ").append(s.get("name").asText()).append(": ")
                        .append(s.get("detail").asText()).append('\n');
            System.out.println(report); // the surefire report keeps what each step saw
            List<String> expected = List.of("login-refused", "login", "dashboard-shows-guest", "timeline-fills",
                    "open-window-from-timeline", "verify-again-task-progress", "setting-changed-and-applied", "log-view",
                    "log-cleared", "guest-console-live", "certificate-csr-and-refused-replacement", "firmware-updated-and-rolled-back", "diagnostics-self-test", "no-script-errors", "logout");
            List<String> ran = new java.util.ArrayList<>();
            r.get("steps").forEach(s -> ran.add(s.get("name").asText()));
            assertEquals(expected, ran, report.toString());
            assertTrue(r.get("ok").asBoolean(), "browser steps failed (screenshots in " + shots + "):\n" + report + "\n" + out);
            // what the settings page changed is really in the operator's configuration, where a restart reads it
            String periodic = Files.readString(conf.resolve("pcm.sampling.periodic.config"));
            assertTrue(periodic.contains("periodMillis=L\"450\""), periodic);
            assertTrue(Files.exists(shots.resolve("04-timeline-fills.png")), "no screenshot of the timeline");
        }
    }
}
