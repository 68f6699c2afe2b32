package pcm.core.api.tracer;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The I/O tracer's record format {@value #FORMAT} (docs/trace-format.md): one record per I/O transaction, in order —
 * <pre>
 *   u8      type       IoTransactionListener.Type ordinal (0 PORT_IN, 1 PORT_OUT, 2 MMIO_READ, 3 MMIO_WRITE, 4 DMA_WRITE)
 *   varint  Δposition  instructions retired before it, minus the previous record's
 *   varint  address    port, MMIO GPA or DMA target GPA
 *   varint  size       access size (DMA: length in bytes)
 *   ...     data       port/MMIO: {@code size} bytes of the value, little-endian; DMA: the {@code size} bytes written
 * </pre>
 *
 * @since 1.1
 */
public final class IoTrace {

    public static final String FORMAT = "pcm-itr/1.0";
    public static final String FORMAT_FAMILY = "pcm-itr/1.";

    private IoTrace() {}

    /** One transaction; {@code value} for port/MMIO, {@code data} for DMA (else null). */
    public record Transaction(IoTransactionListener.Type type, long position, long address, int size, long value, byte[] data) {
        @Override
        public String toString() {
            return type + "@" + position + " 0x" + Long.toHexString(address) + "/" + size
                    + (data == null ? "=0x" + Long.toHexString(value) : " (" + data.length + " bytes)");
        }
    }

    /** Appends transactions to a bounded buffer in this format. */
    public static final class Writer implements IoTransactionListener {
        private final TraceBuffer buf;
        private long lastPosition;

        public Writer(int capacityBytes) {
            this.buf = new TraceBuffer(capacityBytes);
        }

        @Override
        public void transaction(Type type, long position, long address, int size, long value, byte[] data) {
            if (!buf.begin()) return;
            buf.put(type.ordinal());
            buf.putVarint(Math.max(0, position - lastPosition));
            buf.putVarint(address);
            if (type == Type.DMA_WRITE) {
                byte[] d = data == null ? new byte[0] : data;
                buf.putVarint(d.length);
                buf.put(d);
            } else {
                buf.putVarint(size);
                buf.putLe(value, Math.min(size, 8));
            }
            buf.end();
            if (buf.dropped() == 0) lastPosition = Math.max(lastPosition, position);
        }

        public TraceBuffer buffer() { return buf; }

        public TraceData drain() { return buf.drain(FORMAT); }
    }

    public static boolean isIoTrace(Trace t) {
        return t.status() == Trace.Status.COMPLETE && t.format().startsWith(FORMAT_FAMILY);
    }

    public static void forEach(byte[] data, Consumer<Transaction> to) {
        IoTransactionListener.Type[] types = IoTransactionListener.Type.values();
        int i = 0;
        long position = 0;
        long[] v = new long[1];
        while (i < data.length) {
            int t = data[i++] & 0xFF;
            if (t >= types.length) throw new IllegalArgumentException("I/O trace record at byte " + (i - 1) + ": type " + t);
            IoTransactionListener.Type type = types[t];
            i = MemoryTrace.varint(data, i, v);
            position += v[0];
            i = MemoryTrace.varint(data, i, v);
            long address = v[0];
            i = MemoryTrace.varint(data, i, v);
            if (v[0] < 0 || v[0] > data.length - i) throw new IllegalArgumentException("I/O trace record longer than the trace");
            int size = (int) v[0];
            if (type == IoTransactionListener.Type.DMA_WRITE) {
                byte[] d = java.util.Arrays.copyOfRange(data, i, i + size);
                i += size;
                to.accept(new Transaction(type, position, address, size, 0, d));
            } else {
                int n = Math.min(size, 8);
                long value = 0;
                for (int k = 0; k < n; k++) value |= (data[i + k] & 0xFFL) << (8 * k);
                i += n;
                to.accept(new Transaction(type, position, address, size, value, null));
            }
        }
    }

    public static List<Transaction> decode(byte[] data) {
        List<Transaction> out = new ArrayList<>();
        forEach(data, out::add);
        return out;
    }
}
