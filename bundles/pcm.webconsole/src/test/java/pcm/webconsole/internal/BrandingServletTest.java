package pcm.webconsole.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.ObjectNode;

import pcm.branding.api.Branding;
import pcm.branding.api.BrandingDefaults;

class BrandingServletTest {

    static Branding branding(String primary, String accent) {
        return new Branding() {
            @Override public String productName() { return "Guardian <b>"; }
            @Override public String manufacturer() { return "ACME"; }
            @Override public String model() { return "G-100"; }
            @Override public byte[] logo() { return new byte[0]; }
            @Override public String logoMediaType() { return ""; }
            @Override public String primaryColour() { return primary; }
            @Override public String accentColour() { return accent; }
            @Override public String supportUrl() { return ""; }
            @Override public String supportEmail() { return "help@acme.example"; }
            @Override public String shellBanner() { return "ACME"; }
        };
    }

    @Test
    void theColoursAreCssVariables() {
        assertEquals(":root {\n  --primary: #102030;\n  --accent: #abcdef;\n}\n", BrandingServlet.css(branding("#102030", "#ABCDEF")));
        assertEquals(":root {\n  --primary: " + BrandingDefaults.PRIMARY_COLOUR + ";\n  --accent: " + BrandingDefaults.ACCENT_COLOUR + ";\n}\n",
                BrandingServlet.css(null));
    }

    @Test
    void onlyAColourGetsIntoTheStyleSheet() {
        String css = BrandingServlet.css(branding("red; } body { display: none", "#12345"));
        assertTrue(css.contains("--primary: " + BrandingDefaults.PRIMARY_COLOUR + ";"), css);
        assertTrue(css.contains("--accent: " + BrandingDefaults.ACCENT_COLOUR + ";"), css);
    }

    @Test
    void aBrandingServiceThatFailsShowsAsPcmsBranding() {
        Branding broken = (Branding) java.lang.reflect.Proxy.newProxyInstance(Branding.class.getClassLoader(),
                new Class<?>[] {Branding.class}, (p, m, a) -> { throw new IllegalStateException("broken OEM bundle"); });
        assertEquals(BrandingServlet.css(null), BrandingServlet.css(broken));
        assertEquals(BrandingServlet.json(null).without("logo"), BrandingServlet.json(broken).without("logo"));
        assertEquals(null, BrandingServlet.logo(broken));
    }

    @Test
    void theJsonCarriesTheNamesAsTextAndNoLogoWhenThereIsNone() {
        ObjectNode n = BrandingServlet.json(branding("#102030", "#abcdef"));
        assertEquals("Guardian <b>", n.get("productName").asText());
        assertEquals("help@acme.example", n.get("supportEmail").asText());
        assertTrue(n.get("logo").isNull());
        ObjectNode d = BrandingServlet.json(null);
        assertEquals(BrandingDefaults.PRODUCT_NAME, d.get("productName").asText());
    }
}
