package pcm.core.internal.vm;

import java.util.Optional;

import pcm.core.api.memory.GuestMemoryProvider;
import pcm.core.api.vm.VmException;

/**
 * What the sampler needs of the running VM (a service of the kernel's VM, internal to pcm.core):
 * windows opened and closed on a vCPU's own thread, between runs.
 */
public interface SamplingTarget {

    /** Backend id of the running guest ("kvm", "soft"), empty if no guest runs. */
    Optional<String> runningBackend();

    /** The memory provider (memory snapshots), empty if none is bound. */
    Optional<GuestMemoryProvider> memoryProvider();

    /** Opens a window on {@code vcpu}: {@code probe.open} runs on its thread; waits for it. */
    void openWindow(int vcpu, WindowProbe probe, long timeoutMillis) throws VmException;

    /** Closes the open window of {@code vcpu} at its next boundary; false if none was open. */
    boolean closeWindow(int vcpu, String reason, long timeoutMillis) throws VmException;
}
