package pcm.redfish.internal.oem;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Vector;

import org.junit.jupiter.api.Test;
import org.osgi.service.metatype.AttributeDefinition;

class SettingsTest {

    /** An attribute as Felix MetaType gives it, with a minimum and options checked by validate(). */
    record Ad(String id, int type, int cardinality, long min, String[] options) implements AttributeDefinition {
        public String getName() { return id; }
        public String getID() { return id; }
        public String getDescription() { return null; }
        public int getCardinality() { return cardinality; }
        public int getType() { return type; }
        public String[] getOptionValues() { return options; }
        public String[] getOptionLabels() { return options; }
        public String[] getDefaultValue() { return null; }

        public String validate(String value) {
            if (type == LONG) {
                try {
                    return Long.parseLong(value.strip()) < min ? "less than minimum" : "";
                } catch (NumberFormatException e) {
                    return "not a long";
                }
            }
            if (options != null && !List.of(options).contains(value)) return "not one of the options";
            return "";
        }
    }

    @Test
    void valuesBecomeTheAttributesType() {
        assertEquals(450L, Settings.typed(new Ad("periodMillis", AttributeDefinition.LONG, 0, 1, null), "450"));
        assertEquals(Boolean.TRUE, Settings.typed(new Ad("periodic", AttributeDefinition.BOOLEAN, 0, 0, null), "true"));
        assertArrayEquals(new String[] {"soft", "kvm"},
                (String[]) Settings.typed(new Ad("verifiers", AttributeDefinition.STRING, 10, 0, null), List.of("soft", "kvm")));
        assertEquals(new Vector<>(List.of(1L, 2L)), Settings.typed(new Ad("xs", AttributeDefinition.LONG, -5, 0, null), List.of("1", "2")));
    }

    @Test
    void aValueThatDoesNotFitIsRefusedWithTheReason() {
        Ad period = new Ad("periodMillis", AttributeDefinition.LONG, 0, 1, null);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Settings.typed(period, "-5")).getMessage().contains("minimum"));
        assertThrows(IllegalArgumentException.class, () -> Settings.typed(period, "soon"));
        assertThrows(IllegalArgumentException.class, () -> Settings.typed(period, List.of("1", "2")));
        Ad backend = new Ad("backend", AttributeDefinition.STRING, 0, 0, new String[] {"auto", "kvm", "soft"});
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Settings.typed(backend, "qemu")).getMessage().contains("one of auto, kvm, soft"));
        assertThrows(IllegalArgumentException.class, () -> Settings.typed(new Ad("b", AttributeDefinition.BOOLEAN, 0, 0, null), "yes"));
        assertThrows(IllegalArgumentException.class, () -> Settings.typed(new Ad("l", AttributeDefinition.STRING, 2, 0, null), List.of("a", "b", "c")));
    }

    @Test
    void textsCompareWhatWasAskedWithWhatConfigAdminHolds() {
        assertEquals(Settings.texts(450L), Settings.texts("450"));
        assertEquals(List.of("soft", "kvm"), Settings.texts(new String[] {"soft", "kvm"}));
        assertEquals(List.of(), Settings.texts(null));
    }
}
