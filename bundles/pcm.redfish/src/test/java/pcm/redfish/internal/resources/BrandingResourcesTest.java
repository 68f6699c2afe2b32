package pcm.redfish.internal.resources;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.ObjectNode;

import pcm.branding.api.Branding;
import pcm.branding.api.BrandingDefaults;
import pcm.redfish.internal.Json;

class BrandingResourcesTest {

    /** An OEM's branding as a bundle would register it. */
    static final Branding OEM = new Branding() {
        @Override public String productName() { return "Guardian"; }
        @Override public String manufacturer() { return "ACME"; }
        @Override public String model() { return "G-100"; }
        @Override public byte[] logo() { return new byte[] {1, 2}; }
        @Override public String logoMediaType() { return "image/png"; }
        @Override public String primaryColour() { return "#000000"; }
        @Override public String accentColour() { return "#ffffff"; }
        @Override public String supportUrl() { return "https://acme.example/"; }
        @Override public String supportEmail() { return "help@acme.example"; }
        @Override public String shellBanner() { return "ACME"; }
    };

    @Test
    void manufacturerAndModelGoWhereTheSchemaHasThem() {
        for (String path : new String[] {Odata.SYSTEM, Odata.MANAGER}) {
            ObjectNode n = Json.object();
            BrandingResources.brand(path, n, OEM);
            assertEquals("ACME", n.get("Manufacturer").asText(), path);
            assertEquals("G-100", n.get("Model").asText(), path);
        }
        ObjectNode root = ServiceRoot.root("u");
        BrandingResources.brand(Odata.ROOT, root, OEM);
        assertEquals("ACME", root.get("Vendor").asText());
        assertEquals("Guardian", root.get("Product").asText());
        assertFalse(root.has("Manufacturer"), "the service root has no Manufacturer in its schema");
        ObjectNode processors = Json.object();
        BrandingResources.brand(Odata.SYSTEM + "/Processors", processors, OEM);
        assertTrue(processors.isEmpty());
    }

    @Test
    void withoutABrandingServiceThePcmDefaults() {
        ObjectNode n = Json.object();
        BrandingResources.brand(Odata.SYSTEM, n, null);
        assertEquals(BrandingDefaults.MANUFACTURER, n.get("Manufacturer").asText());
        assertEquals(BrandingDefaults.MODEL, n.get("Model").asText());
        ObjectNode b = BrandingResources.branding(null, null, 0);
        assertTrue(b.get("Logo").isNull());
        assertTrue(b.get("Provider").get("Bundle").isNull());
    }

    @Test
    void aBrandingServiceThatFailsShowsAsPcmsValuesNotAsAnError() {
        Branding broken = (Branding) java.lang.reflect.Proxy.newProxyInstance(Branding.class.getClassLoader(),
                new Class<?>[] {Branding.class}, (p, m, a) -> { throw new IllegalStateException("broken OEM bundle"); });
        ObjectNode n = Json.object();
        BrandingResources.brand(Odata.MANAGER, n, broken);
        assertEquals(BrandingDefaults.MANUFACTURER, n.get("Manufacturer").asText());
        ObjectNode b = BrandingResources.branding(broken, "broken", 5);
        assertEquals(BrandingDefaults.PRODUCT_NAME, b.get("ProductName").asText());
        assertTrue(b.get("Logo").isNull());
        assertEquals(null, pcm.redfish.internal.oem.BrandingServlet.logo(broken));
    }

    @Test
    void theOemResourceLinksTheLogoAndNamesItsProvider() {
        ObjectNode b = BrandingResources.branding(OEM, "acme.branding", 100);
        assertEquals(BrandingResources.BRANDING, b.get("@odata.id").asText());
        assertEquals("Guardian", b.get("ProductName").asText());
        assertEquals("#ffffff", b.get("AccentColor").asText());
        assertEquals("help@acme.example", b.get("SupportEmail").asText());
        assertEquals(BrandingResources.LOGO, b.get("Logo").get("@odata.id").asText());
        assertEquals("image/png", b.get("Logo").get("MediaType").asText());
        assertEquals("acme.branding", b.get("Provider").get("Bundle").asText());
        assertEquals(100, b.get("Provider").get("Ranking").asInt());
    }
}
