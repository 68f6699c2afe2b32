package pcm.core.api.tracer;

/**
 * What a tracer drained for a window.
 *
 * @param format  the record format and its version, e.g. {@code pcm-mtr/1.0} (docs/trace-format.md)
 * @param records records kept in {@code data}; -1 if the tracer does not say
 * @param dropped records a bounded buffer could not keep (the hardware's overflow): 0 if none
 * @param data    the records
 * @since 1.1
 */
public record TraceData(String format, long records, long dropped, byte[] data) {
}
