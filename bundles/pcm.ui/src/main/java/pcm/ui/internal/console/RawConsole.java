package pcm.ui.internal.console;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.jline.terminal.Attributes;
import org.jline.terminal.Terminal;
import org.jline.utils.NonBlockingReader;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

import pcm.core.api.vm.ConsoleInput;
import pcm.core.api.vm.ConsoleListener;

/**
 * {@code pcm:console} on the local shell's terminal (JLine): the guest's serial console, read and typed in raw mode as
 * {@code virsh console} or telnet do. Every key goes to the guest as it is typed — Ctrl-C and Enter included, since the
 * terminal's signal keys are off while attached — except the detach key, Ctrl-] ({@value #DETACH_NAME}), which
 * returns to the prompt; the guest goes on. Output is written by a thread of its own from a queue the vCPU thread
 * only offers to, so a terminal that cannot keep up never holds the guest. Only loaded where the shell has a JLine
 * terminal (the class refers to JLine's API, an optional import of pcm.ui).
 */
public final class RawConsole {

    /** Ctrl-], as telnet and virsh console take it. */
    public static final int DETACH = 0x1d;
    public static final String DETACH_NAME = "Ctrl-]";
    private static final long READ_POLL_MILLIS = 100;

    private RawConsole() {}

    /** Whether {@code terminal} (a session's {@code .terminal}) is one this can attach to: a JLine terminal, not a dumb one. */
    public static boolean usable(Object terminal) {
        return terminal instanceof Terminal t && !Terminal.TYPE_DUMB.equals(t.getType()) && !Terminal.TYPE_DUMB_COLOR.equals(t.getType());
    }

    /**
     * Attaches until the detach key, end of input or an interrupt; returns the line to print afterwards.
     * {@code input} gives the guest's console input device (null: none; typing then says so once).
     */
    public static String attach(Object term, BundleContext context, Supplier<ConsoleInput> input) throws IOException {
        Terminal terminal = (Terminal) term;
        PrintWriter w = terminal.writer();
        w.print("[guest console; " + DETACH_NAME + " detaches, every other key goes to the guest]\r\n");
        w.flush();
        BlockingQueue<byte[]> received = new LinkedBlockingQueue<>(65_536);
        OutputStream out = terminal.output();
        ServiceRegistration<ConsoleListener> reg = context.registerService(ConsoleListener.class,
                (b, off, len) -> received.offer(Arrays.copyOfRange(b, off, off + len)), null);
        Thread writer = Thread.ofPlatform().daemon().name("pcm-console-out").start(() -> {
            try {
                while (true) {
                    byte[] chunk = received.take();
                    out.write(chunk);
                    for (byte[] more; (more = received.poll()) != null; ) out.write(more);
                    out.flush();
                }
            } catch (InterruptedException | IOException ended) {
                // detached, or the terminal went away
            }
        });
        Attributes saved = terminal.enterRawMode();
        try {
            // raw mode keeps ISIG; off too, so Ctrl-C and Ctrl-Z reach the guest instead of interrupting this command
            Attributes raw = terminal.getAttributes();
            raw.setLocalFlags(EnumSet.of(Attributes.LocalFlag.ISIG), false);
            terminal.setAttributes(raw);
            return typeUntilDetached(terminal.reader(), input, w);
        } finally {
            terminal.setAttributes(saved);
            reg.unregister();
            writer.interrupt();
            try {
                writer.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static String typeUntilDetached(NonBlockingReader reader, Supplier<ConsoleInput> input, PrintWriter w) throws IOException {
        boolean toldNoInput = false;
        while (!Thread.currentThread().isInterrupted()) {
            int c = reader.read(READ_POLL_MILLIS);
            if (c == NonBlockingReader.READ_EXPIRED) continue;
            if (c < 0) return "[end of input: detached from the guest console]";
            if (c == DETACH) return "\r\n[detached from the guest console]";
            ConsoleInput device = input.get();
            if (device == null) {
                if (!toldNoInput) {
                    w.print("\r\n[no guest console takes input (is a UART installed?); " + DETACH_NAME + " detaches]\r\n");
                    w.flush();
                }
                toldNoInput = true;
                continue;
            }
            byte[] bytes = Character.toString(c).getBytes(StandardCharsets.UTF_8);
            if (!offer(device, bytes)) {
                w.print("\r\n[the guest does not read its console: key dropped]\r\n");
                w.flush();
            }
        }
        return "\r\n[interrupted: detached from the guest console]";
    }

    /** Offers the key's bytes, waiting (at most 2 s) while the 16-byte receive FIFO is full; false when it stays full. */
    static boolean offer(ConsoleInput device, byte[] bytes) {
        int sent = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (sent < bytes.length) {
            int n = device.input(bytes, sent, bytes.length - sent);
            sent += n;
            if (n > 0) continue;
            if (System.nanoTime() - deadline > 0) return false;
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }
}
