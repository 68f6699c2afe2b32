package pcm.ui.internal.config;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.osgi.service.metatype.AttributeDefinition;

import pcm.ui.internal.commands.CommandFailure;
import pcm.ui.internal.status.ExitStatus;

class SettingValueTest {

    /** An attribute as Felix MetaType gives it: validate() returns "" when valid, a reason when not. */
    static AttributeDefinition attribute(String id, int type, int cardinality, long min, long max, String... options) {
        return new AttributeDefinition() {
            public String getName() { return id + " name"; }
            public String getID() { return id; }
            public String getDescription() { return ""; }
            public int getCardinality() { return cardinality; }
            public int getType() { return type; }
            public String[] getOptionValues() { return options.length == 0 ? null : options; }
            public String[] getOptionLabels() { return getOptionValues(); }
            public String validate(String value) {
                if (type != INTEGER && type != LONG) return "";
                long v = Long.parseLong(value);
                return v < min ? "less than minimum" : v > max ? "greater than maximum" : "";
            }
            public String[] getDefaultValue() { return null; }
        };
    }

    @Test
    void aValueThatFitsIsTyped() {
        assertEquals(3, SettingValue.parse("pcm.verification", attribute("workers", AttributeDefinition.INTEGER, 0, 1, 64), "3"));
        assertEquals(true, SettingValue.parse("p", attribute("auto", AttributeDefinition.BOOLEAN, 0, 0, 0), "TRUE"));
        assertArrayEquals(new String[] {"soft", "kvm"}, (String[]) SettingValue.parse("p",
                attribute("verifiers", AttributeDefinition.STRING, 10, 0, 0), "soft, kvm"));
        assertEquals("kvm", SettingValue.parse("pcm.vm", attribute("backend", AttributeDefinition.STRING, 0, 0, 0, "auto", "kvm", "soft"), "kvm"));
    }

    @Test
    void aValueThatDoesNotFitNamesPidKeyValueAndWhy() {
        CommandFailure range = assertThrows(CommandFailure.class, () -> SettingValue.parse("pcm.verification",
                attribute("workers", AttributeDefinition.INTEGER, 0, 1, 64), "99"));
        assertEquals(ExitStatus.USAGE, range.status());
        assertTrue(range.getMessage().startsWith("pcm.verification: workers=99 rejected") && range.getMessage().contains("greater than maximum")
                && range.getMessage().endsWith("nothing changed"), range.getMessage());

        CommandFailure type = assertThrows(CommandFailure.class, () -> SettingValue.parse("p",
                attribute("workers", AttributeDefinition.INTEGER, 0, 1, 64), "many"));
        assertTrue(type.getMessage().contains("workers=many") && type.getMessage().contains("not whole number"), type.getMessage());

        CommandFailure option = assertThrows(CommandFailure.class, () -> SettingValue.parse("pcm.vm",
                attribute("backend", AttributeDefinition.STRING, 0, 0, 0, "auto", "kvm", "soft"), "qemu"));
        assertTrue(option.getMessage().contains("backend=qemu") && option.getMessage().contains("auto, kvm, soft"), option.getMessage());

        assertThrows(CommandFailure.class, () -> SettingValue.parse("p", attribute("auto", AttributeDefinition.BOOLEAN, 0, 0, 0), "yes"));
    }
}
