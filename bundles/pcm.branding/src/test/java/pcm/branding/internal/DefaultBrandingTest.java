package pcm.branding.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import pcm.branding.api.BrandingDefaults;

class DefaultBrandingTest {

    @TempDir
    Path data;

    @Test
    void withoutConfigurationItIsPcm() {
        DefaultBranding b = new DefaultBranding(Configs.of(), data, null);
        assertEquals(BrandingDefaults.PRODUCT_NAME, b.productName());
        assertEquals(BrandingDefaults.MANUFACTURER, b.manufacturer());
        assertEquals(BrandingDefaults.MODEL, b.model());
        assertEquals(BrandingDefaults.PRIMARY_COLOUR, b.primaryColour());
        assertEquals(BrandingDefaults.ACCENT_COLOUR, b.accentColour());
        assertEquals("", b.supportUrl());
        assertEquals("", b.supportEmail());
        assertEquals(BrandingDefaults.SHELL_BANNER, b.shellBanner());
        assertEquals("image/svg+xml", b.logoMediaType());
        assertTrue(b.logo().length > 100);
        assertTrue(b.problem().isEmpty());
    }

    @Test
    void aCustomerConfigurationChangesItLive() {
        DefaultBranding b = new DefaultBranding(Configs.of(), data, null);
        b.modified(Configs.of("productName", "Checker", "manufacturer", "Customer Inc.", "accentColour", "#00FF00"), Map.of());
        assertEquals("Checker", b.productName());
        assertEquals("Customer Inc.", b.manufacturer());
        assertEquals("#00ff00", b.accentColour());
        assertEquals(BrandingDefaults.MODEL, b.model(), "what is not configured stays the default");
    }

    @Test
    void aBadConfigurationKeepsTheLastGoodValuesAndSaysWhichKey() {
        DefaultBranding b = new DefaultBranding(Configs.of("productName", "Checker"), data, null);
        b.modified(Configs.of("productName", "Other", "primaryColour", "#12345"), Map.of());
        assertEquals("Checker", b.productName(), "nothing of a refused configuration is taken");
        assertEquals(BrandingDefaults.PRIMARY_COLOUR, b.primaryColour());
        assertEquals(List.of("primaryColour"), b.problem().orElseThrow().keys());
        b.modified(Configs.of("productName", "Other"), Map.of());
        assertEquals("Other", b.productName());
        assertTrue(b.problem().isEmpty(), "a good configuration clears the problem");
    }

    @Test
    void aBadFirstConfigurationStartsWithPcmsDefaults() {
        DefaultBranding b = new DefaultBranding(Configs.of("supportEmail", "no-at-sign", "productName", "X"), data, "/srv/conf/pcm.branding.cfg");
        assertEquals(BrandingDefaults.PRODUCT_NAME, b.productName());
        assertEquals(List.of("supportEmail"), b.problem().orElseThrow().keys());
    }

    @Test
    void theMessageNamesTheFileTheConfigurationCameFrom() {
        assertEquals("/srv/pcm/conf/pcm.branding.cfg",
                DefaultBranding.source(Map.of(DefaultBranding.FILEINSTALL_FILENAME, "file:/srv/pcm/conf/pcm.branding.cfg")));
        assertEquals(null, DefaultBranding.source(Map.of()));
    }

    @Test
    void relativeLogoFilesAreUnderTheDataDirectory() {
        assertEquals(Path.of("/srv/pcm/x.png"), DefaultBranding.dataDir("/srv/pcm").resolve("x.png"));
        assertTrue(DefaultBranding.dataDir(null).isAbsolute());
    }
}
