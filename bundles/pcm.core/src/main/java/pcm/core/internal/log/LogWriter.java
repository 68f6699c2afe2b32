package pcm.core.internal.log;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Map;
import java.util.zip.CRC32C;

import pcm.core.api.event.EventKind;
import pcm.core.api.event.PcmEvent;

/**
 * Writes one window: append-only, buffered, to {@code <name>.part}; {@link #close(PcmEvent)} writes
 * the END trailer, forces the file to disk and renames it to its final name (the commit point).
 * Not thread-safe: one writer thread per window.
 */
public final class LogWriter implements Closeable {

    private static final int BUFFER = 256 << 10;

    private final Path dir;
    private final Path part;
    private final Path target;
    private final FileChannel channel;
    private final ByteBuffer buf = ByteBuffer.allocateDirect(BUFFER).order(ByteOrder.LITTLE_ENDIAN);
    private final CRC32C crc = new CRC32C();
    private final CRC32C stream = new CRC32C();
    private final LogFormat.Chain chain = new LogFormat.Chain();
    private final LogHeader header;
    private long records;
    private long bytes;
    private boolean finished;
    /** Whether events are written in deflated BATCH records (else one record per event). */
    private final boolean batched;
    private final java.io.ByteArrayOutputStream batch = new java.io.ByteArrayOutputStream();
    private int batchEvents;

    private LogWriter(Path dir, Path part, Path target, FileChannel channel, LogHeader header, boolean batched) {
        this.dir = dir;
        this.part = part;
        this.target = target;
        this.channel = channel;
        this.header = header;
        this.batched = batched;
    }

    /** Creates {@code dir/<utc-time>_<id>_events.pcmlog.part} (and dir) and writes the header; one record per event. */
    public static LogWriter create(Path dir, LogHeader header) throws IOException {
        return create(dir, header, false);
    }

