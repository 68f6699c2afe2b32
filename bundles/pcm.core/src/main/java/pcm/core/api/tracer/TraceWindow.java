package pcm.core.api.tracer;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The window a tracer is armed for, and the hooks it may register for it. Everything here is called on the vCPU
 * thread; the listeners are called there too, while the guest runs. The sampler removes every listener registered
 * here when the window closes.
 *
 * @since 1.1
 */
@ProviderType
public interface TraceWindow {

    String windowId();

    /** The backend recording the window ("soft", "kvm"). */
    String backend();

    /** Instructions retired since the window began (valid on the vCPU thread, also inside listeners). */
    long position();

    /**
     * Asks to be told every guest memory access of the window's instructions (data loads and stores to RAM).
     *
     * @return false if the backend cannot report them (KVM has no such hook): the tracer should then throw
     *         {@link TracerUnavailableException} with that reason
     */
    boolean onMemoryAccess(MemoryAccessListener listener);

    /** Asks to be told every port and MMIO transaction of the guest and every DMA write of a device. */
    void onIoTransaction(IoTransactionListener listener);
}
