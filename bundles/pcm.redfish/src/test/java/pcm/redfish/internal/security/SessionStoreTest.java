package pcm.redfish.internal.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

/** Issue 16 item 6: Redfish sessions end when unused for the timeout, or at logout; tokens are random. */
class SessionStoreTest {

    static final User READER = new User("reader", User.READ_ONLY, null);

    @Test
    void aSessionLivesWhileUsedAndEndsAfterTheTimeout() {
        AtomicLong now = new AtomicLong(1_000_000);
        SessionStore store = new SessionStore(60, now::get);
        SessionStore.Session s = store.create(READER);
        assertTrue(s.token().length() >= 40, s.token());
        now.addAndGet(59_000);
        assertEquals("reader", store.use(s.token()).orElseThrow().user().name(), "used within the timeout");
        now.addAndGet(59_000);
        assertTrue(store.use(s.token()).isPresent(), "each use starts the timeout again");
        now.addAndGet(60_001);
        assertTrue(store.use(s.token()).isEmpty(), "unused for longer than the timeout: ended");
        assertTrue(store.live().isEmpty());
        assertTrue(store.use(null).isEmpty());
        assertTrue(store.use("forged").isEmpty());
    }

    @Test
    void logoutEndsOnlyThatSession() {
        SessionStore store = new SessionStore(60, System::currentTimeMillis);
        SessionStore.Session a = store.create(READER);
        SessionStore.Session b = store.create(READER);
        assertNotEquals(a.token(), b.token());
        assertNotEquals(a.id(), b.id());
        assertTrue(store.end(a.id()));
        assertFalse(store.end(a.id()));
        assertTrue(store.use(a.token()).isEmpty());
        assertTrue(store.use(b.token()).isPresent());
        assertEquals(b.id(), store.byId(b.id()).orElseThrow().id());
    }
}
