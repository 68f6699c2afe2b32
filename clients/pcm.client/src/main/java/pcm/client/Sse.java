package pcm.client;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * Reads server-sent events (the WHATWG format the resident's streams use: {@code event:}, {@code data:}, blank line
 * ends an event, {@code :} a comment) from a response body, one event at a time.
 */
final class Sse implements AutoCloseable {

    record Event(String type, String data) {}

    private final BufferedReader in;

    Sse(InputStream body) {
        in = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
    }

    /** The next event, or null at the end of the stream. Comments (the server's keep-alive ticks) are skipped. */
    Event next() throws IOException {
        String type = "message";
        StringBuilder data = null;
        for (String line; (line = in.readLine()) != null; ) {
            if (line.isEmpty()) {
                if (data != null) return new Event(type, data.toString());
                type = "message";
                continue;
            }
            if (line.startsWith(":")) continue;
            int colon = line.indexOf(':');
            String field = colon < 0 ? line : line.substring(0, colon);
            String value = colon < 0 ? "" : line.substring(colon + 1);
            if (value.startsWith(" ")) value = value.substring(1);
            switch (field) {
                case "event" -> type = value;
                case "data" -> data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
                default -> { } // id, retry: not needed by the shell
            }
        }
        return null;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
