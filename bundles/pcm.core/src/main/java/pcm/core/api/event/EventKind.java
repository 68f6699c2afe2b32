package pcm.core.api.event;

/** PCM event kinds: the nondeterministic inputs of a window, plus the kernel's own transitions. */
public enum EventKind {
    RDTSC, RDTSCP, RDRAND, RDSEED, RDPMC, CPUID, MSR_READ, VMCALL,
    PIO_IN, MMIO_READ, MMIO_WRITE, DMA_WRITE, INTERRUPT, NMI,
    /** End of a sampling window. */
    END,
    /** A state transition of the VM or of the sampling state machine (payload: UTF-8 text). */
    STATE
}
