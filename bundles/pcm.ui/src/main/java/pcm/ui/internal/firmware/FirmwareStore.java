package pcm.ui.internal.firmware;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code <data>/firmware/<symbolic name>/}: {@code previous.jar}, the version the last update replaced (what a
 * rollback puts back), {@code installed}, a mark that the last change installed the bundle new (a rollback
 * uninstalls it), and the jars of bundles installed new (their location, so the framework can read them again).
 */
final class FirmwareStore {

    private static final String PREVIOUS = "previous.jar";
    private static final String INSTALLED = "installed";

    private final Path dir;

    FirmwareStore(Path dir) {
        this.dir = dir;
    }

    private Path of(String symbolicName) {
        return dir.resolve(symbolicName);
    }

    Optional<byte[]> previous(String symbolicName) throws IOException {
        Path p = of(symbolicName).resolve(PREVIOUS);
        return Files.exists(p) ? Optional.of(Files.readAllBytes(p)) : Optional.empty();
    }

    Path previousFile(String symbolicName) {
        return of(symbolicName).resolve(PREVIOUS);
    }

    /** After an update: the replaced version is what a rollback restores. */
    void keepPrevious(String symbolicName, byte[] jar) throws IOException {
        write(of(symbolicName).resolve(PREVIOUS), jar);
        Files.deleteIfExists(of(symbolicName).resolve(INSTALLED));
    }

    /** After an install: a rollback uninstalls. */
    void markInstalled(String symbolicName) throws IOException {
        Files.createDirectories(of(symbolicName));
        Files.deleteIfExists(of(symbolicName).resolve(PREVIOUS));
        Files.writeString(of(symbolicName).resolve(INSTALLED), "");
    }

    boolean installedNew(String symbolicName) {
        return Files.exists(of(symbolicName).resolve(INSTALLED));
    }

    void forget(String symbolicName) throws IOException {
        Files.deleteIfExists(of(symbolicName).resolve(INSTALLED));
        Files.deleteIfExists(of(symbolicName).resolve(PREVIOUS));
    }

    /** Where a bundle installed new is kept (its location). */
    Path installFile(String symbolicName, String version) {
        return of(symbolicName).resolve(symbolicName + "-" + version + ".jar");
    }

    void write(Path file, byte[] bytes) throws IOException {
        Files.createDirectories(file.getParent());
        Path tmp = Files.createTempFile(file.getParent(), ".firmware", ".tmp");
        try {
            Files.write(tmp, bytes);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** The symbolic names that have a previous version kept. */
    List<String> withPrevious() throws IOException {
        List<String> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) return out;
        try (var s = Files.list(dir)) {
            s.filter(d -> Files.exists(d.resolve(PREVIOUS))).map(d -> d.getFileName().toString()).sorted().forEach(out::add);
        }
        return out;
    }
}
