package pcm.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

/** Server-sent events as the resident writes them: typed events, comments (ticks) skipped, multi-line data joined. */
class SseTest {

    @Test
    void eventsCommentsAndTheEnd() throws Exception {
        String wire = ": pcm exec x\n\nevent: output\nid: 1\ndata: {\"Text\":\"a\"}\n\n: tick\n\ndata: one\ndata: two\n\nevent: end\ndata: {}\n\n";
        try (Sse sse = new Sse(new ByteArrayInputStream(wire.getBytes(StandardCharsets.UTF_8)))) {
            Sse.Event e = sse.next();
            assertEquals("output", e.type());
            assertEquals("{\"Text\":\"a\"}", e.data());
            e = sse.next();
            assertEquals("message", e.type());
            assertEquals("one\ntwo", e.data());
            assertEquals("end", sse.next().type());
            assertNull(sse.next());
        }
    }

    @Test
    void aStreamCutInTheMiddleOfAnEventEndsWithoutIt() throws Exception {
        try (Sse sse = new Sse(new ByteArrayInputStream("event: output\ndata: {\"Te".getBytes(StandardCharsets.UTF_8)))) {
            assertNull(sse.next());
        }
    }
}
