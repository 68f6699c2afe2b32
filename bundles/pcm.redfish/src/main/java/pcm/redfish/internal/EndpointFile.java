package pcm.redfish.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.servlet.runtime.HttpServiceRuntime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the operator's tools where the API is: writes the URL of the Redfish service root, as the HTTP runtime
 * reports it ({@code osgi.http.endpoint}, the port actually bound — also when configured as 0), into
 * {@value #FILE} under the data directory, and removes the file when the server goes away. {@code bin/pcm start}
 * prints it and {@code bin/pcm exec}/{@code shell} attach through it.
 */
@Component(immediate = true)
public class EndpointFile {

    public static final String FILE = "run/api.url";
    private static final Logger LOG = LoggerFactory.getLogger(EndpointFile.class);

    private final Path file;

    @Activate
    public EndpointFile(BundleContext context, @Reference(service = HttpServiceRuntime.class) Map<String, Object> runtime) throws IOException {
        String data = context.getProperty("pcm.data");
        file = data == null ? null : Path.of(data).resolve(FILE);
        write(runtime);
    }

    @Modified
    void modified(Map<String, Object> runtime) throws IOException {
        write(runtime);
    }

    @Deactivate
    void deactivate() {
        if (file == null) return;
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.warn("could not remove {}: {}", file, e.toString());
        }
    }

    private void write(Map<String, Object> runtime) throws IOException {
        String endpoint = endpoint(runtime.get("osgi.http.endpoint"));
        if (endpoint == null || file == null) return;
        String url = (endpoint.endsWith("/") ? endpoint.substring(0, endpoint.length() - 1) : endpoint) + ApiContext.PATH + "/v1";
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, url + "\n", StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        LOG.info("Redfish API at {}", url);
    }

    /** The first endpoint (a String or a String[]/Collection: the whiteboard spec allows both). */
    static String endpoint(Object value) {
        if (value instanceof String s) return s;
        if (value instanceof String[] a && a.length > 0) return a[0];
        if (value instanceof java.util.Collection<?> c && !c.isEmpty()) return String.valueOf(c.iterator().next());
        return null;
    }
}
