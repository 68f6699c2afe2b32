package pcm.itests.blocking;

import java.util.concurrent.CountDownLatch;

import org.osgi.service.component.annotations.Component;

import pcm.core.api.exit.ExitContext;
import pcm.core.api.exit.ExitHandler;
import pcm.core.api.exit.ExitResult;
import pcm.core.api.vm.VmExit;

/**
 * A broken vendor handler (issue 11 item 7): ranked above everything for port reads, and never
 * answers one. It ignores interrupts too, as the worst plug-ins do.
 */
@Component(property = {ExitHandler.EXIT_KINDS + "=PIO_IN", "service.ranking:Integer=300"})
public class BlockingHandler implements ExitHandler {

    private final CountDownLatch never = new CountDownLatch(1);

    @Override
    public ExitResult handle(VmExit exit, ExitContext context) {
        while (true) {
            try {
                never.await();
            } catch (InterruptedException ignored) {
                // on purpose: a handler that cannot be talked out of its call
            }
        }
    }
}
