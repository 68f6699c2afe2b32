package pcm.itests.branding;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

import org.osgi.service.component.annotations.Component;

import pcm.branding.api.Branding;

/**
 * An OEM's branding: a {@link Branding} service ranked above PCM's default. Installing this bundle into a running PCM
 * rebrands its console, shell and Redfish API at once; uninstalling it brings PCM's own branding back.
 */
@Component(property = "service.ranking:Integer=100")
public class AcmeBranding implements Branding {

    public static final String PRODUCT_NAME = "ACME Guardian";
    public static final String MANUFACTURER = "ACME Servers Inc.";
    public static final String MODEL = "Guardian G-100";

    private final byte[] logo = read("/acme/logo.svg");

    private static byte[] read(String resource) {
        try (InputStream in = AcmeBranding.class.getResourceAsStream(resource)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override public String productName() { return PRODUCT_NAME; }

    @Override public String manufacturer() { return MANUFACTURER; }

    @Override public String model() { return MODEL; }

    @Override public byte[] logo() { return logo.clone(); }

    @Override public String logoMediaType() { return "image/svg+xml"; }

    @Override public String primaryColour() { return "#5a1a1a"; }

    @Override public String accentColour() { return "#c98a00"; }

    @Override public String supportUrl() { return "https://support.acme.example/guardian"; }

    @Override public String supportEmail() { return "guardian-support@acme.example"; }

    @Override public String shellBanner() { return "ACME Guardian G-100\nplatform checker by ACME Servers Inc."; }
}
