package pcm.core.internal.log;

import java.nio.file.Path;

/** The log was written in a major format version this reader does not know. */
public final class UnsupportedLogVersionException extends LogException {

    private static final long serialVersionUID = 1L;

    private final int major;
    private final int minor;

    UnsupportedLogVersionException(Path file, int major, int minor) {
        super(file, 8, "format version " + major + "." + minor + " is not supported (this reader reads "
                + LogFormat.MAJOR + ".x, x <= " + LogFormat.MINOR + " fully and higher minors by skipping)");
        this.major = major;
        this.minor = minor;
    }

    public int major() { return major; }

    public int minor() { return minor; }
}
