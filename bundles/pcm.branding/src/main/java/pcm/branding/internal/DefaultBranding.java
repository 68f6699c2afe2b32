package pcm.branding.internal;

import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import pcm.branding.api.Branding;
import pcm.branding.api.BrandingDefaults;

/**
 * PCM's own branding, ranked lowest ({@value BrandingDefaults#DEFAULT_RANKING}) so that any OEM branding bundle
 * outranks it, and configurable per customer (PID {@value Branding#PID}). A configuration that does not pass
 * {@link BrandingValidator} is logged with every refused key and value, and the last good values stay (PCM's
 * defaults when the first one is bad): a typo in a customer file never takes the console or the API down. Immediate,
 * so that a bad customer file is reported at start, not at the first page that shows the branding.
 */
@Component(service = Branding.class, configurationPid = Branding.PID, immediate = true,
        property = Constants.SERVICE_RANKING + ":Integer=" + BrandingDefaults.DEFAULT_RANKING)
@Designate(ocd = BrandingConfig.class)
public class DefaultBranding implements Branding {

    private static final Logger LOG = LoggerFactory.getLogger(DefaultBranding.class);
    /** Set by FileInstall on a configuration it read from conf/. */
    static final String FILEINSTALL_FILENAME = "felix.fileinstall.filename";

    private final Path dataDir;
    private volatile BrandingValues values;
    private volatile BrandingConfigException problem;

    @Activate
    public DefaultBranding(BundleContext context, BrandingConfig config, Map<String, Object> properties) {
        this(config, dataDir(context.getProperty("pcm.data")), source(properties));
    }

    DefaultBranding(BrandingConfig config, Path dataDir, String source) {
        this.dataDir = dataDir;
        this.values = defaults();
        apply(config, source);
    }

    /** The file the configuration came from (FileInstall says which), for the message; null when not from a file. */
    static String source(Map<String, Object> properties) {
        Object f = properties == null ? null : properties.get(FILEINSTALL_FILENAME);
        if (f == null) return null;
        String s = f.toString();
        try {
            return s.startsWith("file:") ? Path.of(URI.create(s)).toString() : s;
        } catch (IllegalArgumentException e) {
            return s;
        }
    }

    /** Relative logo files are under the data directory ({@code pcm.data}); without one, the working directory. */
    static Path dataDir(String property) {
        return Path.of(property == null || property.isBlank() ? "" : property).toAbsolutePath();
    }

    static BrandingValues defaults() {
        return new BrandingValues(BrandingDefaults.PRODUCT_NAME, BrandingDefaults.MANUFACTURER, BrandingDefaults.MODEL, Logo.builtIn(),
                BrandingDefaults.PRIMARY_COLOUR, BrandingDefaults.ACCENT_COLOUR, "", "", BrandingDefaults.SHELL_BANNER);
    }

    @Modified
    void modified(BrandingConfig config, Map<String, Object> properties) {
        apply(config, source(properties));
    }

    private void apply(BrandingConfig config, String source) {
        try {
            BrandingValues v = BrandingValidator.validate(config, dataDir);
            values = v;
            problem = null;
            LOG.info("branding: {} by {} ({}, logo {})", v.productName(), v.manufacturer(), v.model(), v.logo());
        } catch (BrandingConfigException e) {
            problem = e;
            LOG.error("{}{}; the branding keeps its last good values ({} by {})", source == null ? "" : source + ": ", e.getMessage(),
                    values.productName(), values.manufacturer());
        }
    }

    /** Why the last configuration was refused, if it was. */
    Optional<BrandingConfigException> problem() {
        return Optional.ofNullable(problem);
    }

    @Override
    public String productName() { return values.productName(); }

    @Override
    public String manufacturer() { return values.manufacturer(); }

    @Override
    public String model() { return values.model(); }

    @Override
    public byte[] logo() { return values.logo().bytes(); }

    @Override
    public String logoMediaType() { return values.logo().mediaType(); }

    @Override
    public String primaryColour() { return values.primaryColour(); }

    @Override
    public String accentColour() { return values.accentColour(); }

    @Override
    public String supportUrl() { return values.supportUrl(); }

    @Override
    public String supportEmail() { return values.supportEmail(); }

    @Override
    public String shellBanner() { return values.shellBanner(); }

    @Override
    public String toString() {
        return "PCM default branding (" + values.productName() + " by " + values.manufacturer() + ")";
    }
}
