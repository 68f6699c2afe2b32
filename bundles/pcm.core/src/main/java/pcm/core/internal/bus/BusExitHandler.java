package pcm.core.internal.bus;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import pcm.core.api.bus.AddressSpace;
import pcm.core.api.bus.IoBus;
import pcm.core.api.exit.ExitContext;
import pcm.core.api.exit.ExitHandler;
import pcm.core.api.exit.ExitResult;
import pcm.core.api.vm.VmExit;

/**
 * Routes port and MMIO exits to the I/O bus. It registers at a low ranking so that a vendor
 * handler for the same kinds takes precedence; addresses no device claims pass on to the
 * dispatcher's default (counted as unhandled).
 */
@Component(service = ExitHandler.class, property = {
    ExitHandler.EXIT_KINDS + "=PIO_IN", ExitHandler.EXIT_KINDS + "=PIO_OUT",
    ExitHandler.EXIT_KINDS + "=MMIO_READ", ExitHandler.EXIT_KINDS + "=MMIO_WRITE",
    "service.ranking:Integer=-1000"})
public final class BusExitHandler implements ExitHandler {

    private final IoBus bus;
    private final ThreadLocal<long[]> readSlot = ThreadLocal.withInitial(() -> new long[1]);

    @org.osgi.service.component.annotations.Activate
    public BusExitHandler(@Reference IoBus bus) {
        this.bus = bus;
    }

    @Override
    public ExitResult handle(VmExit exit, ExitContext context) {
        return switch (exit) {
            case VmExit.PortIn in -> read(AddressSpace.PIO, in.port(), in.size());
            case VmExit.MmioRead r -> read(AddressSpace.MMIO, r.address(), r.size());
            case VmExit.PortOut out ->
                bus.write(AddressSpace.PIO, out.port(), out.size(), out.data()) ? ExitResult.done() : ExitResult.pass();
            case VmExit.MmioWrite w ->
                bus.write(AddressSpace.MMIO, w.address(), w.size(), w.data()) ? ExitResult.done() : ExitResult.pass();
            default -> ExitResult.pass();
        };
    }

    private ExitResult read(AddressSpace space, long address, int size) {
        long[] slot = readSlot.get();
        return bus.read(space, address, size, slot) ? ExitResult.value(slot[0]) : ExitResult.pass();
    }
}
