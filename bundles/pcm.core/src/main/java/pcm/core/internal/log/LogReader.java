package pcm.core.internal.log;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

import pcm.core.api.event.EventKind;
import pcm.core.api.event.PcmEvent;

/**
 * Reads one window log, validating every check: the header on {@link #open(Path)}, each record in
 * {@link #next()}, and at the END trailer the record count and the CRC over the whole record
 * stream. A log is valid only if {@link #next()} returned the END event and then {@code null}
 * without throwing. Files still named {@code .part} or {@code .failed} are never valid: they are
 * reported as {@link TornWindowException} even when their contents look complete.
 */
public final class LogReader implements Closeable {

    private static final int BUFFER = 256 << 10;

    private final Path file;
    private final FileChannel channel;
    private final boolean committed;
    private ByteBuffer buf = ByteBuffer.allocate(BUFFER).order(ByteOrder.LITTLE_ENDIAN);
    /** File offset of buf[0]. */
    private long bufBase;
    private boolean eof;
    private final CRC32C crc = new CRC32C();
    private final CRC32C stream = new CRC32C();
    private final LogFormat.Chain chain = new LogFormat.Chain();
    private LogHeader header;
    private long index;
    private long unknownRecords;
    private LogTrailer trailer;
    private boolean done;

    private LogReader(Path file, FileChannel channel) {
        this.file = file;
        this.channel = channel;
        this.committed = file == null || LogFormat.isCommitted(file);
        buf.limit(0);
    }

    /** Opens a log and reads and validates its header. */
    public static LogReader open(Path file) throws IOException {
        FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
        LogReader r = new LogReader(file, ch);
        try {
            r.readHeader();
            return r;
        } catch (IOException | RuntimeException e) {
            r.close();
            throw e;
        }
    }

    /** Reads a whole log; throws unless it is valid. */
    public static LogContents readAll(Path file) throws IOException {
        try (LogReader r = open(file)) {
            List<PcmEvent> events = new ArrayList<>();
            for (PcmEvent e; (e = r.next()) != null; ) events.add(e);
            return new LogContents(r.header(), List.copyOf(events), r.trailer(), r.unknownRecords());
        }
    }

    /** A complete, validated window log. {@code events} ends with the END event. */
    public record LogContents(LogHeader header, List<PcmEvent> events, LogTrailer trailer, long unknownRecords) {}

    // ---------------------------------------------------------------- buffer

    private long offset() { return bufBase + buf.position(); }

    /** Ensures n bytes from the current position are in buf; false if the file ends first. */
    private boolean fill(int n) throws IOException {
        if (buf.remaining() >= n) return true;
        if (eof) return false;
        if (n > buf.capacity()) {
            ByteBuffer bigger = ByteBuffer.allocate(Math.max(n, buf.capacity() * 2)).order(ByteOrder.LITTLE_ENDIAN);
            bufBase += buf.position();
            bigger.put(buf);
            buf = bigger;
        } else {
            bufBase += buf.position();
            buf.compact();
        }
        // buf is in write mode now
        while (buf.position() < n) {
            int r = channel.read(buf);
            if (r < 0) {
                eof = true;
                break;
            }
        }
        buf.flip();
        return buf.remaining() >= n;
    }

    // ---------------------------------------------------------------- header

