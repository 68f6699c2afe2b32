package pcm.branding.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

import pcm.branding.api.BrandingDefaults;

/**
 * The default branding's values, per customer (PID {@value pcm.branding.api.Branding#PID}, e.g.
 * {@code <data>/conf/pcm.branding.cfg}). Metatype checks types and lengths; {@link BrandingValidator} checks the rest
 * (colours, URL, e-mail address, the logo file) and names the key of each value it refuses.
 */
@ObjectClassDefinition(name = "PCM branding", description = "Product name, manufacturer, model, logo, colours, support contact "
        + "and shell banner of the default branding (an OEM branding bundle with a higher service.ranking overrides all of it)")
public @interface BrandingConfig {

    @AttributeDefinition(name = "Product name", description = "Short name: the console's title and header, the status heading", min = "1", max = "100")
    String productName() default BrandingDefaults.PRODUCT_NAME;

    @AttributeDefinition(name = "Manufacturer", description = "Redfish Manufacturer and the service root's Vendor", min = "1", max = "100")
    String manufacturer() default BrandingDefaults.MANUFACTURER;

    @AttributeDefinition(name = "Model", description = "Redfish Model of the system and the manager", min = "1", max = "100")
    String model() default BrandingDefaults.MODEL;

    @AttributeDefinition(name = "Logo file", description = "A PNG, JPEG or SVG file of at most 1 MiB (absolute, or relative to the "
            + "data directory); empty: PCM's own logo", max = "4096", required = false)
    String logoFile() default "";

    @AttributeDefinition(name = "Primary colour", description = "#rrggbb: the console's header", min = "7", max = "7")
    String primaryColour() default BrandingDefaults.PRIMARY_COLOUR;

    @AttributeDefinition(name = "Accent colour", description = "#rrggbb: the console's buttons and links", min = "7", max = "7")
    String accentColour() default BrandingDefaults.ACCENT_COLOUR;

    @AttributeDefinition(name = "Support URL", description = "An absolute http or https URL, or empty", max = "2000", required = false)
    String supportUrl() default "";

    @AttributeDefinition(name = "Support e-mail", description = "An e-mail address, or empty", max = "254", required = false)
    String supportEmail() default "";

    @AttributeDefinition(name = "Shell banner", description = "Printed when the shell starts and above pcm:status (\\n: a new line)",
            max = "2000", required = false)
    String shellBanner() default BrandingDefaults.SHELL_BANNER;
}
