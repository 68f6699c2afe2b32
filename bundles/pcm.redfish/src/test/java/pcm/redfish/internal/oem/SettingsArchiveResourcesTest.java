package pcm.redfish.internal.oem;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.ObjectNode;

import pcm.config.api.ConfigArchiveException;
import pcm.config.api.ConfigChange;
import pcm.config.api.ConfigSnapshot;
import pcm.config.api.ImportResult;

/** The archive's Redfish shapes: a refusal names each value, a snapshot carries its Restore action, the collection its actions. */
class SettingsArchiveResourcesTest {

    @Test
    void aRefusalIsOnePropertyValueErrorPerValue() {
        ConfigArchiveException e = ConfigArchiveException.refused("PcmSettings.Import of admin", List.of(
                new ConfigArchiveException.Problem("pcm.vm", "memoryMiB", "1048576", "Memory (MiB): greater than maximum; allowed 4..3072"),
                new ConfigArchiveException.Problem("pcm.nosuch", null, null, "no bundle of this runtime has metatype for this PID")));
        ObjectNode n = SettingsArchiveResources.refusal(e);
        assertEquals("Base.1.0.PropertyValueError", n.at("/error/code").asText());
        assertTrue(n.at("/error/message").asText().endsWith("; nothing changed"));
        var first = n.at("/error/@Message.ExtendedInfo/0");
        assertEquals("PcmSettings.Import of admin: pcm.vm: memoryMiB=1048576 rejected (Memory (MiB): greater than maximum; allowed 4..3072)",
                first.get("Message").asText());
        assertEquals("1048576", first.at("/MessageArgs/0").asText());
        assertEquals("pcm.vm/memoryMiB", first.at("/MessageArgs/1").asText());
        assertEquals("#/pcm.nosuch", n.at("/error/@Message.ExtendedInfo/1/RelatedProperties/0").asText());
    }

    @Test
    void snapshotsResultsAndTheCollectionsActions() {
        ConfigSnapshot s = new ConfigSnapshot("20261207T041530.250Z-x", "x", Instant.parse("2026-12-07T04:15:30.250Z"), false, Path.of("/d/s.json"), 10);
        ObjectNode snap = SettingsArchiveResources.snapshot(s);
        assertEquals("/redfish/v1/Oem/Pcm/Settings/Snapshots/20261207T041530.250Z-x/Actions/PcmSnapshot.Restore",
                snap.at("/Actions/#PcmSnapshot.Restore/target").asText());
        ObjectNode r = SettingsArchiveResources.result(new ImportResult(true, List.of(new ConfigChange("pcm.vm", "backend", List.of("auto"),
                List.of("soft"))), null, List.of(), false));
        assertEquals("soft", r.at("/Changes/0/After/0").asText());
        ObjectNode collection = SettingsResources.collection(List.of());
        assertEquals("/redfish/v1/Oem/Pcm/Settings/Actions/PcmSettings.Export", collection.at("/Actions/#PcmSettings.Export/target").asText());
        assertEquals("/redfish/v1/Oem/Pcm/Settings/Snapshots", collection.at("/Snapshots/@odata.id").asText());
    }
}
