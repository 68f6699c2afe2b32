package pcm.config.api;

import java.util.List;

/**
 * An export: the file's text, the configurations it holds ({@code pid} or {@code factoryPid~name}) and the secrets left
 * out ({@code pid/key}).
 */
public record ConfigExport(String json, List<String> configurations, List<String> secretsLeftOut) {

    public ConfigExport {
        configurations = List.copyOf(configurations);
        secretsLeftOut = List.copyOf(secretsLeftOut);
    }
}
