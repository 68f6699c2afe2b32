package pcm.config.internal.archive;

import java.util.Set;

import org.osgi.service.metatype.AttributeDefinition;

/**
 * Which attributes are secrets, left out of an export unless asked for: every metatype Password attribute, and values
 * that are secrets without being typed so — {@code pcm.api}'s {@code users} (each entry carries a user's PBKDF2 hash,
 * which an attacker can attack offline; its metatype types it String because each entry is more than a password).
 */
public final class Secrets {

    /**
     * {@code pid/key} of passwords that their metatype types String: Felix HTTP Jetty's keystore passwords (pcm.redfish's
     * HttpsSetup puts the HTTPS keystore's there). Treated as Password attributes: never shown, never exported without secrets.
     */
    static final Set<String> UNTYPED_PASSWORDS = Set.of("org.apache.felix.http/org.apache.felix.https.keystore.password",
            "org.apache.felix.http/org.apache.felix.https.keystore.key.password",
            "org.apache.felix.http/org.apache.felix.https.truststore.password");

    /** {@code pid/key} of secrets that their metatype does not type Password. */
    static final Set<String> UNTYPED = java.util.stream.Stream.concat(Set.of("pcm.api/users").stream(), UNTYPED_PASSWORDS.stream())
            .collect(java.util.stream.Collectors.toUnmodifiableSet());

    private Secrets() {}

    /** {@code pid}: the PID, or the factory PID of a factory configuration. */
    static boolean is(String pid, AttributeDefinition ad) {
        return ad.getType() == AttributeDefinition.PASSWORD || UNTYPED.contains(pid + "/" + ad.getID());
    }

    /** Whether the attribute is a password (its value is never shown), whatever type its metatype gives it. */
    public static boolean password(String pid, AttributeDefinition ad) {
        return ad.getType() == AttributeDefinition.PASSWORD || UNTYPED_PASSWORDS.contains(pid + "/" + ad.getID());
    }
}
