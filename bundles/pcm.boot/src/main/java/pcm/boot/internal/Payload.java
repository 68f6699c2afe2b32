package pcm.boot.internal;

import static pcm.boot.api.BootImageException.Problem.CORRUPT_PAYLOAD;
import static pcm.boot.api.BootImageException.Problem.UNSUPPORTED_COMPRESSION;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;

import org.tukaani.xz.SingleXZInputStream;

import io.airlift.compress.zstd.ZstdInputStream;
import pcm.boot.api.BootImageException;
import pcm.boot.api.Compression;

/**
 * Decompresses a bzImage payload. mkpiggy appends the uncompressed size (le32) after the stream, so each
 * decoder reads exactly one stream and ignores what follows (XZ: SingleXZInputStream).
 */
final class Payload {

    /** The largest vmlinux accepted; Debian's is 66 MB. */
    static final int MAX_OUTPUT = 512 << 20;

    private Payload() {}

    static byte[] decompress(BzImage image) throws BootImageException {
        Compression c = image.compression();
        int off = (int) image.header().payloadOffset();
        int len = (int) image.header().payloadLength();
        // zstd (unlike gzip and XZ here) would read the appended size as the start of a next frame
        if (c == Compression.ZSTD && len > 4) len -= 4;
        if (c == null) throw new BootImageException(UNSUPPORTED_COMPRESSION, "payload at " + Bytes.hex(off) + " starts with no known magic");
        if (c == Compression.NONE) return java.util.Arrays.copyOfRange(image.file(), off, off + len);
        try (InputStream in = open(c, new ByteArrayInputStream(image.file(), off, len))) {
            byte[] out = in.readNBytes(MAX_OUTPUT + 1);
            if (out.length > MAX_OUTPUT) throw new BootImageException(CORRUPT_PAYLOAD, c + " payload expands beyond " + (MAX_OUTPUT >> 20) + " MiB");
            if (out.length == 0) throw new BootImageException(CORRUPT_PAYLOAD, c + " payload expands to nothing");
            return out;
        } catch (IOException | RuntimeException e) {
            throw new BootImageException(CORRUPT_PAYLOAD, c + " payload does not decompress: " + e, e);
        } catch (LinkageError e) {
            throw new BootImageException(UNSUPPORTED_COMPRESSION, c + " decoder unavailable in this runtime: " + e, e);
        }
    }

    private static InputStream open(Compression c, InputStream raw) throws IOException, BootImageException {
        return switch (c) {
            case XZ -> new SingleXZInputStream(raw);
            case GZIP -> new GZIPInputStream(raw);
            case ZSTD -> new ZstdInputStream(raw);
            default -> throw new BootImageException(UNSUPPORTED_COMPRESSION, c + " payloads are not supported (XZ, gzip, zstd are)");
        };
    }
}
