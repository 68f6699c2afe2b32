package pcm.redfish.internal.update;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardContextSelect;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletPattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.node.ObjectNode;

import pcm.redfish.internal.ApiContext;
import pcm.redfish.internal.Json;
import pcm.redfish.internal.Paths;
import pcm.redfish.internal.resources.UpdateResources;
import pcm.ui.api.firmware.Firmware;
import pcm.ui.api.firmware.FirmwareException;
import pcm.ui.api.firmware.FirmwareImage;

/**
 * The UpdateService (issue 16 item 3, firmware update): the inventory of PCM's bundles with the previous versions
 * kept, a bundle jar pushed to {@code HttpPushUri} or named by {@code SimpleUpdate} (a {@code file:} ImageURI on
 * PCM's host) installed or updated through pcm.ui's {@link Firmware} service, and {@code Pcm.Rollback}. In the
 * {@link ApiContext}: authenticated; a change needs an Administrator and passes the cross-site check.
 */
@Component(service = Servlet.class)
@HttpWhiteboardContextSelect(ApiContext.SELECT)
@HttpWhiteboardServletPattern("/v1/UpdateService/*")
public class UpdateServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(UpdateServlet.class);

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile Firmware firmware;

    private static String path(HttpServletRequest request) {
        return Paths.of(request, UpdateResources.SERVICE);
    }

    private Firmware firmware(HttpServletResponse response) throws IOException {
        Firmware f = firmware;
        if (f == null) Json.error(response, 503, "Base.1.0.ServiceTemporarilyUnavailable", "the firmware service (pcm.ui) is not available");
        return f;
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Firmware f = firmware(response);
        if (f == null) return;
        String p = path(request);
        if (p.equals(UpdateResources.SERVICE)) Json.write(response, 200, UpdateResources.service(f.maxImageBytes()));
        else if (p.equals(UpdateResources.INVENTORY)) Json.write(response, 200, UpdateResources.inventory(f.inventory()));
        else if (p.startsWith(UpdateResources.INVENTORY + "/")) {
            String id = p.substring(UpdateResources.INVENTORY.length() + 1);
            var image = f.inventory().stream().filter(i -> UpdateResources.id(i).equals(id)).findFirst();
            if (image.isPresent()) Json.write(response, 200, UpdateResources.software(image.get()));
            else Json.error(response, 404, "Base.1.0.ResourceMissingAtURI", "no resource at " + p);
        } else Json.error(response, 404, "Base.1.0.ResourceMissingAtURI", "no resource at " + p);
    }

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Firmware f = firmware(response);
        if (f == null) return;
        String p = path(request);
        try {
            switch (p) {
                case UpdateResources.PUSH -> push(f, request, response);
                case UpdateResources.SIMPLE_UPDATE -> simpleUpdate(f, request, response);
                case UpdateResources.ROLLBACK -> rollback(f, request, response);
                default -> Json.error(response, 405, "Base.1.0.ActionNotSupported", "no action at " + p);
            }
        } catch (FirmwareException e) {
            LOG.warn("API: {}: firmware change refused: {}", request.getRemoteUser(), e.getMessage());
            switch (e.kind()) {
                case MALFORMED -> Json.error(response, 400, "Base.1.0.ActionParameterValueFormatError", e.getMessage());
                case TOO_LARGE -> Json.error(response, 413, "Base.1.0.PayloadTooLarge", e.getMessage());
                case NOT_RESOLVABLE -> Json.error(response, 422, "Base.1.0.ActionParameterValueError", e.getMessage());
                case NOT_FOUND -> Json.error(response, 404, "Base.1.0.ResourceMissingAtURI", e.getMessage());
                case REFUSED -> Json.error(response, 409, "Base.1.0.ResourceInUse", e.getMessage());
                case UNTRUSTED -> Json.error(response, 403, "Update.1.0.VerificationFailed", e.getMessage());
                case FAILED -> Json.error(response, 500, "Base.1.0.InternalError", e.getMessage());
            }
        }
    }

    /** HttpPushUri: the body is the jar. Its declared length is checked before reading, its read length while reading. */
    private void push(Firmware f, HttpServletRequest request, HttpServletResponse response) throws IOException, FirmwareException {
        String type = request.getContentType() == null ? "" : request.getContentType();
        if (!type.startsWith("application/octet-stream")) {
            Json.error(response, 415, "Base.1.0.UnsupportedMediaType", "push the bundle jar itself as application/octet-stream (got " + type + ")");
            return;
        }
        byte[] jar = read(request.getInputStream(), request.getContentLengthLong(), f.maxImageBytes());
        done(f.install(jar), "pushed", request, response);
    }

    static byte[] read(InputStream in, long declared, long max) throws IOException, FirmwareException {
        if (declared > max) throw tooLarge(declared, max);
        byte[] bytes = in.readNBytes((int) Math.min(max + 1, Integer.MAX_VALUE - 8));
        if (bytes.length > max) throw tooLarge(bytes.length, max);
        return bytes;
    }

    private static FirmwareException tooLarge(long size, long max) {
        return new FirmwareException(FirmwareException.Kind.TOO_LARGE, "the image has " + (size > max ? "more than " + max : size)
                + " bytes; at most " + max + " are taken (pcm.firmware maxImageBytes); nothing read further, nothing installed");
    }

    /**
     * {"ImageURI": "file:///path/bundle.jar"}: a jar on PCM's own host (PCM fetches nothing from the network); a directory
     * there: its {@code *.jar} files as one update set (Firmware.installSet: all checked before any is installed).
     */
    private void simpleUpdate(Firmware f, HttpServletRequest request, HttpServletResponse response) throws IOException, FirmwareException {
        ObjectNode body = Json.body(request, response);
        if (body == null) return;
        String image = body.hasNonNull("ImageURI") ? body.get("ImageURI").asText() : null;
        if (image == null) {
            Json.error(response, 400, "Base.1.0.ActionParameterMissing", "SimpleUpdate needs ImageURI (file:///path/to/bundle.jar)");
            return;
        }
        Path file;
        try {
            URI uri = URI.create(image);
            if (!"file".equalsIgnoreCase(uri.getScheme())) {
                Json.error(response, 400, "Base.1.0.ActionParameterNotSupported", "ImageURI " + image + ": only file: URIs on PCM's host"
                        + " (TransferProtocol FILE); push an image over HTTP to " + UpdateResources.PUSH);
                return;
            }
            file = Path.of(uri);
        } catch (IllegalArgumentException e) {
            Json.error(response, 400, "Base.1.0.ActionParameterValueFormatError", "ImageURI " + image + " is not a URI: " + e.getMessage());
            return;
        }
        if (Files.isDirectory(file)) {
            updateSet(f, file, request, response);
            return;
        }
        if (!Files.isRegularFile(file)) throw new FirmwareException(FirmwareException.Kind.NOT_FOUND, "no file " + file);
        try (InputStream in = Files.newInputStream(file)) {
            done(f.install(read(in, Files.size(file), f.maxImageBytes())), "from " + file, request, response);
        }
    }

    private void updateSet(Firmware f, Path dir, HttpServletRequest request, HttpServletResponse response) throws IOException, FirmwareException {
        java.util.Map<String, byte[]> set = new java.util.LinkedHashMap<>();
        try (var files = Files.list(dir)) {
            for (Path jar : files.filter(p -> p.getFileName().toString().endsWith(".jar") && Files.isRegularFile(p)).sorted().toList()) {
                try (InputStream in = Files.newInputStream(jar)) {
                    set.put(jar.toString(), read(in, Files.size(jar), f.maxImageBytes()));
                }
            }
        }
        if (set.isEmpty()) throw new FirmwareException(FirmwareException.Kind.NOT_FOUND, "no *.jar in " + dir);
        java.util.List<FirmwareImage> now = f.installSet(set);
        var members = Json.MAPPER.createArrayNode();
        for (FirmwareImage i : now) {
            LOG.info("API: {}: firmware {} {} {} (set from {})", request.getRemoteUser(), i.symbolicName(), i.version(), i.state(), dir);
            members.add(UpdateResources.software(i));
        }
        var body = Json.object();
        body.set("Members", members);
        body.put("Members@odata.count", now.size());
        Json.write(response, 200, body);
    }

    /** {"SoftwareId": "<symbolic name>"}: the previous version back. */
    private void rollback(Firmware f, HttpServletRequest request, HttpServletResponse response) throws IOException, FirmwareException {
        ObjectNode body = Json.body(request, response);
        if (body == null) return;
        if (!body.hasNonNull("SoftwareId")) {
            Json.error(response, 400, "Base.1.0.ActionParameterMissing", "Pcm.Rollback needs SoftwareId (a bundle's symbolic name)");
            return;
        }
        done(f.rollback(body.get("SoftwareId").asText()), "rolled back", request, response);
    }

    private static void done(FirmwareImage now, String how, HttpServletRequest request, HttpServletResponse response) throws IOException {
        LOG.info("API: {}: firmware {} {} {} ({})", request.getRemoteUser(), now.symbolicName(), now.version(), now.state(), how);
        if (now.active()) response.setHeader("Location", UpdateResources.INVENTORY + "/" + UpdateResources.id(now));
        Json.write(response, 200, UpdateResources.software(now));
    }
}
