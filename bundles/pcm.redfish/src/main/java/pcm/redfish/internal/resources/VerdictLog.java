package pcm.redfish.internal.resources;

import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.databind.node.ObjectNode;

import pcm.core.api.verify.Verdict;

/** {@code Systems/guest/LogServices/Verdicts}: a LogService whose entries are the verifiers' verdicts on the windows. */
public final class VerdictLog {

    public static final String CLEAR = Odata.VERDICT_LOG + "/Actions/LogService.ClearLog";

    private VerdictLog() {}

    public static ObjectNode services() {
        return Odata.collection(Odata.LOG_SERVICE_COLLECTION, Odata.SYSTEM + "/LogServices", "Log Service Collection",
                List.of(Odata.VERDICT_LOG, EvidenceResources.SERVICE));
    }

    public static ObjectNode service(int entries, Optional<ClearedVerdicts.Summary> lastCleared) {
        ObjectNode n = Odata.resource("Verdicts", Odata.LOG_SERVICE, Odata.VERDICT_LOG, "CPU check verdicts");
        n.put("Description", "One entry per verifier and sampling window: MATCH, DIVERGED or INCONCLUSIVE");
        n.put("ServiceEnabled", true);
        n.put("MaxNumberOfRecords", Math.max(entries, 1));
        n.put("OverWritePolicy", "NeverOverWrites");
        n.put("LogEntryType", "OEM");
        n.set("Status", Odata.status("Enabled", "OK"));
        n.set("Entries", Odata.link(Odata.VERDICT_LOG + "/Entries"));
        ObjectNode actions = n.putObject("Actions");
        actions.putObject("Oem").putObject("#Pcm.Verify").put("target", TaskResources.VERIFY);
        actions.set("#" + EvidenceResources.ACTION, EvidenceResources.action(EvidenceResources.COLLECT));
        actions.putObject("#LogService.ClearLog").put("target", CLEAR);
        ObjectNode oem = n.putObject("Oem").putObject("Pcm");
        if (lastCleared.isEmpty()) oem.putNull("LastCleared");
        else oem.set("LastCleared", summary(lastCleared.get()));
        return n;
    }

    private static ObjectNode summary(ClearedVerdicts.Summary s) {
        ObjectNode n = pcm.redfish.internal.Json.object();
        n.put("Time", s.time().toString());
        n.put("By", s.user());
        n.put("Entries", s.entries());
        ObjectNode o = n.putObject("Outcomes");
        s.outcomes().forEach((k, v) -> o.put(k.name(), v));
        return n;
    }

    /** ClearLog's answer: what was cleared, and that nothing was deleted. */
    public static ObjectNode cleared(ClearedVerdicts.Summary s, int windows) {
        ObjectNode n = pcm.redfish.internal.Json.object();
        ObjectNode info = n.putArray("@Message.ExtendedInfo").addObject();
        info.put("@odata.type", "#Message.v1_1_2.Message");
        info.put("MessageId", "Base.1.0.Success");
        info.put("Message", "Cleared " + s.entries() + " verdict entries. The " + windows + " windows in the store, their verdict files "
                + "and evidence bundles are kept (retention removes windows); the OEM window resources still show every verdict.");
        info.put("Severity", "OK");
        n.putObject("Oem").putObject("Pcm").set("Cleared", summary(s));
        return n;
    }

    /** The entry id of a verdict: window and verifier ("w123.soft"). */
    public static String id(Verdict v) {
        return v.windowId() + "." + v.rcp();
    }

    public static ObjectNode entries(List<Verdict> verdicts) {
        ObjectNode n = Odata.resource(null, Odata.LOG_ENTRY_COLLECTION, Odata.VERDICT_LOG + "/Entries", "Verdicts");
        var members = n.putArray("Members");
        for (Verdict v : verdicts) members.add(entry(v));
        n.put("Members@odata.count", verdicts.size());
        return n;
    }

    public static Optional<Verdict> find(List<Verdict> verdicts, String id) {
        return verdicts.stream().filter(v -> id(v).equals(id)).reduce((first, later) -> later); // the latest counts
    }

    public static ObjectNode entry(Verdict v) {
        String id = id(v);
        ObjectNode n = Odata.resource(id, Odata.LOG_ENTRY, Odata.VERDICT_LOG + "/Entries/" + id,
                "Verdict of " + v.rcp() + " on window " + v.windowId());
        n.put("EntryType", "Oem");
        n.put("OemRecordFormat", "PCM verdict");
        n.put("Severity", Health.of(v));
        StringBuilder message = new StringBuilder("window " + v.windowId() + " " + v.outcome() + " rcp=" + v.rcp()
                + " insns=" + v.instructions());
        v.divergence().ifPresent(d -> message.append(": ").append(d));
        if (!v.detail().isEmpty()) message.append(": ").append(v.detail());
        n.put("Message", message.toString());
        ObjectNode oem = n.putObject("Oem").putObject("Pcm");
        oem.put("@odata.type", "#PcmVerdict.v1_0_0.PcmVerdict");
        oem.put("WindowId", v.windowId());
        oem.put("Verifier", v.rcp());
        oem.put("Outcome", v.outcome().name());
        oem.put("Instructions", v.instructions());
        v.divergence().ifPresent(d -> oem.put("Divergence", d.toString()));
        return n;
    }
}
