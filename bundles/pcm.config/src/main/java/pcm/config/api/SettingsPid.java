package pcm.config.api;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A configuration PID with metatype: its object class (name, description), the bundle that describes it, whether a
 * configuration exists ({@code false}: the component runs on its defaults), the {@code conf/} file that holds it or
 * would be written, and its settings.
 */
public record SettingsPid(String pid, String name, String description, String bundle, boolean configured, Path file,
                          List<Setting> settings) {

    public SettingsPid {
        settings = List.copyOf(settings);
    }

    public Optional<Setting> setting(String id) {
        return settings.stream().filter(s -> s.id().equals(id)).findFirst();
    }
}
