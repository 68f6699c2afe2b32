package pcm.redfish.internal.security;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Who may use the HTTP API (PID {@value #PID}). The address and port the server binds are Felix HTTP's own
 * configuration (PID {@code org.apache.felix.http}, metatype-described by that bundle); the runtime's defaults bind
 * loopback only (runconfigs/pcm.bndrun).
 */
@ObjectClassDefinition(name = "PCM API access",
        description = "Users of the HTTP API (Redfish) and cross-site request checks")
public @interface ApiConfig {

    String PID = "pcm.api";

    @AttributeDefinition(name = "Users", description = "One entry per user: name:role:pbkdf2-sha256:iterations:salt-base64:hash-base64, "
            + "role Administrator (may change state) or ReadOnly (docs/operating.md shows how to make the hash). "
            + "The administrator 'admin' whose password is in <data>/secrets/admin.password needs no entry.")
    String[] users() default {};

    @AttributeDefinition(name = "Administrator secret file", description = "Relative to the data directory; created with a random "
            + "secret (permissions 0600) at the first start when absent. Empty: no built-in administrator.")
    String adminSecretFile() default "secrets/admin.password";

    @AttributeDefinition(name = "Allowed origins", description = "Origins (scheme://host:port) besides the server's own from which a "
            + "browser may send state-changing requests (POST, PATCH, PUT, DELETE)")
    String[] allowedOrigins() default {};

    @AttributeDefinition(name = "Session timeout (s)", description = "A Redfish session (X-Auth-Token) not used for this long ends",
            min = "30", max = "86400")
    long sessionTimeoutSeconds() default 1800;
}
