package pcm.ui.internal.remote;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Turns a byte stream written in arbitrary pieces into text pieces that each end on a character boundary: the guest's
 * UART (or a command's output stream) hands over bytes as they come, and a multi-byte UTF-8 character may be split
 * between two writes. Decoding each piece alone would turn both halves into replacement characters; this keeps the
 * incomplete tail until the rest arrives. Bytes that are not UTF-8 become U+FFFD, as any decoder does. Not thread safe.
 */
public final class Utf8Chunks {

    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

    /** The text of everything given so far that ends on a character boundary ("" when nothing complete yet). */
    public String add(byte[] b, int off, int len) {
        pending.write(b, off, len);
        byte[] all = pending.toByteArray();
        int complete = all.length - incompleteTail(all);
        pending.reset();
        pending.write(all, complete, all.length - complete);
        return new String(all, 0, complete, StandardCharsets.UTF_8);
    }

    /** Whatever is left (an incomplete character at the end of the stream), decoded as it is. */
    public String flush() {
        String s = pending.toString(StandardCharsets.UTF_8);
        pending.reset();
        return s;
    }

    /** How many bytes at the end of {@code b} begin a character that is not complete yet (0..3). */
    static int incompleteTail(byte[] b) {
        // look back at most 3 bytes for the lead byte of the last character
        for (int back = 1; back <= Math.min(3, b.length); back++) {
            int c = b[b.length - back] & 0xff;
            if ((c & 0xC0) == 0x80) continue; // a continuation byte: the lead is further back
            int need = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 1;
            return need > back ? back : 0;
        }
        return 0; // only continuation bytes: not a character start, let the decoder replace them
    }
}
