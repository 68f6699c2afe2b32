package pcm.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Issue 17 item 5, signed bundles: a resident PCM under the signing policy (conf/pcm.trust.cfg, a trust store made by
 * bin/sign-bundles) installs a drop-in the test key signed and refuses an unsigned and a tampered one (deploy/), and
 * removes the signed one when its file is replaced by a tampered copy; its
 * firmware update (Redfish UpdateService) refuses unsigned, untrusted and expired images, and an update set with one
 * tampered bundle, leaving the running set exactly as it was.
 */
class SignedBundlesIT {

    static Resident pcm;
    static ApiClient api;
    static Path keys;
    static Path signed;

    @BeforeAll
    static void start() throws Exception {
        Path data = Resident.freshData("signed-data");
        keys = Resident.freshData("signed-keys");
        signed = keys.resolve("signed");
        sign("signer", signed, example("device"), example("handler"), example("tracer"), example("rcp"), example("strategy"));
        sign("untrusted", keys.resolve("untrusted-signed"), example("strategy"));
        sign("expired", keys.resolve("expired-signed"), example("strategy"));
        Files.writeString(data.resolve("conf/pcm.trust.cfg"), "requireSigned=true\ntrustStore=" + keys.resolve("truststore.p12") + "\n");
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

    static Path example(String name) {
        return Path.of(System.getProperty("b.example." + name));
    }

    /** bin/sign-bundles with the test keys (made on first use in {@link #keys}). */
    static void sign(String key, Path out, Path... jars) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Resident.repoRoot().resolve("bin/sign-bundles").toString(), "--keys", keys.toString(),
                "--key", key, "--out", out.toString()));
        for (Path j : jars) cmd.add(j.toString());
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "bin/sign-bundles did not end");
        assertEquals(0, p.exitValue(), output);
    }

    static Path signedJar(Path dir, String example) {
        return dir.resolve(example(example).getFileName());
    }

    /** The signed jar with one entry added after signing (what a tampering on the way would do). */
    static byte[] tampered(Path jar) throws IOException {
        var bytes = new java.io.ByteArrayOutputStream();
        try (ZipFile z = new ZipFile(jar.toFile()); ZipOutputStream out = new ZipOutputStream(bytes)) {
            for (ZipEntry e : z.stream().toList()) {
                out.putNextEntry(new ZipEntry(e.getName()));
                try (InputStream in = z.getInputStream(e)) {
                    in.transferTo(out);
                }
                out.closeEntry();
            }
            out.putNextEntry(new ZipEntry("pcm/example/Injected.class"));
            out.write(new byte[] {(byte) 0xCA, (byte) 0xFE, (byte) 0xBA, (byte) 0xBE});
            out.closeEntry();
        }
        return bytes.toByteArray();
    }

    static String log() {
        Path f = pcm.data.resolve("log/pcm.log");
        try {
            return Files.exists(f) ? Files.readString(f) : "";
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static void await(BooleanSupplier condition, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("not within 60 s: " + what + "\nlog:\n" + log());
            Thread.sleep(100);
        }
    }

    /** Every bundle (symbolic name, version, id, state) as the UpdateService lists it. */
    static List<String> runningSet() throws Exception {
        List<String> out = new ArrayList<>();
        for (JsonNode m : api.get("/redfish/v1/UpdateService/FirmwareInventory").get("Members")) {
            HttpResponse<String> one = api.send("GET", m.get("@odata.id").asText(), api.admin(), (byte[]) null, Map.of());
            if (one.statusCode() == 404) continue; // uninstalled since the listing
            assertEquals(200, one.statusCode(), one.body());
            JsonNode s = ApiClient.JSON.readTree(one.body());
            out.add(s.get("Id").asText() + " " + s.get("Version").asText() + " " + s.path("Oem").path("Pcm").path("BundleId").asText()
                    + " " + s.path("Oem").path("Pcm").path("State").asText());
        }
        return out;
    }

    static boolean installed(String symbolicName) {
        try {
            return runningSet().stream().anyMatch(l -> l.startsWith(symbolicName + " "));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static HttpResponse<String> push(byte[] jar) throws Exception {
        return api.send("POST", "/redfish/v1/UpdateService/update", api.admin(), jar, Map.of("Content-Type", "application/octet-stream"));
    }

    static void refused(HttpResponse<String> r, String reason, String jarNamed) {
        assertEquals(403, r.statusCode(), r.body());
        assertTrue(r.body().contains("Update.1.0.VerificationFailed"), r.body());
        assertTrue(r.body().contains(": " + reason + ": "), r.body());
        assertTrue(r.body().contains(jarNamed), r.body());
        assertTrue(r.body().contains("nothing installed"), r.body());
    }

    @Test
    void dropInsAreInstalledOnlyWhenSignedByTheTrustedKey() throws Exception {
        Path deploy = pcm.data.resolve("deploy");
        Files.copy(signedJar(signed, "device"), deploy.resolve("device.jar"));
        Files.copy(example("handler"), deploy.resolve("handler-unsigned.jar"));
        Files.write(deploy.resolve("tracer-tampered.jar"), tampered(signedJar(signed, "tracer")));
        await(() -> installed("pcm.example.device"), "the signed device example installed");
        await(() -> log().contains("handler-unsigned.jar: UNSIGNED: no entry is signed"), "the unsigned drop-in refused");
        await(() -> log().contains("tracer-tampered.jar: TAMPERED: entry pcm/example/Injected.class is not signed"),
                "the tampered drop-in refused");
        Thread.sleep(1500); // a FileInstall poll (1 s) later: still nothing of them
        assertFalse(installed("pcm.example.handler"));
        assertFalse(installed("pcm.example.tracer"));
        assertTrue(log().contains("deploy: refused, nothing of it installed: " + deploy.resolve("handler-unsigned.jar")), log());

        // the installed drop-in's file replaced by a tampered copy: refused, and the bundle it held leaves with it
        Files.write(deploy.resolve("device.jar"), tampered(signedJar(signed, "device")));
        await(() -> log().contains("device.jar: TAMPERED: entry pcm/example/Injected.class is not signed"), "the tampered replacement refused");
        await(() -> !installed("pcm.example.device"), "the device example uninstalled: its file no longer holds a trusted bundle");
    }

    @Test
    void firmwareImagesAreCheckedBeforeAnythingChanges() throws Exception {
        List<String> before = runningSet();
        refused(push(Files.readAllBytes(example("strategy"))), "UNSIGNED", "pcm.example.strategy");
        refused(push(Files.readAllBytes(signedJar(keys.resolve("untrusted-signed"), "strategy"))), "UNTRUSTED", "CN=PCM untrusted test signer");
        refused(push(Files.readAllBytes(signedJar(keys.resolve("expired-signed"), "strategy"))), "EXPIRED", "CN=PCM expired test signer");
        refused(push(tampered(signedJar(signed, "strategy"))), "TAMPERED", "pcm.example.strategy");

        // an update set: the signed strategy and a tampered RCP variant; the tampered one stops the whole set
        Path set = Resident.freshData("signed-update-set");
        Files.copy(signedJar(signed, "strategy"), set.resolve("1-strategy.jar"));
        Files.write(set.resolve("2-rcp.jar"), tampered(signedJar(signed, "rcp")));
        HttpResponse<String> r = api.send("POST", "/redfish/v1/UpdateService/Actions/UpdateService.SimpleUpdate", api.admin(),
                ApiClient.JSON.writeValueAsString(Map.of("ImageURI", set.toUri().toString())), Map.of("Content-Type", "application/json"));
        assertEquals(403, r.statusCode(), r.body());
        assertTrue(r.body().contains("2-rcp.jar: TAMPERED: entry pcm/example/Injected.class is not signed"), r.body());
        assertTrue(r.body().contains("the running set is unchanged"), r.body());
        assertEquals(before.stream().filter(l -> !l.startsWith("pcm.example.device ")).toList(),
                runningSet().stream().filter(l -> !l.startsWith("pcm.example.device ")).toList(), "the running set untouched");
        assertFalse(installed("pcm.example.strategy"));

        // the same set, signed throughout: both installed
        Files.copy(signedJar(signed, "rcp"), set.resolve("2-rcp.jar"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        HttpResponse<String> ok = api.send("POST", "/redfish/v1/UpdateService/Actions/UpdateService.SimpleUpdate", api.admin(),
                ApiClient.JSON.writeValueAsString(Map.of("ImageURI", set.toUri().toString())), Map.of("Content-Type", "application/json"));
        assertEquals(200, ok.statusCode(), ok.body());
        assertEquals(2, ApiClient.JSON.readTree(ok.body()).get("Members").size(), ok.body());
        assertTrue(installed("pcm.example.strategy") && installed("pcm.example.rcp"), runningSet().toString());
    }
}
