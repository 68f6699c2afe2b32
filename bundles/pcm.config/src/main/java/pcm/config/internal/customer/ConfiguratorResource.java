package pcm.config.internal.customer;

import java.util.Dictionary;
import java.util.Enumeration;
import java.util.Map;

import pcm.config.internal.ConfigValidator;

/**
 * One OSGi Configurator resource (a customer's configuration as data, issue 17 item 1) as the Configurator reads it:
 * where it is — a file of the data directory or a bundle's entry — and its configurations by PID (factory
 * configurations as {@code factoryPid~name}, the PID Config Admin gives them), typed as the JSON's type hints say; or,
 * when it cannot be read, why.
 */
public record ConfiguratorResource(String source, Map<String, Dictionary<String, Object>> configurations, String error) {

    public static ConfiguratorResource unreadable(String source, String error) {
        return new ConfiguratorResource(source, Map.of(), error);
    }

    /** Whether {@code delivered} holds this resource's values for {@code pid} (so they came from here). */
    public boolean configures(String pid, Dictionary<String, ?> delivered) {
        Dictionary<String, Object> mine = configurations.get(pid);
        if (mine == null) return false;
        for (Enumeration<String> keys = mine.keys(); keys.hasMoreElements(); ) {
            String key = keys.nextElement();
            Object theirs = delivered.get(key);
            if (theirs == null || !ConfigValidator.show(theirs).equals(ConfigValidator.show(mine.get(key)))) return false;
        }
        return true;
    }
}
