package pcm.branding.api;

import java.util.function.Function;

/**
 * PCM's own branding: the default component's values, and what a consumer shows while no {@link Branding} service
 * is there at all (the branding bundle being updated).
 */
public final class BrandingDefaults {

    public static final String PRODUCT_NAME = "PCM";
    public static final String MANUFACTURER = "PCM";
    public static final String MODEL = "Platform Checking Module";
    public static final String PRIMARY_COLOUR = "#16202e";
    public static final String ACCENT_COLOUR = "#1f5fae";
    public static final String SHELL_BANNER = "PCM Platform Checking Module";
    /** The default branding's {@code service.ranking}: any other Branding service without a lower ranking wins. */
    public static final int DEFAULT_RANKING = -1000;

    private BrandingDefaults() {}

    /**
     * One value of {@code branding}, or {@code fallback} when there is no branding service, or its answer is null or
     * blank, or it throws: a broken branding bundle shows as PCM's value, never as a failed page or command.
     */
    public static String valueOf(Branding branding, Function<Branding, String> value, String fallback) {
        if (branding == null) return fallback;
        try {
            String v = value.apply(branding);
            return v == null || v.isBlank() ? fallback : v;
        } catch (RuntimeException e) {
            return fallback;
        }
    }
}
