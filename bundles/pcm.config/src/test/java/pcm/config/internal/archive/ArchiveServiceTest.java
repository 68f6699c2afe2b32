package pcm.config.internal.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static pcm.config.internal.ConfigValidatorTest.ad;
import static pcm.config.internal.ConfigValidatorTest.ocd;

import java.io.IOException;
import java.io.StringReader;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.felix.cm.file.ConfigurationHandler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.metatype.AttributeDefinition;

import pcm.config.api.ConfigArchiveException;
import pcm.config.api.ConfigChange;
import pcm.config.api.ConfigExport;
import pcm.config.api.ConfigSnapshot;
import pcm.config.api.ImportResult;
import pcm.config.internal.customer.ConfiguratorResource;
import pcm.config.internal.customer.ResourceReader;
import pcm.config.internal.settings.SettingText;
import pcm.config.internal.settings.SettingsService;
import pcm.config.internal.settings.SettingsService.Described;

/**
 * Issue 17 item 2 without a framework: Config Admin is a fake that, like FileInstall, holds exactly what conf/ holds
 * (a {@code factoryPid-name} file is the factory configuration {@code factoryPid~name}); the metatype is Felix's own.
 */
class ArchiveServiceTest {

    static final String FAULT = "pcm.tracers.internal.fault.FaultInjectingVerifier";

    static final Described VERIFICATION = new Described("pcm.verification", ocd(
            def(ad("workers", "Integer", 0, "1", "64"), "2"), def(ad("verifiers", "String", 10, null, null), "soft"),
            def(ad("strategy", "String", 0, null, null, "full", "checkpoint"), "full")), "pcm.core", Map.of("workers", "1..64"));
    static final Described VM = new Described("pcm.vm", ocd(
            def(ad("memoryMiB", "Integer", 0, "4", "3072"), "64"), def(ad("backend", "String", 0, null, null, "auto", "kvm", "soft"), "auto")),
            "pcm.core", Map.of("memoryMiB", "4..3072"));
    static final Described API = new Described("pcm.api", ocd(
            def(ad("users", "String", -100, null, null)), def(ad("sessionTimeoutSeconds", "Integer", 0, "1", null), "1800"),
            ad("signingKey", "Password", 0, null, null)), "pcm.redfish", Map.of());
    static final Described FAULTS = new Described(FAULT, ocd(
            def(ad("id", "String", 0, null, null), "fault"), def(ad("everyNthWindow", "Integer", 0, "1", null), "1")), "pcm.tracers", Map.of());

    static final String HASH = "alice:ReadOnly:pbkdf2-sha256:210000:c2FsdA==:aGFzaA==";

    @TempDir
    Path tmp;

    /** An attribute with a default (ConfigValidatorTest's have none). */
    static AttributeDefinition def(AttributeDefinition ad, String... defaults) {
        return (AttributeDefinition) Proxy.newProxyInstance(ArchiveServiceTest.class.getClassLoader(), new Class<?>[] {AttributeDefinition.class},
                (p, m, a) -> m.getName().equals("getDefaultValue") ? (defaults.length == 0 ? null : defaults) : m.invoke(ad, a));
    }

    static final SettingsService.Catalog CATALOG = new SettingsService.Catalog() {
        // FaultInjectingVerifier's metatype designates a PID, which DS components configured by factory configurations share
        public List<Described> all() { return List.of(API, FAULTS, VERIFICATION, VM); }
    };

    /** A Config Admin holding what conf/ holds, as FileInstall would have given it. */
    static ConfigurationAdmin admin(Path data) {
        return (ConfigurationAdmin) Proxy.newProxyInstance(ArchiveServiceTest.class.getClassLoader(), new Class<?>[] {ConfigurationAdmin.class},
                (p, m, a) -> switch (m.getName()) {
                    case "listConfigurations" -> configurations(data.resolve("conf"));
                    default -> throw new UnsupportedOperationException(m.getName() + ": the archive must not bind configurations");
                });
    }

