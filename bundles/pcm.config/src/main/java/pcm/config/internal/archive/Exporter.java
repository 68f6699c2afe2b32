package pcm.config.internal.archive;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.osgi.service.metatype.AttributeDefinition;

import pcm.config.internal.archive.CurrentConfigurations.Current;
import pcm.config.internal.settings.SettingText;

/**
 * The values an export holds: of each configuration with metatype, every attribute that is set and differs from its
 * default (or, {@code all}, every attribute, defaults filled in), typed as the metatype says (a {@code .cfg} holds text:
 * {@code workers="2"} is exported as the Integer 2); secrets only when asked for, else named as left out; and the keys
 * the metatype does not define, as they are (the validating plug-in lets them pass too).
 */
final class Exporter {

    record Exported(Map<String, Map<String, Object>> configurations, List<String> secretsLeftOut) {}

    private Exporter() {}

    static Exported values(Map<String, Current> current, boolean all, boolean withSecrets) {
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        List<String> leftOut = new ArrayList<>();
        current.forEach((key, c) -> {
            Map<String, Object> values = new LinkedHashMap<>();
            java.util.Set<String> managed = pcm.config.internal.settings.SettingsFile.managed(c.properties());
            for (AttributeDefinition ad : Values.attributes(c.described().ocd())) {
                if (managed.contains(ad.getID())) continue; // set at run time by a PCM component, not the operator's
                Object v = c.properties().get(ad.getID());
                if (Secrets.is(c.described().pid(), ad) && !withSecrets) {
                    if (v != null) leftOut.add(key + "/" + ad.getID());
                    continue;
                }
                List<String> defaults = Values.defaults(ad);
                if (v == null) {
                    if (!all || defaults.isEmpty() && ad.getCardinality() == 0) continue;
                    v = ad.getCardinality() == 0 ? defaults.getFirst() : defaults;
                } else if (!all && SettingText.texts(v).equals(defaults)) continue;
                values.put(ad.getID(), typedOrAsIs(ad, v, c.described().ranges().get(ad.getID())));
            }
            // what the metatype does not define is configuration too (a service property such as pcm.rcp.id): as it is
            new java.util.TreeMap<>(undefined(c)).forEach(values::put);
            // a configuration only a PCM component writes (Felix HTTP's, when the operator set nothing of it): nothing to export
            if (values.isEmpty() && !managed.isEmpty()) return;
            out.put(key, values);
        });
        return new Exported(out, leftOut);
    }

    /** The keys of a configuration that its metatype does not define, without Config Admin's, FileInstall's and SCR's own. */
    static Map<String, Object> undefined(Current c) {
        java.util.Set<String> defined = new java.util.HashSet<>(pcm.config.internal.settings.SettingsFile.managed(c.properties()));
        for (AttributeDefinition ad : Values.attributes(c.described().ocd())) defined.add(ad.getID());
        Map<String, Object> out = new LinkedHashMap<>();
        for (var keys = c.properties().keys(); keys.hasMoreElements(); ) {
            String k = keys.nextElement();
            if (!defined.contains(k) && !ignored(k)) out.put(k, c.properties().get(k));
        }
        return out;
    }

    /** Keys that are no one's setting: Config Admin's, FileInstall's, SCR's, and {@code :}-keys (the Configurator's own). */
    static boolean ignored(String key) {
        return pcm.config.internal.settings.SettingsFile.internal(key) || key.startsWith(":");
    }

    /** A value that does not fit (the validating plug-in kept the component off it) is exported as it is: an import refuses it. */
    private static Object typedOrAsIs(AttributeDefinition ad, Object v, String range) {
        try {
            return Values.typed(ad, v, range);
        } catch (SettingText.Unfit e) {
            return v;
        }
    }
}
