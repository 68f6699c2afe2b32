package pcm.core.internal.log;

import java.nio.file.Path;

/**
 * The window was never completed: the file ends cleanly after a record but has no valid END
 * trailer, or it is still a {@code .part}/{@code .failed} file (never committed). Everything read
 * before the problem was intact, but the window as a whole must not be replayed.
 */
public sealed class TornWindowException extends LogException permits TruncatedLogException {

    private static final long serialVersionUID = 1L;

    private final long intactRecords;

    TornWindowException(Path file, long offset, long intactRecords, String message) {
        super(file, offset, message);
        this.intactRecords = intactRecords;
    }

    /** Records (after the header) that were read intact before the window ended. */
    public long intactRecords() { return intactRecords; }
}
