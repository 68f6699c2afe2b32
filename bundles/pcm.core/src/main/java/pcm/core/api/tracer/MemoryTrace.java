package pcm.core.api.tracer;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The memory tracer's record format {@value #FORMAT} (docs/trace-format.md): one record per guest memory access, in
 * the order the CPU made them —
 * <pre>
 *   u8      flags      bit 7: store (else load); bits 0-3: size in bytes (1, 2, 4, 8)
 *   varint  Δposition  instructions retired before the access, minus the previous record's (first: minus 0)
 *   varint  zigzag(Δgpa)  guest-physical address minus the previous record's (first: minus 0)
 *   size    data       the bytes loaded or stored, little-endian
 * </pre>
 * Varints are unsigned LEB128; zigzag maps a signed delta to unsigned ({@code (d << 1) ^ (d >> 63)}).
 *
 * @since 1.1
 */
public final class MemoryTrace {

    /** Format name and version; a reader of 1.x reads every 1.y (a later minor only adds flag bits it may ignore). */
    public static final String FORMAT = "pcm-mtr/1.0";
    public static final String FORMAT_FAMILY = "pcm-mtr/1.";

    private MemoryTrace() {}

    /** One access. */
    public record Access(long position, long gpa, boolean write, int size, long data) {
        @Override
        public String toString() {
            return (write ? "W" : "R") + size + "@" + position + " 0x" + Long.toHexString(gpa) + "=0x" + Long.toHexString(data);
        }
    }

    /** Appends accesses to a bounded buffer in this format. */
    public static final class Writer implements MemoryAccessListener {
        private final TraceBuffer buf;
        private long lastPosition, lastGpa;

        public Writer(int capacityBytes) {
            this.buf = new TraceBuffer(capacityBytes);
        }

        @Override
        public void access(long position, long gpa, boolean write, int size, long data) {
            if (!buf.begin()) return;
            buf.put((write ? 0x80 : 0) | size);
            buf.putVarint(position - lastPosition);
            long d = gpa - lastGpa;
            buf.putVarint((d << 1) ^ (d >> 63));
            buf.putLe(data, size);
            buf.end();
            if (buf.dropped() == 0) {
                lastPosition = position;
                lastGpa = gpa;
            }
        }

        public TraceBuffer buffer() { return buf; }

        public TraceData drain() { return buf.drain(FORMAT); }
    }

    /** Whether a trace is in this format (any 1.x). */
    public static boolean isMemoryTrace(Trace t) {
        return t.status() == Trace.Status.COMPLETE && t.format().startsWith(FORMAT_FAMILY);
    }

    /** Every access of {@code data}, in order. */
    public static void forEach(byte[] data, Consumer<Access> to) {
        int i = 0;
        long position = 0, gpa = 0;
        long[] v = new long[1];
        while (i < data.length) {
            int flags = data[i++] & 0xFF;
            int size = flags & 0x0F;
            if (size != 1 && size != 2 && size != 4 && size != 8) {
                throw new IllegalArgumentException("memory trace record at byte " + (i - 1) + ": size " + size);
            }
            i = varint(data, i, v);
            position += v[0];
            i = varint(data, i, v);
            gpa += (v[0] >>> 1) ^ -(v[0] & 1);
            if (i + size > data.length) throw new IllegalArgumentException("memory trace ends inside a record's data");
            long d = 0;
            for (int k = 0; k < size; k++) d |= (data[i + k] & 0xFFL) << (8 * k);
            i += size;
            to.accept(new Access(position, gpa, (flags & 0x80) != 0, size, d));
        }
    }

    public static List<Access> decode(byte[] data) {
        List<Access> out = new ArrayList<>();
        forEach(data, out::add);
        return out;
    }

    static int varint(byte[] b, int i, long[] out) {
        long v = 0;
        for (int shift = 0; ; shift += 7) {
            if (i >= b.length) throw new IllegalArgumentException("trace ends inside a varint");
            if (shift > 63) throw new IllegalArgumentException("varint longer than 64 bits at byte " + i);
            int x = b[i++] & 0xFF;
            v |= (long) (x & 0x7F) << shift;
            if ((x & 0x80) == 0) break;
        }
        out[0] = v;
        return i;
    }
}
