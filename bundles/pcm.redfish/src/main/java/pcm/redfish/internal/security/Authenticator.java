package pcm.redfish.internal.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Checks HTTP Basic credentials (RFC 7617) against the configured users and the built-in administrator. A PBKDF2
 * check costs ~0.1 s, so credentials that passed once are remembered by their SHA-256 (never the password itself).
 */
public final class Authenticator {

    private final Map<String, User> users;
    private final byte[] adminDigest; // null: no built-in administrator
    private final Set<String> verified = ConcurrentHashMap.newKeySet();

    public Authenticator(Map<String, User> users, String adminSecret) {
        this.users = Map.copyOf(users);
        this.adminDigest = adminSecret == null ? null : sha256(AdminSecret.USER + ":" + adminSecret);
    }

    /** The user the {@code Authorization} header proves, empty when it is missing, malformed or wrong. */
    public Optional<User> authenticate(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) return Optional.empty();
        String pair;
        try {
            pair = new String(Base64.getDecoder().decode(authorization.substring(6).strip()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        int colon = pair.indexOf(':');
        if (colon <= 0) return Optional.empty();
        return check(pair.substring(0, colon), pair.substring(colon + 1));
    }

    /** The user a name and password prove (a Basic header, a session login), empty when they prove none. */
    public Optional<User> check(String name, String password) {
        if (name == null || password == null || name.isEmpty() || name.indexOf(':') >= 0) return Optional.empty();
        byte[] digest = sha256(name + ":" + password);
        if (adminDigest != null && MessageDigest.isEqual(digest, adminDigest))
            return Optional.of(new User(AdminSecret.USER, User.ADMINISTRATOR, null));
        User u = users.get(name);
        if (u == null) return Optional.empty();
        String key = Base64.getEncoder().encodeToString(digest);
        if (verified.contains(key) || u.password().matches(password.toCharArray())) {
            verified.add(key);
            return Optional.of(u);
        }
        return Optional.empty();
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
