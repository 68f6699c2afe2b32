package pcm.config.internal.customer;

import java.io.InputStreamReader;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;

/**
 * The OSGi Configurator resources of this runtime, read as the Configurator (org.apache.felix.configurator) reads them:
 * those of the framework property {@code configurator.initial} (bin/pcm lists {@code <data>/customer/*.json} there as
 * {@code file:} URLs) and the {@code OSGI-INF/configurator/*.json} entries of every active bundle that requires the
 * {@code osgi.configurator} extender (a customer bundle). The Configurator puts no mark on the configurations it
 * creates; this is how pcm.config knows which file a configuration came from, to check the file whole and name it.
 */
public final class ConfiguratorResources implements CustomerResources {

    /** ConfiguratorConstants.CONFIGURATOR_INITIAL. */
    public static final String INITIAL = "configurator.initial";
    static final String BUNDLE_DIRECTORY = "OSGI-INF/configurator";

    private final BundleContext context;
    private volatile List<ConfiguratorResource> initial;
    private final Map<Long, Read> byBundle = new ConcurrentHashMap<>();

    private record Read(long lastModified, List<ConfiguratorResource> resources) {}

    public ConfiguratorResources(BundleContext context) {
        this.context = context;
    }

    @Override
    public List<ConfiguratorResource> resources() {
        List<ConfiguratorResource> all = new ArrayList<>(initial());
        for (Bundle b : context.getBundles()) {
            if (b.getState() != Bundle.ACTIVE && b.getState() != Bundle.STARTING) continue;
            if (!requiresConfigurator(b)) continue;
            Read read = byBundle.get(b.getBundleId());
            if (read == null || read.lastModified() != b.getLastModified()) {
                read = new Read(b.getLastModified(), readBundle(b));
                byBundle.put(b.getBundleId(), read);
            }
            all.addAll(read.resources());
        }
        return all;
    }

    private List<ConfiguratorResource> initial() {
        List<ConfiguratorResource> r = initial;
        if (r == null) initial = r = readInitial(context.getProperty(INITIAL));
        return r;
    }

    /** The resources of {@code configurator.initial}: inline JSON, or a comma-separated list of URLs. */
    public static List<ConfiguratorResource> readInitial(String property) {
        if (property == null || property.isBlank()) return List.of();
        if (property.strip().startsWith("{")) {
            try {
                return List.of(ResourceReader.read(INITIAL, new java.io.StringReader(property), false));
            } catch (NoClassDefFoundError e) {
                return List.of(ConfiguratorResource.unreadable(INITIAL, unreadable(e)));
            }
        }
        List<ConfiguratorResource> out = new ArrayList<>();
        for (String url : property.strip().split(",")) {
            String source = shown(url.strip());
            try {
                out.add(ResourceReader.read(source, new InputStreamReader(URI.create(url.strip()).toURL().openStream(), StandardCharsets.UTF_8), false));
            } catch (Exception | NoClassDefFoundError e) {
                out.add(ConfiguratorResource.unreadable(source, unreadable(e)));
            }
        }
        return List.copyOf(out);
    }

    /** A file: URL as the file's path (what the operator wrote), anything else as it is. */
    static String shown(String url) {
        try {
            URI uri = URI.create(url);
            if ("file".equals(uri.getScheme())) return Path.of(uri).toString();
        } catch (RuntimeException e) {
            // not a URI: shown as given
        }
        return url;
    }

    static boolean requiresConfigurator(Bundle b) {
        Object header = b.getHeaders("").get("Require-Capability");
        return header != null && header.toString().contains("osgi.configurator");
    }

    private static List<ConfiguratorResource> readBundle(Bundle b) {
        Enumeration<URL> entries = b.findEntries(BUNDLE_DIRECTORY, "*.json", false);
        if (entries == null) return List.of();
        List<ConfiguratorResource> out = new ArrayList<>();
        for (URL url : Collections.list(entries)) {
            String source = "bundle " + b.getSymbolicName() + " " + url.getPath().replaceFirst("^/", "");
            try {
                out.add(ResourceReader.read(source, new InputStreamReader(url.openStream(), StandardCharsets.UTF_8), true));
            } catch (Exception | NoClassDefFoundError e) {
                out.add(ConfiguratorResource.unreadable(source, unreadable(e)));
            }
        }
        return out;
    }

    private static String unreadable(Throwable e) {
        return e instanceof NoClassDefFoundError ? "cannot be checked: this runtime has no JSON reader for it (org.apache.felix.cm.json)"
                : "cannot be read: " + e;
    }
}
