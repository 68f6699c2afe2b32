package pcm.config.internal.archive;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import pcm.config.api.ConfigSnapshot;

/**
 * {@code <data>/config-snapshots/}: one file per snapshot, {@code <UTC time>[-name].json} (the time to the millisecond,
 * {@code 20261207T041530.250Z}, so ids sort by time and two snapshots never share one), written whole and moved into
 * place, mode 0600 in a 0700 directory: a snapshot holds the secrets. Automatic ones are named {@code auto-*}.
 */
final class SnapshotStore {

    static final String AUTOMATIC = "auto-";
    static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final Pattern ID = Pattern.compile("(\\d{8}T\\d{6}\\.\\d{3}Z)(?:-(" + NAME.pattern() + "))?");
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'").withZone(ZoneOffset.UTC);

    private final Path dir;

    SnapshotStore(Path dir) {
        this.dir = dir;
    }

    Path dir() {
        return dir;
    }

    /** Oldest first. */
    List<ConfigSnapshot> list() throws IOException {
        List<ConfigSnapshot> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) return out;
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                String n = f.getFileName().toString();
                if (!n.endsWith(".json")) continue;
                Matcher m = ID.matcher(n.substring(0, n.length() - ".json".length()));
                if (!m.matches()) continue;
                Instant created = STAMP.parse(m.group(1), Instant::from);
                String name = m.group(2);
                out.add(new ConfigSnapshot(m.group(), name, created, name != null && name.startsWith(AUTOMATIC), f, Files.size(f)));
            }
        }
        out.sort(Comparator.comparing(ConfigSnapshot::id));
        return out;
    }

    /** By id, else the newest of that name. */
    Optional<ConfigSnapshot> find(String ref) throws IOException {
        List<ConfigSnapshot> all = list();
        for (ConfigSnapshot s : all) if (s.id().equals(ref) || s.file().getFileName().toString().equals(ref)) return Optional.of(s);
        return all.reversed().stream().filter(s -> ref.equals(s.name())).findFirst();
    }

    ConfigSnapshot write(String name, String json, Instant now) throws IOException {
        if (!Files.isDirectory(dir)) {
            if (posix()) Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            else Files.createDirectories(dir);
        }
        Instant t = now;
        Path file;
        while (Files.exists(file = dir.resolve(STAMP.format(t) + (name == null ? "" : "-" + name) + ".json"))) t = t.plusMillis(1);
        Path tmp = posix() ? Files.createTempFile(dir, ".snapshot", ".tmp", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))
                : Files.createTempFile(dir, ".snapshot", ".tmp");
        try {
            Files.writeString(tmp, json, StandardCharsets.UTF_8);
            ConfSetWriter.ATOMIC.move(tmp, file);
        } finally {
            Files.deleteIfExists(tmp);
        }
        String fileName = file.getFileName().toString();
        return find(fileName.substring(0, fileName.length() - ".json".length())).orElseThrow();
    }

    void delete(ConfigSnapshot s) throws IOException {
        Files.deleteIfExists(s.file());
    }

    /** Deletes the oldest automatic snapshots beyond {@code max}; those deleted. */
    List<ConfigSnapshot> prune(int max) throws IOException {
        List<ConfigSnapshot> automatic = list().stream().filter(ConfigSnapshot::automatic).toList();
        List<ConfigSnapshot> deleted = new ArrayList<>();
        for (int i = 0; i < automatic.size() - Math.max(0, max); i++) {
            delete(automatic.get(i));
            deleted.add(automatic.get(i));
        }
        return deleted;
    }

    private static boolean posix() {
        return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    }
}
