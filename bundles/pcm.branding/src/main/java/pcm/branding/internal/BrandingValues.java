package pcm.branding.internal;

import java.util.Objects;

/** One checked set of branding values (what {@link DefaultBranding} serves until the next good configuration). */
record BrandingValues(String productName, String manufacturer, String model, Logo logo, String primaryColour,
                      String accentColour, String supportUrl, String supportEmail, String shellBanner) {

    BrandingValues {
        Objects.requireNonNull(logo, "logo");
    }
}
