package pcm.core.internal.log;

import java.nio.file.Path;

/**
 * Bytes that are there but wrong: bad magic, a header or record check/CRC mismatch, a record
 * whose fields contradict its length, a trailer whose count or stream CRC does not match, or data
 * after the trailer.
 */
public final class CorruptRecordException extends LogException {

    private static final long serialVersionUID = 1L;

    /** {@link #recordIndex()} of a problem in the file header. */
    public static final long HEADER = -1;

    private final long recordIndex;

    CorruptRecordException(Path file, long recordIndex, long offset, String message) {
        super(file, offset, (recordIndex == HEADER ? "header" : "record #" + recordIndex) + ": " + message);
        this.recordIndex = recordIndex;
    }

    /** Index of the bad record (0 = first record after the header), or {@link #HEADER}. */
    public long recordIndex() { return recordIndex; }
}
