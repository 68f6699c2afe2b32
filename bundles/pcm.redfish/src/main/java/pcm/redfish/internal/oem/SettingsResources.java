package pcm.redfish.internal.oem;

import java.util.Dictionary;
import java.util.List;

import org.osgi.service.metatype.AttributeDefinition;
import org.osgi.service.metatype.ObjectClassDefinition;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import pcm.redfish.internal.Json;

/**
 * Settings as OEM resources ({@value #SETTINGS}): one member per configuration PID with metatype, its attributes
 * described the way a client builds a form from them (type, cardinality, options, default, current value).
 */
public final class SettingsResources {

    public static final String SETTINGS = WindowResources.BASE + "/Settings";

    private SettingsResources() {}

    public static ObjectNode collection(List<Settings.Described> all) {
        ObjectNode n = Json.object();
        n.put("@odata.id", SETTINGS);
        n.put("@odata.type", "#PcmSettingsCollection.PcmSettingsCollection");
        n.put("Name", "Settings");
        n.put("Description", "Configuration PIDs with metatype; PATCH a member's Attributes to change them");
        ArrayNode members = n.putArray("Members");
        for (Settings.Described d : all) {
            ObjectNode m = members.addObject();
            m.put("@odata.id", SETTINGS + "/" + d.pid());
            m.put("Id", d.pid());
            m.put("Name", d.ocd().getName());
            m.put("Bundle", d.bundle().getSymbolicName());
        }
        n.put("Members@odata.count", all.size());
        return n;
    }

    public static ObjectNode settings(Settings.Described d, Dictionary<String, Object> current, String file) {
        ObjectNode n = Json.object();
        n.put("@odata.id", SETTINGS + "/" + d.pid());
        n.put("@odata.type", "#PcmSettings.v1_0_0.PcmSettings");
        n.put("Id", d.pid());
        n.put("Name", d.ocd().getName());
        if (d.ocd().getDescription() != null) n.put("Description", d.ocd().getDescription());
        n.put("Bundle", d.bundle().getSymbolicName());
        n.put("Configured", !current.isEmpty());
        if (file != null) n.put("File", file);
        ArrayNode attributes = n.putArray("Attributes");
        AttributeDefinition[] ads = d.ocd().getAttributeDefinitions(ObjectClassDefinition.ALL);
        if (ads != null) for (AttributeDefinition ad : ads) attributes.add(attribute(ad, current.get(ad.getID())));
        n.putObject("Actions").put("PATCH", "{\"Attributes\": {\"<id>\": <value>}}: checked against the metatype, "
                + "written to conf/, applied by FileInstall");
        return n;
    }

    static ObjectNode attribute(AttributeDefinition ad, Object value) {
        ObjectNode a = Json.object();
        a.put("Id", ad.getID());
        a.put("Name", ad.getName() == null ? ad.getID() : ad.getName());
        if (ad.getDescription() != null) a.put("Description", ad.getDescription());
        a.put("Type", Settings.typeName(ad.getType()));
        a.put("Cardinality", ad.getCardinality());
        boolean password = ad.getType() == AttributeDefinition.PASSWORD;
        String[] defaults = ad.getDefaultValue();
        ArrayNode def = a.putArray("Default");
        if (defaults != null && !password) for (String s : defaults) def.add(s);
        String[] options = ad.getOptionValues();
        if (options != null && options.length > 0) {
            String[] labels = ad.getOptionLabels();
            ArrayNode o = a.putArray("Options");
            for (int i = 0; i < options.length; i++) {
                ObjectNode opt = o.addObject();
                opt.put("Value", options[i]);
                opt.put("Label", labels != null && i < labels.length ? labels[i] : options[i]);
            }
        }
        a.put("Set", value != null);
        ArrayNode current = a.putArray("Value");
        if (password) return a; // never sent back
        if (value != null) Settings.texts(value).forEach(current::add);
        else if (defaults != null) for (String s : defaults) current.add(s);
        return a;
    }
}
