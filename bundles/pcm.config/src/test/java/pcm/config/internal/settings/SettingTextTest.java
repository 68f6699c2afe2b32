package pcm.config.internal.settings;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static pcm.config.internal.ConfigValidatorTest.ad;

import java.util.List;
import java.util.Vector;

import org.junit.jupiter.api.Test;
import org.osgi.service.metatype.AttributeDefinition;

import pcm.config.api.Settings;

/**
 * A setting's text made into its attribute's value, checked by Felix MetaType's own validation (the attributes are
 * Felix's {@code AD}, as the runtime has them): what the shell's SettingValueTest and the API's SettingsTest checked of
 * their two copies, now of the one.
 */
class SettingTextTest {

    static final AttributeDefinition WORKERS = ad("workers", "Integer", 0, "1", "64");
    static final AttributeDefinition PERIOD = ad("periodMillis", "Long", 0, "1", null);
    static final AttributeDefinition BACKEND = ad("backend", "String", 0, null, null, "auto", "kvm", "soft");
    static final AttributeDefinition VERIFIERS = ad("verifiers", "String", 10, null, null);

    @Test
    void aValueThatFitsBecomesTheAttributesType() throws Exception {
        assertEquals(3, SettingText.typed(WORKERS, "3", null));
        assertEquals(450L, SettingText.typed(PERIOD, " 450 ", null));
        assertEquals(true, SettingText.typed(ad("auto", "Boolean", 0, null, null), "TRUE", null));
        assertEquals("kvm", SettingText.typed(BACKEND, "kvm", null));
        assertArrayEquals(new String[] {"soft", "kvm"}, (String[]) SettingText.typed(VERIFIERS, "soft, kvm", null));
        assertArrayEquals(new String[] {}, (String[]) SettingText.typed(VERIFIERS, "", null), "an empty list");
        assertEquals(new Vector<>(List.of(1L, 2L)), SettingText.typed(ad("xs", "Long", -5, null, null), "1,2", null));
    }

    @Test
    void aValueThatDoesNotFitSaysWhy() {
        String range = assertThrows(SettingText.Unfit.class, () -> SettingText.typed(WORKERS, "99", "1..64")).getMessage();
        assertTrue(range.contains("greater than maximum") && range.endsWith("allowed 1..64"), range);
        assertTrue(assertThrows(SettingText.Unfit.class, () -> SettingText.typed(PERIOD, "-5", "1..")).getMessage().contains("minimum"));
        assertEquals("'many' is not an integer", assertThrows(SettingText.Unfit.class, () -> SettingText.typed(WORKERS, "many", null)).getMessage());
        assertTrue(assertThrows(SettingText.Unfit.class, () -> SettingText.typed(BACKEND, "qemu", null)).getMessage().contains("auto, kvm, soft"));
        assertThrows(SettingText.Unfit.class, () -> SettingText.typed(ad("auto", "Boolean", 0, null, null), "yes", null));
        assertThrows(SettingText.Unfit.class, () -> SettingText.typed(ad("c", "Char", 0, null, null), "ab", null));
        assertTrue(assertThrows(SettingText.Unfit.class, () -> SettingText.typed(ad("l", "String", 2, null, null), "a,b,c", null))
                .getMessage().contains("at most 2"));
        assertThrows(SettingText.Unfit.class, () -> SettingText.typed(WORKERS, null, null));
    }

    @Test
    void listElementsMayHoldEscapedCommas() throws Exception {
        String text = Settings.listValue(List.of("soft=checkpoint,x", "a\\b"));
        assertEquals("soft=checkpoint\\,x,a\\\\b", text);
        assertEquals(List.of("soft=checkpoint,x", "a\\b"), SettingText.split(text));
        assertEquals(new Vector<>(List.of("soft=checkpoint,x")), SettingText.typed(ad("strategies", "String", -10, null, null),
                Settings.listValue(List.of("soft=checkpoint,x")), null));
    }

    @Test
    void textsCompareWhatWasAskedWithWhatConfigAdminHolds() {
        assertEquals(SettingText.texts(450L), SettingText.texts("450"));
        assertEquals(List.of("soft", "kvm"), SettingText.texts(new String[] {"soft", "kvm"}));
        assertEquals(List.of(), SettingText.texts(null));
    }
}
