package pcm.core.internal.sampling;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

import pcm.core.internal.log.DurableRename;

/** Streams one container to {@code <file>.part}; {@link #close} adds the CRC, fsyncs and renames it. */
final class ContainerWriter implements AutoCloseable {
    private final Path file;
    private final Path part;
    private final FileChannel ch;
    private final CRC32C crc = new CRC32C();
    private final long bodyLength;
    private long written;

    ContainerWriter(Path file, int type, long bodyLength, int minor) throws IOException {
        this.file = file;
        this.part = file.resolveSibling(file.getFileName() + ".part");
        this.bodyLength = bodyLength;
        Files.createDirectories(file.toAbsolutePath().getParent());
        this.ch = FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE);
        ByteBuffer h = ByteBuffer.allocate(SnapshotFiles.HEADER).order(ByteOrder.LITTLE_ENDIAN);
        h.put(SnapshotFiles.MAGIC).putShort((short) SnapshotFiles.MAJOR).putShort((short) minor).putInt(type).putLong(bodyLength);
        CRC32C hc = new CRC32C();
        hc.update(h.array(), 0, 24);
        h.putInt((int) hc.getValue()).flip();
        writeFully(h);
    }

    int bodyCrc() { return (int) crc.getValue(); }

    void write(ByteBuffer b) throws IOException {
        written += b.remaining();
        crc.update(b.duplicate());
        writeFully(b);
    }

    private void writeFully(ByteBuffer b) throws IOException {
        while (b.hasRemaining()) ch.write(b);
    }

    @Override
    public void close() throws IOException {
        try (ch) {
            if (written != bodyLength) throw new IOException("wrote " + written + " body bytes, declared " + bodyLength);
            ByteBuffer t = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) crc.getValue()).flip();
            writeFully(t);
            ch.force(true);
        }
        DurableRename.publish(part, file);
    }
}
