package pcm.redfish.internal.resources;

import static pcm.branding.api.BrandingDefaults.valueOf;

import com.fasterxml.jackson.databind.node.ObjectNode;

import pcm.branding.api.Branding;
import pcm.branding.api.BrandingDefaults;

/**
 * The branding in the Redfish resources: {@code Manufacturer} and {@code Model} where the schema has them
 * (ComputerSystem, Manager), {@code Vendor} and {@code Product} of the service root, and PCM's OEM resource
 * {@value #BRANDING} with everything the web console shows (the logo at {@value #LOGO}). Read from the branding
 * service on every request, so another branding bundle shows at once; without one, PCM's defaults.
 */
public final class BrandingResources {

    public static final String BRANDING = Odata.ROOT + "/Oem/Pcm/Branding";
    public static final String LOGO = BRANDING + "/Logo";

    private BrandingResources() {}

    /** Adds the branding's properties to the resource at {@code path} if it is one that has them. */
    public static void brand(String path, ObjectNode resource, Branding branding) {
        String manufacturer = valueOf(branding, Branding::manufacturer, BrandingDefaults.MANUFACTURER);
        String model = valueOf(branding, Branding::model, BrandingDefaults.MODEL);
        switch (path) {
            case Odata.ROOT -> {
                resource.put("Vendor", manufacturer);
                resource.put("Product", valueOf(branding, Branding::productName, BrandingDefaults.PRODUCT_NAME));
            }
            case Odata.SYSTEM, Odata.MANAGER -> {
                resource.put("Manufacturer", manufacturer);
                resource.put("Model", model);
            }
            default -> { }
        }
    }

    /**
     * The OEM branding resource. {@code provider} names the bundle whose service it is (null: none, PCM's defaults);
     * {@code ranking} its service.ranking.
     */
    public static ObjectNode branding(Branding b, String provider, int ranking) {
        ObjectNode n = Odata.resource("Branding", "#PcmBranding.v1_0_0.PcmBranding", BRANDING, "Branding");
        n.put("ProductName", valueOf(b, Branding::productName, BrandingDefaults.PRODUCT_NAME));
        n.put("Manufacturer", valueOf(b, Branding::manufacturer, BrandingDefaults.MANUFACTURER));
        n.put("Model", valueOf(b, Branding::model, BrandingDefaults.MODEL));
        n.put("PrimaryColor", valueOf(b, Branding::primaryColour, BrandingDefaults.PRIMARY_COLOUR));
        n.put("AccentColor", valueOf(b, Branding::accentColour, BrandingDefaults.ACCENT_COLOUR));
        n.put("SupportURL", valueOf(b, Branding::supportUrl, ""));
        n.put("SupportEmail", valueOf(b, Branding::supportEmail, ""));
        n.put("ShellBanner", valueOf(b, Branding::shellBanner, BrandingDefaults.SHELL_BANNER));
        String type = valueOf(b, Branding::logoMediaType, "");
        if (type.isEmpty()) n.putNull("Logo");
        else {
            ObjectNode logo = n.putObject("Logo");
            logo.put("@odata.id", LOGO);
            logo.put("MediaType", type);
        }
        ObjectNode p = n.putObject("Provider");
        if (provider == null) p.putNull("Bundle");
        else p.put("Bundle", provider);
        p.put("Ranking", ranking);
        return n;
    }
}
