package pcm.config.api;

import java.nio.file.Path;
import java.util.List;

/**
 * What an import or restore did (or, {@code dryRun}, would do): the values changed, the automatic snapshot taken before
 * (null in a dry run or when nothing changed), the {@code conf/} files written or removed, and whether Config Admin held
 * every change within the bound.
 */
public record ImportResult(boolean dryRun, List<ConfigChange> changes, ConfigSnapshot snapshotBefore, List<Path> files, boolean applied) {

    public ImportResult {
        changes = List.copyOf(changes);
        files = List.copyOf(files);
    }
}
