package pcm.config.api;

import java.nio.file.Path;

/**
 * What {@link Settings#change} did: the file written, whether Config Admin held every changed value within the bound,
 * and the PID as it is afterwards.
 */
public record ChangeResult(Path file, boolean applied, SettingsPid after) {}
