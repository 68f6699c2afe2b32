package pcm.redfish.internal.oem;

import java.util.List;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import pcm.config.api.ConfigArchiveException;
import pcm.config.api.ConfigChange;
import pcm.config.api.ConfigSnapshot;
import pcm.config.api.ImportResult;
import pcm.redfish.internal.Json;

/**
 * The configuration archive (pcm.config's {@code ConfigArchive}) as OEM resources: the Settings collection's actions
 * {@value #EXPORT} and {@value #IMPORT}, the snapshots ({@value #SNAPSHOTS}, each with a Restore action), an import's
 * result, and a refused file as a Redfish error with one {@code PropertyValueError} message per refused value.
 */
public final class SettingsArchiveResources {

    public static final String ACTIONS = SettingsResources.SETTINGS + "/Actions";
    public static final String EXPORT = ACTIONS + "/PcmSettings.Export";
    public static final String IMPORT = ACTIONS + "/PcmSettings.Import";
    public static final String SNAPSHOTS = SettingsResources.SETTINGS + "/Snapshots";
    static final String RESTORE = "/Actions/PcmSnapshot.Restore";

    private SettingsArchiveResources() {}

    /** The Settings collection's {@code Actions} and {@code Snapshots} link. */
    static void addTo(ObjectNode collection) {
        ObjectNode actions = collection.putObject("Actions");
        ObjectNode export = actions.putObject("#PcmSettings.Export");
        export.put("target", EXPORT);
        export.putArray("All@Redfish.AllowableValues").add(false).add(true);
        export.putArray("WithSecrets@Redfish.AllowableValues").add(false).add(true);
        export.put("Description", "the whole configuration as one OSGi Configurator JSON file (the body of the answer); All: defaults"
                + " too; WithSecrets: passwords and pcm.api's user hashes (Administrator only)");
        ObjectNode imp = actions.putObject("#PcmSettings.Import");
        imp.put("target", IMPORT);
        imp.put("Description", "body: an exported file, or {\"Configuration\": <the file>, \"DryRun\": true}; checked whole against the"
                + " metatype, written all or nothing after an automatic snapshot");
        collection.putObject("Snapshots").put("@odata.id", SNAPSHOTS);
    }

    static ObjectNode snapshots(List<ConfigSnapshot> all) {
        ObjectNode n = Json.object();
        n.put("@odata.id", SNAPSHOTS);
        n.put("@odata.type", "#PcmSnapshotCollection.PcmSnapshotCollection");
        n.put("Name", "Configuration snapshots");
        n.put("Description", "POST {\"Name\": \"...\"} takes one; a member's #PcmSnapshot.Restore restores it");
        ArrayNode members = n.putArray("Members");
        for (ConfigSnapshot s : all) members.add(snapshot(s));
        n.put("Members@odata.count", all.size());
        return n;
    }

    static String uri(ConfigSnapshot s) {
        return SNAPSHOTS + "/" + s.id();
    }

    static ObjectNode snapshot(ConfigSnapshot s) {
        ObjectNode n = Json.object();
        n.put("@odata.id", uri(s));
        n.put("@odata.type", "#PcmSnapshot.v1_0_0.PcmSnapshot");
        n.put("Id", s.id());
        n.put("Name", s.name() == null ? s.id() : s.name());
        n.put("Created", s.created().toString());
        n.put("Automatic", s.automatic());
        n.put("SizeBytes", s.sizeBytes());
        n.putObject("Actions").putObject("#PcmSnapshot.Restore").put("target", uri(s) + RESTORE);
        return n;
    }

    static ObjectNode result(ImportResult r) {
        ObjectNode n = Json.object();
        n.put("@odata.type", "#PcmSettingsImport.v1_0_0.PcmSettingsImport");
        n.put("DryRun", r.dryRun());
        n.put("Applied", r.applied());
        ArrayNode changes = n.putArray("Changes");
        for (ConfigChange c : r.changes()) {
            ObjectNode o = changes.addObject();
            o.put("Configuration", c.configuration());
            o.put("Key", c.key());
            c.before().forEach(o.putArray("Before")::add);
            c.after().forEach(o.putArray("After")::add);
        }
        ArrayNode files = n.putArray("Files");
        r.files().forEach(f -> files.add(f.toString()));
        if (r.snapshotBefore() != null) n.set("SnapshotBefore", snapshot(r.snapshotBefore()));
        if (!r.dryRun() && !r.applied()) n.put("Message", "written to conf/; not applied in time (FileInstall applies conf/ files; see log/pcm.log)");
        return n;
    }

    /** A refused file: {@code error.message} the whole refusal, one {@code Base.1.0.PropertyValueError} per refused value. */
    static ObjectNode refusal(ConfigArchiveException e) {
        ObjectNode body = Json.object();
        ObjectNode error = body.putObject("error");
        error.put("code", "Base.1.0.PropertyValueError");
        error.put("message", e.getMessage());
        ArrayNode infos = error.putArray("@Message.ExtendedInfo");
        for (ConfigArchiveException.Problem p : e.problems()) {
            ObjectNode info = infos.addObject();
            info.put("@odata.type", "#Message.v1_1_2.Message");
            info.put("MessageId", "Base.1.0.PropertyValueError");
            info.put("Message", e.source() + ": " + p);
            ArrayNode args = info.putArray("MessageArgs");
            args.add(p.value() == null ? "" : p.value());
            args.add(p.configuration() + (p.key() == null ? "" : "/" + p.key()));
            info.putArray("RelatedProperties").add("#/" + p.configuration() + (p.key() == null ? "" : "/" + p.key()));
            info.put("Severity", "Warning");
            info.put("Resolution", "Correct the value in the file (pcm:config show " + p.configuration().replaceFirst("~.*", "")
                    + " says what is allowed) and import it again; nothing was changed");
        }
        return body;
    }
}
