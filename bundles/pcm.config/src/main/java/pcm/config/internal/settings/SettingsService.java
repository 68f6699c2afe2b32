package pcm.config.internal.settings;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Dictionary;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.AttributeDefinition;
import org.osgi.service.metatype.MetaTypeInformation;
import org.osgi.service.metatype.MetaTypeService;
import org.osgi.service.metatype.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import pcm.config.api.ChangeResult;
import pcm.config.api.Setting;
import pcm.config.api.Settings;
import pcm.config.api.SettingsException;
import pcm.config.api.SettingsException.Kind;
import pcm.config.api.SettingsException.Problem;
import pcm.config.api.SettingsPid;
import pcm.config.internal.Ranges;

/**
 * The {@link Settings} service: PIDs and their metatype from the MetaType service, values from Config Admin (read with
 * {@code listConfigurations}, which never binds a configuration), changes checked by {@link SettingText}, written by
 * {@link SettingsFile} into {@code <data>/conf/} for FileInstall, and awaited until Config Admin holds them.
 */
@Component(service = Settings.class, configurationPid = SettingsService.PID)
@Designate(ocd = SettingsConfig.class)
public final class SettingsService implements Settings {

    static final String PID = "pcm.config.settings";
    private static final Logger LOG = LoggerFactory.getLogger(SettingsService.class);
    private static final long POLL_MILLIS = 100;

    /** A PID (or factory PID) with its object class, the bundle that describes it and its attributes' ranges. */
    public record Described(String pid, ObjectClassDefinition ocd, String bundle, Map<String, String> ranges) {}

    /** Every PID with metatype; a function so that tests need no framework. */
    public interface Catalog {
        List<Described> all();

        /** Every factory PID with metatype (not offered as settings: the configuration archive exports their configurations). */
        default List<Described> factories() {
            return List.of();
        }
    }

    private final Catalog catalog;
    private final ConfigurationAdmin admin;
    private final SettingsFile files;
    private final long applyWaitMillis;

    @Activate
    public SettingsService(BundleContext context, @Reference ConfigurationAdmin admin, @Reference MetaTypeService metatype,
                           SettingsConfig config) {
        this(new MetaTypeCatalog(context, metatype), admin, files(context), config.applyWaitMillis());
    }

    SettingsService(Catalog catalog, ConfigurationAdmin admin, SettingsFile files, long applyWaitMillis) {
        this.catalog = catalog;
        this.admin = admin;
        this.files = files;
        this.applyWaitMillis = applyWaitMillis;
    }

    private static SettingsFile files(BundleContext context) {
        String data = context.getProperty("pcm.data");
        Path dir = Path.of(data == null ? "pcm-data" : data);
        return new SettingsFile(dir.resolve("conf"), dir.resolve("run"));
    }

    @Override
    public List<SettingsPid> list() {
        List<SettingsPid> out = new ArrayList<>();
        for (Described d : catalog.all()) out.add(view(d, current(d.pid())));
        return out;
    }

    @Override
    public Optional<SettingsPid> get(String pid) {
        return find(pid).map(d -> view(d, current(pid)));
    }

    private Optional<Described> find(String pid) {
        return catalog.all().stream().filter(d -> d.pid().equals(pid)).findFirst();
    }

    @Override
    public ChangeResult change(String pid, Map<String, String> values) throws SettingsException, InterruptedException {
        Described d = find(pid).orElseThrow(() -> new SettingsException(Kind.UNKNOWN_PID, pid, List.of(),
                "no configurable component '" + pid + "' (no metatype describes it); nothing changed", null));
        Map<String, AttributeDefinition> ads = new LinkedHashMap<>();
        for (AttributeDefinition ad : attributes(d.ocd())) ads.put(ad.getID(), ad);
        List<Problem> problems = new ArrayList<>();
        Map<String, Object> typed = new LinkedHashMap<>();
        for (var e : values.entrySet()) {
            AttributeDefinition ad = ads.get(e.getKey());
            if (ad == null) {
                problems.add(new Problem(e.getKey(), e.getValue(), null, "no such setting of " + pid + "; it has " + String.join(", ", ads.keySet())));
                continue;
            }
            try {
                typed.put(e.getKey(), SettingText.typed(ad, e.getValue(), d.ranges().get(ad.getID())));
            } catch (SettingText.Unfit u) {
                problems.add(new Problem(e.getKey(), e.getValue(), ad.getName(), u.getMessage()));
            }
        }
        Path file;
        synchronized (SettingsFile.CONF_WRITES) {
            Dictionary<String, Object> current = current(pid);
            file = files.of(pid, current);
            if (SettingsFile.plain(file)) typed.forEach((k, v) -> {
                if (v.getClass().isArray() || v instanceof java.util.Collection)
                    problems.add(new Problem(k, values.get(k), ads.get(k).getName(), "a list cannot be written into " + file.getFileName()
                            + " (a .cfg holds text only): rename it to " + pid + ".config (Felix's typed format)"));
            });
            if (!problems.isEmpty()) throw SettingsException.refused(pid, problems);
            try {
                files.write(file, SettingsFile.merged(current, typed));
            } catch (IOException e) {
                throw new SettingsException(Kind.WRITE_FAILED, pid, List.of(), pid + ": cannot write " + file + ": " + e
                        + "; nothing changed", e);
            }
        }
        LOG.info("settings of {} changed: {} (written to {})", pid, typed.keySet(), file);
        boolean applied = awaitApplied(pid, typed);
        if (!applied) LOG.warn("settings of {} written to {} but not applied within {} ms (is FileInstall watching {}?)", pid, file,
                applyWaitMillis, file.getParent());
        return new ChangeResult(file, applied, view(d, current(pid)));
    }