    static Configuration[] configurations(Path conf) throws Exception {
        List<Configuration> out = new ArrayList<>();
        if (!Files.isDirectory(conf)) return null;
        try (var files = Files.list(conf)) {
            for (Path f : files.sorted().toList()) {
                String n = f.getFileName().toString();
                if (!n.endsWith(".config") && !n.endsWith(".cfg")) continue;
                String base = n.substring(0, n.lastIndexOf('.'));
                int dash = base.indexOf('-');
                String factoryPid = dash > 0 ? base.substring(0, dash) : null;
                String pid = dash > 0 ? factoryPid + "~" + base.substring(dash + 1) : base;
                Dictionary<String, Object> props = read(f);
                props.put("service.pid", pid);
                if (factoryPid != null) props.put("service.factoryPid", factoryPid);
                props.put("felix.fileinstall.filename", f.toUri().toString());
                out.add((Configuration) Proxy.newProxyInstance(ArchiveServiceTest.class.getClassLoader(), new Class<?>[] {Configuration.class},
                        (p, m, a) -> switch (m.getName()) {
                            case "getProperties" -> props;
                            case "getPid" -> pid;
                            case "getFactoryPid" -> factoryPid;
                            default -> null;
                        }));
            }
        }
        return out.isEmpty() ? null : out.toArray(new Configuration[0]);
    }

    /** A .config in Felix's typed format (its escaping of '=' and quotes is its own). */
    static void write(Path file, Object... kv) throws IOException {
        Hashtable<String, Object> d = new Hashtable<>();
        for (int i = 0; i < kv.length; i += 2) d.put((String) kv[i], kv[i + 1]);
        try (var out = Files.newOutputStream(file)) {
            ConfigurationHandler.write(out, d);
        }
    }

    static Dictionary<String, Object> read(Path file) throws IOException {
        return pcm.config.internal.settings.ConfFiles.read(file);
    }

    static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-07T04:15:30.250Z"), ZoneOffset.UTC);

    static ArchiveService service(Path data, ConfSetWriter.Mover mover) {
        return new ArchiveService(CATALOG, admin(data), data, () -> new ArchiveService.Origin("0.1.0.SNAPSHOT", "standard"), CLOCK, 2_000, 2,
                mover);
    }

    static ArchiveService service(Path data) {
        return service(data, ConfSetWriter.ATOMIC);
    }

    /** Each configuration's defined attributes as text, by key: what the components get. */
    static Map<String, Map<String, List<String>>> held(Path data) {
        Map<String, Map<String, List<String>>> out = new TreeMap<>();
        CurrentConfigurations.read(admin(data), CurrentConfigurations.Metatypes.of(CATALOG)).forEach((key, c) -> {
            Map<String, List<String>> values = new TreeMap<>();
            for (AttributeDefinition ad : Values.attributes(c.described().ocd())) {
                Object v = c.properties().get(ad.getID());
                if (v != null) values.put(ad.getID(), SettingText.texts(v));
            }
            Exporter.undefined(c).forEach((k, v) -> values.put(k, SettingText.texts(v)));
            out.put(key, values);
        });
        return out;
    }

    /** Every file under the directory with its bytes: to see that nothing changed. */
    static Map<String, String> tree(Path dir) throws IOException {
        Map<String, String> out = new TreeMap<>();
        if (!Files.exists(dir)) return out;
        try (var walk = Files.walk(dir)) {
            for (Path f : walk.filter(Files::isRegularFile).toList()) out.put(dir.relativize(f).toString(), Files.readString(f));
        }
        return out;
    }

    Path source() throws IOException {
        Path data = tmp.resolve("source");
        Path conf = Files.createDirectories(data.resolve("conf"));
        Files.writeString(conf.resolve("pcm.verification.config"), "workers=I\"3\"\nverifiers=[\"soft\",\"kvm\"]\nstrategy=\"full\"\n");
        Files.writeString(conf.resolve("pcm.vm.cfg"), "memoryMiB=256\nbackend=soft\nextra=kept\n");
        Files.writeString(conf.resolve(FAULT + "-inject.config"), "id=\"inject\"\neveryNthWindow=I\"3\"\npcm.rcp.id=\"inject\"\n");
        write(conf.resolve("pcm.api.config"), "users", new String[] {HASH}, "signingKey", "s3cret");
        return data;
    }