    /**
     * Like {@link #create(Path, LogHeader)}; with {@code batched} the events go into deflated BATCH records of up to
     * {@link LogFormat#BATCH_RAW} bytes (an event with more than {@link LogFormat#BATCH_MAX_DATA} bytes of data into
     * its own record).
     */
    public static LogWriter create(Path dir, LogHeader header, boolean batched) throws IOException {
        Files.createDirectories(dir);
        Instant start = Instant.ofEpochSecond(0, header.startEpochNanos());
        String name = LogFormat.fileName(start, header.windowId());
        Path target = dir.resolve(name);
        Path part = dir.resolve(name + LogFormat.PART);
        FileChannel ch = FileChannel.open(part, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        LogWriter w = new LogWriter(dir, part, target, ch, header, batched);
        try {
            w.writeHeader();
        } catch (IOException | RuntimeException e) {
            w.abort("header write failed: " + e);
            throw e;
        }
        return w;
    }

    private void writeHeader() throws IOException {
        byte[][] strings = new byte[3 + 2 * header.properties().size()][];
        strings[0] = utf8(header.cpuVendor());
        strings[1] = utf8(header.backend());
        strings[2] = utf8(header.windowId());
        int i = 3;
        for (Map.Entry<String, String> e : new java.util.TreeMap<>(header.properties()).entrySet()) {
            strings[i++] = utf8(e.getKey());
            strings[i++] = utf8(e.getValue());
        }
        if (header.properties().size() > 0xFFFF) throw new IllegalArgumentException("too many header properties");
        int bodyLength = 4 + 8 + 8 + 2;
        for (byte[] s : strings) bodyLength += 2 + s.length;
        if (bodyLength > LogFormat.MAX_HEADER_BODY) throw new IllegalArgumentException("header larger than 1 MiB");
        ByteBuffer h = ByteBuffer.allocate(LogFormat.PREFIX + bodyLength + 4).order(ByteOrder.LITTLE_ENDIAN);
        h.put(LogFormat.MAGIC).putShort((short) LogFormat.MAJOR).putShort((short) LogFormat.MINOR).putInt(bodyLength);
        int prefixCrc = LogFormat.crc(crc, h, 0, 16);
        h.putInt(prefixCrc);
        chain.add(prefixCrc);
        int bodyAt = h.position();
        h.putInt(header.cpuSignature());
        putString(h, strings[0]);
        putString(h, strings[1]);
        putString(h, strings[2]);
        h.putLong(header.startEpochNanos()).putLong(header.startTimestampNanos());
        h.putShort((short) header.properties().size());
        for (i = 3; i < strings.length; i++) putString(h, strings[i]);
        int bodyCrc = LogFormat.crc(crc, h, bodyAt, bodyLength);
        h.putInt(bodyCrc);
        chain.add(bodyCrc);
        h.flip();
        write(h);
    }

    private static byte[] utf8(String s) {
        byte[] u = s.getBytes(StandardCharsets.UTF_8);
        if (u.length > 0xFFFF) throw new IllegalArgumentException("header string longer than 65535 bytes");
        return u;
    }

    private static void putString(ByteBuffer b, byte[] u) {
        b.putShort((short) u.length).put(u);
    }

    /** Appends one event (not END: use {@link #close(PcmEvent)}). */
    public void append(PcmEvent e) throws IOException {
        if (finished) throw new IllegalStateException("window already closed");
        if (e.kind() == EventKind.END) throw new IllegalArgumentException("END closes the window: use close(end)");
        int payload = LogFormat.EVENT_FIXED + e.data().length;
        if (e.data().length > LogFormat.MAX_PAYLOAD - LogFormat.EVENT_FIXED - LogFormat.endTail(LogFormat.MINOR)) {
            throw new IllegalArgumentException("event data of " + e.data().length + " bytes exceeds the record limit");
        }
        if (batched && e.data().length <= LogFormat.BATCH_MAX_DATA) {
            ByteBuffer entry = ByteBuffer.allocate(6 + payload).order(ByteOrder.LITTLE_ENDIAN);
            entry.putShort((short) LogFormat.code(e.kind())).putInt(payload);
            putEvent(entry, e);
            batch.write(entry.array(), 0, entry.position());
            batchEvents++;
            if (batch.size() >= LogFormat.BATCH_RAW) flushBatch();
            return;
        }
        flushBatch(); // file order is event order
        int size = LogFormat.RECORD_HEADER + payload + LogFormat.RECORD_CRC;
        if (size > buf.remaining()) writeOut(true);
        if (size > buf.capacity()) {
            ByteBuffer big = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
            encode(big, e, payload, null);
            big.flip();
            stream.update(big.duplicate());
            write(big);
        } else {
            encode(buf, e, payload, null);
        }
        records++;
    }

    private static void putEvent(ByteBuffer b, PcmEvent e) {
        b.putInt(e.vcpu()).putLong(e.position()).putLong(e.rip()).putLong(e.rcx()).putLong(e.address())
                .putLong(e.value()).putLong(e.timestampNanos()).putInt(e.data().length).put(e.data());
    }

    /** Writes the pending events as one BATCH record: {@code u32 count, u32 raw length}, the raw DEFLATE stream. */
    private void flushBatch() throws IOException {
        if (batchEvents == 0) return;
        byte[] raw = batch.toByteArray();
        java.util.zip.Deflater d = new java.util.zip.Deflater(java.util.zip.Deflater.BEST_SPEED, true);
        java.io.ByteArrayOutputStream z = new java.io.ByteArrayOutputStream(raw.length / 2 + 64);
        try {
            d.setInput(raw);
            d.finish();
            byte[] chunk = new byte[16 << 10];
            while (!d.finished()) z.write(chunk, 0, d.deflate(chunk));
        } finally {
            d.end();
        }
        int payload = 8 + z.size();
        int size = LogFormat.RECORD_HEADER + payload + LogFormat.RECORD_CRC;
        if (size > buf.remaining()) writeOut(true);
        ByteBuffer b = size > buf.capacity() ? ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN) : buf;
        int at = b.position();
        b.putInt(payload).putShort((short) LogFormat.BATCH);
        b.putShort((short) LogFormat.headerCheck(crc, b, at));
        b.putInt(batchEvents).putInt(raw.length).put(z.toByteArray());
        int c = LogFormat.crc(crc, b, at, LogFormat.RECORD_HEADER + payload);
        b.putInt(c);
        chain.add(c);
        if (b != buf) {
            b.flip();
            stream.update(b.duplicate());
            write(b);
        }
        records++;
        batch.reset();
        batchEvents = 0;
    }

