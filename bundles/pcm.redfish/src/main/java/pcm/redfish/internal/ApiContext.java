package pcm.redfish.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ServiceScope;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.servlet.context.ServletContextHelper;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import pcm.redfish.internal.security.AdminSecret;
import pcm.redfish.internal.security.ApiConfig;
import pcm.redfish.internal.security.Authenticator;
import pcm.redfish.internal.security.CrossSiteCheck;
import pcm.redfish.internal.security.User;

/**
 * The servlet context of the API ({@value #NAME}, under {@value #PATH}): every request to a servlet in it passes
 * {@link #handleSecurity} first — HTTP Basic credentials of a configured user or the built-in administrator (401
 * otherwise), the role for a state-changing method and the cross-site check (403). A servlet registers into it with
 * {@code osgi.http.whiteboard.context.select=(osgi.http.whiteboard.context.name=pcm.api)}; with this component
 * absent such a servlet is not served at all, so nothing is ever reachable unauthenticated.
 */
@Component(service = ServletContextHelper.class, scope = ServiceScope.BUNDLE, configurationPid = ApiConfig.PID)
@HttpWhiteboardContext(name = ApiContext.NAME, path = ApiContext.PATH)
@Designate(ocd = ApiConfig.class)
public class ApiContext extends ServletContextHelper {

    public static final String NAME = "pcm.api";
    public static final String PATH = "/redfish";
    public static final String SELECT = "(osgi.http.whiteboard.context.name=" + NAME + ")";
    /** The request attribute holding the authenticated {@link User}. */
    public static final String USER = "pcm.api.user";

    private static final Logger LOG = LoggerFactory.getLogger(ApiContext.class);

    private final Authenticator authenticator;
    private final CrossSiteCheck crossSite;

    @Activate
    public ApiContext(BundleContext context, ApiConfig config) throws IOException {
        super(context.getBundle());
        Map<String, User> users = new LinkedHashMap<>();
        for (String entry : config.users()) {
            try {
                User u = User.parse(entry);
                users.put(u.name(), u);
            } catch (IllegalArgumentException e) {
                LOG.error("{} users: entry ignored: {}", ApiConfig.PID, e.getMessage());
            }
        }
        String secret = null;
        if (!config.adminSecretFile().isBlank()) {
            Path file = Path.of(context.getProperty("pcm.data") == null ? "." : context.getProperty("pcm.data"))
                    .resolve(config.adminSecretFile());
            secret = AdminSecret.readOrCreate(file);
            LOG.info("API administrator '{}': password in {}", AdminSecret.USER, file);
        }
        authenticator = new Authenticator(users, secret);
        crossSite = new CrossSiteCheck(Set.of(config.allowedOrigins()));
    }

    @Override
    public boolean handleSecurity(HttpServletRequest request, HttpServletResponse response) throws IOException {
        var user = authenticator.authenticate(request.getHeader("Authorization"));
        if (user.isEmpty()) {
            response.setHeader("WWW-Authenticate", "Basic realm=\"PCM\", charset=\"UTF-8\"");
            Json.error(response, HttpServletResponse.SC_UNAUTHORIZED, "Base.1.0.NoValidSession",
                    "authentication required: HTTP Basic with a configured user or the administrator");
            return false;
        }
        String method = request.getMethod();
        String self = request.getScheme() + "://" + request.getHeader("Host");
        String refused = crossSite.refusal(method, self, request.getHeader("Origin"), request.getHeader("Referer"),
                request.getContentType(), request.getContentLengthLong());
        if (refused == null && !Set.of("GET", "HEAD", "OPTIONS").contains(method) && !user.get().mayChangeState())
            refused = "user " + user.get().name() + " (" + user.get().role() + ") may not " + method;
        if (refused != null) {
            LOG.warn("API: {} {} refused: {}", method, request.getRequestURI(), refused);
            Json.error(response, HttpServletResponse.SC_FORBIDDEN, "Base.1.0.InsufficientPrivilege", refused);
            return false;
        }
        request.setAttribute(USER, user.get());
        request.setAttribute(REMOTE_USER, user.get().name());
        request.setAttribute(AUTHENTICATION_TYPE, "Basic");
        return true;
    }
}
