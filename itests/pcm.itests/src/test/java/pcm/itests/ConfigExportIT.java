package pcm.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Issue 17 item 2, the way an operator does it: a setting changed through the Redfish API survives a restart of PCM on
 * the same data directory; the whole configuration exports to one file (the API's #PcmSettings.Export, a ReadOnly user
 * without secrets only) and imports with {@code pcm:config import} into a fresh data directory, whose PCM then has the
 * same setting; a tampered file is refused naming file, PID and key, and nothing changes; a snapshot taken, a setting
 * changed, the snapshot restored: the old value is back.
 */
class ConfigExportIT {

    static final String SETTINGS = "/redfish/v1/Oem/Pcm/Settings";
    static final String FAULT = "pcm.tracers.internal.fault.FaultInjectingVerifier";
    static final Map<String, String> JSON = Map.of("Content-Type", "application/json");
    static final String READER = "auditor";
    static final String READER_PASSWORD = "auditor-password-1";

    static String workers(ApiClient api) throws Exception {
        JsonNode n = api.get(SETTINGS + "/pcm.verification");
        for (JsonNode a : n.get("Attributes")) if (a.get("Id").asText().equals("workers")) return a.get("Value").get(0).asText();
        throw new AssertionError("no workers attribute: " + n);
    }

    static HttpResponse<String> post(ApiClient api, String path, String authorization, String body) throws Exception {
        return api.send("POST", path, authorization, body, JSON);
    }

    static HttpResponse<String> patchWorkers(ApiClient api, int workers) throws Exception {
        return api.send("PATCH", SETTINGS + "/pcm.verification", api.admin(), "{\"Attributes\": {\"workers\": " + workers + "}}", JSON);
    }

    /** Every file of the directory with its text (logs and bin/pcm's output files left out): to see that nothing changed. */
    static Map<String, String> tree(Path dir) throws Exception {
        Map<String, String> out = new TreeMap<>();
        try (var walk = Files.walk(dir)) {
            for (Path f : walk.filter(Files::isRegularFile).toList()) {
                String rel = dir.relativize(f).toString();
                if (rel.startsWith("conf") || rel.startsWith("config-snapshots")) out.put(rel, Files.readString(f));
            }
        }
        return out;
    }

