package pcm.branding.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import pcm.branding.api.BrandingDefaults;

class DefaultBrandingTest {

    @TempDir
    Path data;

    @Test
    void withoutConfigurationItIsPcm() {
        DefaultBranding b = new DefaultBranding(Configs.of(), data);
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
        DefaultBranding b = new DefaultBranding(Configs.of(), data);
        b.modified(Configs.of("productName", "Checker", "manufacturer", "Customer Inc.", "accentColour", "#00FF00"));
        assertEquals("Checker", b.productName());
        assertEquals("Customer Inc.", b.manufacturer());
        assertEquals("#00ff00", b.accentColour());
        assertEquals(BrandingDefaults.MODEL, b.model(), "what is not configured stays the default");
    }

    @Test
    void aBadConfigurationKeepsTheLastGoodValuesAndSaysWhichKey() {
        DefaultBranding b = new DefaultBranding(Configs.of("productName", "Checker"), data);
        b.modified(Configs.of("productName", "Other", "primaryColour", "#12345"));
        assertEquals("Checker", b.productName(), "nothing of a refused configuration is taken");
        assertEquals(BrandingDefaults.PRIMARY_COLOUR, b.primaryColour());
        assertEquals(List.of("primaryColour"), b.problem().orElseThrow().keys());
        b.modified(Configs.of("productName", "Other"));
        assertEquals("Other", b.productName());
        assertTrue(b.problem().isEmpty(), "a good configuration clears the problem");
    }

    @Test
    void aBadFirstConfigurationStartsWithPcmsDefaults() {
        DefaultBranding b = new DefaultBranding(Configs.of("supportEmail", "no-at-sign", "productName", "X"), data);
        assertEquals(BrandingDefaults.PRODUCT_NAME, b.productName());
        assertEquals(List.of("supportEmail"), b.problem().orElseThrow().keys());
    }

    @Test
    void relativeLogoFilesAreUnderTheDataDirectory() {
        assertEquals(Path.of("/srv/pcm/x.png"), DefaultBranding.dataDir("/srv/pcm").resolve("x.png"));
        assertTrue(DefaultBranding.dataDir(null).isAbsolute());
    }
}
