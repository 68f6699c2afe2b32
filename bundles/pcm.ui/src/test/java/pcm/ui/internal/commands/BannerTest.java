package pcm.ui.internal.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.reflect.Proxy;
import java.util.Map;

import org.junit.jupiter.api.Test;

import pcm.branding.api.Branding;
import pcm.branding.api.BrandingDefaults;

class BannerTest {

    /** A Branding answering from {@code values} by method name (null for the rest). */
    static Branding branding(Map<String, String> values) {
        return (Branding) Proxy.newProxyInstance(Branding.class.getClassLoader(), new Class<?>[] {Branding.class},
                (p, m, a) -> values.get(m.getName()));
    }

    @Test
    void theBannerIsTheBrandingsOrItsNameAndModel() {
        assertEquals("ACME\nGuardian", Banner.of(branding(Map.of("shellBanner", "ACME\nGuardian"))));
        assertEquals("Guardian G-100", Banner.of(branding(Map.of("shellBanner", " ", "productName", "Guardian", "model", "G-100"))));
        assertEquals(BrandingDefaults.SHELL_BANNER, Banner.of(null));
        assertEquals("Guardian", Banner.productName(branding(Map.of("productName", "Guardian"))));
        assertEquals(BrandingDefaults.PRODUCT_NAME, Banner.productName(branding(Map.of())));
    }
}
