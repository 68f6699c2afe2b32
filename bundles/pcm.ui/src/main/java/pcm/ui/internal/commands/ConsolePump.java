package pcm.ui.internal.commands;

import java.io.IOException;
import java.io.InputStream;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import pcm.core.api.vm.ConsoleInput;

/**
 * Feeds the operator's input (pcm:run's standard input) to the guest's serial console while a run lasts: what a
 * script pipes in or a terminal types reaches the 16550's receive FIFO. When the FIFO is full the rest waits until the
 * guest has read some (a terminal's flow control), so nothing typed is lost; bytes typed before the console device
 * exists wait for it. Ends at end of input or when closed.
 */
final class ConsolePump implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ConsolePump.class);

    private final Thread thread;
    private volatile boolean closed;

    ConsolePump(InputStream in, Supplier<ConsoleInput> device) {
        thread = Thread.ofPlatform().daemon().name("pcm-console-in").unstarted(() -> pump(in, device));
    }

    ConsolePump start() {
        thread.start();
        return this;
    }

    private void pump(InputStream in, Supplier<ConsoleInput> device) {
        byte[] buf = new byte[256];
        try {
            while (!closed) {
                int n = in.read(buf);
                if (n < 0) return;
                int off = 0;
                while (off < n && !closed) {
                    ConsoleInput d = device.get();
                    int took = d == null ? 0 : d.input(buf, off, n - off);
                    off += took;
                    if (took == 0) Thread.sleep(2);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | RuntimeException e) {
            if (!closed) LOG.warn("console input stopped: {}", e.toString());
        }
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
    }
}
