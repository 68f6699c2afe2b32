package pcm.core.internal.log;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

import pcm.core.api.event.EventKind;
import pcm.core.api.event.PcmEvent;

/** Test helpers: sample events, and an encoder written from the format document (independent of LogWriter). */
final class TestLogs {

    private TestLogs() {}

    static LogHeader header(String id) {
        return LogHeader.of(id, "soft", "GenuineIntel", 0x000906EA, 1_700_000_000_123_456_789L, 42L,
                java.util.Map.of("guest", "default"));
    }

    /** One event of every kind except END (STATE first), with distinctive fields. */
    static List<PcmEvent> everyKind() {
        List<PcmEvent> l = new ArrayList<>();
        l.add(WindowMarkers.startEvent(0, "w1", java.util.Map.of("backend", "soft"), 100));
        long pos = 1;
        for (EventKind k : EventKind.values()) {
            if (k == EventKind.END || k == EventKind.STATE) continue;
            byte[] data = switch (k) {
                case CPUID -> new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
                case DMA_WRITE -> bytes(4096, 7);
                default -> null;
            };
            l.add(new PcmEvent(k, (int) (pos % 3), pos * 1000, 0xFFFF_8000_0000_1000L + pos, -pos, 0x3F8 + pos,
                    0xDEAD_BEEF_0000_0000L | pos, data, 100 + pos));
            pos++;
        }
        return l;
    }

    static PcmEvent end(long position) {
        return new PcmEvent(EventKind.END, 0, position, 0x1234, 5, 0, 0, null, 999_999);
    }

    static byte[] bytes(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) b[i] = (byte) (i * 31 + seed);
        return b;
    }

    // ---- independent encoder

    static byte[] headerBytes(int major, int minor, String id) {
        ByteBuffer body = le(256);
        body.putInt(0x906EA);
        str(body, "GenuineIntel");
        str(body, "soft");
        str(body, id);
        body.putLong(1L).putLong(2L).putShort((short) 0);
        body.flip();
        int n = body.remaining();
        ByteBuffer h = le(24 + n);
        h.put(new byte[] {(byte) 0x89, 'P', 'C', 'M', 'L', 'O', 'G', '\n'}).putShort((short) major).putShort((short) minor).putInt(n);
        h.putInt(crc(h.array(), 0, 16));
        h.put(body);
        h.putInt(crc(h.array(), 20, n));
        return h.array();
    }

    static byte[] record(int code, byte[] payload) {
        ByteBuffer r = le(12 + payload.length);
        r.putInt(payload.length).putShort((short) code);
        int c = crc(r.array(), 0, 6);
        r.putShort((short) ((c ^ (c >>> 16)) & 0xFFFF));
        r.put(payload);
        r.putInt(crc(r.array(), 0, 8 + payload.length));
        return r.array();
    }

    static byte[] eventPayload(int vcpu, long position, byte[] data, byte[] tail) {
        ByteBuffer p = le(56 + data.length + tail.length);
        p.putInt(vcpu).putLong(position).putLong(3).putLong(4).putLong(5).putLong(6).putLong(7).putInt(data.length).put(data).put(tail);
        return p.array();
    }

    /** A complete log from records (the trailer is computed; from minor 2 on with the record chain). */
    static byte[] log(int major, int minor, List<byte[]> records) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] header = headerBytes(major, minor, "hand");
        out.writeBytes(header);
        CRC32C stream = new CRC32C();
        ByteBuffer chain = le(8 + 4 * records.size());
        chain.put(header, 16, 4).put(header, header.length - 4, 4); // prefix CRC, body CRC
        for (byte[] r : records) {
            out.writeBytes(r);
            stream.update(r);
            chain.put(r, r.length - 4, 4);
        }
        ByteBuffer tail = le(minor >= 2 ? 52 : 20).putLong(records.size()).putInt((int) stream.getValue()).putLong(9);
        if (minor >= 2) tail.put(sha256(chain.array()));
        out.writeBytes(record(15, eventPayload(0, 99, new byte[0], tail.array())));
        return out.toByteArray();
    }

    static byte[] sha256(byte[] b) {
        try {
            return java.security.MessageDigest.getInstance("SHA-256").digest(b);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    static byte[] utf8(String s) { return s.getBytes(StandardCharsets.UTF_8); }

    private static ByteBuffer le(int n) { return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN); }

    private static void str(ByteBuffer b, String s) {
        byte[] u = utf8(s);
        b.putShort((short) u.length).put(u);
    }

    static int crc(byte[] b, int off, int len) {
        CRC32C c = new CRC32C();
        c.update(b, off, len);
        return (int) c.getValue();
    }
}
