package pcm.core.internal.log;

import java.nio.file.Path;

/**
 * The file ends in the middle of the header or of a record (a torn write). A special case of a
 * torn window: the data that is there is intact, it is just not all there.
 */
public final class TruncatedLogException extends TornWindowException {

    private static final long serialVersionUID = 1L;

    TruncatedLogException(Path file, long offset, long intactRecords, String message) {
        super(file, offset, intactRecords, message);
    }
}
