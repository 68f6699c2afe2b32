package pcm.redfish.internal.oem;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import pcm.config.api.Setting;
import pcm.config.api.Settings;
import pcm.config.api.SettingsPid;
import pcm.redfish.internal.Json;

/**
 * Settings as OEM resources ({@value #SETTINGS}): one member per configuration PID with metatype (pcm.config's
 * {@link Settings} service), its attributes described the way a client builds a form from them (type, cardinality,
 * options, default, current value).
 */
public final class SettingsResources {

    public static final String SETTINGS = WindowResources.BASE + "/Settings";

    private SettingsResources() {}

    public static ObjectNode collection(List<SettingsPid> all) {
        ObjectNode n = Json.object();
        n.put("@odata.id", SETTINGS);
        n.put("@odata.type", "#PcmSettingsCollection.PcmSettingsCollection");
        n.put("Name", "Settings");
        n.put("Description", "Configuration PIDs with metatype; PATCH a member's Attributes to change them");
        ArrayNode members = n.putArray("Members");
        for (SettingsPid p : all) {
            ObjectNode m = members.addObject();
            m.put("@odata.id", SETTINGS + "/" + p.pid());
            m.put("Id", p.pid());
            m.put("Name", p.name());
            m.put("Bundle", p.bundle());
        }
        n.put("Members@odata.count", all.size());
        SettingsArchiveResources.addTo(n);
        return n;
    }

    public static ObjectNode settings(SettingsPid p) {
        ObjectNode n = Json.object();
        n.put("@odata.id", SETTINGS + "/" + p.pid());
        n.put("@odata.type", "#PcmSettings.v1_0_0.PcmSettings");
        n.put("Id", p.pid());
        n.put("Name", p.name());
        if (p.description() != null) n.put("Description", p.description());
        n.put("Bundle", p.bundle());
        n.put("Configured", p.configured());
        n.put("File", p.file().toString());
        ArrayNode attributes = n.putArray("Attributes");
        for (Setting s : p.settings()) attributes.add(attribute(s));
        n.putObject("Actions").put("PATCH", "{\"Attributes\": {\"<id>\": <value>}}: checked against the metatype, "
                + "written to conf/, applied by FileInstall");
        return n;
    }

    static ObjectNode attribute(Setting s) {
        ObjectNode a = Json.object();
        a.put("Id", s.id());
        a.put("Name", s.name());
        if (s.description() != null) a.put("Description", s.description());
        a.put("Type", s.type().label());
        a.put("Cardinality", s.cardinality());
        if (s.range() != null) a.put("Range", s.range());
        ArrayNode def = a.putArray("Default");
        s.defaults().forEach(def::add);
        if (!s.options().isEmpty()) {
            ArrayNode o = a.putArray("Options");
            for (Setting.Option option : s.options()) o.addObject().put("Value", option.value()).put("Label", option.label());
        }
        a.put("Set", s.set());
        ArrayNode current = a.putArray("Value");
        s.value().forEach(current::add); // the service never gives a password's
        return a;
    }

    /** A PATCH value as the text the settings service takes: a JSON array is a list, anything else its text; null stays null. */
    static String text(JsonNode v) {
        if (v == null || v.isNull()) return null;
        if (v.isArray()) {
            List<String> elements = new ArrayList<>();
            v.forEach(x -> elements.add(x.asText()));
            return Settings.listValue(elements);
        }
        return v.asText();
    }
}
