package pcm.itests.throwing;

import org.osgi.service.component.annotations.Component;

import pcm.core.api.exit.ExitContext;
import pcm.core.api.exit.ExitHandler;
import pcm.core.api.exit.ExitResult;
import pcm.core.api.vm.VmExit;

/** A broken vendor handler: ranked above everything for port reads, and throws on each one. */
@Component(property = {ExitHandler.EXIT_KINDS + "=PIO_IN", "service.ranking:Integer=200"})
public class ThrowingHandler implements ExitHandler {

    @Override
    public ExitResult handle(VmExit exit, ExitContext context) {
        throw new IllegalStateException("pcm.itests.throwing fails on purpose for " + exit);
    }
}
