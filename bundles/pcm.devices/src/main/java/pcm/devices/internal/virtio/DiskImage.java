package pcm.devices.internal.virtio;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** A raw disk image: 512-byte sectors, positional I/O, fsync on flush. */
final class DiskImage implements AutoCloseable {

    static final int SECTOR = 512;

    private final Path path;
    private final FileChannel channel;
    private final boolean readOnly;
    private final long sectors;

    private DiskImage(Path path, FileChannel channel, boolean readOnly, long sectors) {
        this.path = path;
        this.channel = channel;
        this.readOnly = readOnly;
        this.sectors = sectors;
    }

    /** Opens the image, or says precisely why not ({@link DiskImageException}). */
    static DiskImage open(String image, boolean readOnly) {
        if (image == null || image.isBlank()) throw new DiskImageException(DiskImageException.Problem.NOT_CONFIGURED, null, "no image path configured", null);
        Path path = Path.of(image.trim());
        if (!Files.exists(path)) throw new DiskImageException(DiskImageException.Problem.MISSING, path, "no such file", null);
        if (!Files.isRegularFile(path)) throw new DiskImageException(DiskImageException.Problem.NOT_A_FILE, path, "not a regular file", null);
        if (!Files.isReadable(path)) throw new DiskImageException(DiskImageException.Problem.UNREADABLE, path, "not readable", null);
        if (!readOnly && !Files.isWritable(path)) {
            throw new DiskImageException(DiskImageException.Problem.NOT_WRITABLE, path, "not writable; configure readOnly=true to use it read-only", null);
        }
        FileChannel channel;
        try {
            channel = readOnly ? FileChannel.open(path, StandardOpenOption.READ)
                    : FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new DiskImageException(readOnly ? DiskImageException.Problem.UNREADABLE : DiskImageException.Problem.NOT_WRITABLE, path, e.toString(), e);
        }
        long size;
        try {
            size = channel.size();
        } catch (IOException e) {
            closeQuietly(channel);
            throw new DiskImageException(DiskImageException.Problem.UNREADABLE, path, e.toString(), e);
        }
        if (size < SECTOR) {
            closeQuietly(channel);
            throw new DiskImageException(DiskImageException.Problem.TOO_SMALL, path, size + " bytes, less than one 512-byte sector", null);
        }
        return new DiskImage(path, channel, readOnly, size / SECTOR);
    }

    private static void closeQuietly(FileChannel c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // already failing
        }
    }

    Path path() { return path; }

    boolean readOnly() { return readOnly; }

    long sectors() { return sectors; }

    /** Reads {@code dst.remaining()} bytes at byte {@code position}; the caller checked the range. */
    void read(long position, ByteBuffer dst) throws IOException {
        while (dst.hasRemaining()) {
            int n = channel.read(dst, position);
            if (n < 0) {                                 // the file shrank under us: the rest reads as zeros
                while (dst.hasRemaining()) dst.put((byte) 0);
                return;
            }
            position += n;
        }
    }

    void write(long position, ByteBuffer src) throws IOException {
        if (readOnly) throw new IOException("read-only image");
        while (src.hasRemaining()) position += channel.write(src, position);
    }

    /** fsync: data and metadata reach the disk (VIRTIO_BLK_T_FLUSH). */
    void flush() throws IOException {
        if (!readOnly) channel.force(true);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
