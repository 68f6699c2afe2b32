package pcm.redfish.internal.update;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.List;

import org.junit.jupiter.api.Test;

import pcm.redfish.internal.resources.UpdateResources;
import pcm.ui.api.firmware.FirmwareException;
import pcm.ui.api.firmware.FirmwareImage;

/** The UpdateService's resources and the size limit of a pushed image. */
class UpdateResourcesTest {

    static final FirmwareImage ACTIVE = new FirmwareImage("pcm.webconsole", "0.1.0.2", true, 42, "ACTIVE", "jar/pcm.webconsole.jar");
    static final FirmwareImage PREVIOUS = new FirmwareImage("pcm.webconsole", "0.1.0.1", false, -1, "PREVIOUS", "/d/firmware/pcm.webconsole/previous.jar");

    @Test
    void theInventoryListsActiveAndPreviousVersions() {
        var c = UpdateResources.inventory(List.of(ACTIVE, PREVIOUS));
        assertEquals(2, c.get("Members@odata.count").asInt());
        assertEquals("/redfish/v1/UpdateService/FirmwareInventory/Previous-pcm.webconsole", c.get("Members").get(1).get("@odata.id").asText());
        var a = UpdateResources.software(ACTIVE);
        assertEquals("#SoftwareInventory.v1_10_0.SoftwareInventory", a.get("@odata.type").asText());
        assertEquals("0.1.0.2", a.get("Version").asText());
        assertEquals("pcm.webconsole", a.get("SoftwareId").asText());
        assertEquals("Enabled", a.get("Status").get("State").asText());
        assertEquals(42, a.get("Oem").get("Pcm").get("BundleId").asLong());
        var p = UpdateResources.software(PREVIOUS);
        assertEquals("StandbyOffline", p.get("Status").get("State").asText());
        assertEquals(false, p.get("Updateable").asBoolean());
        var s = UpdateResources.service(1024);
        assertEquals("/redfish/v1/UpdateService/update", s.get("HttpPushUri").asText());
        assertEquals(1024, s.get("MaxImageSizeBytes").asLong());
        assertTrue(s.get("Actions").has("#UpdateService.SimpleUpdate"));
        assertEquals(UpdateResources.ROLLBACK, s.get("Actions").get("Oem").get("#Pcm.Rollback").get("target").asText());
    }

    @Test
    void anImageLargerThanTheLimitIsRefusedBeforeOrWhileReading() throws Exception {
        assertArrayEquals(new byte[10], UpdateServlet.read(new ByteArrayInputStream(new byte[10]), 10, 10));
        FirmwareException declared = assertThrows(FirmwareException.class, () -> UpdateServlet.read(InputStream.nullInputStream(), 11, 10));
        assertEquals(FirmwareException.Kind.TOO_LARGE, declared.kind());
        FirmwareException chunked = assertThrows(FirmwareException.class, () -> UpdateServlet.read(new ByteArrayInputStream(new byte[100]), -1, 10));
        assertTrue(chunked.getMessage().contains("more than 10"), chunked.getMessage());
    }
}
