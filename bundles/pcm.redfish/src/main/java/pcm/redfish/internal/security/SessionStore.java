package pcm.redfish.internal.security;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Redfish sessions (SessionService): a login trades credentials for a random token that the client sends as
 * {@code X-Auth-Token}; a session not used for {@code sessionTimeoutSeconds} ends. Kept in memory only: a restart of
 * PCM ends every session. A browser never attaches such a header by itself, so requests with a token cannot be forged
 * cross-site.
 */
public final class SessionStore {

    public record Session(String id, String token, User user, long createdMillis, long lastUsedMillis) {}

    private final Map<String, Session> byToken = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();
    private final LongSupplier clock;
    private final long timeoutMillis;

    public SessionStore(long timeoutSeconds, LongSupplier clock) {
        this.clock = clock;
        this.timeoutMillis = timeoutSeconds * 1000;
    }

    public long timeoutSeconds() {
        return timeoutMillis / 1000;
    }

    public Session create(User user) {
        byte[] t = new byte[32];
        random.nextBytes(t);
        byte[] i = new byte[8];
        random.nextBytes(i);
        long now = clock.getAsLong();
        Session s = new Session(HexFormat.of().formatHex(i), Base64.getUrlEncoder().withoutPadding().encodeToString(t), user, now, now);
        byToken.put(s.token(), s);
        return s;
    }

    /** The live session of a token (and its use noted), empty when there is none or it timed out. */
    public Optional<Session> use(String token) {
        if (token == null) return Optional.empty();
        Session s = byToken.get(token);
        long now = clock.getAsLong();
        if (s == null) return Optional.empty();
        if (now - s.lastUsedMillis() > timeoutMillis) {
            byToken.remove(token, s);
            return Optional.empty();
        }
        Session used = new Session(s.id(), s.token(), s.user(), s.createdMillis(), now);
        byToken.replace(token, s, used);
        return Optional.of(used);
    }

    public List<Session> live() {
        long now = clock.getAsLong();
        byToken.values().removeIf(s -> now - s.lastUsedMillis() > timeoutMillis);
        List<Session> all = new ArrayList<>(byToken.values());
        all.sort(java.util.Comparator.comparingLong(Session::createdMillis));
        return all;
    }

    public Optional<Session> byId(String id) {
        return live().stream().filter(s -> s.id().equals(id)).findFirst();
    }

    public boolean end(String id) {
        return byToken.values().removeIf(s -> s.id().equals(id));
    }
}
