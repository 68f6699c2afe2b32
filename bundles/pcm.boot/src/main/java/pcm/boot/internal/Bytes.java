package pcm.boot.internal;

/** Little-endian field access on byte arrays (all boot structures are little endian). */
final class Bytes {

    private Bytes() {}

    static int u8(byte[] b, int off) { return b[off] & 0xFF; }

    static int u16(byte[] b, int off) { return (b[off] & 0xFF) | (b[off + 1] & 0xFF) << 8; }

    static long u32(byte[] b, int off) { return u16(b, off) | (long) u16(b, off + 2) << 16; }

    static long u64(byte[] b, int off) { return u32(b, off) | u32(b, off + 4) << 32; }

    static void put8(byte[] b, int off, long v) { b[off] = (byte) v; }

    static void put16(byte[] b, int off, long v) { b[off] = (byte) v; b[off + 1] = (byte) (v >> 8); }

    static void put32(byte[] b, int off, long v) { put16(b, off, v); put16(b, off + 2, v >> 16); }

    static void put64(byte[] b, int off, long v) { put32(b, off, v); put32(b, off + 4, v >> 32); }

    static void putAscii(byte[] b, int off, String s) {
        for (int i = 0; i < s.length(); i++) b[off + i] = (byte) s.charAt(i);
    }

    static String hex(long v) { return "0x" + Long.toHexString(v); }
}
