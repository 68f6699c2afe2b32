package pcm.ui.internal.commands;

import java.io.IOException;
import java.io.InputStream;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.apache.felix.service.command.CommandSession;
import org.osgi.framework.BundleContext;
import org.osgi.util.tracker.ServiceTracker;

import pcm.core.api.vm.ConsoleInput;

/**
 * Feeds the operator's input (pcm:run's standard input) to the guest's serial console while a run lasts: what a
 * script pipes in or a terminal types reaches the 16550's receive FIFO. When the FIFO is full the rest waits until the
 * guest has read some (a terminal's flow control), so nothing typed is lost; bytes typed before the console device
 * exists wait for it. Ends at end of input or when closed.
 */
public final class ConsolePump implements AutoCloseable {

    /**
     * Session variable: the session's keyboard is the process's own standard input (headless {@code bin/pcm run/exec}),
     * which a Linux run feeds to the guest. Not set in the interactive shell, whose keyboard is the shell's own.
     */
    public static final String STDIN_TO_GUEST = "pcm.console.stdin";

    /**
     * A pump from the session's keyboard to the highest-ranked {@link ConsoleInput} service, for a Linux run of a headless
     * session; otherwise one that does nothing.
     */
    static AutoCloseable open(BundleContext context, CommandSession session, boolean linux) {
        if (!linux || !Boolean.TRUE.equals(session.get(STDIN_TO_GUEST)) || session.getKeyboard() == null) return () -> { };
        ServiceTracker<ConsoleInput, ConsoleInput> devices = new ServiceTracker<>(context, ConsoleInput.class, null);
        devices.open();
        ConsolePump pump = new ConsolePump(session.getKeyboard(), devices::getService).start();
        return () -> {
            pump.close();
            devices.close();
        };
    }


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
