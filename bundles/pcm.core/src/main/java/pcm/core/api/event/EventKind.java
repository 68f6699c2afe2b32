package pcm.core.api.event;

/** PCM event kinds: the nondeterministic inputs of a window, plus the kernel's own transitions. */
public enum EventKind {
    RDTSC, RDTSCP, RDRAND, RDSEED, RDPMC, CPUID, MSR_READ, VMCALL,
    PIO_IN, MMIO_READ, MMIO_WRITE, DMA_WRITE, INTERRUPT, NMI,
    /** End of a sampling window. */
    END,
    /** A state transition of the VM or of the sampling state machine (payload: UTF-8 text). */
    STATE,
    /**
     * The recording vCPU's registers after {@code position} instructions, as a delta against the previous
     * checkpoint of the window (or its initial snapshot): see {@link RegisterCheckpoints}. Not an input:
     * verifiers compare their own registers there, which localises a divergence to the instruction.
     */
    CHECKPOINT,
    /**
     * The VMM set one register when {@code position} instructions had retired ({@code address}: index in
     * {@code Registers.toArray()} order, {@code value}: the new value) — an operator's write during a window,
     * or a fault injected into a recorded window to test a verifier.
     */
    REG_WRITE,
    /**
     * One-byte fingerprints of the recording vCPU's registers after each of the instructions from {@code position}
     * on ({@code data}: one byte per position, 0 = not recorded there): see {@link RegisterFingerprints}. Between
     * sparse CHECKPOINTs they let a verifier find the exact instruction whose registers first differ.
     *
     * @since 1.2
     */
    FINGERPRINTS
}
