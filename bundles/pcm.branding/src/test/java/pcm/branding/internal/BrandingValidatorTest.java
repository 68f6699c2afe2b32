package pcm.branding.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import pcm.branding.api.BrandingDefaults;

class BrandingValidatorTest {

    @TempDir
    Path data;

    private BrandingValues valid(String... keyValues) throws BrandingConfigException {
        return BrandingValidator.validate(Configs.of(keyValues), data);
    }

    private BrandingConfigException refused(String... keyValues) {
        return assertThrows(BrandingConfigException.class, () -> BrandingValidator.validate(Configs.of(keyValues), data));
    }

    @Test
    void theMetatypeDefaultsArePcmsOwnBranding() throws Exception {
        BrandingValues v = valid();
        assertEquals(DefaultBranding.defaults(), v);
        assertEquals("image/svg+xml", v.logo().mediaType());
        assertTrue(new String(v.logo().bytes(), StandardCharsets.UTF_8).contains("<svg"));
    }

    @Test
    void coloursAreSixHexDigitsAndComeOutLowerCase() throws Exception {
        assertEquals("#a1b2c3", valid("primaryColour", "#A1B2C3").primaryColour());
        for (String bad : List.of("red", "#abc", "#abcdeg", "a1b2c3", "#a1b2c3d4", "")) {
            BrandingConfigException e = refused("accentColour", bad);
            assertEquals(List.of("accentColour"), e.keys(), bad);
            assertTrue(e.getMessage().contains("accentColour '" + bad + "' is not a colour #rrggbb"), e.getMessage());
            assertTrue(e.getMessage().startsWith("configuration pcm.branding refused: "), e.getMessage());
        }
    }

    @Test
    void everyBadValueIsNamedByItsKey() {
        BrandingConfigException e = refused("productName", " ", "primaryColour", "blue", "supportUrl", "ftp://x.example/",
                "supportEmail", "nobody", "model", "two\nlines", "manufacturer", "x".repeat(101));
        assertEquals(List.of("productName", "manufacturer", "model", "primaryColour", "supportUrl", "supportEmail"), e.keys());
        assertTrue(e.getMessage().contains("supportEmail 'nobody' is not an e-mail address"), e.getMessage());
        assertTrue(e.getMessage().contains("supportUrl 'ftp://x.example/' is not an http or https URL"), e.getMessage());
        assertTrue(e.getMessage().contains("productName '' is empty"), e.getMessage());
    }

    @Test
    void supportContactIsOptionalButWellFormed() throws Exception {
        BrandingValues v = valid("supportUrl", "https://support.acme.example/pcm?x=1", "supportEmail", "help@acme.example");
        assertEquals("https://support.acme.example/pcm?x=1", v.supportUrl());
        assertEquals("help@acme.example", v.supportEmail());
        assertEquals(List.of("supportUrl"), refused("supportUrl", "https:///nohost").keys());
        assertEquals(List.of("supportUrl"), refused("supportUrl", "not a url").keys());
        assertEquals(List.of("supportEmail"), refused("supportEmail", "a@b@c.example").keys());
        assertEquals("", valid("supportUrl", "  ").supportUrl());
    }

    @Test
    void theBannerTakesNewLinesWrittenAsBackslashN() throws Exception {
        assertEquals("ACME\nserver checker", valid("shellBanner", "ACME\\nserver checker").shellBanner());
        assertEquals(List.of("shellBanner"), refused("shellBanner", "bell\u0007").keys());
    }

    @Test
    void aLogoFileIsReadRelativeToTheDataDirectoryAndMustBeAnImage() throws Exception {
        byte[] png = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13};
        Files.createDirectories(data.resolve("branding"));
        Files.write(data.resolve("branding/logo.png"), png);
        BrandingValues v = valid("logoFile", "branding/logo.png");
        assertEquals("image/png", v.logo().mediaType());
        assertArrayEquals(png, v.logo().bytes());
        assertEquals("image/png", valid("logoFile", data.resolve("branding/logo.png").toString()).logo().mediaType(), "absolute");

        Files.writeString(data.resolve("fake.png"), "<svg/>");
        assertTrue(refused("logoFile", "fake.png").getMessage().contains("logoFile 'fake.png' is named .png but is not a PNG image"));
        Files.writeString(data.resolve("logo.gif"), "GIF89a");
        assertTrue(refused("logoFile", "logo.gif").getMessage().contains("is not a .png, .jpg or .svg file"));
        assertTrue(refused("logoFile", "missing.svg").getMessage().contains("logoFile 'missing.svg' is not a file"));
        Files.write(data.resolve("huge.svg"), new byte[Logo.MAX_BYTES + 1]);
        assertTrue(refused("logoFile", "huge.svg").getMessage().contains("bytes (a logo has 1 to"));
    }

    @Test
    void theLogoCannotBeChangedThroughWhatItHandsOut() throws Exception {
        BrandingValues v = valid();
        v.logo().bytes()[0] = 'X';
        assertEquals('<', v.logo().bytes()[0]);
        assertEquals(BrandingDefaults.PRODUCT_NAME, v.productName());
    }
}
