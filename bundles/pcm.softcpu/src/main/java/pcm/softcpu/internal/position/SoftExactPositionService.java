package pcm.softcpu.internal.position;

import org.osgi.service.component.annotations.Component;

import pcm.core.api.cpu.BackendException;
import pcm.core.api.cpu.VirtualCpu;
import pcm.core.api.memory.GuestMemory;
import pcm.core.api.sampling.InputObserver;
import pcm.core.api.sampling.PositionCounter;
import pcm.core.api.sampling.PositionService;
import pcm.core.api.vm.VmExit;
import pcm.softcpu.internal.SoftVcpu;

/**
 * {@code soft-exact}: the software CPU counts every retired instruction itself, so the position is its
 * instruction count minus the count at {@link #start}. Nothing is ever observed: every nondeterministic
 * instruction exits on the soft CPU (the kernel logs it from the exit).
 * <p>
 * Position convention (docs: replay package-info): while an exit that consumed an input is being handled
 * (until {@code complete} or the next run) {@link PositionCounter#position()} is the number of
 * instructions retired <em>before</em> the exiting instruction, as on KVM where the instruction retires
 * after the exit; otherwise it is the number retired so far (an interrupt injected now is delivered at it).
 */
@Component(service = PositionService.class, property = {PositionService.ID + "=" + SoftExactPositionService.ID,
    "service.ranking:Integer=100"})
public final class SoftExactPositionService implements PositionService {

    public static final String ID = "soft-exact";

    @Override
    public String id() { return ID; }

    @Override
    public boolean supports(VirtualCpu vcpu) { return vcpu instanceof SoftVcpu; }

    @Override
    public PositionCounter start(VirtualCpu vcpu, GuestMemory memory, InputObserver observer) throws BackendException {
        if (!(vcpu instanceof SoftVcpu soft)) {
            throw new BackendException("soft-exact counts only on the software CPU, not on " + vcpu.getClass().getName());
        }
        VmExit read = soft.finishCompletedRead();
        if (read != null) throw new BackendException("finishing the MMIO read completed before the window failed: " + read);
        VmExit early = soft.deliverQueuedInterrupt();
        if (early != null) throw new BackendException("delivering the interrupt queued before the window failed: " + early);
        return new Counter(soft);
    }

    /** The counter of one window. */
    public static final class Counter implements PositionCounter {
        private final SoftVcpu vcpu;
        private final long start;
        private volatile boolean closed;

        Counter(SoftVcpu vcpu) {
            this.vcpu = vcpu;
            this.start = vcpu.positionCount();
        }

        @Override
        public long position() { return vcpu.positionCount() - start; }

        @Override
        public VmExit run() throws BackendException {
            check();
            return vcpu.run();
        }

        /**
         * Runs until exactly {@code target} instructions have retired since the start, then returns
         * {@link VmExit.Interrupted} with {@code position() == target}; an exit that comes first is returned
         * as usual. A target at or below the current position behaves as {@link #run()}.
         */
        @Override
        public VmExit runUntil(long target) throws BackendException {
            check();
            if (target <= position()) return vcpu.run();
            VmExit e = vcpu.runUntil(start + target);
            return e != null ? e : new VmExit.Interrupted();
        }

        private void check() throws BackendException {
            if (closed) throw new BackendException("position counter is closed");
        }

        @Override
        public void close() { closed = true; }
    }
}
