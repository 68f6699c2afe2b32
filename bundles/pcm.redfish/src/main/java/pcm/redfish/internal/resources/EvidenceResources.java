package pcm.redfish.internal.resources;

import java.util.List;

import com.fasterxml.jackson.databind.node.ObjectNode;

import pcm.core.api.verify.Verdict;
import pcm.ui.api.evidence.EvidenceBundle;

/**
 * Evidence bundles as Redfish diagnostic data: {@code LogService.CollectDiagnosticData} (DiagnosticDataType {@code OEM},
 * OEMDiagnosticDataType {@value #OEM_TYPE}) on the verdict log creates a LogEntry in the {@code Evidence} LogService
 * whose {@code AdditionalDataURI} is the archive (LogEntry v1_7 on: DiagnosticDataType, AdditionalDataURI,
 * AdditionalDataSizeBytes).
 */
public final class EvidenceResources {

    public static final String OEM_TYPE = "PcmEvidence";
    public static final String ACTION = "LogService.CollectDiagnosticData";
    public static final String SERVICE = Odata.SYSTEM + "/LogServices/Evidence";
    public static final String ENTRIES = SERVICE + "/Entries";
    /** The action on the verdict log (the issue's: the verdicts' LogService collects a window's evidence). */
    public static final String COLLECT = Odata.VERDICT_LOG + "/Actions/" + ACTION;
    /** The same action on the evidence LogService itself. */
    public static final String COLLECT_HERE = SERVICE + "/Actions/" + ACTION;
    public static final String ATTACHMENT = "attachment";

    private EvidenceResources() {}

    /** The action's description in a LogService's Actions, with the values it takes. */
    public static ObjectNode action(String target) {
        ObjectNode a = pcm.redfish.internal.Json.object();
        a.put("target", target);
        a.putArray("DiagnosticDataType@Redfish.AllowableValues").add("OEM");
        a.putArray("OEMDiagnosticDataType@Redfish.AllowableValues").add(OEM_TYPE);
        return a;
    }

    public static ObjectNode service(int entries) {
        ObjectNode n = Odata.resource("Evidence", Odata.LOG_SERVICE, SERVICE, "Evidence bundles");
        n.put("Description", "One entry per collected evidence bundle of a sampling window (its files, verdicts, divergence and"
                + " host facts, one zip archive a vendor can replay: docs/evidence-format.md); the archive is the entry's AdditionalDataURI");
        n.put("ServiceEnabled", true);
        n.put("MaxNumberOfRecords", Math.max(entries, 1));
        n.put("OverWritePolicy", "NeverOverWrites");
        n.put("LogEntryType", "OEM");
        n.set("Status", Odata.status("Enabled", "OK"));
        n.set("Entries", Odata.link(ENTRIES));
        n.putObject("Actions").set("#" + ACTION, action(COLLECT_HERE));
        return n;
    }

    public static ObjectNode entries(List<EvidenceBundle> bundles) {
        ObjectNode n = Odata.resource(null, Odata.LOG_ENTRY_COLLECTION, ENTRIES, "Evidence bundles");
        var members = n.putArray("Members");
        for (EvidenceBundle b : bundles) members.add(entry(b));
        n.put("Members@odata.count", bundles.size());
        return n;
    }

    public static String uri(EvidenceBundle b) {
        return ENTRIES + "/" + b.id();
    }

    public static ObjectNode entry(EvidenceBundle b) {
        ObjectNode n = Odata.resource(b.id(), Odata.LOG_ENTRY, uri(b), "Evidence of window " + b.windowId());
        n.put("EntryType", "Oem");
        n.put("OemRecordFormat", "PCM evidence bundle");
        n.put("Created", b.created().toString());
        n.put("Severity", Health.of(b.verdicts()));
        n.put("Message", "evidence bundle of window " + b.windowId() + ", verdicts: " + summary(b.verdicts()));
        n.put("DiagnosticDataType", "OEM");
        n.put("OEMDiagnosticDataType", OEM_TYPE);
        n.put("AdditionalDataURI", uri(b) + "/" + ATTACHMENT);
        n.put("AdditionalDataSizeBytes", b.bytes());
        ObjectNode oem = n.putObject("Oem").putObject("Pcm");
        oem.put("@odata.type", "#PcmEvidence.v1_0_0.PcmEvidence");
        oem.put("WindowId", b.windowId());
        oem.put("FormatVersion", b.formatVersion());
        oem.put("Sha256", b.sha256());
        var verdicts = oem.putArray("Verdicts");
        for (Verdict v : b.verdicts()) {
            ObjectNode x = verdicts.addObject();
            x.put("Verifier", v.rcp());
            x.put("Outcome", v.outcome().name());
            v.divergence().ifPresent(d -> {
                x.put("Position", d.position());
                x.put("Rip", "0x" + Long.toHexString(d.rip()));
            });
        }
        return n;
    }

    static String summary(List<Verdict> verdicts) {
        if (verdicts.isEmpty()) return "none";
        StringBuilder s = new StringBuilder();
        for (Verdict v : verdicts) {
            if (!s.isEmpty()) s.append("; ");
            s.append(v.rcp()).append(' ').append(v.outcome());
            v.divergence().ifPresent(d -> s.append(" at instruction ").append(d.position()));
        }
        return s.toString();
    }
}
