package pcm.redfish.internal.oem;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import pcm.config.api.Setting;
import pcm.config.api.SettingType;
import pcm.config.api.SettingsPid;

/** The settings service's PIDs as the OEM resource the web console builds its forms from, and PATCH values as its text. */
class SettingsResourcesTest {

    static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aPidBecomesAFormDescription() {
        Setting backend = new Setting("backend", "Backend", "where the guest runs", SettingType.STRING, 0, List.of("auto"),
                List.of(new Setting.Option("auto", "Auto"), new Setting.Option("soft", "Software CPU")), null, List.of("soft"), true);
        Setting period = new Setting("periodMillis", "Period", null, SettingType.LONG, 0, List.of("50"), List.of(), "1..", List.of("50"), false);
        ObjectNode n = SettingsResources.settings(new SettingsPid("pcm.vm", "VM", null, "pcm.core", true, Path.of("/d/conf/pcm.vm.cfg"),
                List.of(backend, period)));
        assertEquals("/redfish/v1/Oem/Pcm/Settings/pcm.vm", n.get("@odata.id").asText());
        assertEquals("/d/conf/pcm.vm.cfg", n.get("File").asText());
        var b = n.get("Attributes").get(0);
        assertEquals("String", b.get("Type").asText());
        assertEquals("Software CPU", b.get("Options").get(1).get("Label").asText());
        assertEquals("soft", b.get("Value").get(0).asText());
        var p = n.get("Attributes").get(1);
        assertEquals("Long", p.get("Type").asText());
        assertEquals("1..", p.get("Range").asText());
        assertEquals(false, p.get("Set").asBoolean());
    }

    @Test
    void patchValuesBecomeTheServicesText() throws Exception {
        assertEquals("7000", SettingsResources.text(JSON.readTree("7000")));
        assertEquals("soft,kvm", SettingsResources.text(JSON.readTree("[\"soft\",\"kvm\"]")));
        assertEquals("soft=checkpoint\\,x", SettingsResources.text(JSON.readTree("[\"soft=checkpoint,x\"]")));
        assertEquals("true", SettingsResources.text(JSON.readTree("true")));
        assertNull(SettingsResources.text(JSON.readTree("null")));
    }
}
