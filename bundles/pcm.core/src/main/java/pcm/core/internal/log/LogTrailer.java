package pcm.core.internal.log;

/**
 * What the END record of a complete window adds to the END event.
 *
 * @param recordCount     records before the trailer (all kinds, incl. ones a reader skipped)
 * @param streamCrc       CRC32C over the bytes of those records (depends only on their lengths: see
 *                        docs/event-log-format.md; kept for readers of minor 0 and 1)
 * @param closeEpochNanos UTC wall-clock time the window was closed
 * @param streamDigest    the record chain (SHA-256, 32 bytes) from minor 2 on; null in older logs
 */
public record LogTrailer(long recordCount, int streamCrc, long closeEpochNanos, byte[] streamDigest) {

    public LogTrailer(long recordCount, int streamCrc, long closeEpochNanos) {
        this(recordCount, streamCrc, closeEpochNanos, null);
    }

    /** Whether the trailer proves the content and order of the records (minor 2), not only their lengths. */
    public boolean chained() { return streamDigest != null; }
}
