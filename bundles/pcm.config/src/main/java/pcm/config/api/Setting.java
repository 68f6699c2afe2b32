package pcm.config.api;

import java.util.List;

/**
 * One attribute of a PID as the metatype describes it, with its current value.
 *
 * @param cardinality the metatype's: 0 a single value, {@code n > 0} an array of at most n, {@code n < 0} a list of at most -n
 * @param defaults    the metatype's default (empty for a password)
 * @param options     the allowed values, empty when any value of the type is allowed
 * @param range       the allowed range as text ({@code "4..3072"}, {@code "1.."}), or null when the metatype has none
 * @param value       the current value's elements as text: the configured value if {@code set}, else the default;
 *                    never a password's
 * @param set         whether the configuration has a value for it
 */
public record Setting(String id, String name, String description, SettingType type, int cardinality, List<String> defaults,
                      List<Option> options, String range, List<String> value, boolean set) {

    public Setting {
        defaults = List.copyOf(defaults);
        options = List.copyOf(options);
        value = List.copyOf(value);
    }

    /** An allowed value and its label. */
    public record Option(String value, String label) {}

    /** Whether the value is a list (an array or a collection). */
    public boolean list() {
        return cardinality != 0;
    }
}