    @Test
    void anExportImportedIntoAnEmptyConfDirGivesIdenticalConfigurations() throws Exception {
        Path source = source();
        ConfigExport e = service(source).export(false, true);
        assertEquals(List.of("pcm.api", FAULT + "~inject", "pcm.verification", "pcm.vm"), e.configurations());
        assertEquals(List.of(), e.secretsLeftOut());
        assertTrue(e.json().contains("\"workers:Integer\" : 3") || e.json().contains("\"workers:Integer\": 3"), e.json());
        assertTrue(e.json().contains("\"memoryMiB:Integer\""), "a .cfg's text exported typed: " + e.json());
        assertFalse(e.json().contains("\"strategy"), "a value equal to its default is not exported: " + e.json());
        assertTrue(e.json().contains("\"pcmVersion\"") && e.json().contains("\"variant\"") && e.json().contains("2026-12-07T04:15:30.250Z"), e.json());

        // what the Configurator would read of it, dropped in as <data>/customer/export.json: the same configurations, nothing skipped
        ConfiguratorResource asCustomerFile = ResourceReader.read("export.json", new StringReader(e.json()), false);
        assertNull(asCustomerFile.error());
        assertEquals(4, asCustomerFile.configurations().size());

        Path target = tmp.resolve("target");
        ImportResult r = service(target).importConfiguration("export.json", e.json(), false);
        assertTrue(r.applied());
        assertEquals(4, r.files().size());
        Map<String, Map<String, List<String>>> expected = held(source);
        expected.get("pcm.verification").remove("strategy"); // set to its default: not exported, the default on the target
        assertEquals(expected, held(target));
        assertTrue(Files.exists(target.resolve("conf").resolve(FAULT + "-inject.config")), "a factory configuration's file as FileInstall names it");
        assertEquals(List.of("inject"), held(target).get(FAULT + "~inject").get("pcm.rcp.id"), "what the metatype does not define comes along");
        assertEquals(List.of("kept"), held(target).get("pcm.vm").get("extra"));
        assertEquals(3, read(target.resolve("conf/pcm.vm.config")).get("memoryMiB") instanceof Integer i ? 3 : -1, "typed in a .config");

        // --all: defaults too; importing the same again changes nothing and writes nothing
        assertTrue(service(source).export(true, true).json().contains("\"strategy\""));
        ImportResult again = service(target).importConfiguration("export.json", e.json(), false);
        assertEquals(List.of(), again.changes());
        assertEquals(List.of(), again.files());
        assertNull(again.snapshotBefore(), "nothing to write: no snapshot either");
    }

    @Test
    void secretsAreLeftOutByDefaultSaidSoAndKeptByAnImport() throws Exception {
        Path source = source();
        ConfigExport e = service(source).export(false, false);
        assertEquals(List.of("pcm.api/users", "pcm.api/signingKey"), e.secretsLeftOut());
        assertFalse(e.json().contains("pbkdf2") || e.json().contains("s3cret"), e.json());
        assertTrue(e.json().contains("\"secretsLeftOut\"") && e.json().contains("pcm.api/users"), e.json());

        Path target = tmp.resolve("target");
        Files.createDirectories(target.resolve("conf"));
        write(target.resolve("conf/pcm.api.config"), "users", new String[] {"bob:Administrator:pbkdf2-sha256:1:eA==:eQ=="}, "sessionTimeoutSeconds", 60);
        service(target).importConfiguration("export.json", e.json(), false);
        Dictionary<String, Object> api = read(target.resolve("conf/pcm.api.config"));
        assertEquals("bob:Administrator:pbkdf2-sha256:1:eA==:eQ==", ((String[]) api.get("users"))[0], "the target's own users are kept");
        assertNull(api.get("sessionTimeoutSeconds"), "a value the file does not name is the default again");
    }

    @Test
    void aBadValueChangesNothingAndNamesFilePidKeyValueAndWhy() throws Exception {
        String json = service(source()).export(false, true).json().replace("\"workers:Integer\" : 3", "\"workers:Integer\" : 99")
                .replace("\"workers:Integer\": 3", "\"workers:Integer\": 99");
        Path target = tmp.resolve("target");
        Files.createDirectories(target.resolve("conf"));
        Files.writeString(target.resolve("conf/pcm.vm.config"), "memoryMiB=I\"128\"\n");
        Map<String, String> before = tree(target);
        ConfigArchiveException x = assertThrows(ConfigArchiveException.class,
                () -> service(target).importConfiguration("/tmp/tampered.json", json, false));
        assertEquals(ConfigArchiveException.Kind.REFUSED, x.kind());
        assertEquals("/tmp/tampered.json", x.source());
        assertEquals(1, x.problems().size(), x.getMessage());
        assertEquals("pcm.verification", x.problems().getFirst().configuration());
        assertEquals("workers", x.problems().getFirst().key());
        assertEquals("99", x.problems().getFirst().value());
        assertTrue(x.getMessage().startsWith("/tmp/tampered.json: pcm.verification: workers=99 rejected (workers: "), x.getMessage());
        assertTrue(x.getMessage().contains("greater than maximum; allowed 1..64)"), x.getMessage());
        assertTrue(x.getMessage().endsWith("; nothing changed"), x.getMessage());
        assertEquals(before, tree(target), "nothing written, no snapshot taken");

        String unknown = json.replace("\"pcm.vm\"", "\"pcm.vmm\"").replace("\"verifiers\"", "\"service.pid\"");
        ConfigArchiveException u = assertThrows(ConfigArchiveException.class, () -> service(target).importConfiguration("t.json", unknown, false));
        assertTrue(u.getMessage().contains("pcm.verification: service.pid=[soft, kvm] rejected (not a setting"), u.getMessage());
        assertTrue(u.getMessage().contains("pcm.vmm: rejected (no bundle of this runtime has metatype for this PID"), u.getMessage());
        assertEquals(ConfigArchiveException.Kind.UNREADABLE,
                assertThrows(ConfigArchiveException.class, () -> service(target).importConfiguration("t.json", "{ not json", false)).kind());
        assertEquals(before, tree(target));
    }

