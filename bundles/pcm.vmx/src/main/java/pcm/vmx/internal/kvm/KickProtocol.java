package pcm.vmx.internal.kvm;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * How a kick reaches a vCPU thread and is consumed, apart from the system calls (tested without KVM). A kick sets
 * {@code immediate_exit} and sends the kick signal; kicks that come while one is unconsumed coalesce into it. The
 * vCPU consumes a kick after KVM_RUN returned: it clears {@code immediate_exit}, drains the signal, and only then
 * accepts the next kick.
 * <p>
 * The order is the point. Consumed the other way round (pending cleared first), a kick arriving in between set its
 * flag and sent its signal, the consumer then cleared the flag and drained the signal, and the kick was lost with
 * "pending" left set: every later kick coalesced into it, and the vCPU ran on in KVM_RUN for ever. The emulated SVM
 * host's {@code KvmBackendTest.noKickIsLostUnderLoad} hung that way (stop 22's CI: the kvmtests scenario never
 * ended). Now a kick during the consumption coalesces into the return that is under way, which comes after it.
 */
final class KickProtocol {

    /** What the protocol does to the vCPU: its kvm_run flag and the kick signal. */
    interface Target {
        void immediateExit(boolean on);

        /** Sends the kick signal to the vCPU's thread (nothing while no thread runs it). */
        void signal();

        /** Consumes the kick signals pending for the calling (vCPU) thread; returns how many. */
        int drainSignals();
    }

    private final AtomicBoolean pending = new AtomicBoolean();
    private final Target target;

    KickProtocol(Target target) {
        this.target = target;
    }

    /** Returns false when the kick coalesced into one not consumed yet. */
    boolean kick() {
        if (!pending.compareAndSet(false, true)) return false;
        target.immediateExit(true);
        target.signal();
        return true;
    }

    /** On the vCPU thread, after KVM_RUN returned for a kick; returns the signals drained. */
    int consume() {
        target.immediateExit(false);
        int drained = target.drainSignals();
        pending.set(false);
        return drained;
    }

    boolean pending() {
        return pending.get();
    }
}
