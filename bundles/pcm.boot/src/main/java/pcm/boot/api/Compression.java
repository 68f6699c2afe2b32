package pcm.boot.api;

/** How a bzImage payload is compressed, told by its magic bytes (what Linux's mkpiggy puts there). */
public enum Compression {
    /** An uncompressed ELF. */
    NONE(new byte[] {0x7F, 'E', 'L', 'F'}),
    GZIP(new byte[] {0x1F, (byte) 0x8B}),
    XZ(new byte[] {(byte) 0xFD, '7', 'z', 'X', 'Z', 0}),
    ZSTD(new byte[] {0x28, (byte) 0xB5, 0x2F, (byte) 0xFD}),
    BZIP2(new byte[] {'B', 'Z', 'h'}),
    LZMA(new byte[] {0x5D, 0, 0}),
    LZ4(new byte[] {0x02, 0x21, 0x4C, 0x18}),
    LZO(new byte[] {(byte) 0x89, 'L', 'Z', 'O'});

    private final byte[] magic;

    Compression(byte[] magic) { this.magic = magic; }

    /** The compression whose magic starts {@code data[offset..]}, or null. */
    public static Compression detect(byte[] data, int offset, int length) {
        for (Compression c : values()) {
            if (c.magic.length > length) continue;
            boolean match = true;
            for (int i = 0; i < c.magic.length && match; i++) match = data[offset + i] == c.magic[i];
            if (match) return c;
        }
        return null;
    }
}