    private void readHeader() throws IOException {
        boolean prefix = fill(LogFormat.PREFIX);
        int have = Math.min(buf.remaining(), LogFormat.MAGIC.length);
        int p = buf.position();
        for (int i = 0; i < have; i++) {
            if (buf.get(p + i) != LogFormat.MAGIC[i]) {
                throw new CorruptRecordException(file, CorruptRecordException.HEADER, 0, "not a PCM event log (bad magic)");
            }
        }
        if (!prefix) {
            throw new TruncatedLogException(file, 0, 0, "file ends inside the header prefix ("
                    + buf.remaining() + " of " + LogFormat.PREFIX + " bytes)");
        }
        int major = Short.toUnsignedInt(buf.getShort(p + 8));
        int minor = Short.toUnsignedInt(buf.getShort(p + 10));
        int bodyLength = buf.getInt(p + 12);
        if (LogFormat.crc(crc, buf, p, 16) != buf.getInt(p + 16)) {
            throw new CorruptRecordException(file, CorruptRecordException.HEADER, 0, "header prefix CRC mismatch");
        }
        chain.add(buf.getInt(p + 16));
        if (major != LogFormat.MAJOR) throw new UnsupportedLogVersionException(file, major, minor);
        if (bodyLength < 0 || bodyLength > LogFormat.MAX_HEADER_BODY) {
            throw new CorruptRecordException(file, CorruptRecordException.HEADER, 12, "header length " + bodyLength);
        }
        buf.position(p + LogFormat.PREFIX);
        if (!fill(bodyLength + 4)) {
            throw new TruncatedLogException(file, offset(), 0, "file ends inside the header");
        }
        int b = buf.position();
        if (LogFormat.crc(crc, buf, b, bodyLength) != buf.getInt(b + bodyLength)) {
            throw new CorruptRecordException(file, CorruptRecordException.HEADER, 0, "header CRC mismatch");
        }
        chain.add(buf.getInt(b + bodyLength));
        ByteBuffer body = buf.slice(b, bodyLength).order(ByteOrder.LITTLE_ENDIAN);
        try {
            int signature = body.getInt();
            String vendor = getString(body);
            String backend = getString(body);
            String id = getString(body);
            long startEpoch = body.getLong();
            long startTs = body.getLong();
            int n = Short.toUnsignedInt(body.getShort());
            Map<String, String> props = new LinkedHashMap<>();
            for (int i = 0; i < n; i++) {
                String key = getString(body);
                if (props.put(key, getString(body)) != null) {
                    throw new CorruptRecordException(file, CorruptRecordException.HEADER, 0, "header property '" + key
                            + "' appears twice");
                }
            }
            // bytes beyond these fields: added by a higher minor version (ignored), or damage in a version we know
            if (minor <= LogFormat.MINOR && body.hasRemaining()) {
                throw new CorruptRecordException(file, CorruptRecordException.HEADER, 0, body.remaining()
                        + " bytes after the header fields of a version " + major + "." + minor + " log");
            }
            header = new LogHeader(major, minor, id, backend, vendor, signature, startEpoch, startTs, props);
        } catch (CharacterCodingException e) {
            throw new CorruptRecordException(file, CorruptRecordException.HEADER, 0, "a header string is not UTF-8 ("
                    + e.getClass().getSimpleName() + ")");
        } catch (RuntimeException e) {
            throw new CorruptRecordException(file, CorruptRecordException.HEADER, 0, "header fields do not fit its length ("
                    + e.getClass().getSimpleName() + ")");
        }
        buf.position(b + bodyLength + 4);
    }

