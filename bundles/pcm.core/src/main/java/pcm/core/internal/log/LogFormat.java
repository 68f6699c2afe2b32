package pcm.core.internal.log;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.zip.CRC32C;

import pcm.core.api.event.EventKind;

/**
 * Constants and small helpers of the window log format (docs/event-log-format.md). Everything is
 * little-endian.
 */
public final class LogFormat {

    private LogFormat() {}

    /** {@code 0x89 'P' 'C' 'M' 'L' 'O' 'G' '\n'}. */
    static final byte[] MAGIC = {(byte) 0x89, 'P', 'C', 'M', 'L', 'O', 'G', '\n'};
    public static final int MAJOR = 1;
    /**
     * Minor 3: FINGERPRINTS records; minor 2: the trailer adds the SHA-256 record chain ({@link #DIGEST}); minor 1:
     * CHECKPOINT, REG_WRITE.
     */
    public static final int MINOR = 3;
    /**
     * Record code of a BATCH (minor 3): a deflated run of events, each as {@code u16 kind code, u32 payload length,
     * payload} exactly as its own record's payload would be. Not an event kind: a reader hands out the events.
     */
    static final int BATCH = 20;
    /** The first minor that has BATCH records. */
    static final int MINOR_BATCH = 3;
    /** A writer closes a batch when its uncompressed events reach this many bytes. */
    static final int BATCH_RAW = 64 << 10;
    /** Events with more data than this go into their own record (DMA bytes are rarely compressible). */
    static final int BATCH_MAX_DATA = 16 << 10;

    /** The first minor whose trailer carries the record chain digest. */
    static final int MINOR_DIGEST = 2;

    /** magic(8) major(2) minor(2) headerLength(4) prefixCrc(4). */
    static final int PREFIX = 20;
    static final int MAX_HEADER_BODY = 1 << 20;
    /** length(4) kind(2) check(2). */
    static final int RECORD_HEADER = 8;
    static final int RECORD_CRC = 4;
    /** vcpu(4) position rip rcx address value timestamp (6x8) dataLength(4). */
    static final int EVENT_FIXED = 56;
    /** recordCount(8) streamCrc(4) closeEpochNanos(8). */
    static final int END_TAIL = 20;
    /** streamDigest(32), after {@link #END_TAIL} from minor 2 on. */
    static final int DIGEST = 32;
    /** Largest record payload a writer produces / a reader accepts (DMA data up to ~64 MiB). */
    public static final int MAX_PAYLOAD = 64 << 20;

    public static final String SUFFIX = "_events.pcmlog";
    public static final String PART = ".part";
    public static final String FAILED = ".failed";

    private static final DateTimeFormatter NAME_TIME =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

    /** Stable on-disk code of an event kind (never the ordinal). */
    static int code(EventKind kind) {
        return switch (kind) {
            case RDTSC -> 1;
            case RDTSCP -> 2;
            case RDRAND -> 3;
            case RDSEED -> 4;
            case RDPMC -> 5;
            case CPUID -> 6;
            case MSR_READ -> 7;
            case VMCALL -> 8;
            case PIO_IN -> 9;
            case MMIO_READ -> 10;
            case MMIO_WRITE -> 11;
            case DMA_WRITE -> 12;
            case INTERRUPT -> 13;
            case NMI -> 14;
            case END -> 15;
            case STATE -> 16;
            case CHECKPOINT -> 17; // minor 1
            case REG_WRITE -> 18; // minor 1
            case FINGERPRINTS -> 19; // minor 3
        };
    }

    private static final EventKind[] BY_CODE = new EventKind[20];
    static {
        for (EventKind k : EventKind.values()) BY_CODE[code(k)] = k;
    }

    /** The kind of a code, or null if this reader does not know it. */
    static EventKind kind(int code) {
        return code > 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }

    /** 16-bit check over a record's length and kind: the CRC32C of the 6 bytes, folded. */
    static int headerCheck(CRC32C crc, ByteBuffer buf, int at) {
        crc.reset();
        crc.update(buf.slice(at, 6));
        int c = (int) crc.getValue();
        return (c ^ (c >>> 16)) & 0xFFFF;
    }

    /** The trailer tail a writer of {@code minor} appends to the END event. */
    static int endTail(int minor) {
        return minor >= MINOR_DIGEST ? END_TAIL + DIGEST : END_TAIL;
    }

    /**
     * The record chain (minor 2): SHA-256 over the header's prefix CRC and body CRC, then the stored CRC of
     * every record before the trailer in file order (each u32, little-endian). Each record CRC covers its
     * record's bytes, so the digest depends on every byte of the header and records and on their order.
     */
    static final class Chain {
        private final java.security.MessageDigest sha;
        private final ByteBuffer pending = ByteBuffer.allocate(4096).order(java.nio.ByteOrder.LITTLE_ENDIAN);

        Chain() {
            try {
                sha = java.security.MessageDigest.getInstance("SHA-256");
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException("every Java platform has SHA-256", e);
            }
        }

        void add(int crc) {
            if (!pending.hasRemaining()) flush();
            pending.putInt(crc);
        }

        private void flush() {
            pending.flip();
            sha.update(pending);
            pending.clear();
        }

        byte[] digest() {
            flush();
            return sha.digest();
        }
    }

    static int crc(CRC32C crc, ByteBuffer buf, int at, int length) {
        crc.reset();
        crc.update(buf.slice(at, length));
        return (int) crc.getValue();
    }

    /** {@code <utc-time>_<window-id>_events.pcmlog}; the id is reduced to {@code [A-Za-z0-9.-]}. */
    public static String fileName(Instant start, String windowId) {
        return NAME_TIME.format(start) + "_" + safeId(windowId) + SUFFIX;
    }

    static String safeId(String id) {
        StringBuilder sb = new StringBuilder(Math.min(id.length(), 64));
        for (int i = 0; i < id.length() && sb.length() < 64; i++) {
            char c = id.charAt(i);
            sb.append((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-'
                    ? c : '-');
        }
        return sb.isEmpty() ? "window" : sb.toString();
    }

    /** Whether the name is a window log, complete or not ({@code .pcmlog}, {@code .part}, {@code .failed}). */
    public static boolean isWindowFile(Path p) {
        String n = p.getFileName().toString();
        return n.endsWith(SUFFIX) || n.endsWith(SUFFIX + PART) || n.endsWith(SUFFIX + FAILED);
    }

    /** Whether the name says the window was committed (renamed from {@code .part} on close). */
    public static boolean isCommitted(Path p) {
        return p.getFileName().toString().endsWith(SUFFIX);
    }

    /** The start time encoded in a window file name, or null. */
    public static Instant timeOf(Path p) {
        String n = p.getFileName().toString();
        int us = n.indexOf('_');
        if (us <= 0) return null;
        try {
            return NAME_TIME.parse(n.substring(0, us), Instant::from);
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
