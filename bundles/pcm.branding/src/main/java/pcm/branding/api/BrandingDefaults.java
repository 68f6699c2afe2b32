package pcm.branding.api;

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
}
