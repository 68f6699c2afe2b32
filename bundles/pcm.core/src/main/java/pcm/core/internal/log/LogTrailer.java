package pcm.core.internal.log;

/**
 * What the END record of a complete window adds to the END event.
 *
 * @param recordCount     records before the trailer (all kinds, incl. ones a reader skipped)
 * @param streamCrc       CRC32C over the bytes of those records
 * @param closeEpochNanos UTC wall-clock time the window was closed
 */
public record LogTrailer(long recordCount, int streamCrc, long closeEpochNanos) {
}
