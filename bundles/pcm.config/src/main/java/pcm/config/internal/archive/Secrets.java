package pcm.config.internal.archive;

import java.util.Set;

import org.osgi.service.metatype.AttributeDefinition;

/**
 * Which attributes are secrets, left out of an export unless asked for: every metatype Password attribute, and values
 * that are secrets without being typed so — {@code pcm.api}'s {@code users} (each entry carries a user's PBKDF2 hash,
 * which an attacker can attack offline; its metatype types it String because each entry is more than a password).
 */
final class Secrets {

    /** {@code pid/key} of secrets that their metatype does not type Password. */
    static final Set<String> UNTYPED = Set.of("pcm.api/users");

    private Secrets() {}

    /** {@code pid}: the PID, or the factory PID of a factory configuration. */
    static boolean is(String pid, AttributeDefinition ad) {
        return ad.getType() == AttributeDefinition.PASSWORD || UNTYPED.contains(pid + "/" + ad.getID());
    }
}
