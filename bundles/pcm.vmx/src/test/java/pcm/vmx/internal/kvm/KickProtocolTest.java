package pcm.vmx.internal.kvm;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * A kick that arrives while the vCPU consumes the previous one is never lost: after the consumption either no kick is
 * pending, or the pending one still has its flag or its signal on the way, so the next KVM_RUN returns. Without KVM:
 * the kick lands at each step of the consumption in turn. The order before (pending cleared first) lost it, and every
 * later kick coalesced into the lost one (KvmBackendTest.noKickIsLostUnderLoad hung on the emulated SVM host).
 */
class KickProtocolTest {

    /** The vCPU's flag and signal as plain state; {@code during} is a kick landing at step {@code at} of a consumption. */
    static final class Vcpu implements KickProtocol.Target {
        boolean immediateExit, signalPending;
        int step, at = -1;
        KickProtocol protocol;

        private void maybeKick() {
            if (step++ == at) protocol.kick();
        }

        @Override
        public void immediateExit(boolean on) {
            if (!on) maybeKick();
            immediateExit = on;
        }

        @Override
        public void signal() {
            signalPending = true;
        }

        @Override
        public int drainSignals() {
            maybeKick();
            int n = signalPending ? 1 : 0;
            signalPending = false;
            maybeKick();
            return n;
        }

        /** What KVM_RUN would see: a pending kick makes it return at once. */
        boolean kvmRunReturns() {
            return immediateExit || signalPending;
        }
    }

    @Test
    void aKickDuringTheConsumptionOfTheLastOneIsNeverLost() {
        for (int at = 0; at < 3; at++) {
            Vcpu v = new Vcpu();
            KickProtocol p = new KickProtocol(v);
            v.protocol = p;
            assertTrue(p.kick());
            assertTrue(v.kvmRunReturns());
            v.at = at;
            p.consume(); // KVM_RUN returned for the first kick; the second lands at step `at`
            assertTrue(!p.pending() || v.kvmRunReturns(), "a pending kick the next KVM_RUN would not see (step " + at + ")");
            if (p.pending()) p.consume();
            assertTrue(p.kick(), "a later kick is not swallowed by a lost one (step " + at + ")");
            assertTrue(v.kvmRunReturns(), "a later kick reaches KVM_RUN (step " + at + ")");
        }
    }
}
