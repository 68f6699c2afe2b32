package pcm.config.internal.settings;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static pcm.config.internal.ConfigValidatorTest.ad;
import static pcm.config.internal.ConfigValidatorTest.ocd;

import java.io.IOException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

import pcm.config.api.ChangeResult;
import pcm.config.api.SettingType;
import pcm.config.api.SettingsException;
import pcm.config.api.SettingsPid;

/**
 * The settings service end to end without a framework: a Config Admin that, like FileInstall, takes what is in
 * conf/ when asked (or never, to see a change written but not applied); the metatype is Felix's own.
 */
class SettingsServiceTest {

    @TempDir
    Path data;

    /** pid -> the file FileInstall loaded it from; null: Config Admin has no configuration. */
    final Map<String, Path> loaded = new LinkedHashMap<>();
    boolean fileInstallRuns = true;

    static final SettingsService.Described VERIFICATION = new SettingsService.Described("pcm.verification", ocd(
            ad("workers", "Integer", 0, "1", "64"), ad("verifiers", "String", 10, null, null),
            ad("strategy", "String", 0, null, null, "full", "checkpoint")), "pcm.core", Map.of("workers", "1..64"));
    static final SettingsService.Described VM = new SettingsService.Described("pcm.vm", ocd(
            ad("memoryMiB", "Integer", 0, "4", "3072"), ad("backend", "String", 0, null, null, "auto", "kvm", "soft")), "pcm.core", Map.of());

