package pcm.config.internal.archive;

import java.io.IOException;
import java.util.Dictionary;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

import pcm.config.internal.settings.SettingsService.Catalog;
import pcm.config.internal.settings.SettingsService.Described;

/**
 * The configurations Config Admin holds for PIDs and factory PIDs with metatype, by the key an export uses: the PID,
 * or {@code factoryPid~name} for a factory configuration (the PID FileInstall and the Configurator give one; a
 * generated PID's tail serves as the name). Read with {@code listConfigurations}, which binds nothing.
 */
final class CurrentConfigurations {

    /** One configuration: its metatype, whether it is a factory configuration, its properties. */
    record Current(Described described, boolean factory, Dictionary<String, Object> properties) {}

    /** The PIDs and factory PIDs with metatype. */
    record Metatypes(Map<String, Described> singles, Map<String, Described> factories) {
        static Metatypes of(Catalog catalog) {
            Map<String, Described> s = new LinkedHashMap<>();
            for (Described d : catalog.all()) s.put(d.pid(), d);
            Map<String, Described> f = new LinkedHashMap<>();
            for (Described d : catalog.factories()) f.put(d.pid(), d);
            return new Metatypes(s, f);
        }

        /** The metatype of a key of an export ({@code pid} or {@code factoryPid~name}), or null. */
        Described of(String key) {
            String factoryPid = factoryPidOf(key);
            return factoryPid != null ? factory(factoryPid) : singles.get(key);
        }

        /**
         * The metatype of a factory PID: designated as one, or as a PID (a DS component takes factory configurations of
         * its PID too: {@code @Designate} without {@code factory = true}, FaultInjectingVerifier's).
         */
        Described factory(String factoryPid) {
            Described d = factories.get(factoryPid);
            return d != null ? d : singles.get(factoryPid);
        }
    }

    private CurrentConfigurations() {}

    static String factoryPidOf(String key) {
        int tilde = key.indexOf('~');
        return tilde > 0 ? key.substring(0, tilde) : null;
    }

    /** By key, sorted. */
    static Map<String, Current> read(ConfigurationAdmin admin, Metatypes described) {
        Configuration[] all;
        try {
            all = admin.listConfigurations(null);
        } catch (IOException | InvalidSyntaxException e) {
            throw new IllegalStateException("cannot read the configurations: " + e.getMessage(), e);
        }
        Map<String, Current> out = new TreeMap<>();
        if (all == null) return out;
        for (Configuration c : all) {
            Dictionary<String, Object> props = c.getProperties();
            if (props == null) continue;
            String pid = c.getPid();
            String factoryPid = c.getFactoryPid();
            if (factoryPid != null) {
                Described d = described.factory(factoryPid);
                if (d == null) continue;
                String name = pid.startsWith(factoryPid + "~") ? pid.substring(factoryPid.length() + 1)
                        : pid.startsWith(factoryPid + ".") ? pid.substring(factoryPid.length() + 1) : pid;
                out.put(factoryPid + "~" + name, new Current(d, true, props));
            } else {
                Described d = described.singles().get(pid);
                if (d != null) out.put(pid, new Current(d, false, props));
            }
        }
        return out;
    }
}
