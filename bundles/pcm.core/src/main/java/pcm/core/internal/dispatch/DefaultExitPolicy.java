package pcm.core.internal.dispatch;

import pcm.core.api.exit.ExitResult;
import pcm.core.api.vm.VmExit;

/**
 * What the guest gets when no handler takes an exit (or the one that took it threw): what bare
 * hardware with nothing at that address would give, never a crash.
 */
final class DefaultExitPolicy {

    /** KVM's answer to an unknown hypercall: -KVM_ENOSYS. */
    static final long HYPERCALL_ENOSYS = -1000L;

    private DefaultExitPolicy() {}

    static ExitResult defaultFor(VmExit exit) {
        return switch (exit) {
            case VmExit.PortIn in -> ExitResult.value(allOnes(in.size()));
            case VmExit.MmioRead r -> ExitResult.value(allOnes(r.size()));
            case VmExit.MsrRead m -> ExitResult.value(0);
            case VmExit.Cpuid c -> new ExitResult.CpuidValue(0, 0, 0, 0);
            case VmExit.Nondeterministic n -> ExitResult.value(0);
            case VmExit.Hypercall h -> ExitResult.value(HYPERCALL_ENOSYS);
            case VmExit.Shutdown s -> ExitResult.stop(s.status(), s.reason());
            case VmExit.EntryFailure f -> ExitResult.stop(-1, "entry failure: hardware reason 0x"
                    + Long.toHexString(f.hardwareReason()) + " " + f.detail());
            case VmExit.InternalError e -> ExitResult.stop(-1, "internal error " + e.suberror() + ": " + e.detail());
            case VmExit.PortOut o -> ExitResult.done();
            case VmExit.MmioWrite w -> ExitResult.done();
            case VmExit.MsrWrite w -> ExitResult.done();
            case VmExit.Hlt h -> ExitResult.done();
            case VmExit.Debug d -> ExitResult.done();
            case VmExit.Interrupted i -> ExitResult.done();
            case VmExit.InterruptWindow w -> ExitResult.done();
        };
    }

    static long allOnes(int size) {
        return size >= 8 ? -1L : (1L << (size * 8)) - 1;
    }
}