    @Test
    void settingsSurviveARestartExportImportElsewhereAndASnapshotRestores() throws Exception {
        Path first = Resident.freshData("cfgexport-first");
        Files.writeString(first.resolve("conf/pcm.api.config"), "users=[\"" + READER + ":ReadOnly:" + RedfishApiIT.hash(READER_PASSWORD) + "\"]\n");
        Files.writeString(first.resolve("conf").resolve(FAULT + "-inject.config"),
                "pcm.rcp.id=\"inject\"\nmode=\"memory\"\ngpa=L\"67104768\"\nbyteValue=I\"90\"\n");
        Path exported = first.resolveSibling("cfgexport-export.json");
        Path shellExport = first.resolveSibling("cfgexport-shell-export.json");
        String export;
        try (Resident pcm = new Resident(first)) {
            assertEquals(0, pcm.start().status());
            ApiClient api = ApiClient.of(pcm);
            HttpResponse<String> changed = patchWorkers(api, 5);
            assertEquals(200, changed.statusCode(), changed.body());
            assertEquals(0, pcm.pcm("stop").status());

            // a restart on the same data directory: the change is still there
            Resident.Run again = pcm.start();
            assertEquals(0, again.status(), again.toString());
            api = ApiClient.of(pcm);
            assertEquals("5", workers(api), "the API's change survived the restart");

            // export through the API: the file itself; the users' hashes left out and said so
            HttpResponse<String> e = post(api, SETTINGS + "/Actions/PcmSettings.Export", api.admin(), "{}");
            assertEquals(200, e.statusCode(), e.body());
            export = e.body();
            JsonNode doc = ApiClient.JSON.readTree(export);
            assertEquals(5, doc.get("pcm.verification").get("workers:Integer").asInt(), export);
            assertEquals("inject", doc.get(FAULT + "~inject").get("pcm.rcp.id").asText(), "a factory configuration: " + export);
            assertEquals("standard", doc.get(":configurator:pcm-export").get("variant").asText(), export);
            assertTrue(doc.get(":configurator:pcm-export").get("secretsLeftOut").toString().contains("pcm.api/users"), export);
            assertFalse(export.contains("pbkdf2"), "no user hash without WithSecrets: " + export);
            // what HttpsSetup sets at every start (the keystore and its password) is no setting of the operator's
            assertFalse(export.contains("org.apache.felix.https.keystore"), "no HTTPS keystore in an export: " + export);
            Files.writeString(exported, export);

            // a ReadOnly user may export, without secrets only
            String reader = ApiClient.basic(READER, READER_PASSWORD);
            assertEquals(200, post(api, SETTINGS + "/Actions/PcmSettings.Export", reader, "{}").statusCode());
            HttpResponse<String> secrets = post(api, SETTINGS + "/Actions/PcmSettings.Export", reader, "{\"WithSecrets\": true}");
            assertEquals(403, secrets.statusCode(), secrets.body());
            String withSecrets = post(api, SETTINGS + "/Actions/PcmSettings.Export", api.admin(), "{\"WithSecrets\": true}").body();
            assertTrue(withSecrets.contains("pbkdf2"), withSecrets);
            assertFalse(withSecrets.contains("org.apache.felix.https.keystore"), "not even with secrets: " + withSecrets);
            assertEquals(403, post(api, SETTINGS + "/Actions/PcmSettings.Import", reader, export).statusCode(), "ReadOnly may not import");

            // the shell attached to the resident exports the same
            Resident.Run shell = pcm.exec("pcm:config export " + shellExport);
            assertEquals(0, shell.status(), shell.toString());
            assertTrue(shell.out().contains("secrets left out: pcm.api/users"), shell.out());
            assertTrue(Files.readString(shellExport).contains("\"workers:Integer\""));

            // a tampered import through the API: 400 naming each refused value, nothing written
            Map<String, String> before = tree(first);
            HttpResponse<String> refused = post(api, SETTINGS + "/Actions/PcmSettings.Import", api.admin(),
                    export.replaceFirst("\"workers:Integer\"\\s*:\\s*5", "\"workers:Integer\": 500"));
            assertEquals(400, refused.statusCode(), refused.body());
            JsonNode info = ApiClient.JSON.readTree(refused.body()).at("/error/@Message.ExtendedInfo/0");
            assertEquals("Base.1.0.PropertyValueError", info.get("MessageId").asText());
            assertTrue(info.get("Message").asText().contains("pcm.verification: workers=500 rejected"), refused.body());
            assertEquals(before, tree(first), "nothing written, no snapshot taken");
            assertEquals("5", workers(api));

            // snapshot, change, restore: the old value is back
            HttpResponse<String> taken = post(api, SETTINGS + "/Snapshots", api.admin(), "{\"Name\": \"before-change\"}");
            assertEquals(201, taken.statusCode(), taken.body());
            String snapshot = taken.headers().firstValue("Location").orElseThrow();
            assertEquals(200, patchWorkers(api, 7).statusCode());
            assertEquals("7", workers(api));
            HttpResponse<String> restored = post(api, snapshot + "/Actions/PcmSnapshot.Restore", api.admin(), "{}");
            assertEquals(200, restored.statusCode(), restored.body());
            assertTrue(restored.body().contains("\"Applied\" : true"), restored.body());
            assertEquals("5", workers(api), "the snapshot's value is back");
            JsonNode list = api.get(SETTINGS + "/Snapshots");
            assertTrue(list.toString().contains("before-change") && list.toString().contains("auto-before-restore"), list.toString());
            try (var files = Files.list(first.resolve("config-snapshots"))) {
                for (Path f : files.toList())
                    assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(f)), f.toString());
            }
        }

        // a fresh data directory elsewhere: a dry run says what would change and writes nothing; the import applies it
        Path second = Resident.freshData("cfgexport-second");
        Resident other = new Resident(second);
        Resident.Run dry = other.exec("pcm:config import " + exported + " --dry-run");
        assertEquals(0, dry.status(), dry.toString());
        assertTrue(Pattern.compile("pcm\\.verification\\s+workers\\s+\\S+\\s+5").matcher(dry.out()).find(), dry.out());
        assertTrue(dry.out().contains("nothing written"), dry.out());
        assertFalse(Files.exists(second.resolve("conf/pcm.verification.config")));

        Resident.Run imported = other.exec("pcm:config import " + exported);
        assertEquals(0, imported.status(), imported.toString());
        assertTrue(imported.out().contains("taken before"), imported.out());
        Resident.Run shown = other.exec("pcm:config show pcm.verification");
        assertEquals(0, shown.status(), shown.toString());
        assertTrue(Pattern.compile("(?m)^workers\\s+5\\s").matcher(shown.out()).find(), "the second PCM has the setting: " + shown.out());
        assertTrue(Files.exists(second.resolve("conf").resolve(FAULT + "-inject.config")), "and the factory configuration");

        // a tampered file: refused with file, PID and key named; nothing changed
        Path tampered = Files.writeString(second.resolveSibling("cfgexport-tampered.json"),
                export.replaceFirst("\"workers:Integer\"\\s*:\\s*5", "\"workers:Integer\": 500"));
        Map<String, String> before = tree(second);
        Resident.Run refused = other.exec("pcm:config import " + tampered);
        assertEquals(2, refused.status(), refused.toString());
        assertTrue(refused.err().contains(tampered + ": pcm.verification: workers=500 rejected ("), refused.err());
        assertTrue(refused.err().contains("nothing changed"), refused.err());
        assertEquals(before, tree(second), "nothing written, no snapshot taken");

        // the export is a customer file as it is: dropped into <data>/customer/ of a third PCM, the Configurator applies it
        Path third = Resident.freshData("cfgexport-third");
        Files.createDirectories(third.resolve("customer"));
        Files.copy(exported, third.resolve("customer/acme.json"));
        Resident.Run customer = new Resident(third).exec("pcm:config show pcm.verification");
        assertEquals(0, customer.status(), customer.toString());
        assertTrue(Pattern.compile("(?m)^workers\\s+5\\s").matcher(customer.out()).find(), "applied as a customer's file: " + customer.out());
        assertFalse(customer.err().contains("customer configuration refused"), customer.err());

        Resident.Run usage = other.exec("pcm:config import");
        assertEquals(2, usage.status(), usage.toString());
        assertTrue(usage.err().contains("usage: pcm:config"), usage.err());
    }
}
