package pcm.redfish.internal.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 16 item 6: who may use the API, and what a cross-site request may not do. */
class SecurityTest {

    static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void adminSecretIsCreatedOwnerOnlyAndKeptAcrossStarts(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("secrets/admin.password");
        String first = AdminSecret.readOrCreate(file);
        assertTrue(first.length() >= 40, first);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())));
        assertEquals(first, AdminSecret.readOrCreate(file), "the second start reads the same secret");
        assertFalse(first.equals(AdminSecret.readOrCreate(dir.resolve("other/admin.password"))), "random per data directory");
    }

    @Test
    void passwordHashRoundTripsAndRejectsWhatIsNotOne() {
        PasswordHash h = PasswordHash.create("s3cret".toCharArray());
        PasswordHash parsed = PasswordHash.parse(h.toString());
        assertTrue(parsed.matches("s3cret".toCharArray()));
        assertFalse(parsed.matches("s3cret ".toCharArray()));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PasswordHash.parse("md5:1:a:b")).getMessage().contains("pbkdf2-sha256"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PasswordHash.parse("pbkdf2-sha256:x:a:b")).getMessage().contains("'x'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PasswordHash.parse("pbkdf2-sha256:10:AA==:AA==")).getMessage().contains("below"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> User.parse("bob:Root:" + h)).getMessage().contains("role 'Root'"));
    }

    @Test
    void authenticatorKnowsTheAdministratorAndTheConfiguredUsersOnly() {
        User reader = User.parse("reader:ReadOnly:" + PasswordHash.create("r-pass".toCharArray()));
        Authenticator a = new Authenticator(Map.of("reader", reader), "the-admin-secret-0123456789");
        assertEquals(User.ADMINISTRATOR, a.authenticate(basic("admin", "the-admin-secret-0123456789")).orElseThrow().role());
        assertEquals("reader", a.authenticate(basic("reader", "r-pass")).orElseThrow().name());
        assertEquals("reader", a.authenticate(basic("reader", "r-pass")).orElseThrow().name(), "remembered: same answer");
        assertFalse(a.authenticate(basic("reader", "r-pass")).orElseThrow().mayChangeState());
        assertTrue(a.authenticate(basic("admin", "wrong")).isEmpty());
        assertTrue(a.authenticate(basic("reader", "wrong")).isEmpty());
        assertTrue(a.authenticate(basic("nobody", "r-pass")).isEmpty());
        assertTrue(a.authenticate(null).isEmpty());
        assertTrue(a.authenticate("Bearer abc").isEmpty());
        assertTrue(a.authenticate("Basic !!!notbase64").isEmpty());
        assertTrue(a.authenticate("Basic " + Base64.getEncoder().encodeToString("nocolon".getBytes())).isEmpty());
        assertTrue(new Authenticator(Map.of(), null).authenticate(basic("admin", "")).isEmpty(), "no built-in administrator");
    }

    @Test
    void crossSiteStateChangesAreRefusedAndCommandLineClientsPass() {
        CrossSiteCheck c = new CrossSiteCheck(Set.of("https://console.example:8443"));
        String self = "http://127.0.0.1:8181";
        assertNull(c.refusal("GET", self, "http://evil.example", null, null, 0), "reading is not a state change");
        assertNull(c.refusal("POST", self, null, null, "application/json", 10), "curl: no Origin");
        assertNull(c.refusal("POST", self, self, null, "application/json; charset=utf-8", 10), "same origin");
        assertNull(c.refusal("POST", self, "https://console.example:8443", null, "application/json", 10), "allowed origin");
        assertNotNull(c.refusal("POST", self, "http://evil.example", null, "application/json", 10));
        assertNotNull(c.refusal("POST", self, null, "http://evil.example/page.html", "application/json", 10), "Referer without Origin");
        assertNotNull(c.refusal("PATCH", self, null, null, "application/x-www-form-urlencoded", 10), "a form cannot change state");
        assertNotNull(c.refusal("POST", self, null, null, "multipart/form-data; boundary=x", 10), "nor a multipart form");
        assertNotNull(c.refusal("POST", self, null, null, "text/plain", 10), "nor text");
        assertNull(c.refusal("POST", self, null, null, "application/octet-stream", 10), "a firmware image pushed by a client");
        assertNotNull(c.refusal("POST", self, "http://evil.example", null, "application/octet-stream", 10), "but not cross-site");
        assertNotNull(c.refusal("DELETE", self, "null", null, null, 0), "opaque origin (sandboxed frame)");
        assertNull(c.refusal("DELETE", self, null, null, null, 0), "no body: nothing to type-check");
    }
}
