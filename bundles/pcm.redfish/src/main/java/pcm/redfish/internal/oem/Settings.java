package pcm.redfish.internal.oem;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.reflect.Array;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Dictionary;
import java.util.Enumeration;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.Vector;

import org.apache.felix.cm.file.ConfigurationHandler;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.metatype.AttributeDefinition;
import org.osgi.service.metatype.MetaTypeInformation;
import org.osgi.service.metatype.MetaTypeService;
import org.osgi.service.metatype.ObjectClassDefinition;

/**
 * Settings of PCM's components as the operator sees them: each configuration PID that has metatype, its attributes
 * (type, range text, options, default) and current values from Config Admin, and changing them. A change is checked
 * against the metatype first (a value that does not fit changes nothing), then written to {@code <data>/conf/} —
 * the file FileInstall already reads for that PID, else {@code <pid>.config} — so it survives a restart, and
 * FileInstall applies it. Reading never binds a configuration to this bundle ({@code listConfigurations}, never
 * {@code getConfiguration}): that is what detached {@code conf/pcm.vm.cfg} from its component before.
 */
public final class Settings {

    /** One setting refused, by attribute. */
    public static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;
        public final Map<String, String> problems;

        Refused(Map<String, String> problems) {
            super(String.join("; ", problems.entrySet().stream().map(e -> e.getKey() + ": " + e.getValue()).toList()));
            this.problems = problems;
        }
    }

    /** A PID with its object class and the bundle that describes it. */
    public record Described(String pid, ObjectClassDefinition ocd, Bundle bundle) {}

    /** Framework and FileInstall keys: not settings, never written back. */
    static final Set<String> INTERNAL = Set.of("service.pid", "service.factoryPid", "service.bundleLocation",
            "felix.fileinstall.filename", "component.name", "component.id");
    static final String FILE_KEY = "felix.fileinstall.filename";

    private final BundleContext context;
    private final ConfigurationAdmin admin;
    private final MetaTypeService metatype;
    private final Path confDir;
    private final Path scratchDir;

    public Settings(BundleContext context, ConfigurationAdmin admin, MetaTypeService metatype, Path dataDir) {
        this.context = context;
        this.admin = admin;
        this.metatype = metatype;
        this.confDir = dataDir.resolve("conf");
        this.scratchDir = dataDir.resolve("run");
    }

    /** Every PID with metatype (not factory PIDs), sorted by PID. */
    public List<Described> all() {
        Map<String, Described> out = new TreeMap<>();
        for (Bundle b : context.getBundles()) {
            MetaTypeInformation info = metatype.getMetaTypeInformation(b);
            if (info == null) continue;
            for (String pid : info.getPids()) {
                try {
                    out.putIfAbsent(pid, new Described(pid, info.getObjectClassDefinition(pid, null), b));
                } catch (IllegalArgumentException e) {
                    // a PID whose object class cannot be read is not offered
                }
            }
        }
        return new ArrayList<>(out.values());
    }

    public Optional<Described> find(String pid) {
        return all().stream().filter(d -> d.pid().equals(pid)).findFirst();
    }

    /** The configuration's current properties (empty when there is none: the component runs on its defaults). */
    public Dictionary<String, Object> current(String pid) throws IOException {
        try {
            Configuration[] cs = admin.listConfigurations("(service.pid=" + escape(pid) + ")");
            if (cs == null || cs.length == 0 || cs[0].getProperties() == null) return new Hashtable<>();
            return cs[0].getProperties();
        } catch (InvalidSyntaxException e) {
            throw new IllegalArgumentException("PID " + pid + ": " + e.getMessage(), e);
        }
    }

    static String escape(String value) {
        return value.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)").replace("*", "\\*");
    }

    /** The file that holds the PID's configuration in conf/, existing or to be created. */
    Path fileOf(String pid, Dictionary<String, Object> current) {
        Object f = current.get(FILE_KEY);
        if (f != null) {
            try {
                return Path.of(java.net.URI.create(String.valueOf(f)));
            } catch (IllegalArgumentException e) {
                // not a file URI: write our own below
            }
        }
        return confDir.resolve(pid + ".config");
    }

    /**
     * Checks {@code changes} (attribute id to a JSON-ish value: String, Number, Boolean, or a List of them) against
     * the PID's metatype and writes them; returns the file written.
     */
    public Path change(Described d, Map<String, Object> changes) throws Refused, IOException {
        Map<String, AttributeDefinition> ads = new LinkedHashMap<>();
        for (AttributeDefinition ad : d.ocd().getAttributeDefinitions(ObjectClassDefinition.ALL)) ads.put(ad.getID(), ad);
        Map<String, String> problems = new LinkedHashMap<>();
        Map<String, Object> typed = new LinkedHashMap<>();
        for (var e : changes.entrySet()) {
            AttributeDefinition ad = ads.get(e.getKey());
            if (ad == null) {
                problems.put(e.getKey(), "no such setting of " + d.pid());
                continue;
            }
            try {
                typed.put(e.getKey(), typed(ad, e.getValue()));
            } catch (IllegalArgumentException x) {
                problems.put(e.getKey(), x.getMessage());
            }
        }
        Dictionary<String, Object> current = current(d.pid());
        Path file = fileOf(d.pid(), current);
        boolean plain = file.getFileName().toString().endsWith(".cfg");
        if (plain) typed.forEach((k, v) -> {
            if (v.getClass().isArray() || v instanceof Collection) problems.put(k, "a list cannot be written into "
                    + file.getFileName() + " (a .cfg holds text only): write it as " + d.pid() + ".config");
        });
        if (!problems.isEmpty()) throw new Refused(problems);
        Hashtable<String, Object> next = new Hashtable<>();
        for (Enumeration<String> keys = current.keys(); keys.hasMoreElements(); ) {
            String k = keys.nextElement();
            if (!INTERNAL.contains(k)) next.put(k, current.get(k));
        }
        next.putAll(typed);
        write(file, next, plain);
        return file;
    }

    /** Writes beside, then moves into conf/: FileInstall never reads a half-written file (nor a temp file as a bundle). */
    private void write(Path file, Hashtable<String, Object> props, boolean plain) throws IOException {
        Files.createDirectories(scratchDir);
        Path tmp = Files.createTempFile(scratchDir, "settings", ".tmp");
        try (OutputStream out = Files.newOutputStream(tmp)) {
            if (plain) {
                java.util.Properties p = new java.util.Properties();
                props.forEach((k, v) -> p.setProperty(k, String.valueOf(v)));
                p.store(out, "written by the PCM API (settings)");
            } else ConfigurationHandler.write(out, props);
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** True once Config Admin holds every one of {@code changes} (FileInstall polls conf/ once a second). */
    public boolean applied(Described d, Map<String, Object> changes) throws IOException {
        Dictionary<String, Object> now = current(d.pid());
        Map<String, AttributeDefinition> ads = new LinkedHashMap<>();
        for (AttributeDefinition ad : d.ocd().getAttributeDefinitions(ObjectClassDefinition.ALL)) ads.put(ad.getID(), ad);
        for (var e : changes.entrySet()) {
            Object want = typed(ads.get(e.getKey()), e.getValue());
            if (!texts(want).equals(texts(now.get(e.getKey())))) return false;
        }
        return true;
    }

    /** The value as the attribute's type: a scalar, an array (cardinality > 0) or a Vector (< 0). */
    static Object typed(AttributeDefinition ad, Object json) {
        List<Object> elements = new ArrayList<>();
        if (json instanceof Collection<?> c) elements.addAll(c);
        else elements.add(json);
        if (ad.getCardinality() == 0 && elements.size() != 1) throw new IllegalArgumentException("one value expected, got " + elements.size());
        int max = Math.abs(ad.getCardinality());
        if (max != 0 && max != Integer.MAX_VALUE && elements.size() > max)
            throw new IllegalArgumentException("at most " + max + " values, got " + elements.size());
        List<Object> values = new ArrayList<>();
        for (Object e : elements) {
            if (e == null) throw new IllegalArgumentException("a null value");
            String text = String.valueOf(e);
            if (ad.getType() != AttributeDefinition.STRING && ad.getType() != AttributeDefinition.PASSWORD) text = text.strip();
            String escaped = ad.getCardinality() != 0 ? text.replace("\\", "\\\\").replace(",", "\\,") : text;
            String reason = ad.validate(escaped);
            if (reason != null && !reason.isEmpty()) throw new IllegalArgumentException(reason + expected(ad));
            values.add(parse(ad, text));
        }
        if (ad.getCardinality() == 0) return values.get(0);
        if (ad.getCardinality() < 0) return new Vector<>(values);
        Object array = Array.newInstance(javaType(ad.getType()), values.size());
        for (int i = 0; i < values.size(); i++) Array.set(array, i, values.get(i));
        return array;
    }

    static Object parse(AttributeDefinition ad, String text) {
        try {
            return switch (ad.getType()) {
                case AttributeDefinition.LONG -> Long.valueOf(text);
                case AttributeDefinition.INTEGER -> Integer.valueOf(text);
                case AttributeDefinition.SHORT -> Short.valueOf(text);
                case AttributeDefinition.BYTE -> Byte.valueOf(text);
                case AttributeDefinition.DOUBLE -> Double.valueOf(text);
                case AttributeDefinition.FLOAT -> Float.valueOf(text);
                case AttributeDefinition.BOOLEAN -> {
                    if (!text.equalsIgnoreCase("true") && !text.equalsIgnoreCase("false")) throw new NumberFormatException();
                    yield Boolean.valueOf(text);
                }
                case AttributeDefinition.CHARACTER -> {
                    if (text.length() != 1) throw new NumberFormatException();
                    yield text.charAt(0);
                }
                default -> text;
            };
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not " + typeName(ad.getType()).toLowerCase(java.util.Locale.ROOT)
                    + expected(ad));
        }
    }

    static Class<?> javaType(int type) {
        return switch (type) {
            case AttributeDefinition.LONG -> Long.class;
            case AttributeDefinition.INTEGER -> Integer.class;
            case AttributeDefinition.SHORT -> Short.class;
            case AttributeDefinition.BYTE -> Byte.class;
            case AttributeDefinition.DOUBLE -> Double.class;
            case AttributeDefinition.FLOAT -> Float.class;
            case AttributeDefinition.BOOLEAN -> Boolean.class;
            case AttributeDefinition.CHARACTER -> Character.class;
            default -> String.class;
        };
    }

    public static String typeName(int type) {
        return switch (type) {
            case AttributeDefinition.LONG -> "Long";
            case AttributeDefinition.INTEGER -> "Integer";
            case AttributeDefinition.SHORT -> "Short";
            case AttributeDefinition.BYTE -> "Byte";
            case AttributeDefinition.DOUBLE -> "Double";
            case AttributeDefinition.FLOAT -> "Float";
            case AttributeDefinition.BOOLEAN -> "Boolean";
            case AttributeDefinition.CHARACTER -> "Character";
            case AttributeDefinition.PASSWORD -> "Password";
            default -> "String";
        };
    }

    private static String expected(AttributeDefinition ad) {
        String[] options = ad.getOptionValues();
        return options != null && options.length > 0 ? "; one of " + String.join(", ", options) : "";
    }

    /** A value's elements as text, for comparing what was asked with what Config Admin holds. */
    public static List<String> texts(Object value) {
        List<String> out = new ArrayList<>();
        if (value == null) return out;
        if (value instanceof Collection<?> c) c.forEach(x -> out.add(String.valueOf(x)));
        else if (value.getClass().isArray()) for (int i = 0; i < Array.getLength(value); i++) out.add(String.valueOf(Array.get(value, i)));
        else out.add(String.valueOf(value));
        return out;
    }
}
