package pcm.core.api.vm;

/**
 * The kinds of {@link VmExit}; exit handlers register for a set of these under
 * {@link pcm.core.api.exit.ExitHandler#EXIT_KINDS}.
 */
public enum ExitKind {
    PIO_IN, PIO_OUT, MMIO_READ, MMIO_WRITE, HLT, SHUTDOWN, CPUID, MSR_READ, MSR_WRITE,
    /** RDTSC, RDTSCP, RDRAND, RDSEED, RDPMC: instructions whose result is nondeterministic. */
    NONDETERMINISTIC_INSN,
    HYPERCALL, DEBUG, ENTRY_FAILURE, INTERNAL_ERROR,
    /** The run was interrupted by a kick (signal, pause request, pending interrupt) without a guest exit. */
    INTERRUPTED,
    /** The guest can take an interrupt now (answer to an interrupt-window request). */
    IRQ_WINDOW
}
