package pcm.ui.internal.commands;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.util.tracker.ServiceTracker;

import pcm.core.api.vm.ConsoleInput;
import pcm.core.api.vm.ConsoleListener;
import pcm.ui.internal.console.RawConsole;
import pcm.ui.internal.status.ExitStatus;

/**
 * {@code pcm:console}: attaches to the guest's serial console. On the local shell's terminal it reads and types in raw
 * mode until Ctrl-] ({@link RawConsole}); without a terminal (bin/pcm exec, the API's exec) it shows the output as it
 * comes until Ctrl-C, which ends this command, never the guest. The shell attached to a resident PCM (pcm.client)
 * does the raw mode itself over the API's console stream ({@code ConsoleServlet}). {@code pcm:console send <text>} types a line into it (the UART's
 * {@link ConsoleInput}; its bytes reach the guest through the receive FIFO, whose reads are logged inputs), e.g. from
 * {@code bin/pcm exec} attached to a resident PCM. Everything the guest printed is in {@code <data>/log/console.log}
 * ({@code log:tail --file console.log}).
 */
@Component(service = ConsoleCommand.class, property = {"osgi.command.scope=pcm", "osgi.command.function=console"})
public class ConsoleCommand extends PcmCommand {

    private final BundleContext context;

    @Activate
    public ConsoleCommand(BundleContext context) {
        this.context = context;
    }

    @Override
    protected String function() {
        return "console";
    }

    @Override
    protected String usage() {
        return "usage: pcm:console   (attach to the guest's console: on a terminal read and type, Ctrl-] detaches; elsewhere its output until Ctrl-C)\n       pcm:console send <text>   (types the text and Enter into the guest's console)";
    }

    @Descriptor("attach to the guest's serial console: read and type (raw keys) on a terminal, Ctrl-] detaches; elsewhere its output until Ctrl-C")
    public String console(CommandSession session) throws IOException {
        Object terminal = session == null ? null : session.get(TERMINAL);
        if (rawCapable(terminal)) {
            ServiceTracker<ConsoleInput, ConsoleInput> devices = new ServiceTracker<>(context, ConsoleInput.class, null);
            devices.open();
            try {
                return RawConsole.attach(terminal, context, devices::getService);
            } finally {
                devices.close();
            }
        }
        return follow();
    }

    /** Gogo JLine's session variable holding the shell's JLine terminal. */
    static final String TERMINAL = ".terminal";

    /** A JLine terminal that is not dumb; false where pcm.ui runs without JLine (its import is optional). */
    private static boolean rawCapable(Object terminal) {
        if (terminal == null) return false;
        try {
            return RawConsole.usable(terminal);
        } catch (LinkageError noJline) {
            return false;
        }
    }

    /** Without a terminal (bin/pcm exec, the API): the output as it comes, until the command is interrupted. */
    private String follow() {
        PrintStream out = System.out;
        out.println("[guest console; Ctrl-C detaches]");
        // written by this command's own thread: Gogo routes System.out by thread, and the vCPU thread that calls the
        // listener belongs to whichever command started the guest
        BlockingQueue<byte[]> received = new LinkedBlockingQueue<>(4096);
        ServiceRegistration<ConsoleListener> reg = context.registerService(ConsoleListener.class,
                (b, off, len) -> received.offer(Arrays.copyOfRange(b, off, off + len)), null);
        try {
            while (true) {
                byte[] chunk = received.take(); // Ctrl-C interrupts here
                out.write(chunk, 0, chunk.length);
                out.flush();
            }
        } catch (InterruptedException detached) {
            return "[detached from the guest console]";
        } finally {
            reg.unregister();
        }
    }

    /** How long {@code send} waits for a guest that does not read its console (the FIFO holds 16 bytes). */
    static final long SEND_TIMEOUT_MS = 30_000;

    @Descriptor("type a line into the guest's console (the text and Enter)")
    public String console(@Descriptor("send") String action, @Descriptor("the text") String text) throws InterruptedException {
        if (!"send".equals(action)) throw CommandFailure.usage("unknown action '" + action + "'. " + usage());
        ServiceReference<ConsoleInput> ref = context.getServiceReference(ConsoleInput.class);
        ConsoleInput device = ref == null ? null : context.getService(ref);
        if (device == null) throw new CommandFailure(ExitStatus.FAILED, "no guest console takes input (no ConsoleInput service: is a UART installed?)");
        try {
            byte[] bytes = (text + "\n").getBytes(StandardCharsets.UTF_8);
            int sent = 0;
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SEND_TIMEOUT_MS);
            while (sent < bytes.length) {
                int n = device.input(bytes, sent, bytes.length - sent);
                sent += n;
                if (n > 0) continue;
                if (System.nanoTime() > deadline) {
                    throw new CommandFailure(ExitStatus.FAILED, "the guest read " + sent + " of " + bytes.length + " bytes in " + SEND_TIMEOUT_MS / 1000
                            + " s: its console input is full (is the guest reading its serial port?)");
                }
                Thread.sleep(5); // the receive FIFO is full until the guest reads it
            }
            return null;
        } finally {
            context.ungetService(ref);
        }
    }
}