    @Test
    void aRenameThatFailsMidwayRollsBackTheOnesDone() throws Exception {
        String json = service(source()).export(false, true).json();
        Path target = tmp.resolve("target");
        Files.createDirectories(target.resolve("conf"));
        Files.writeString(target.resolve("conf/pcm.api.config"), "sessionTimeoutSeconds=I\"60\"\n");
        Files.writeString(target.resolve("conf/pcm.vm.config"), "memoryMiB=I\"128\"\n");
        Map<String, String> conf = tree(target.resolve("conf"));
        AtomicInteger renames = new AtomicInteger();
        ConfSetWriter.Mover failsThird = (from, to) -> {
            if (renames.incrementAndGet() == 3) throw new IOException("disk full (test)");
            ConfSetWriter.ATOMIC.move(from, to);
        };
        ConfigArchiveException x = assertThrows(ConfigArchiveException.class,
                () -> service(target, failsThird).importConfiguration("export.json", json, false));
        assertEquals(ConfigArchiveException.Kind.IO_FAILED, x.kind());
        assertTrue(x.getMessage().contains("disk full (test)") && x.getMessage().contains("rolled back"), x.getMessage());
        assertEquals(3, renames.get(), "two renamed, the third failed, the fourth never tried");
        assertEquals(conf, tree(target.resolve("conf")), "the two done are put back: conf/ as it was");
        try (var left = Files.list(target.resolve("run"))) {
            assertEquals(List.of(), left.toList(), "no temporary file left behind");
        }
    }

    @Test
    void aDryRunSaysWhatWouldChangeAndWritesNothing() throws Exception {
        String json = service(source()).export(false, false).json();
        Path target = tmp.resolve("target");
        Files.createDirectories(target.resolve("conf"));
        Files.writeString(target.resolve("conf/pcm.vm.config"), "memoryMiB=I\"128\"\nbackend=\"kvm\"\n");
        Map<String, String> before = tree(target);
        ImportResult r = service(target).importConfiguration("export.json", json, true);
        assertTrue(r.dryRun());
        assertTrue(r.changes().contains(new ConfigChange("pcm.vm", "memoryMiB", List.of("128"), List.of("256"))), r.changes().toString());
        assertTrue(r.changes().contains(new ConfigChange("pcm.vm", "backend", List.of("kvm"), List.of("soft"))), r.changes().toString());
        assertTrue(r.changes().contains(new ConfigChange("pcm.verification", "workers", List.of("2"), List.of("3"))), r.changes().toString());
        assertEquals("pcm.vm: memoryMiB 128 -> 256", new ConfigChange("pcm.vm", "memoryMiB", List.of("128"), List.of("256")).toString());
        assertEquals(before, tree(target));
    }

