package pcm.config.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The settings of PCM's components: every configuration PID (not factory PID) that has metatype, read from Config
 * Admin without binding the configuration to the caller ({@code listConfigurations}, never {@code getConfiguration},
 * which detached {@code conf/pcm.vm.cfg} from its component for ever, issue 16).
 */
@ProviderType
public interface Settings {

    /** Every PID with metatype, sorted by PID. */
    List<SettingsPid> list();

    /** One PID, if it has metatype. */
    Optional<SettingsPid> get(String pid);

    /**
     * Changes settings of one PID, all or nothing: every value is checked against the PID's metatype first (the
     * attribute exists; type; min, max and options; cardinality); if one does not fit, nothing is written and the
     * exception names each refused key, its value and why. Then the PID's file in {@code <data>/conf/} (the one
     * FileInstall already reads for it, else {@code <pid>.config}) is rewritten with the current values and the
     * changed ones, so the change survives a restart, and the call waits (a bound, PID {@code pcm.config.settings})
     * until Config Admin holds every changed value.
     *
     * @param values attribute id to its value as text; a list attribute's elements comma-separated, a comma inside an
     *               element escaped as {@code \,} (the metatype's own list syntax, see {@link #listValue(List)})
     * @return what was written and whether it was applied within the bound (written but not applied is not an error:
     *         FileInstall may be slow; the file holds it)
     * @throws SettingsException unknown PID, a refused value, or the file could not be written; nothing changed
     */
    ChangeResult change(String pid, Map<String, String> values) throws SettingsException, InterruptedException;

    /** The elements of a list value in the syntax {@link #change} takes (commas and backslashes inside escaped). */
    static String listValue(List<String> elements) {
        List<String> escaped = new ArrayList<>();
        for (String e : elements) escaped.add(e.replace("\\", "\\\\").replace(",", "\\,"));
        return String.join(",", escaped);
    }
}
