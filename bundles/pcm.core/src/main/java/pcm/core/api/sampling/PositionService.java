package pcm.core.api.sampling;

import org.osgi.annotation.versioning.ConsumerType;

import pcm.core.api.cpu.BackendException;
import pcm.core.api.cpu.VirtualCpu;
import pcm.core.api.memory.GuestMemory;

/**
 * Counts retired instructions exactly while a window records — hosts differ in how: KVM's
 * guest-debug single-step on VMX hosts; on PVM hosts single-step of CPL0 plus trap-flag stepping
 * of CPL3 code; the software CPU counts natively; a PMU counter where the hardware has one.
 * The kernel picks the highest-ranked service that {@link #supports} the running vCPU.
 */
@ConsumerType
public interface PositionService {

    /** Service property: position service id, e.g. "soft-exact", "kvm-step". */
    String ID = "pcm.position.id";

    String id();

    /** Whether this service can count on this vCPU (its backend and host kind). */
    boolean supports(VirtualCpu vcpu);

    /**
     * Starts counting at position 0. Called on the vCPU thread, between runs. Until the counter is
     * closed the kernel runs the vCPU only through {@link PositionCounter#run()}.
     *
     * @param observer receives the nondeterministic inputs the guest consumed without an exit
     *                 (e.g. a CPL3 RDTSC on KVM), at their positions
     */
    PositionCounter start(VirtualCpu vcpu, GuestMemory memory, InputObserver observer) throws BackendException;
}
