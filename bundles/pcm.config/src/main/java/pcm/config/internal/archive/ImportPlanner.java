package pcm.config.internal.archive;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Dictionary;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.osgi.service.metatype.AttributeDefinition;

import pcm.config.api.ConfigArchiveException;
import pcm.config.api.ConfigArchiveException.Problem;
import pcm.config.api.ConfigChange;
import pcm.config.internal.ConfigValidator;
import pcm.config.internal.archive.ConfSetWriter.FileWrite;
import pcm.config.internal.archive.CurrentConfigurations.Current;
import pcm.config.internal.archive.CurrentConfigurations.Metatypes;
import pcm.config.internal.settings.SettingText;
import pcm.config.internal.settings.SettingsFile;
import pcm.config.internal.settings.SettingsService.Described;

/**
 * What an import (or restore) of a read file does, worked out before anything is written: every value of the file
 * checked against its metatype (a PID no bundle describes, a key the metatype does not define, a value that does not
 * fit: each is a {@link Problem}, and any one refuses the whole file; a key the metatype does not define passes as it
 * is, as the validating plug-in lets it), then per configuration the values before and after and the {@code conf/}
 * file to write. A configuration of the file gets exactly its values: an attribute the file does not name goes back to
 * its default, except a secret the file says was left out, which keeps the value it has; an import keeps keys the
 * metatype does not define that the file does not name, a restore does not. A restore ({@code resetOthers}) also sends
 * every configuration with a {@code conf/} file that the snapshot does not hold back to its defaults (a factory
 * configuration: its file removed).
 */
final class ImportPlanner {

    /**
     * The plan: the values that change, the files to write (or remove), and per configuration what Config Admin must
     * hold afterwards ({@code expected} values; {@code absent} keys: the defaults).
     */
    record Plan(List<ConfigChange> changes, List<FileWrite> writes, Map<String, Map<String, Object>> expected,
                Map<String, Set<String>> absent) {
        List<Path> files() {
            return writes.stream().map(FileWrite::target).toList();
        }
    }

    private ImportPlanner() {}

