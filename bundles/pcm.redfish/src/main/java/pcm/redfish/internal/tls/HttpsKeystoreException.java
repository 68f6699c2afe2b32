package pcm.redfish.internal.tls;

import java.nio.file.Path;

/**
 * The HTTPS keystore cannot be used: missing, unreadable, a wrong password, no key in it, or a generation that failed.
 * Names the file. PCM then serves nothing rather than fall back to plain HTTP.
 */
public final class HttpsKeystoreException extends Exception {

    private static final long serialVersionUID = 1L;

    private final transient Path file;

    public HttpsKeystoreException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
        this.file = file;
    }

    public HttpsKeystoreException(Path file, String problem) {
        this(file, problem, null);
    }

    /** The keystore (or password file) that is wrong. */
    public Path file() {
        return file;
    }
}