    SettingsService service(long waitMillis) {
        ConfigurationAdmin admin = (ConfigurationAdmin) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {ConfigurationAdmin.class}, (p, m, a) -> switch (m.getName()) {
                    case "listConfigurations" -> configurations((String) a[0]);
                    default -> throw new UnsupportedOperationException(m.getName() + ": the service must not bind configurations");
                });
        return new SettingsService(() -> List.of(VERIFICATION, VM), admin, new SettingsFile(data.resolve("conf"), data.resolve("run")),
                waitMillis);
    }

    /** What FileInstall would have given Config Admin: the file's properties, with the file name and PID. */
    Configuration[] configurations(String filter) throws Exception {
        String pid = filter.substring("(service.pid=".length(), filter.length() - 1);
        Path file = loaded.get(pid);
        if (file == null && fileInstallRuns) {
            for (String ext : List.of(".config", ".cfg"))
                if (Files.exists(data.resolve("conf").resolve(pid + ext))) file = data.resolve("conf").resolve(pid + ext);
            if (file != null) loaded.put(pid, file);
        }
        if (file == null) return null;
        Dictionary<String, Object> props = fileInstallRuns ? read(file) : new Hashtable<>();
        props.put("service.pid", pid);
        props.put("felix.fileinstall.filename", file.toUri().toString());
        Dictionary<String, Object> shown = props;
        return new Configuration[] {(Configuration) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Configuration.class},
                (p, m, a) -> m.getName().equals("getProperties") ? shown : null)};
    }

    static Dictionary<String, Object> read(Path file) throws IOException {
        return pcm.config.internal.settings.ConfFiles.read(file);
    }

    @Test
    void listsEveryPidWithItsTypedSettings() {
        List<SettingsPid> all = service(0).list();
        assertEquals(List.of("pcm.verification", "pcm.vm"), all.stream().map(SettingsPid::pid).toList());
        SettingsPid v = all.getFirst();
        assertFalse(v.configured());
        assertEquals(data.resolve("conf/pcm.verification.config"), v.file(), "the file a change would create");
        var workers = v.setting("workers").orElseThrow();
        assertEquals(SettingType.INTEGER, workers.type());
        assertEquals("1..64", workers.range());
        assertFalse(workers.set());
        assertEquals(List.of("full", "checkpoint"), v.setting("strategy").orElseThrow().options().stream().map(o -> o.value()).toList());
    }

    @Test
    void theHttpsKeystorePasswordThatJettysMetatypeTypesStringIsNeverShown() {
        var jetty = new SettingsService.Described("org.apache.felix.http", ocd(
                ad("org.apache.felix.https.keystore.password", "String", 0, null, null), ad("org.apache.felix.http.host", "String", 0, null, null)),
                "org.apache.felix.http.jetty12", Map.of());
        Dictionary<String, Object> current = new Hashtable<>(Map.of("org.apache.felix.https.keystore.password", "hunter2",
                "org.apache.felix.http.host", "127.0.0.1"));
        SettingsPid v = service(0).view(jetty, current);
        var password = v.setting("org.apache.felix.https.keystore.password").orElseThrow();
        assertEquals(SettingType.PASSWORD, password.type());
        assertEquals(List.of(), password.value());
        assertTrue(password.set());
        assertEquals(List.of("127.0.0.1"), v.setting("org.apache.felix.http.host").orElseThrow().value());
    }

    @Test
    void keysAComponentManagesAtRunTimeAreNeverWrittenToTheOperatorsFile() {
        Dictionary<String, Object> current = new Hashtable<>(Map.of("org.apache.felix.http.host", "0.0.0.0",
                "org.apache.felix.https.keystore.password", "hunter2", "org.apache.felix.https.enable", true, "service.pid", "org.apache.felix.http",
                SettingsFile.MANAGED_KEYS, new String[] {"org.apache.felix.https.keystore.password", "org.apache.felix.https.enable"}));
        var next = SettingsFile.merged(current, Map.of("org.apache.felix.http.timeout", 60));
        assertEquals(Map.of("org.apache.felix.http.host", "0.0.0.0", "org.apache.felix.http.timeout", 60), next);
    }

    @Test
    void aChangeIsWrittenTypedAndAwaitedUntilApplied() throws Exception {
        ChangeResult r = service(5_000).change("pcm.verification", Map.of("workers", "3", "verifiers", "soft, kvm"));
        assertTrue(r.applied());
        assertEquals(data.resolve("conf/pcm.verification.config"), r.file());
        Dictionary<String, Object> written = read(r.file());
        assertEquals(3, written.get("workers"));
        assertArrayEquals(new String[] {"soft", "kvm"}, (String[]) written.get("verifiers"));
        assertTrue(Files.readString(r.file()).contains("workers=I\"3\""), Files.readString(r.file()));
        assertTrue(r.after().configured());
        assertEquals(List.of("soft", "kvm"), r.after().setting("verifiers").orElseThrow().value());
        // a second change keeps the first (and never writes the PID or FileInstall's keys back)
        service(5_000).change("pcm.verification", Map.of("strategy", "checkpoint"));
        Dictionary<String, Object> both = read(r.file());
        assertEquals(3, both.get("workers"));
        assertEquals("checkpoint", both.get("strategy"));
        assertEquals(null, both.get("felix.fileinstall.filename"));
        assertEquals(null, both.get("service.pid"));
        try (var left = Files.list(data.resolve("run"))) {
            assertEquals(0, left.count(), "no temporary file left behind");
        }
    }

    @Test
    void oneRefusedValueChangesNothingAndEachIsNamed() throws Exception {
        SettingsException e = assertThrows(SettingsException.class, () -> service(0).change("pcm.verification",
                new LinkedHashMap<>(Map.of("workers", "99", "nosuch", "1"))));
        assertEquals(SettingsException.Kind.REFUSED, e.kind());
        assertEquals("pcm.verification", e.pid());
        assertEquals(2, e.problems().size());
        assertTrue(e.getMessage().startsWith("pcm.verification: ") && e.getMessage().endsWith("; nothing changed"), e.getMessage());
        assertTrue(e.getMessage().contains("workers=99 rejected (workers: ") && e.getMessage().contains("greater than maximum; allowed 1..64)"), e.getMessage());
        assertTrue(e.getMessage().contains("nosuch=1 rejected (no such setting of pcm.verification; it has workers, verifiers, strategy)"),
                e.getMessage());
        assertFalse(Files.exists(data.resolve("conf")), "nothing written");
        SettingsException typed = assertThrows(SettingsException.class, () -> service(0).change("pcm.vm", Map.of("memoryMiB", "many")));
        assertEquals("memoryMiB", typed.problems().getFirst().key());
        assertEquals("'many' is not an integer", typed.problems().getFirst().reason());
        assertEquals(SettingsException.Kind.UNKNOWN_PID,
                assertThrows(SettingsException.class, () -> service(0).change("pcm.nosuch", Map.of("a", "b"))).kind());
    }

    @Test
    void aCfgFileIsWrittenInPlaceAsTextAndCannotTakeAList() throws Exception {
        Path cfg = Files.createDirectories(data.resolve("conf")).resolve("pcm.verification.cfg");
        Files.writeString(cfg, "workers=2\nunknown=kept\n");
        ChangeResult r = service(5_000).change("pcm.verification", Map.of("strategy", "checkpoint"));
        assertEquals(cfg, r.file());
        assertTrue(r.applied());
        Dictionary<String, Object> now = read(cfg);
        assertEquals("2", now.get("workers"));
        assertEquals("kept", now.get("unknown"), "what the metatype does not define stays");
        assertEquals("checkpoint", now.get("strategy"));
        assertFalse(Files.exists(data.resolve("conf/pcm.verification.config")));
        SettingsException e = assertThrows(SettingsException.class, () -> service(0).change("pcm.verification", Map.of("verifiers", "soft")));
        assertTrue(e.getMessage().contains("rename it to pcm.verification.config"), e.getMessage());
    }

    @Test
    void writtenButNotAppliedWithinTheBoundIsSaid() throws Exception {
        fileInstallRuns = false;
        ChangeResult r = service(0).change("pcm.vm", Map.of("backend", "soft"));
        assertFalse(r.applied());
        assertEquals("soft", read(r.file()).get("backend"), "the file holds it: applied at the next start at the latest");
    }
}
