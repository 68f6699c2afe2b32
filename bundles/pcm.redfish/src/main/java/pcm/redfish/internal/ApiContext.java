package pcm.redfish.internal;

import java.io.IOException;
import java.util.Set;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ServiceScope;
import org.osgi.service.servlet.context.ServletContextHelper;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import pcm.redfish.internal.security.ApiSecurity;
import pcm.redfish.internal.security.User;

/**
 * The servlet context of the API ({@value #NAME}, under {@value #PATH}): every request to a servlet in it passes
 * {@link #handleSecurity} first — a session's X-Auth-Token, or HTTP Basic credentials of a configured user or the
 * built-in administrator (401 otherwise), the role for a state-changing method and the cross-site check (403). The
 * one exception is the login (POST to the SessionService's Sessions), whose credentials are in its body. A servlet registers into it with
 * {@code osgi.http.whiteboard.context.select=(osgi.http.whiteboard.context.name=pcm.api)}; with this component
 * absent such a servlet is not served at all, so nothing is ever reachable unauthenticated.
 */
@Component(service = ServletContextHelper.class, scope = ServiceScope.BUNDLE)
@HttpWhiteboardContext(name = ApiContext.NAME, path = ApiContext.PATH)
public class ApiContext extends ServletContextHelper {

    public static final String NAME = "pcm.api";
    public static final String PATH = "/redfish";
    public static final String SELECT = "(osgi.http.whiteboard.context.name=" + NAME + ")";
    /** The request attribute holding the authenticated {@link User}. */
    public static final String USER = "pcm.api.user";
    /** Login (Redfish SessionService): the one request whose credentials are in its body, checked by the servlet. */
    static final String LOGIN = "/redfish/v1/SessionService/Sessions";

    private static final Logger LOG = LoggerFactory.getLogger(ApiContext.class);
    private static final Set<String> SAFE = Set.of("GET", "HEAD", "OPTIONS");
    /** POSTs that only read: a ReadOnly user may make them (cross-site checked all the same); the servlet refuses what needs more. */
    static final Set<String> READ_ONLY_ACTIONS = Set.of("/redfish/v1/Oem/Pcm/Settings/Actions/PcmSettings.Export");

    private final ApiSecurity security;

    @Activate
    public ApiContext(BundleContext context, @Reference ApiSecurity security) {
        super(context.getBundle());
        this.security = security;
    }

    @Override
    public boolean handleSecurity(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String method = request.getMethod();
        String path = request.getRequestURI();
        String self = request.getScheme() + "://" + request.getHeader("Host");
        // no Content-Length and no Transfer-Encoding: no body (RFC 9112 6.3), as a browser's DELETE of its session sends
        // it; Jetty says -1 (unknown), which the check took for a body without a type (the web console's logout was 403)
        long length = request.getContentLengthLong();
        if (length < 0 && request.getHeader("Transfer-Encoding") == null) length = 0;
        String refused = security.crossSite().refusal(method, self, request.getHeader("Origin"), request.getHeader("Referer"),
                request.getContentType(), length);
        boolean login = "POST".equals(method) && (path.equals(LOGIN) || path.equals(LOGIN + "/"));
        if (login && refused == null) return true; // the body's credentials are the servlet's to check
        if (login) {
            LOG.warn("API: {} {} refused: {}", method, path, refused);
            Json.error(response, HttpServletResponse.SC_FORBIDDEN, "Base.1.0.InsufficientPrivilege", refused);
            return false;
        }
        var user = security.authenticate(request.getHeader("X-Auth-Token"), request.getHeader("Authorization"));
        if (user.isEmpty()) {
            response.setHeader("WWW-Authenticate", "Basic realm=\"PCM\", charset=\"UTF-8\"");
            Json.error(response, HttpServletResponse.SC_UNAUTHORIZED, "Base.1.0.NoValidSession",
                    "authentication required: HTTP Basic or X-Auth-Token of a session (POST " + LOGIN + ")");
            return false;
        }
        // every user may end a session (its own: the servlet checks); changing anything else takes an Administrator
        boolean logout = "DELETE".equals(method) && path.startsWith(LOGIN + "/");
        boolean readOnlyAction = "POST".equals(method) && READ_ONLY_ACTIONS.contains(path.replaceFirst("/+$", ""));
        if (refused == null && !SAFE.contains(method) && !logout && !readOnlyAction && !user.get().mayChangeState())
            refused = "user " + user.get().name() + " (" + user.get().role() + ") may not " + method;
        if (refused != null) {
            LOG.warn("API: {} {} refused: {}", method, path, refused);
            Json.error(response, HttpServletResponse.SC_FORBIDDEN, "Base.1.0.InsufficientPrivilege", refused);
            return false;
        }
        request.setAttribute(USER, user.get());
        request.setAttribute(REMOTE_USER, user.get().name());
        request.setAttribute(AUTHENTICATION_TYPE, request.getHeader("X-Auth-Token") != null ? "X-Auth-Token" : "Basic");
        return true;
    }
}
