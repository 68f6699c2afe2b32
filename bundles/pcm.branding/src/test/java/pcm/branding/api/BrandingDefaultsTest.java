package pcm.branding.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.reflect.Proxy;

import org.junit.jupiter.api.Test;

class BrandingDefaultsTest {

    /** A Branding whose every method answers {@code answer} (or throws it, when it is an exception). */
    static Branding answering(Object answer) {
        return (Branding) Proxy.newProxyInstance(Branding.class.getClassLoader(), new Class<?>[] {Branding.class}, (p, m, a) -> {
            if (answer instanceof RuntimeException e) throw e;
            return answer;
        });
    }

    @Test
    void aConsumerGetsPcmsValueWhereTheBrandingHasNone() {
        assertEquals("ACME", BrandingDefaults.valueOf(answering("ACME"), Branding::manufacturer, BrandingDefaults.MANUFACTURER));
        assertEquals("PCM", BrandingDefaults.valueOf(null, Branding::manufacturer, BrandingDefaults.MANUFACTURER), "no service");
        assertEquals("PCM", BrandingDefaults.valueOf(answering(null), Branding::manufacturer, "PCM"), "null");
        assertEquals("PCM", BrandingDefaults.valueOf(answering(" "), Branding::manufacturer, "PCM"), "blank");
        assertEquals("PCM", BrandingDefaults.valueOf(answering(new IllegalStateException("broken")), Branding::manufacturer, "PCM"),
                "a service that throws");
    }
}
