package pcm.vmx.internal.position;

import org.osgi.service.component.annotations.Component;

import pcm.core.api.cpu.BackendException;
import pcm.core.api.cpu.VirtualCpu;
import pcm.core.api.memory.GuestMemory;
import pcm.core.api.sampling.InputObserver;
import pcm.core.api.sampling.PositionCounter;
import pcm.core.api.sampling.PositionService;
import pcm.vmx.internal.kvm.KvmVcpu;

/**
 * {@code kvm-step}: exact instruction counts on KVM vCPUs by single-stepping (see {@link StepCounter} and
 * docs/positions-on-kvm.md). Hardware hosts: one KVM_EXIT_DEBUG per instruction. PVM hosts: CPL0 steps
 * the same way; CPL3 steps by trap flag, with the #DB KVM injects into the guest undone by the VMM.
 */
@Component(service = PositionService.class, property = {PositionService.ID + "=" + KvmStepPositionService.ID,
    "service.ranking:Integer=50"})
public final class KvmStepPositionService implements PositionService {

    public static final String ID = "kvm-step";

    @Override
    public String id() {
        return ID;
    }

    @Override
    public boolean supports(VirtualCpu vcpu) {
        return vcpu instanceof KvmVcpu k && k.hasGuestDebug();
    }

    @Override
    public PositionCounter start(VirtualCpu vcpu, GuestMemory memory, InputObserver observer) throws BackendException {
        if (!(vcpu instanceof KvmVcpu k)) {
            throw new BackendException("kvm-step counts only on KVM vCPUs, not on " + vcpu.getClass().getName());
        }
        if (!k.hasGuestDebug()) {
            throw new StepException(StepException.Reason.NO_GUEST_DEBUG, "this KVM has no KVM_CAP_SET_GUEST_DEBUG");
        }
        return new StepCounter(k, memory, observer);
    }
}
