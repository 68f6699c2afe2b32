package pcm.config.api;

import java.nio.file.Path;
import java.time.Instant;

/**
 * A snapshot of the configuration: its id (the file name without {@code .json}: UTC time and name), its name (null if
 * none), when it was taken, whether PCM took it by itself (before an import or restore, {@code auto-*}), its file.
 */
public record ConfigSnapshot(String id, String name, Instant created, boolean automatic, Path file, long sizeBytes) {}
