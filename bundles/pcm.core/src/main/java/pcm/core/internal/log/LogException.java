package pcm.core.internal.log;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A window log that cannot be taken as valid. Sealed: a reader reports exactly one of
 * {@link TornWindowException} (incl. {@link TruncatedLogException}), {@link CorruptRecordException}
 * or {@link UnsupportedLogVersionException}. Plain {@link IOException}s are disk problems, not
 * format problems.
 */
public abstract sealed class LogException extends IOException
        permits TornWindowException, CorruptRecordException, UnsupportedLogVersionException {

    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final long offset;

    LogException(Path file, long offset, String message) {
        super((file == null ? "" : file.getFileName() + ": ") + message + " (at byte " + offset + ")");
        this.file = file;
        this.offset = offset;
    }

    /** The log file (null for an anonymous stream). */
    public Path file() { return file; }

    /** File offset of the problem: the start of the offending record, or where the data ended. */
    public long offset() { return offset; }
}
