package pcm.ui.internal.commands;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

import org.apache.felix.service.command.Descriptor;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

import pcm.core.api.vm.ConsoleListener;

/**
 * {@code pcm:console}: shows the guest's serial console as it comes, until Ctrl-C (the detach key: it ends this
 * command, never the guest). Read only: the UART's input side has no service yet (host input into the guest must also
 * be recorded as an input event for replay). Everything the guest printed is in {@code <data>/log/console.log}
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
        return "usage: pcm:console   (the guest's console until Ctrl-C)";
    }

    @Descriptor("show the guest's serial console as it comes; Ctrl-C detaches (the guest goes on)")
    public String console() {
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
}
