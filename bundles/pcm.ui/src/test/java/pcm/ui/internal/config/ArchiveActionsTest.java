package pcm.ui.internal.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

import pcm.config.api.ConfigArchive;
import pcm.config.api.ConfigArchiveException;
import pcm.config.api.ConfigChange;
import pcm.config.api.ConfigExport;
import pcm.config.api.ConfigSnapshot;
import pcm.config.api.ImportResult;
import pcm.ui.internal.commands.CommandFailure;
import pcm.ui.internal.status.ExitStatus;

/** {@code pcm:config export|import|snapshot|snapshots|restore} on a fake archive: options, output, exit statuses. */
class ArchiveActionsTest {

    @TempDir
    Path tmp;

    final List<String> calls = new ArrayList<>();
    static final ConfigSnapshot SNAP = new ConfigSnapshot("20261207T041530.250Z-before", "before", Instant.parse("2026-12-07T04:15:30.250Z"),
            false, Path.of("/d/config-snapshots/20261207T041530.250Z-before.json"), 321);

    final ConfigArchive archive = new ConfigArchive() {
        public ConfigExport export(boolean all, boolean withSecrets) {
            calls.add("export all=" + all + " secrets=" + withSecrets);
            return new ConfigExport("{\"pcm.vm\": {}}\n", List.of("pcm.vm"), withSecrets ? List.of() : List.of("pcm.api/users"));
        }
        public ImportResult importConfiguration(String source, String json, boolean dryRun) throws ConfigArchiveException {
            calls.add("import " + source + " dryRun=" + dryRun);
            if (json.contains("99")) throw ConfigArchiveException.refused(source, List.of(new ConfigArchiveException.Problem("pcm.verification",
                    "workers", "99", "Worker threads: greater than maximum; allowed 1..64")));
            return new ImportResult(dryRun, List.of(new ConfigChange("pcm.vm", "memoryMiB", List.of("64"), List.of("256"))), dryRun ? null : SNAP,
                    List.of(Path.of("/d/conf/pcm.vm.config")), !dryRun);
        }
        public List<ConfigSnapshot> snapshots() { return List.of(SNAP); }
        public ConfigSnapshot snapshot(String name) { calls.add("snapshot " + name); return SNAP; }
        public ImportResult restore(String snapshot, boolean dryRun) throws ConfigArchiveException {
            if (!snapshot.equals("before")) throw new ConfigArchiveException(ConfigArchiveException.Kind.NO_SUCH_SNAPSHOT, snapshot,
                    "no snapshot '" + snapshot + "'", null);
            return new ImportResult(dryRun, List.of(), null, List.of(), true);
        }
        public ConfigSnapshot deleteSnapshot(String snapshot) { return SNAP; }
    };

    ConfigCommand command() {
        ServiceReference<?> ref = (ServiceReference<?>) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {ServiceReference.class},
                (p, m, a) -> null);
        return new ConfigCommand((BundleContext) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {BundleContext.class},
                (p, m, a) -> switch (m.getName()) {
                    case "getServiceReference" -> ref;
                    case "getService" -> archive;
                    case "ungetService" -> true;
                    default -> null;
                }));
    }

    @Test
    void exportWritesTheFileAndSaysWhatWasLeftOut() throws Exception {
        Path file = tmp.resolve("acme.json");
        String said = command().config("export", file.toString());
        assertEquals("exported 1 configuration(s); secrets left out: pcm.api/users (--with-secrets includes them) to " + file, said);
        assertEquals("{\"pcm.vm\": {}}\n", Files.readString(file));
        command().config("export", file.toString(), "--with-secrets", "--all");
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals(List.of("export all=false secrets=false", "export all=true secrets=true"), calls);
        assertEquals(ExitStatus.USAGE, assertThrows(CommandFailure.class, () -> command().config("export", file.toString(), "--everything")).status());
    }

    @Test
    void importShowsTheChangesAndARefusalIsUsage() throws Exception {
        Path file = Files.writeString(tmp.resolve("in.json"), "{}");
        String dry = command().config("import", file.toString(), "--dry-run");
        assertTrue(dry.contains("pcm.vm") && dry.contains("memoryMiB") && dry.contains("256"), dry);
        assertTrue(dry.endsWith("dry run: 1 value(s) would change in 1 file(s); nothing written"), dry);
        String done = command().config("import", file.toString());
        assertTrue(done.contains("snapshot 20261207T041530.250Z-before taken before"), done);
        Path bad = Files.writeString(tmp.resolve("bad.json"), "{\"workers\": 99}");
        CommandFailure f = assertThrows(CommandFailure.class, () -> command().config("import", bad.toString()));
        assertEquals(ExitStatus.USAGE, f.status());
        assertEquals(bad + ": pcm.verification: workers=99 rejected (Worker threads: greater than maximum; allowed 1..64); nothing changed", f.getMessage());
        assertEquals(ExitStatus.USAGE, assertThrows(CommandFailure.class, () -> command().config("import", tmp.resolve("none.json").toString())).status());
    }

    @Test
    void snapshotsAreListedTakenAndRestored() throws Exception {
        assertTrue(String.valueOf(command().config("snapshots")).contains("20261207T041530.250Z-before"));
        assertTrue(command().config("snapshot", "before").startsWith("snapshot 20261207T041530.250Z-before"));
        assertTrue(String.valueOf(command().config("snapshot")).startsWith("snapshot "));
        assertEquals(List.of("snapshot before", "snapshot null"), calls);
        assertTrue(command().config("restore", "before").contains("nothing to change"));
        assertEquals(ExitStatus.USAGE, assertThrows(CommandFailure.class, () -> command().config("restore", "nope")).status());
        CommandFailure missing = assertThrows(CommandFailure.class, () -> command().config("restore"));
        assertTrue(missing.getMessage().startsWith("missing arguments of 'restore'. usage: pcm:config"), missing.getMessage());
        CommandFailure extra = assertThrows(CommandFailure.class, () -> command().config("snapshot", "a", "b"));
        assertEquals(ExitStatus.USAGE, extra.status());
        assertTrue(extra.getMessage().startsWith("wrong arguments 'a b' of 'snapshot'. usage: pcm:config"), extra.getMessage());
        assertEquals(ExitStatus.USAGE, assertThrows(CommandFailure.class, () -> command().config("snapshots", "x")).status());
        assertEquals(ExitStatus.USAGE, assertThrows(CommandFailure.class, () -> command().config("import", "f", "--dry-run", "x")).status());
        assertEquals(List.of("snapshot before", "snapshot null"), calls, "a refused call reaches no service");
    }
}
