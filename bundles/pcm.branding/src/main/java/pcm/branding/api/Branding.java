package pcm.branding.api;

import org.osgi.annotation.versioning.ProviderType;

/**
 * How PCM presents itself: what the web console, the shell and the Redfish API show as product, manufacturer,
 * model, logo, colours and support contact. Consumers take the highest-ranked service (OSGi {@code service.ranking})
 * with a dynamic, greedy reference and read the values on every use, so another branding bundle takes effect live.
 * <p>
 * Values are plain text (no markup: every consumer escapes them); colours are {@code #rrggbb}; the support URL is an
 * absolute {@code http(s)} URL or empty, the e-mail address an address or empty. An OEM bundle implements this
 * interface (provider type: a new method in a later minor version comes with a default).
 */
@ProviderType
public interface Branding {

    /** The configuration PID of the default PCM branding. */
    String PID = "pcm.branding";

    /** Short product name: the console's title and header, the status report's heading ({@code "PCM"}). */
    String productName();

    /** The vendor: Redfish {@code Manufacturer} and the service root's {@code Vendor}. */
    String manufacturer();

    /** The model: Redfish {@code Model}. */
    String model();

    /** The logo's bytes (a fresh copy); empty when there is none. */
    byte[] logo();

    /** The logo's media type ({@code image/svg+xml}, {@code image/png}, {@code image/jpeg}); empty without a logo. */
    String logoMediaType();

    /** Main colour, {@code #rrggbb}: the console's header. */
    String primaryColour();

    /** Accent colour, {@code #rrggbb}: the console's buttons and links. */
    String accentColour();

    /** Where to get support: an absolute http(s) URL, or empty. */
    String supportUrl();

    /** Support e-mail address, or empty. */
    String supportEmail();

    /** What the shell prints when it starts and above {@code pcm:status}; may hold several lines. */
    String shellBanner();
}
