package pcm.redfish.internal.resources;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.ObjectNode;

import pcm.core.api.verify.Divergence;
import pcm.core.api.verify.Verdict;
import pcm.ui.api.evidence.EvidenceBundle;

/** Evidence bundles as Redfish LogEntries of diagnostic data, and the CollectDiagnosticData action where clients look for it. */
class EvidenceResourcesTest {

    static final EvidenceBundle BUNDLE = new EvidenceBundle("w5-1700000000000", Path.of("/data/evidence/w5-1700000000000.zip"), "1.0", "w5",
            Instant.parse("2026-12-07T00:40:00Z"), "ab".repeat(32), 12345, List.of(),
            List.of(Verdict.match("soft", "w5", 2000), Verdict.diverged("inject", "w5", 2000, new Divergence(500, 0x1000, List.of("x")))),
            Map.of());

    @Test
    void anEntryIsOemDiagnosticDataWithItsArchiveAsAdditionalData() {
        ObjectNode e = EvidenceResources.entry(BUNDLE);
        assertEquals(EvidenceResources.ENTRIES + "/w5-1700000000000", e.get("@odata.id").asText());
        assertEquals("OEM", e.get("DiagnosticDataType").asText());
        assertEquals("PcmEvidence", e.get("OEMDiagnosticDataType").asText());
        assertEquals(EvidenceResources.ENTRIES + "/w5-1700000000000/attachment", e.get("AdditionalDataURI").asText());
        assertEquals(12345, e.get("AdditionalDataSizeBytes").asLong());
        assertEquals("Critical", e.get("Severity").asText(), "a DIVERGED verdict in the bundle");
        assertEquals(500, e.get("Oem").get("Pcm").get("Verdicts").get(1).get("Position").asLong());
        assertEquals("evidence bundle of window w5, verdicts: soft MATCH; inject DIVERGED at instruction 500", e.get("Message").asText());
    }

    @Test
    void theVerdictLogOffersTheActionAndTheCollectionListsTheEvidenceLog() {
        ObjectNode action = (ObjectNode) VerdictLog.service(0, java.util.Optional.empty()).get("Actions").get("#LogService.CollectDiagnosticData");
        assertEquals(EvidenceResources.COLLECT, action.get("target").asText());
        assertEquals("PcmEvidence", action.get("OEMDiagnosticDataType@Redfish.AllowableValues").get(0).asText());
        assertEquals(List.of(Odata.VERDICT_LOG, EvidenceResources.SERVICE),
                List.of(VerdictLog.services().get("Members").get(0).get("@odata.id").asText(),
                        VerdictLog.services().get("Members").get(1).get("@odata.id").asText()));
        assertEquals(1, EvidenceResources.entries(List.of(BUNDLE)).get("Members@odata.count").asInt());
    }
}
