package pcm.ui.internal.commands;

import pcm.branding.api.Branding;
import pcm.branding.api.BrandingDefaults;

/** The shell's banner and the status heading, from the branding in use (PCM's defaults while there is none). */
final class Banner {

    private Banner() {}

    /** The banner lines: the branding's shell banner, or its product name and model when the banner is empty. */
    static String of(Branding b) {
        if (b == null) return BrandingDefaults.SHELL_BANNER;
        String banner = BrandingDefaults.valueOf(b, Branding::shellBanner, "").strip();
        return banner.isEmpty() ? productName(b) + " " + BrandingDefaults.valueOf(b, Branding::model, BrandingDefaults.MODEL) : banner;
    }

    static String productName(Branding b) {
        return BrandingDefaults.valueOf(b, Branding::productName, BrandingDefaults.PRODUCT_NAME);
    }
}
