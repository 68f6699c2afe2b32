package pcm.ui.internal.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.lang.reflect.Proxy;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

/** pcm:run's options are for its own run: the configuration it changed is put back as it was, or removed if there was none. */
class ConfigRestoreTest {

    /** A Config Admin holding configurations in a map (only what ConfigRestore and pcm:run use). */
    static final class FakeCm {
        final Map<String, Hashtable<String, Object>> store = new HashMap<>();

        ConfigurationAdmin admin() {
            return (ConfigurationAdmin) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {ConfigurationAdmin.class},
                    (p, m, a) -> switch (m.getName()) {
                        case "listConfigurations" -> {
                            String pid = ((String) a[0]).replaceAll(".*=(.*)\\)", "$1");
                            yield store.containsKey(pid) ? new Configuration[] {config(pid)} : null;
                        }
                        case "getConfiguration" -> config((String) a[0]);
                        default -> throw new UnsupportedOperationException(m.getName());
                    });
        }

        @SuppressWarnings("unchecked")
        Configuration config(String pid) {
            return (Configuration) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Configuration.class},
                    (p, m, a) -> switch (m.getName()) {
                        case "getProperties" -> store.containsKey(pid) ? new Hashtable<>(store.get(pid)) : null;
                        case "update" -> store.put(pid, new Hashtable<>((Hashtable<String, Object>) a[0]));
                        case "delete" -> store.remove(pid);
                        default -> throw new UnsupportedOperationException(m.getName());
                    });
        }
    }

    @Test
    void anOperatorsConfigurationIsPutBackAsItWas() throws Exception {
        FakeCm cm = new FakeCm();
        Hashtable<String, Object> mine = new Hashtable<>(Map.of("windowInstructions", 5000L, "periodMillis", 200L));
        cm.store.put("pcm.sampling.periodic", mine);
        ConfigRestore saved = ConfigRestore.take(cm.admin(), "pcm.sampling.periodic");
        // the run's options
        Dictionary<String, Object> run = cm.config("pcm.sampling.periodic").getProperties();
        run.put("windowInstructions", 2000L);
        cm.config("pcm.sampling.periodic").update(run);
        saved.restore(cm.admin());
        assertEquals(mine, cm.store.get("pcm.sampling.periodic"));
    }

    @Test
    void aConfigurationTheRunCreatedIsRemoved() throws Exception {
        FakeCm cm = new FakeCm();
        ConfigRestore saved = ConfigRestore.take(cm.admin(), "pcm.vm");
        cm.config("pcm.vm").update(new Hashtable<>(Map.of("workloadBlocks", 64L)));
        saved.restore(cm.admin());
        assertNull(cm.store.get("pcm.vm"));
    }
}
