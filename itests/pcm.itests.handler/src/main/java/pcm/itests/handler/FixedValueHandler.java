package pcm.itests.handler;

import org.osgi.service.component.annotations.Component;

import pcm.core.api.exit.ExitContext;
import pcm.core.api.exit.ExitHandler;
import pcm.core.api.exit.ExitResult;
import pcm.core.api.vm.VmExit;

/** Takes every port read, above the kernel's own handlers, and answers {@link #VALUE}. */
@Component(property = {ExitHandler.EXIT_KINDS + "=PIO_IN", "service.ranking:Integer=100"})
public class FixedValueHandler implements ExitHandler {

    /** What every port read returns while this bundle is active (the itests look for it). */
    public static final long VALUE = 0xCAFEL;

    @Override
    public ExitResult handle(VmExit exit, ExitContext context) {
        return ExitResult.value(VALUE);
    }
}
