package pcm.ui.internal.remote;

import java.io.OutputStream;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * An output stream whose bytes go out as server-sent events of one type, {@code {"Text": "..."}} each, cut on character
 * boundaries ({@link Utf8Chunks}): a command's standard output or error output, streamed to the attached shell as it
 * is printed. Synchronized: Gogo writes from the threads of a pipeline's statements.
 */
final class TextEvents extends OutputStream {

    private final SseWriter sse;
    private final String event;
    private final Utf8Chunks chunks = new Utf8Chunks();

    TextEvents(SseWriter sse, String event) {
        this.sse = sse;
        this.event = event;
    }

    @Override
    public void write(int b) {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
        send(chunks.add(b, off, len));
    }

    /** Sends what is left of an incomplete character (the stream's end). */
    @Override
    public synchronized void close() {
        send(chunks.flush());
    }

    private void send(String text) {
        if (!text.isEmpty()) sse.event(event, JsonNodeFactory.instance.objectNode().put("Text", text));
    }

    static ObjectNode text(String s) {
        return JsonNodeFactory.instance.objectNode().put("Text", s);
    }
}