    private static String getString(ByteBuffer b) throws CharacterCodingException {
        int n = Short.toUnsignedInt(b.getShort());
        ByteBuffer s = b.slice(b.position(), n);
        b.position(b.position() + n);
        return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT).decode(s).toString();
    }

    // ---------------------------------------------------------------- records

    /**
     * The next event: every record in file order, the END event last, then {@code null}. Records
     * of kinds this reader does not know (from a higher minor version) are skipped.
     *
     * @throws TornWindowException      the file ends cleanly without a trailer, or is not committed
     * @throws TruncatedLogException    the file ends inside a record
     * @throws CorruptRecordException   a check failed; names the record and its offset
     */
    public PcmEvent next() throws IOException {
        while (true) {
            if (!pending.isEmpty()) return pending.poll();
            if (done) return null;
            PcmEvent e = readRecord();
            if (e != null) return e;
        }
    }

    /** Events of the last BATCH record not yet handed out. */
    private final java.util.ArrayDeque<PcmEvent> pending = new java.util.ArrayDeque<>();

    /**
     * A BATCH record's events (its CRC already checked) into {@link #pending}: the raw DEFLATE stream must inflate to
     * exactly its declared length, which the declared number of entries must fill exactly.
     */
    private void readBatch(ByteBuffer r, int length, long at) throws CorruptRecordException {
        if (length < 8) throw new CorruptRecordException(file, index, at, "BATCH record of " + length + " bytes is too short");
        int count = r.getInt(), rawLength = r.getInt();
        if (count <= 0 || rawLength < 6 || rawLength > LogFormat.MAX_PAYLOAD || count > rawLength / 6) {
            throw new CorruptRecordException(file, index, at, "BATCH of " + Integer.toUnsignedString(count) + " events in "
                    + Integer.toUnsignedString(rawLength) + " bytes");
        }
        byte[] z = new byte[r.remaining()];
        r.get(z);
        byte[] raw = new byte[rawLength];
        java.util.zip.Inflater inf = new java.util.zip.Inflater(true);
        try {
            inf.setInput(z);
            int n = 0;
            while (n < rawLength && !inf.finished()) {
                int k = inf.inflate(raw, n, rawLength - n);
                if (k == 0 && (inf.needsInput() || inf.needsDictionary())) break;
                n += k;
            }
            if (n != rawLength || !inf.finished() || inf.getRemaining() != 0) {
                throw new CorruptRecordException(file, index, at, "BATCH stream does not inflate to exactly its "
                        + rawLength + " bytes");
            }
        } catch (java.util.zip.DataFormatException e) {
            throw new CorruptRecordException(file, index, at, "BATCH stream is damaged: " + e.getMessage());
        } finally {
            inf.end();
        }
        ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        boolean knownMinor = header.formatMinor() <= LogFormat.MINOR;
        for (int i = 0; i < count; i++) {
            if (b.remaining() < 6) throw new CorruptRecordException(file, index, at, "BATCH ends inside entry " + i);
            int code = Short.toUnsignedInt(b.getShort());
            int len = b.getInt();
            if (len < 0 || len > b.remaining()) {
                throw new CorruptRecordException(file, index, at, "BATCH entry " + i + " of " + Integer.toUnsignedString(len) + " bytes");
            }
            ByteBuffer e = b.slice(b.position(), len).order(ByteOrder.LITTLE_ENDIAN);
            b.position(b.position() + len);
            EventKind kind = LogFormat.kind(code);
            if (kind == null && !knownMinor) continue; // an event kind of a later minor version
            if (kind == null || kind == EventKind.END) {
                throw new CorruptRecordException(file, index, at, "BATCH entry " + i + " has kind " + code);
            }
            pending.add(decodeEvent(kind, e, len, 0, knownMinor, at, "BATCH entry " + i + " (" + kind + ")"));
        }
        if (b.hasRemaining()) {
            throw new CorruptRecordException(file, index, at, b.remaining() + " bytes after the " + count + " entries of a BATCH");
        }
    }

    /** An event payload of {@code length} bytes ({@code tail}: bytes of the END trailer after its fields). */
    private PcmEvent decodeEvent(EventKind kind, ByteBuffer r, int length, int tail, boolean knownMinor, long at, String what)
            throws CorruptRecordException {
        if (length < LogFormat.EVENT_FIXED) {
            throw new CorruptRecordException(file, index, at, what + " of " + length + " bytes is too short");
        }
        int vcpu = r.getInt();
        long position = r.getLong(), rip = r.getLong(), rcx = r.getLong(), address = r.getLong(), value = r.getLong(),
                ts = r.getLong();
        int dataLength = r.getInt();
        int need = LogFormat.EVENT_FIXED + dataLength + tail;
        if (dataLength < 0 || need < 0 || need > length) {
            throw new CorruptRecordException(file, index, at, what + ": data length "
                    + Integer.toUnsignedString(dataLength) + " does not fit the record length " + length);
        }
        if (knownMinor && need != length) {
            // a version this reader knows has no fields past these: the bytes would be read by nobody
            throw new CorruptRecordException(file, index, at, what + ": " + (length - need)
                    + " bytes after its fields in a version " + header.version() + " log");
        }
        byte[] data = new byte[dataLength];
        r.get(data);
        return new PcmEvent(kind, vcpu, position, rip, rcx, address, value, data, ts);
    }

    /** One record; null if it was skipped or the window is done. */
    private PcmEvent readRecord() throws IOException {
        long at = offset();
        if (!fill(LogFormat.RECORD_HEADER)) {
            if (buf.remaining() == 0) {
                throw new TornWindowException(file, at, index, "no END trailer after " + index + " intact records (window torn)");
            }
            throw new TruncatedLogException(file, at, index, "file ends inside the header of record #" + index);
        }
        int p = buf.position();
        int length = buf.getInt(p);
        int code = Short.toUnsignedInt(buf.getShort(p + 4));
        int check = Short.toUnsignedInt(buf.getShort(p + 6));
        if (LogFormat.headerCheck(crc, buf, p) != check) {
            throw new CorruptRecordException(file, index, at, "length/kind check mismatch");
        }
        if (length < 0 || length > LogFormat.MAX_PAYLOAD) {
            throw new CorruptRecordException(file, index, at, "record length " + Integer.toUnsignedString(length));
        }
        int size = LogFormat.RECORD_HEADER + length + LogFormat.RECORD_CRC;
        if (!fill(size)) {
            throw new TruncatedLogException(file, at, index, "file ends inside record #" + index + " ("
                    + buf.remaining() + " of " + size + " bytes)");
        }
        p = buf.position();
        int recordCrc = buf.getInt(p + LogFormat.RECORD_HEADER + length);
        if (LogFormat.crc(crc, buf, p, LogFormat.RECORD_HEADER + length) != recordCrc) {
            throw new CorruptRecordException(file, index, at, "CRC mismatch");
        }
        EventKind kind = LogFormat.kind(code);
        boolean knownMinor = header.formatMinor() <= LogFormat.MINOR;
        if (code == LogFormat.BATCH && header.formatMinor() >= LogFormat.MINOR_BATCH) {
            readBatch(buf.slice(p + LogFormat.RECORD_HEADER, length).order(ByteOrder.LITTLE_ENDIAN), length, at);
            stream.update(buf.slice(p, size));
            chain.add(recordCrc);
            buf.position(p + size);
            index++;
            return null;
        }
        if (kind == null) {
            if (knownMinor) {
                throw new CorruptRecordException(file, index, at, "unknown record kind " + code
                        + " in a version " + header.version() + " log");
            }
            stream.update(buf.slice(p, size));
            chain.add(recordCrc);
            buf.position(p + size);
            unknownRecords++;
            index++;
            return null;
        }
        ByteBuffer r = buf.slice(p + LogFormat.RECORD_HEADER, length).order(ByteOrder.LITTLE_ENDIAN);
        int tail = kind == EventKind.END ? LogFormat.endTail(header.formatMinor()) : 0;
        PcmEvent event = decodeEvent(kind, r, length, tail, knownMinor, at, kind + " record");
        if (kind != EventKind.END) {
            stream.update(buf.slice(p, size));
            chain.add(recordCrc);
            buf.position(p + size);
            index++;
            return event;
        }
        long count = r.getLong();
        int streamCrc = r.getInt();
        long closed = r.getLong();
        byte[] digest = null;
        if (header.formatMinor() >= LogFormat.MINOR_DIGEST) {
            digest = new byte[LogFormat.DIGEST];
            r.get(digest);
        }
        LogTrailer t = new LogTrailer(count, streamCrc, closed, digest);
        if (t.recordCount() != index) {
            throw new CorruptRecordException(file, index, at, "trailer counts " + t.recordCount() + " records, the file has " + index);
        }
        if (t.streamCrc() != (int) stream.getValue()) {
            throw new CorruptRecordException(file, index, at, "trailer stream CRC mismatch");
        }
        if (digest != null && !java.security.MessageDigest.isEqual(digest, chain.digest())) {
            throw new CorruptRecordException(file, index, at, "trailer record chain mismatch: the records are not"
                    + " the ones this window's writer wrote, or not in its order");
        }
        buf.position(p + size);
        if (fill(1)) {
            throw new CorruptRecordException(file, index + 1, offset(), "data after the END trailer");
        }
        if (!committed) {
            throw new TornWindowException(file, at, index, "END trailer present but the window was never committed (file is "
                    + file.getFileName() + ")");
        }
        trailer = t;
        done = true;
        return event;
    }

    public LogHeader header() { return header; }

    /** The trailer, once the END record has been read and validated; null before. */
    public LogTrailer trailer() { return trailer; }

    /**
     * What the stream check of this log proves, once the trailer was read: {@code "chain"} (minor 2 on: the
     * content and order of every record and the header), {@code "lengths"} (minor 0 and 1: the trailer's
     * CRC32C depends only on the record lengths, so records of equal length may have been reordered or
     * exchanged with another log's), null before the trailer.
     */
    public String streamCheck() {
        return trailer == null ? null : trailer.chained() ? CHAIN : LENGTHS;
    }

    public static final String CHAIN = pcm.core.api.sampling.WindowLogs.LogStatus.CHAIN;
    public static final String LENGTHS = pcm.core.api.sampling.WindowLogs.LogStatus.LENGTHS;

    /** Records of unknown kinds skipped so far. */
    public long unknownRecords() { return unknownRecords; }

    /** Records read so far (incl. skipped ones, excl. the trailer). */
    public long recordsRead() { return index; }

    public Path file() { return file; }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    @Override
    public String toString() {
        return "LogReader[" + file + ", " + (header == null ? "?" : header.windowId()) + ", " + index + " records, "
                + "at byte " + offset() + "]";
    }
}
