package pcm.ui.internal.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

/** Text cut on character boundaries however the bytes arrive (a UART hands them over one at a time). */
class Utf8ChunksTest {

    @Test
    void aCharacterSplitAcrossWritesIsKeptWhole() {
        byte[] b = "aé€😀z".getBytes(StandardCharsets.UTF_8);
        Utf8Chunks c = new Utf8Chunks();
        StringBuilder out = new StringBuilder();
        for (byte x : b) {
            String piece = c.add(new byte[] {x}, 0, 1);
            assertEquals(-1, piece.indexOf('\uFFFD'), "no replacement character for a split character");
            out.append(piece);
        }
        out.append(c.flush());
        assertEquals("aé€😀z", out.toString());
    }

    @Test
    void invalidBytesAndAnIncompleteEnd() {
        Utf8Chunks c = new Utf8Chunks();
        assertEquals("a\uFFFDb", c.add(new byte[] {'a', (byte) 0x80, 'b'}, 0, 3));
        assertEquals("", c.add(new byte[] {(byte) 0xE2, (byte) 0x82}, 0, 2));
        assertEquals("\uFFFD", c.flush());
        assertEquals(0, Utf8Chunks.incompleteTail(new byte[0]));
    }
}