    @Test
    void aSnapshotIsTakenRestoredWithItsOwnSnapshotFirstAndDeleted() throws Exception {
        Path data = source();
        ArchiveService s = service(data);
        ConfigSnapshot before = s.snapshot("before-upgrade");
        assertEquals("20261207T041530.250Z-before-upgrade", before.id());
        assertEquals(data.resolve("config-snapshots/20261207T041530.250Z-before-upgrade.json"), before.file());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(before.file())));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(before.file().getParent())));
        assertTrue(Files.readString(before.file()).contains("s3cret"), "a snapshot stays on this machine: secrets included");
        Map<String, Map<String, List<String>>> then = held(data);

        // changed since: a value, a new PID's file, a factory configuration removed
        Files.writeString(data.resolve("conf/pcm.verification.config"), "workers=I\"7\"\n");
        Files.writeString(data.resolve("conf/pcm.vm.cfg"), "memoryMiB=512\nbackend=soft\nextra=kept\n");
        Files.delete(data.resolve("conf").resolve(FAULT + "-inject.config"));
        Files.writeString(data.resolve("conf").resolve(FAULT + "-later.config"), "everyNthWindow=I\"5\"\n");

        ImportResult r = s.restore("before-upgrade", false);
        assertTrue(r.applied());
        Map<String, Map<String, List<String>>> now = held(data);
        then.get("pcm.verification").remove("strategy"); // it was set to its default: the default now
        assertEquals(then, now, "the configuration as it was at the snapshot");
        assertFalse(Files.exists(data.resolve("conf").resolve(FAULT + "-later.config")), "configured after the snapshot: removed");
        assertEquals("kept", read(data.resolve("conf/pcm.vm.cfg")).get("extra"), "keys the metatype does not define stay");
        assertTrue(r.snapshotBefore().automatic());
        assertEquals("auto-before-restore", r.snapshotBefore().name());

        assertEquals(ConfigArchiveException.Kind.BAD_NAME, assertThrows(ConfigArchiveException.class, () -> s.snapshot("auto-x")).kind());
        assertEquals(ConfigArchiveException.Kind.BAD_NAME, assertThrows(ConfigArchiveException.class, () -> s.snapshot("../x")).kind());
        assertEquals(ConfigArchiveException.Kind.NO_SUCH_SNAPSHOT, assertThrows(ConfigArchiveException.class, () -> s.restore("nope", false)).kind());

        // at most 2 automatic snapshots are kept (this test's setting); named ones are never deleted by PCM
        for (int i = 0; i < 3; i++) {
            Files.writeString(data.resolve("conf/pcm.verification.config"), "workers=I\"" + (10 + i) + "\"\n");
            s.restore(before.id(), false);
        }
        List<ConfigSnapshot> all = s.snapshots();
        assertEquals(2, all.stream().filter(ConfigSnapshot::automatic).count(), all.toString());
        assertTrue(all.contains(before));
        assertEquals(before, s.deleteSnapshot("before-upgrade"));
        assertFalse(Files.exists(before.file()));
    }

    @Test
    void aFactoryPidsConfigurationsAreExportedByNameAndARestoreRemovesOnesAddedSince() throws Exception {
        Described tracer = new Described("pcm.example.tracer", ocd(def(ad("depth", "Integer", 0, "1", "8"), "1")), "pcm.example", Map.of());
        SettingsService.Catalog catalog = new SettingsService.Catalog() {
            public List<Described> all() { return List.of(VM); }
            public List<Described> factories() { return List.of(tracer); }
        };
        Path data = tmp.resolve("factories");
        Files.createDirectories(data.resolve("conf"));
        Files.writeString(data.resolve("conf/pcm.example.tracer-one.config"), "depth=I\"4\"\n");
        ArchiveService s = new ArchiveService(catalog, admin(data), data, () -> new ArchiveService.Origin("1.0.0", "headless"), CLOCK, 2_000,
                10, ConfSetWriter.ATOMIC);
        ConfigExport e = s.export(false, false);
        assertEquals(List.of("pcm.example.tracer~one"), e.configurations());
        assertTrue(e.json().contains("\"headless\""), e.json());
        s.snapshot("one-tracer");
        Files.writeString(data.resolve("conf/pcm.example.tracer-two.config"), "depth=I\"2\"\n");
        ImportResult r = s.restore("one-tracer", false);
        assertEquals(List.of(data.resolve("conf/pcm.example.tracer-two.config")), r.files());
        assertFalse(Files.exists(data.resolve("conf/pcm.example.tracer-two.config")));
        assertTrue(Files.exists(data.resolve("conf/pcm.example.tracer-one.config")));
        ConfigArchiveException x = assertThrows(ConfigArchiveException.class, () -> s.importConfiguration("t.json",
                e.json().replace("\"depth:Integer\" : 4", "\"depth:Integer\" : 9").replace("\"depth:Integer\": 4", "\"depth:Integer\": 9"), false));
        assertTrue(x.getMessage().startsWith("t.json: pcm.example.tracer~one: depth=9 rejected (depth: "), x.getMessage());
    }
}
