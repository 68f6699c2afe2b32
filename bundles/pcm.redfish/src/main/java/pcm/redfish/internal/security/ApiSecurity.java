package pcm.redfish.internal.security;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who may use the API (PID {@value ApiConfig#PID}): the users, the built-in administrator, the sessions and the
 * cross-site rule, shared by the servlet context (every request) and the SessionService (login). A new configuration
 * makes a new instance: sessions end with it.
 */
@Component(service = ApiSecurity.class, configurationPid = ApiConfig.PID)
@Designate(ocd = ApiConfig.class)
public class ApiSecurity {

    private static final Logger LOG = LoggerFactory.getLogger(ApiSecurity.class);

    private final Authenticator authenticator;
    private final CrossSiteCheck crossSite;
    private final SessionStore sessions;

    @Activate
    public ApiSecurity(BundleContext context, ApiConfig config) throws IOException {
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
            String data = context.getProperty("pcm.data");
            Path file = Path.of(data == null ? "." : data).resolve(config.adminSecretFile());
            secret = AdminSecret.readOrCreate(file);
            LOG.info("API administrator '{}': password in {}", AdminSecret.USER, file);
        }
        authenticator = new Authenticator(users, secret);
        crossSite = new CrossSiteCheck(Set.of(config.allowedOrigins()));
        sessions = new SessionStore(config.sessionTimeoutSeconds(), System::currentTimeMillis);
    }

    /** The user of a request: its session token ({@code X-Auth-Token}) if it sends one, else its Basic credentials. */
    public Optional<User> authenticate(String authToken, String authorization) {
        if (authToken != null) return sessions.use(authToken).map(SessionStore.Session::user);
        return authenticator.authenticate(authorization);
    }

    public Authenticator authenticator() {
        return authenticator;
    }

    public CrossSiteCheck crossSite() {
        return crossSite;
    }

    public SessionStore sessions() {
        return sessions;
    }
}
