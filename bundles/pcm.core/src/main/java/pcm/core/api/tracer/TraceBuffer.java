package pcm.core.api.tracer;

import java.util.Arrays;

/**
 * A bounded trace buffer, as tracer hardware has one: records are appended until the next one does not fit in
 * {@code capacity} bytes; from then on every record is counted as dropped and none kept, so a trace is always the
 * window's first N records plus the number lost (the MTR's overflow). Grows on demand: a quiet window does not cost
 * the whole capacity. Not thread-safe (the vCPU thread appends, the drain follows on the same thread).
 *
 * @since 1.1
 */
public final class TraceBuffer {

    private final int capacity;
    private byte[] buf = new byte[4096];
    private int length;
    private long records, dropped;
    /** The record being appended starts here (a record that does not fit is rolled back to it). */
    private int recordStart;
    private boolean overflowed;

    public TraceBuffer(int capacity) {
        if (capacity < 16) throw new IllegalArgumentException("trace buffer capacity " + capacity + " < 16 bytes");
        this.capacity = capacity;
    }

    public int capacity() { return capacity; }

    public long records() { return records; }

    public long dropped() { return dropped; }

    public int length() { return length; }

    /** Starts a record; false if the buffer overflowed already (the record is dropped, do not write it). */
    public boolean begin() {
        if (overflowed) {
            dropped++;
            return false;
        }
        recordStart = length;
        return true;
    }

    /** Ends a record begun with {@link #begin}: kept if it fit, else rolled back, counted dropped and the buffer full. */
    public void end() {
        if (length > capacity) {
            length = recordStart;
            overflowed = true;
            dropped++;
        } else {
            records++;
        }
    }

    public void put(int b) {
        ensure(1);
        buf[length++] = (byte) b;
    }

    /** Little-endian, {@code n} bytes. */
    public void putLe(long v, int n) {
        ensure(n);
        for (int i = 0; i < n; i++) buf[length++] = (byte) (v >>> (8 * i));
    }

    /** Unsigned LEB128. */
    public void putVarint(long v) {
        ensure(10);
        while ((v & ~0x7FL) != 0) {
            buf[length++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        buf[length++] = (byte) v;
    }

    public void put(byte[] b) {
        ensure(b.length);
        System.arraycopy(b, 0, buf, length, b.length);
        length += b.length;
    }

    private void ensure(int n) {
        // a record may run past the capacity by its own length: end() rolls it back
        if (length + n > buf.length) buf = Arrays.copyOf(buf, Math.max(length + n, Math.min(Math.max(buf.length * 2, 4096),
                capacity + 64 + n)));
    }

    /** The kept records' bytes. */
    public byte[] bytes() { return Arrays.copyOf(buf, length); }

    /** What a tracer drains: {@code format}, the kept records, the count dropped. */
    public TraceData drain(String format) {
        return new TraceData(format, records, dropped, bytes());
    }
}