    private boolean awaitApplied(String pid, Map<String, Object> typed) throws InterruptedException {
        long deadline = System.nanoTime() + applyWaitMillis * 1_000_000;
        while (true) {
            if (holds(current(pid), typed)) return true;
            if (System.nanoTime() - deadline >= 0) return false;
            Thread.sleep(POLL_MILLIS);
        }
    }

    public static boolean holds(Dictionary<String, Object> now, Map<String, Object> typed) {
        if (now == null) return false;
        for (var e : typed.entrySet())
            if (!SettingText.texts(e.getValue()).equals(SettingText.texts(now.get(e.getKey())))) return false;
        return true;
    }

    /** The configuration's properties, null if there is none; never binds it. */
    Dictionary<String, Object> current(String pid) {
        try {
            Configuration[] cs = admin.listConfigurations("(service.pid=" + escape(pid) + ")");
            return cs == null || cs.length == 0 ? null : cs[0].getProperties();
        } catch (IOException | InvalidSyntaxException e) {
            throw new IllegalStateException("cannot read the configuration of " + pid + ": " + e.getMessage(), e);
        }
    }

    static String escape(String value) {
        return value.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)").replace("*", "\\*");
    }

    private static AttributeDefinition[] attributes(ObjectClassDefinition ocd) {
        AttributeDefinition[] ads = ocd.getAttributeDefinitions(ObjectClassDefinition.ALL);
        return ads == null ? new AttributeDefinition[0] : ads;
    }

    SettingsPid view(Described d, Dictionary<String, Object> current) {
        List<Setting> settings = new ArrayList<>();
        for (AttributeDefinition ad : attributes(d.ocd())) settings.add(setting(ad, current == null ? null : current.get(ad.getID()),
                d.ranges().get(ad.getID()), pcm.config.internal.archive.Secrets.password(d.pid(), ad)));
        return new SettingsPid(d.pid(), d.ocd().getName() == null ? d.pid() : d.ocd().getName(), d.ocd().getDescription(), d.bundle(),
                current != null, files.of(d.pid(), current), settings);
    }

    public static Setting setting(AttributeDefinition ad, Object value, String range) {
        return setting(ad, value, range, ad.getType() == AttributeDefinition.PASSWORD);
    }

    /** {@code password}: shown as a Password whatever the metatype's type (a String that holds one: Secrets). */
    static Setting setting(AttributeDefinition ad, Object value, String range, boolean password) {
        var type = password ? pcm.config.api.SettingType.PASSWORD : SettingText.typeOf(ad.getType());
        List<String> defaults = password || ad.getDefaultValue() == null ? List.of() : Arrays.asList(ad.getDefaultValue());
        List<Setting.Option> options = new ArrayList<>();
        String[] values = ad.getOptionValues();
        String[] labels = ad.getOptionLabels();
        if (values != null) for (int i = 0; i < values.length; i++)
            options.add(new Setting.Option(values[i], labels != null && i < labels.length ? labels[i] : values[i]));
        List<String> shown = password ? List.of() : value != null ? SettingText.texts(value) : defaults;
        return new Setting(ad.getID(), ad.getName() == null ? ad.getID() : ad.getName(), ad.getDescription(), type, ad.getCardinality(),
                defaults, options, range, shown, value != null);
    }

    /** The PIDs of every bundle's metatype; ranges read once per bundle version. */
    public static final class MetaTypeCatalog implements Catalog {
        private final BundleContext context;
        private final MetaTypeService metatype;
        private final Map<String, Map<String, Map<String, String>>> ranges = new ConcurrentHashMap<>();

        public MetaTypeCatalog(BundleContext context, MetaTypeService metatype) {
            this.context = context;
            this.metatype = metatype;
        }

        @Override
        public List<Described> all() {
            return described(false);
        }

        @Override
        public List<Described> factories() {
            return described(true);
        }

        private List<Described> described(boolean factories) {
            Map<String, Described> out = new TreeMap<>();
            for (Bundle b : context.getBundles()) {
                MetaTypeInformation info;
                try {
                    info = metatype.getMetaTypeInformation(b);
                } catch (RuntimeException e) {
                    continue; // a bundle being uninstalled
                }
                String[] pids = info == null ? null : factories ? info.getFactoryPids() : info.getPids();
                if (pids == null) continue;
                for (String pid : pids) {
                    try {
                        ObjectClassDefinition ocd = info.getObjectClassDefinition(pid, null);
                        if (ocd == null) continue;
                        Map<String, String> r = ranges.computeIfAbsent(b.getBundleId() + "@" + b.getLastModified(), k -> Ranges.all(b))
                                .getOrDefault(ocd.getID(), Map.of());
                        out.putIfAbsent(pid, new Described(pid, ocd, b.getSymbolicName(), r));
                    } catch (IllegalArgumentException e) {
                        // a PID whose object class cannot be read is not offered
                    }
                }
            }
            return List.copyOf(out.values());
        }
    }
}
