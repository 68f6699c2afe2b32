package pcm.core.api.exit;

/** What a handler made of an exit. */
public sealed interface ExitResult {

    /** The handler declines; the next handler in rank is asked. */
    record Pass() implements ExitResult {}

    /** Handled; nothing to return to the guest. */
    record Done() implements ExitResult {}

    /** Handled; the value for a read (port, MMIO, MSR, RDTSC-class, hypercall return). */
    record Value(long value) implements ExitResult {}

    /** Handled; the registers CPUID returns. */
    record CpuidValue(int eax, int ebx, int ecx, int edx) implements ExitResult {}

    /** Handled; the VM must stop with this status (0 = clean power off). */
    record Stop(int status, String reason) implements ExitResult {}

    ExitResult PASS = new Pass();
    ExitResult DONE = new Done();

    static ExitResult pass() { return PASS; }

    static ExitResult done() { return DONE; }

    static ExitResult value(long v) { return new Value(v); }

    static ExitResult stop(int status, String reason) { return new Stop(status, reason); }
}
