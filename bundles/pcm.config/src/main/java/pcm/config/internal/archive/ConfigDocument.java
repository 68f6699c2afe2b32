package pcm.config.internal.archive;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.lang.reflect.Array;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Dictionary;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.apache.felix.cm.json.io.ConfigurationResource;
import org.apache.felix.cm.json.io.Configurations;

import pcm.config.internal.customer.ConfiguratorResource;
import pcm.config.internal.customer.ResourceReader;

/**
 * The file of an export or snapshot: an OSGi Configurator resource written and read with Felix cm.json, the reader the
 * Configurator uses (typed values with hints such as {@code "workers:Integer": 3}), so an export dropped into
 * {@code <data>/customer/} is applied as a customer's file. It names itself (required of a file outside a bundle) and
 * carries PCM's header as a Configurator property (the Configurator ignores {@code :configurator:} keys it does not
 * know): {@code :configurator:pcm-export} with the PCM version, the time, the variant, whether every value or only those
 * that differ from the defaults are in it, and the secrets left out.
 */
final class ConfigDocument {

    static final String HEADER = ":configurator:pcm-export";
    static final String SYMBOLIC_NAME = ":configurator:symbolic-name";
    static final String VERSION = ":configurator:version";

    /** What the header says. */
    record Header(String kind, String pcmVersion, String variant, String created, boolean allValues, boolean secretsIncluded,
                  List<String> secretsLeftOut) {}

    /** A read document: its configurations (key {@code pid} or {@code factoryPid~name}) and the secrets it left out. */
    record Read(String source, Map<String, Dictionary<String, Object>> configurations, List<String> secretsLeftOut) {}

    private ConfigDocument() {}

    /** The JSON text; {@code configurations} in their order, each one's keys in theirs. */
    static String write(Header h, Map<String, Map<String, Object>> configurations) throws IOException {
        ConfigurationResource r = new ConfigurationResource();
        r.getProperties().put(":configurator:resource-version", 1);
        r.getProperties().put(SYMBOLIC_NAME, "pcm.config." + h.kind());
        r.getProperties().put(VERSION, osgiVersion(h.pcmVersion()));
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("kind", h.kind());
        header.put("pcmVersion", h.pcmVersion());
        header.put("variant", h.variant());
        header.put("created", h.created());
        header.put("values", h.allValues() ? "all" : "those that differ from the defaults");
        header.put("secrets", h.secretsIncluded() ? "included" : "left out");
        header.put("secretsLeftOut", h.secretsLeftOut().toArray(new String[0]));
        header.put("note", "PIDs not configured run on their defaults and are not listed; an import gives each listed PID exactly"
                + " these values (missing: the default; a secret left out: kept)");
        r.getProperties().put(HEADER, header);
        configurations.forEach((key, values) -> {
            var d = Configurations.newConfiguration();
            d.putAll(values);
            r.getConfigurations().put(key, d);
        });
        StringWriter out = new StringWriter();
        Configurations.buildWriter().build(out).writeConfigurationResource(r);
        return out + "\n";
    }

    /** PCM's version as an OSGi version (the Configurator requires one): {@code 0.1.0.SNAPSHOT} as it is, anything else made one. */
    static String osgiVersion(String v) {
        try {
            return org.osgi.framework.Version.parseVersion(v).toString();
        } catch (IllegalArgumentException e) {
            return "0.0.0." + v.replaceAll("[^A-Za-z0-9_-]", "_");
        }
    }

    /** Reads a file; {@code error} of the result says why it cannot be (not JSON, not a resource, skipped parts). */
    static Read read(String source, String json) throws Unreadable {
        ResourceReader.WithProperties w = ResourceReader.readWithProperties(source, new StringReader(json), false);
        ConfiguratorResource r = w.resource();
        if (r.error() != null) throw new Unreadable(r.error());
        Object header = w.properties().get(HEADER);
        List<String> leftOut = new ArrayList<>();
        if (header instanceof String text) header = headerOf(text);
        if (header instanceof Map<?, ?> m) {
            Object l = m.get("secretsLeftOut");
            if (l instanceof Collection<?> c) c.forEach(x -> leftOut.add(text(x)));
            else if (l != null && l.getClass().isArray()) for (int i = 0; i < Array.getLength(l); i++) leftOut.add(text(Array.get(l, i)));
        }
        return new Read(source, new TreeMap<>(r.configurations()), List.copyOf(leftOut));
    }

    /**
     * The reader gives a {@code :configurator:} property's object as its JSON text: read as a configuration by the same
     * reader (its arrays become arrays), so no other JSON parser is needed; null if it is not one.
     */
    private static Map<String, Object> headerOf(String json) {
        try {
            var d = Configurations.buildReader().build(new StringReader(json)).readConfiguration();
            Map<String, Object> m = new LinkedHashMap<>();
            for (var keys = d.keys(); keys.hasMoreElements(); ) {
                String k = keys.nextElement();
                m.put(k, d.get(k));
            }
            return m;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static String text(Object x) {
        return String.valueOf(x);
    }

    /** A file that is not a configuration resource. */
    static final class Unreadable extends Exception {
        private static final long serialVersionUID = 1L;

        Unreadable(String why) {
            super(why);
        }
    }
}
