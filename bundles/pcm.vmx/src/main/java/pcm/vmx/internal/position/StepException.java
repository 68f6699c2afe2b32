package pcm.vmx.internal.position;

import pcm.core.api.cpu.BackendException;

/** The {@code kvm-step} position counter cannot count this guest exactly; {@link #reason()} says why. */
public final class StepException extends BackendException {
    private static final long serialVersionUID = 1L;

    /** Why counting stopped. */
    public enum Reason {
        /** The host has no KVM_CAP_SET_GUEST_DEBUG. */
        NO_GUEST_DEBUG,
        /** PVM: CPL3 code must be stepped but IDT[1] (#DB) is absent, not present or not a 64-bit gate. */
        NO_DB_HANDLER,
        /** PVM: the #DB frame or an exception frame was not where the IDT and TSS say, or did not match. */
        FRAME_MISMATCH,
        /**
         * Hardware hosts: an interrupt could not be delivered between two steps (the processor would raise an
         * exception delivering it), so its handler could not be counted.
         */
        DELIVERY,
        /** Guest memory needed for counting (IDT, TSS, stack) could not be read. */
        MEMORY,
        /** The counter was closed. */
        CLOSED
    }

    private final Reason reason;

    public StepException(Reason reason, String message) {
        super("kvm-step: " + message + " (" + reason + ")");
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
