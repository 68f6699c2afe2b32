package pcm.config.api;

import java.util.List;

/**
 * One value an import or restore changes (or, in a dry run, would change): the configuration ({@code pid} or
 * {@code factoryPid~name}), the key, the value's elements before and after as text (the default where none is set;
 * empty: none, for a key the metatype does not define; a secret as {@value #SECRET}).
 */
public record ConfigChange(String configuration, String key, List<String> before, List<String> after) {

    public static final String SECRET = "(secret)";

    public ConfigChange {
        before = List.copyOf(before);
        after = List.copyOf(after);
    }

    @Override
    public String toString() {
        return configuration + ": " + key + " " + shown(before) + " -> " + shown(after);
    }

    private static String shown(List<String> v) {
        return v.isEmpty() ? "(none)" : v.size() == 1 ? v.getFirst() : v.toString();
    }
}
