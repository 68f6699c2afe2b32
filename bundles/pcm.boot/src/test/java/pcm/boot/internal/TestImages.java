package pcm.boot.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.zip.GZIPOutputStream;

import org.tukaani.xz.FilterOptions;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.X86Options;
import org.tukaani.xz.XZ;
import org.tukaani.xz.XZOutputStream;

import io.airlift.compress.zstd.ZstdOutputStream;
import pcm.boot.api.Compression;

/** Small kernels built in memory: an ELF64 vmlinux and bzImages around it, shaped like Linux's. */
final class TestImages {

    static final long LOAD = 0x1000000;
    static final long VIRT = 0xFFFFFFFF81000000L;
    static final int TEXT = 0x300;
    static final int MEM_SIZE = 0x4000;
    static final String VERSION = "6.1.0-test (pcm@test) #1 SMP";

    private TestImages() {}

    /** vmlinux: one PT_LOAD of TEXT bytes (0x90 then a marker) at LOAD, memsz MEM_SIZE, entry = LOAD (physical, as Linux's). */
    static byte[] elf(boolean virtualEntry) {
        byte[] f = new byte[0x1000 + TEXT];
        f[0] = 0x7F; f[1] = 'E'; f[2] = 'L'; f[3] = 'F';
        f[4] = 2; f[5] = 1; f[6] = 1;
        Bytes.put16(f, 16, 2);
        Bytes.put16(f, 18, 62);
        Bytes.put32(f, 20, 1);
        Bytes.put64(f, 24, virtualEntry ? VIRT + 0x10 : LOAD);
        Bytes.put64(f, 32, 64);
        Bytes.put16(f, 52, 64);
        Bytes.put16(f, 54, 56);
        Bytes.put16(f, 56, 2);
        // a PT_NOTE first (skipped), then the PT_LOAD
        Bytes.put32(f, 64, 4);
        int p = 64 + 56;
        Bytes.put32(f, p, 1);
        Bytes.put64(f, p + 8, 0x1000);
        Bytes.put64(f, p + 16, VIRT);
        Bytes.put64(f, p + 24, LOAD);
        Bytes.put64(f, p + 32, TEXT);
        Bytes.put64(f, p + 40, MEM_SIZE);
        for (int i = 0; i < TEXT; i++) f[0x1000 + i] = (byte) 0x90;
        Bytes.putAscii(f, 0x1000 + TEXT - 8, "PCMTEXT!");
        return f;
    }

    static byte[] compress(Compression c, byte[] data) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            OutputStream out = switch (c) {
                case XZ -> new XZOutputStream(bytes, new FilterOptions[] {new X86Options(), new LZMA2Options()}, XZ.CHECK_CRC32);
                case GZIP -> new GZIPOutputStream(bytes);
                case ZSTD -> new ZstdOutputStream(bytes);
                case NONE -> bytes;
                default -> throw new IllegalArgumentException(c.toString());
            };
            out.write(data);
            out.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // mkpiggy appends the uncompressed size, le32
        byte[] size = new byte[4];
        Bytes.put32(size, 0, data.length);
        bytes.writeBytes(size);
        return bytes.toByteArray();
    }

    /** A bzImage: 1 setup sector after the boot sector, protocol 2.15, the payload right after the 0x1000-byte decompressor stub. */
    static byte[] bzImage(Compression c) {
        byte[] payload = compress(c, elf(false));
        int pm = 2 * 512;
        int stub = 0x1000;
        byte[] f = new byte[pm + stub + payload.length + 0x100];
        f[0x1F1] = 1;
        Bytes.put16(f, 0x1FE, 0xAA55);
        f[0x200] = (byte) 0xEB;
        f[0x201] = 0x66; // header ends at 0x268
        Bytes.put32(f, 0x202, BzImage.HDRS);
        Bytes.put16(f, 0x206, 0x020F);
        Bytes.put16(f, 0x20E, 0x300 - 0x200);
        Bytes.putAscii(f, 0x300, VERSION);
        f[0x211] = 1;
        Bytes.put32(f, 0x22C, 0x7FFFFFFF);
        Bytes.put32(f, 0x230, 0x200000);
        f[0x234] = 1;
        Bytes.put16(f, 0x236, 0x7F);
        Bytes.put32(f, 0x238, 2047);
        Bytes.put32(f, 0x248, stub);
        Bytes.put32(f, 0x24C, payload.length);
        Bytes.put64(f, 0x258, LOAD);
        Bytes.put32(f, 0x260, 0x10000);
        System.arraycopy(payload, 0, f, pm + stub, payload.length);
        return f;
    }

    /** A newc cpio with one file and the trailer (enough for the loader's magic check). */
    static byte[] cpio() {
        return "070701000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000b00000000TRAILER!!!\0"
                .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }
}
