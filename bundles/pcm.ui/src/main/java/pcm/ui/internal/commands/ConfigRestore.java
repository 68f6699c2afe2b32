package pcm.ui.internal.commands;

import java.io.IOException;
import java.util.Dictionary;
import java.util.Enumeration;
import java.util.Hashtable;

import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * A configuration as it was before a command changed it for its own use ({@code pcm:run}'s options), put back afterwards:
 * the operator's settings (conf/*.config, pcm:config) are never left changed by a run. Read with
 * {@code listConfigurations}, which, unlike {@code getConfiguration(pid)}, does not bind the configuration to this bundle.
 */
final class ConfigRestore {

    private final String pid;
    private final Dictionary<String, Object> before; // null: there was none

    private ConfigRestore(String pid, Dictionary<String, Object> before) {
        this.pid = pid;
        this.before = before;
    }

    static ConfigRestore take(ConfigurationAdmin cm, String pid) throws IOException {
        try {
            Configuration[] found = cm.listConfigurations("(" + org.osgi.framework.Constants.SERVICE_PID + "=" + pid + ")");
            if (found == null || found.length == 0 || found[0].getProperties() == null) return new ConfigRestore(pid, null);
            return new ConfigRestore(pid, copy(found[0].getProperties()));
        } catch (InvalidSyntaxException e) {
            throw new IllegalArgumentException("not a PID: " + pid, e);
        }
    }

    /** Puts the configuration back as it was: the same properties, or none if there was none. */
    void restore(ConfigurationAdmin cm) throws IOException {
        Configuration cfg = cm.getConfiguration(pid, "?");
        if (before == null) cfg.delete();
        else cfg.update(copy(before));
    }

    private static Dictionary<String, Object> copy(Dictionary<String, Object> d) {
        Hashtable<String, Object> c = new Hashtable<>();
        for (Enumeration<String> keys = d.keys(); keys.hasMoreElements(); ) {
            String k = keys.nextElement();
            c.put(k, d.get(k));
        }
        return c;
    }
}
