package pcm.config.internal.customer;

import java.io.IOException;
import java.io.Reader;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.felix.cm.json.io.ConfigurationReader;
import org.apache.felix.cm.json.io.ConfigurationResource;
import org.apache.felix.cm.json.io.Configurations;

/**
 * Reads a Configurator resource with the reader the Configurator itself uses (Felix cm.json: JSON with comments, type
 * hints such as {@code "workers:Integer"}), so PCM checks exactly the values Config Admin is given.
 */
public final class ResourceReader {

    private ResourceReader() {}

    /**
     * {@code inBundle}: a bundle's entry; else a file of {@code configurator.initial}, which, as the Configurator
     * requires, names itself with {@code :configurator:symbolic-name} and {@code :configurator:version}.
     */
    public static ConfiguratorResource read(String source, Reader in, boolean inBundle) {
        return readWithProperties(source, in, inBundle).resource();
    }

    /** A resource and its top-level {@code :configurator:*} properties (a PCM export's header among them). */
    public record WithProperties(ConfiguratorResource resource, Map<String, Object> properties) {}

    public static WithProperties readWithProperties(String source, Reader in, boolean inBundle) {
        try (Reader reader = in) {
            ConfigurationReader cr = Configurations.buildReader().verifyAsBundleResource(inBundle).withIdentifier(source).build(reader);
            ConfigurationResource resource = cr.readConfigurationResource();
            Map<String, Dictionary<String, Object>> configurations = new LinkedHashMap<>();
            resource.getConfigurations().forEach((pid, props) -> configurations.put(pid, new Hashtable<>(props)));
            // the Configurator applies the rest of a file whose reader skipped something: to PCM the file is wrong, and
            // what it configures is refused whole
            List<String> ignored = cr.getIgnoredErrors();
            String error = ignored == null || ignored.isEmpty() ? null : String.join("; ", ignored);
            return new WithProperties(new ConfiguratorResource(source, Map.copyOf(configurations), error),
                    new LinkedHashMap<>(resource.getProperties()));
        } catch (IOException | RuntimeException e) {
            // RuntimeException: Jakarta JSON's JsonParsingException names line and column
            return new WithProperties(ConfiguratorResource.unreadable(source, "not a valid configuration resource: " + e.getMessage()), Map.of());
        }
    }
}
