package pcm.ui.internal.remote;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import jakarta.servlet.http.HttpServletResponse;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Server-sent events onto one HTTP response (the format of the EventService's stream: {@code event:}, {@code id:},
 * one {@code data:} line of JSON), written by whichever thread has something to say — a command's output comes from
 * Gogo's pipe threads, the guest's console from a vCPU thread — so every write is synchronized and flushed at once.
 * A comment line every {@value #TICK_SECONDS} s keeps Jetty's idle timeout away while nothing is said, and finds a
 * client that went away: the first write that fails marks the stream {@link #broken()} and calls the owner's
 * {@code onBroken} (a command is then interrupted, as a terminal's hang-up would). Never blocks the caller on a dead
 * client for longer than the server's own write timeout.
 */
final class SseWriter implements AutoCloseable {

    static final long TICK_SECONDS = 2;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServletResponse response;
    private final OutputStream out;
    private final Runnable onBroken;
    /** A virtual thread per stream ticks it: nothing static outlives the stream (or pcm.ui, when it is updated). */
    private final Thread ticks;
    private long ids;
    private volatile boolean broken;

    SseWriter(HttpServletResponse response, String comment, Runnable onBroken) throws IOException {
        this.response = response;
        this.onBroken = onBroken;
        response.setStatus(200);
        response.setContentType("text/event-stream;charset=utf-8");
        response.setHeader("Cache-Control", "no-store");
        response.setHeader("X-Accel-Buffering", "no");
        out = response.getOutputStream();
        write(": " + comment + "\n\n");
        ticks = Thread.ofVirtual().name("pcm-sse-ticks").start(() -> {
            try {
                while (!broken) {
                    Thread.sleep(TimeUnit.SECONDS.toMillis(TICK_SECONDS));
                    write(": tick\n\n");
                }
            } catch (InterruptedException closed) {
                // the stream ended
            }
        });
    }

    /** One event of type {@code event} with {@code data} as its JSON; false when the client is gone. */
    boolean event(String event, ObjectNode data) {
        String json;
        try {
            json = JSON.writeValueAsString(data);
        } catch (IOException e) {
            throw new IllegalStateException(e); // an ObjectNode always serializes
        }
        synchronized (this) {
            return write("event: " + event + "\nid: " + (++ids) + "\ndata: " + json + "\n\n");
        }
    }

    private synchronized boolean write(String s) {
        if (broken) return false;
        try {
            out.write(s.getBytes(StandardCharsets.UTF_8));
            response.flushBuffer();
            return true;
        } catch (IOException | RuntimeException gone) {
            broken = true;
            if (ticks != null && Thread.currentThread() != ticks) ticks.interrupt(); // null: the first write failed
            if (onBroken != null) onBroken.run();
            return false;
        }
    }

    boolean broken() {
        return broken;
    }

    @Override
    public void close() {
        if (ticks != null) ticks.interrupt();
    }
}