    static Plan plan(ConfigDocument.Read file, Metatypes metatypes, Map<String, Current> current, SettingsFile files,
                     boolean resetOthers) throws ConfigArchiveException {
        List<Problem> problems = new ArrayList<>();
        Map<String, Map<String, Object>> typed = new LinkedHashMap<>();
        file.configurations().forEach((key, props) -> {
            Described d = metatypes.of(key);
            if (d == null) {
                problems.add(new Problem(key, null, null, "no bundle of this runtime has metatype for "
                        + (CurrentConfigurations.factoryPidOf(key) == null ? "this PID" : "factory PID " + CurrentConfigurations.factoryPidOf(key))
                        + " (a misspelt PID, or a bundle this variant does not have)"));
                return;
            }
            Map<String, AttributeDefinition> ads = new LinkedHashMap<>();
            for (AttributeDefinition ad : Values.attributes(d.ocd())) ads.put(ad.getID(), ad);
            Map<String, Object> values = new LinkedHashMap<>();
            for (Enumeration<String> keys = props.keys(); keys.hasMoreElements(); ) {
                String k = keys.nextElement();
                Object v = props.get(k);
                AttributeDefinition ad = ads.get(k);
                if (Exporter.ignored(k)) {
                    problems.add(new Problem(key, k, ConfigValidator.show(v), "not a setting: Config Admin, FileInstall and SCR set it"));
                    continue;
                }
                if (ad == null) {
                    // not defined by the metatype: passes as it is, as the validating plug-in lets it (a service property, pcm.rcp.id)
                    values.put(k, v);
                    continue;
                }
                try {
                    values.put(k, Values.typed(ad, v, d.ranges().get(k)));
                } catch (SettingText.Unfit u) {
                    problems.add(new Problem(key, k, ConfigValidator.show(v), (ad.getName() == null ? k : ad.getName()) + ": " + u.getMessage()));
                }
            }
            typed.put(key, values);
        });
        if (!problems.isEmpty()) throw ConfigArchiveException.refused(file.source(), problems);

        Set<String> leftOut = new HashSet<>(file.secretsLeftOut());
        List<ConfigChange> changes = new ArrayList<>();
        List<FileWrite> writes = new ArrayList<>();
        Map<String, Map<String, Object>> expected = new LinkedHashMap<>();
        Map<String, Set<String>> absent = new LinkedHashMap<>();
        typed.forEach((key, values) -> {
            Described d = metatypes.of(key);
            Current c = current.get(key);
            Dictionary<String, Object> before = c == null ? null : c.properties();
            // an import keeps what the metatype does not define unless the file names it; a restore makes the configuration exact
            Hashtable<String, Object> next = resetOthers ? new Hashtable<>() : undefinedKeys(before, d);
            Map<String, Object> expect = new LinkedHashMap<>();
            Set<String> unset = new HashSet<>();
            List<ConfigChange> these = new ArrayList<>();
            Set<String> definedIds = new HashSet<>();
            for (AttributeDefinition ad : Values.attributes(d.ocd())) definedIds.add(ad.getID());
            values.forEach((k, v) -> {
                if (definedIds.contains(k)) return;
                next.put(k, v);
                expect.put(k, v);
                Object was = before == null ? null : before.get(k);
                List<String> b = was == null ? List.of() : SettingText.texts(was);
                if (!b.equals(SettingText.texts(v))) these.add(new ConfigChange(key, k, b, SettingText.texts(v)));
            });
            if (resetOthers && before != null) undefinedKeys(before, d).forEach((k, v) -> {
                if (values.containsKey(k)) return;
                unset.add(k);
                these.add(new ConfigChange(key, k, SettingText.texts(v), List.of()));
            });
            Set<String> managed = SettingsFile.managed(before);
            for (AttributeDefinition ad : Values.attributes(d.ocd())) {
                String id = ad.getID();
                if (managed.contains(id)) continue; // set at run time by a PCM component (HttpsSetup): neither imported nor reset
                Object was = before == null ? null : before.get(id);
                Object will = leftOut.contains(key + "/" + id) ? was : values.get(id);
                if (will != null) {
                    next.put(id, will);
                    expect.put(id, will);
                } else unset.add(id);
                change(key, d, ad, was, will).ifPresent(these::add);
            }
            if (these.isEmpty()) return; // nothing of it changes: its file is not touched
            changes.addAll(these);
            Path target = files.of(key, before);
            writes.add(new FileWrite(target, next));
            expected.put(key, expect);
            absent.put(key, unset);
            if (SettingsFile.plain(target)) next.forEach((k, v) -> {
                if (v.getClass().isArray() || v instanceof Collection) problems.add(new Problem(key, k, ConfigValidator.show(v),
                        "a list cannot be written into " + target + " (a .cfg holds text only): rename it to "
                                + target.getFileName().toString().replaceFirst("\\.cfg$", ".config") + " (Felix's typed format)"));
            });
        });
        if (resetOthers) current.forEach((key, c) -> {
            if (typed.containsKey(key)) return;
            Path from = SettingsFile.loadedFrom(c.properties());
            // only what conf/ holds can be taken back; a customer's file or a bundle configures its PIDs again at every start
            if (from == null || !from.startsWith(files.confDir())) return;
            // a factory configuration the snapshot does not hold did not exist: its file goes; a singleton keeps undefined keys
            Hashtable<String, Object> next = c.factory() ? new Hashtable<>() : undefinedKeys(c.properties(), c.described());
            Set<String> unset = new HashSet<>();
            List<ConfigChange> these = new ArrayList<>();
            Set<String> managed = SettingsFile.managed(c.properties());
            for (AttributeDefinition ad : Values.attributes(c.described().ocd())) {
                if (managed.contains(ad.getID())) continue;
                unset.add(ad.getID());
                change(key, c.described(), ad, c.properties().get(ad.getID()), null).ifPresent(these::add);
            }
            if (these.isEmpty()) return;
            changes.addAll(these);
            writes.add(new FileWrite(from, next.isEmpty() ? null : next));
            expected.put(key, Map.of());
            absent.put(key, unset);
        });
        if (!problems.isEmpty()) throw ConfigArchiveException.refused(file.source(), problems);
        return new Plan(changes, writes, expected, absent);
    }

    /** The properties of a configuration that are neither internal (PID, FileInstall's) nor defined by its metatype. */
    private static Hashtable<String, Object> undefinedKeys(Dictionary<String, Object> props, Described d) {
        Set<String> defined = new HashSet<>(SettingsFile.managed(props));
        for (AttributeDefinition ad : Values.attributes(d.ocd())) defined.add(ad.getID());
        Hashtable<String, Object> out = new Hashtable<>();
        if (props == null) return out;
        for (Enumeration<String> keys = props.keys(); keys.hasMoreElements(); ) {
            String k = keys.nextElement();
            if (!Exporter.ignored(k) && !defined.contains(k)) out.put(k, props.get(k));
        }
        return out;
    }

    private static java.util.Optional<ConfigChange> change(String key, Described d, AttributeDefinition ad, Object was, Object will) {
        List<String> before = Values.shown(ad, was);
        List<String> after = Values.shown(ad, will);
        if (before.equals(after)) return java.util.Optional.empty();
        if (Secrets.is(d.pid(), ad)) return java.util.Optional.of(new ConfigChange(key, ad.getID(), List.of(ConfigChange.SECRET),
                List.of(will == null ? "(none)" : ConfigChange.SECRET + " changed")));
        return java.util.Optional.of(new ConfigChange(key, ad.getID(), before, after));
    }
}
