package pcm.vmx.internal.kvm;

/**
 * The pending/injected event state of a vCPU ({@code struct kvm_vcpu_events}, see
 * <a href="https://docs.kernel.org/virt/kvm/api.html#kvm-get-vcpu-events">KVM_GET_VCPU_EVENTS</a>).
 * Not in the pcm.core API; exposed by {@link KvmVcpu#vcpuEvents()} / {@link KvmVcpu#setVcpuEvents}.
 */
public record VcpuEvents(boolean exceptionInjected, int exceptionNr, boolean exceptionHasErrorCode,
                         boolean exceptionPending, int exceptionErrorCode,
                         boolean interruptInjected, int interruptNr, boolean interruptSoft, int interruptShadow,
                         boolean nmiInjected, boolean nmiPending, boolean nmiMasked,
                         int sipiVector, int flags, boolean tripleFaultPending) {
}
