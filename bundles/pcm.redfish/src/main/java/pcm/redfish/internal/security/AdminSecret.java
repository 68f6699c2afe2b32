package pcm.redfish.internal.security;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The built-in administrator's password: a random secret in a file only its owner can read, created at the first
 * start (the operator reads it from there; bin/pcm start says where). A secret of 32 random bytes needs no slow
 * hash: it is compared by its SHA-256 in constant time.
 */
public final class AdminSecret {

    public static final String USER = "admin";

    private AdminSecret() {}

    /** Reads the secret, creating the file (0600, directory 0700) with a new random secret when it does not exist. */
    public static String readOrCreate(Path file) throws IOException {
        if (!Files.exists(file)) {
            Path dir = file.toAbsolutePath().getParent();
            if (!Files.isDirectory(dir)) Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            byte[] random = new byte[32];
            new SecureRandom().nextBytes(random);
            String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
            try {
                // created with 0600 from the start: never readable by others, not even for a moment
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                Files.writeString(file, secret + "\n", StandardCharsets.UTF_8);
            } catch (FileAlreadyExistsException raced) {
                // another start created it first: use theirs
            }
        }
        String secret = Files.readString(file, StandardCharsets.UTF_8).strip();
        if (secret.length() < 16) throw new IOException(file + ": the administrator secret is shorter than 16 characters");
        return secret;
    }
}