    private void encode(ByteBuffer b, PcmEvent e, int payload, LogTrailer trailer) {
        int at = b.position();
        b.putInt(payload).putShort((short) LogFormat.code(e.kind()));
        b.putShort((short) LogFormat.headerCheck(crc, b, at));
        putEvent(b, e);
        if (trailer != null) {
            b.putLong(trailer.recordCount()).putInt(trailer.streamCrc()).putLong(trailer.closeEpochNanos())
                    .put(trailer.streamDigest());
        }
        int c = LogFormat.crc(crc, b, at, LogFormat.RECORD_HEADER + payload);
        b.putInt(c);
        if (trailer == null) chain.add(c);
    }

    /**
     * Writes the END trailer, forces data and metadata to disk, renames {@code .part} to the final
     * name and forces the directory. Returns the final path. After a failure the file stays
     * {@code .part} (torn) and the writer is closed.
     */
    public Path close(PcmEvent end) throws IOException {
        if (finished) throw new IllegalStateException("window already closed");
        if (end.kind() != EventKind.END) throw new IllegalArgumentException("close needs an END event, got " + end.kind());
        try {
            flushBatch();
            writeOut(true);
            LogTrailer t = new LogTrailer(records, (int) stream.getValue(), epochNanos(Instant.now()), chain.digest());
            int payload = LogFormat.EVENT_FIXED + end.data().length + LogFormat.endTail(LogFormat.MINOR);
            ByteBuffer b = payload + 12 > buf.capacity()
                    ? ByteBuffer.allocate(payload + 12).order(ByteOrder.LITTLE_ENDIAN) : buf;
            encode(b, end, payload, t);
            if (b == buf) {
                writeOut(false);
            } else {
                b.flip();
                write(b);
            }
            channel.force(true);
            channel.close();
            finished = true;
            DurableRename.publish(part, target);
            return target;
        } catch (IOException | RuntimeException e) {
            finished = true;
            closeQuietly();
            throw e;
        }
    }

    /**
     * Gives the window up: closes the file without a trailer and renames it to
     * {@code <name>.failed} (best effort; if that fails it stays {@code .part}). Never throws.
     * Returns where the file is now.
     */
    public Path abort(String reason) {
        if (!finished && channel.isOpen()) {
            try {
                flushBatch();
                writeOut(true); // keep what was recorded, for diagnosis (the file stays invalid: no trailer)
            } catch (IOException | RuntimeException ignored) {
                // the disk is what failed, most likely
            }
        }
        finished = true;
        closeQuietly();
        Path failed = part.resolveSibling(target.getFileName() + LogFormat.FAILED);
        try {
            Files.move(part, failed, StandardCopyOption.ATOMIC_MOVE);
            return failed;
        } catch (IOException | RuntimeException e) {
            return part;
        }
    }

    /** Same as {@link #abort(String)} unless the window was closed already. */
    @Override
    public void close() {
        if (!finished) abort("closed without END");
    }

    private void writeOut(boolean streamRecords) throws IOException {
        buf.flip();
        if (streamRecords) stream.update(buf.duplicate());
        write(buf);
        buf.clear();
    }

    private void write(ByteBuffer b) throws IOException {
        while (b.hasRemaining()) bytes += channel.write(b);
    }

    private void closeQuietly() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // the file is given up anyway
        }
    }

    static long epochNanos(Instant t) {
        return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000_000L), t.getNano());
    }

    public LogHeader header() { return header; }

    /** The {@code .part} file being written. */
    public Path partFile() { return part; }

    /** The final name the file gets on close. */
    public Path targetFile() { return target; }

    /** Records appended so far (not counting the trailer). */
    public long records() { return records; }

    /** Bytes handed to the file so far (buffered bytes not included). */
    public long bytesWritten() { return bytes; }
}
