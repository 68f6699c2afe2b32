package pcm.redfish.internal.security;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * PBKDF2-HMAC-SHA256 password hashes (the JDK's; no password is kept in configuration).
 * Stored as {@code pbkdf2-sha256:<iterations>:<salt base64>:<hash base64>}.
 */
public record PasswordHash(int iterations, byte[] salt, byte[] hash) {

    public static final String ALGORITHM = "pbkdf2-sha256";
    static final int DEFAULT_ITERATIONS = 210_000;
    private static final int HASH_BYTES = 32;

    public static PasswordHash create(char[] password) {
        byte[] salt = new byte[16];
        new SecureRandom().nextBytes(salt);
        return new PasswordHash(DEFAULT_ITERATIONS, salt, derive(password, salt, DEFAULT_ITERATIONS));
    }

    /** Parses {@code pbkdf2-sha256:<iterations>:<salt>:<hash>}; a clear IllegalArgumentException naming what is wrong. */
    public static PasswordHash parse(String text) {
        String[] f = text.split(":");
        if (f.length != 4 || !f[0].equals(ALGORITHM))
            throw new IllegalArgumentException("not " + ALGORITHM + ":<iterations>:<salt>:<hash>");
        int iterations;
        try {
            iterations = Integer.parseInt(f[1]);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("iterations '" + f[1] + "' is not a number");
        }
        if (iterations < 1_000) throw new IllegalArgumentException("iterations " + iterations + " below 1000");
        Base64.Decoder b64 = Base64.getDecoder();
        try {
            return new PasswordHash(iterations, b64.decode(f[2]), b64.decode(f[3]));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("salt or hash is not base64");
        }
    }

    public boolean matches(char[] password) {
        return MessageDigest.isEqual(hash, derive(password, salt, iterations));
    }

    @Override
    public String toString() {
        Base64.Encoder b64 = Base64.getEncoder();
        return ALGORITHM + ":" + iterations + ":" + b64.encodeToString(salt) + ":" + b64.encodeToString(hash);
    }

    private static byte[] derive(char[] password, byte[] salt, int iterations) {
        try {
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256")
                    .generateSecret(new PBEKeySpec(password, salt, iterations, HASH_BYTES * 8)).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 is not available", e);
        }
    }
}
