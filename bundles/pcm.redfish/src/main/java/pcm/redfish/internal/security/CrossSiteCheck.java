package pcm.redfish.internal.security;

import java.net.URI;
import java.util.Locale;
import java.util.Set;

/**
 * Cross-site request forgery protection for state-changing requests (issue 16 item 6). A browser that a hostile page
 * drives sends its {@code Origin} (or at least a {@code Referer}) with every cross-site POST, and cannot send
 * {@code application/json} cross-site without a CORS preflight this server never answers. So a state-changing
 * request is refused (403) when it names an origin other than the server's own or an allowed one, or when its body
 * is not JSON (or, for a firmware image, {@code application/octet-stream}: not a type a form can send either). Command-line clients (curl, bin/pcm) send no Origin and pass on their credentials alone.
 */
public final class CrossSiteCheck {

    private static final Set<String> SAFE = Set.of("GET", "HEAD", "OPTIONS");

    private final Set<String> allowedOrigins;

    public CrossSiteCheck(Set<String> allowedOrigins) {
        this.allowedOrigins = Set.copyOf(allowedOrigins);
    }

    /** Why the request is refused, or null when it may go on. {@code self} is the origin the request was addressed to. */
    public String refusal(String method, String self, String origin, String referer, String contentType, long contentLength) {
        if (SAFE.contains(method.toUpperCase(Locale.ROOT))) return null;
        String from = origin != null ? origin : originOf(referer);
        if (from != null && !from.equalsIgnoreCase(self) && !allowedOrigins.contains(from))
            return "cross-site request from " + from + " refused (not " + self + ")";
        String type = contentType == null ? "" : contentType.toLowerCase(Locale.ROOT);
        // neither can be sent cross-site without a CORS preflight (a form sends only urlencoded, multipart or text/plain);
        // application/octet-stream is a firmware image pushed to the UpdateService
        boolean allowed = type.startsWith("application/json") || type.startsWith("application/octet-stream");
        if (contentLength != 0 && !allowed)
            return "a state-changing request must carry application/json (or an image as application/octet-stream; got " + contentType + ")";
        return null;
    }

    private static String originOf(String referer) {
        if (referer == null) return null;
        try {
            URI u = URI.create(referer);
            if (u.getScheme() == null || u.getHost() == null) return "null";
            return u.getScheme() + "://" + u.getHost() + (u.getPort() < 0 ? "" : ":" + u.getPort());
        } catch (IllegalArgumentException e) {
            return "null";
        }
    }
}
