package pcm.client;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.EnumSet;

import org.jline.terminal.Attributes;
import org.jline.terminal.Terminal;
import org.jline.utils.NonBlockingReader;

/**
 * {@code pcm:console} in the attached shell: the resident guest's serial console, read from the API's console event
 * stream and typed through {@code PcmConsole.Send}, in raw mode as {@code virsh console} or telnet do. Every key goes
 * to the guest (Ctrl-C included: the terminal's signal keys are off while attached) but the detach key, Ctrl-], which
 * returns to the prompt; the guest goes on. Keys typed together (a paste) go out in one request. A broken connection
 * ends the attachment with its reason; the shell stays.
 */
final class RemoteConsole {

    static final int DETACH = 0x1d;
    private static final long READ_POLL_MILLIS = 50;

    private RemoteConsole() {}

    /** Attaches until Ctrl-], end of input or a broken stream; returns the line to print afterwards. */
    static String attach(Terminal terminal, Api api) throws ApiException, IOException {
        PrintWriter w = terminal.writer();
        Sse stream = api.consoleStream(); // before raw mode: a refusal leaves the terminal as it was
        w.print("[guest console of the resident PCM; Ctrl-] detaches, every other key goes to the guest]\r\n");
        w.flush();
        String[] ended = {null};
        Thread reader = Thread.ofPlatform().daemon().name("pcm-console-stream").start(() -> {
            try (stream) {
                for (Sse.Event e; (e = stream.next()) != null; ) {
                    if (e.type().equals("console")) {
                        w.print(Api.JSON.readTree(e.data()).path("Text").asText());
                        w.flush();
                    } else if (e.type().equals("dropped")) {
                        w.print("\r\n[" + Api.JSON.readTree(e.data()).path("Bytes").asLong() + " bytes of console output dropped: this terminal was too slow]\r\n");
                        w.flush();
                    }
                }
                ended[0] = "the resident PCM ended the console stream";
            } catch (IOException e) {
                ended[0] = "the console stream broke: " + e.getMessage();
            }
        });
        Attributes saved = terminal.enterRawMode();
        try {
            Attributes raw = terminal.getAttributes();
            raw.setLocalFlags(EnumSet.of(Attributes.LocalFlag.ISIG), false);
            terminal.setAttributes(raw);
            NonBlockingReader in = terminal.reader();
            while (true) {
                if (!reader.isAlive()) return "\r\n[detached: " + ended[0] + "]";
                int c = in.read(READ_POLL_MILLIS);
                if (c == NonBlockingReader.READ_EXPIRED) continue;
                if (c < 0) return "[end of input: detached from the guest console]";
                if (c == DETACH) return "\r\n[detached from the guest console]";
                StringBuilder keys = new StringBuilder().appendCodePoint(c);
                boolean detach = false;
                // what is typed (or pasted) at once goes in one request
                for (int more; (more = in.read(1)) >= 0; ) {
                    if (more == DETACH) {
                        detach = true;
                        break;
                    }
                    keys.appendCodePoint(more);
                }
                try {
                    api.consoleSend(keys.toString());
                } catch (ApiException e) {
                    w.print("\r\n[" + e.getMessage() + "]\r\n");
                    w.flush();
                }
                if (detach) return "\r\n[detached from the guest console]";
            }
        } finally {
            terminal.setAttributes(saved);
            reader.interrupt();
            try {
                stream.close();
            } catch (IOException ignored) {
                // closing a stream that broke
            }
        }
    }
}
