package pcm.config.internal.customer;

import java.util.Dictionary;
import java.util.List;

/** The Configurator resources a runtime has (in tests: a fixed list). */
@FunctionalInterface
public interface CustomerResources {

    CustomerResources NONE = List::of;

    List<ConfiguratorResource> resources();

    /** The resource {@code delivered} (a configuration of {@code pid} on its way to a component) came from, or null. */
    default ConfiguratorResource sourceOf(String pid, Dictionary<String, ?> delivered) {
        for (ConfiguratorResource r : resources()) {
            if (r.configures(pid, delivered)) return r;
        }
        return null;
    }
}
