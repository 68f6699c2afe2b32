package pcm.core.api.vm;

/**
 * One VM exit, decoded from the backend. Exits are values: a backend may reuse nothing of them
 * after the next run, so they hold copies of the data (at most 8 bytes for I/O).
 * <p>
 * Data of port and MMIO accesses is little endian in the low {@code size} bytes of a {@code long}.
 */
public sealed interface VmExit {

    ExitKind kind();

    /** Port read of {@code size} bytes (1, 2 or 4); string I/O arrives split into unit accesses. */
    record PortIn(int port, int size) implements VmExit {
        public ExitKind kind() { return ExitKind.PIO_IN; }
    }

    record PortOut(int port, int size, long data) implements VmExit {
        public ExitKind kind() { return ExitKind.PIO_OUT; }
    }

    record MmioRead(long address, int size) implements VmExit {
        public ExitKind kind() { return ExitKind.MMIO_READ; }
    }

    record MmioWrite(long address, int size, long data) implements VmExit {
        public ExitKind kind() { return ExitKind.MMIO_WRITE; }
    }

    /** HLT with interrupts enabled or not: {@code interruptsEnabled} tells whether an interrupt can wake it. */
    record Hlt(boolean interruptsEnabled) implements VmExit {
        public ExitKind kind() { return ExitKind.HLT; }
    }

    /** The guest asked to stop (power off, reset, triple fault); {@code status} 0 is a clean power off. */
    record Shutdown(int status, String reason) implements VmExit {
        public ExitKind kind() { return ExitKind.SHUTDOWN; }
    }

    record Cpuid(int leaf, int subleaf) implements VmExit {
        public ExitKind kind() { return ExitKind.CPUID; }
    }

    record MsrRead(int index) implements VmExit {
        public ExitKind kind() { return ExitKind.MSR_READ; }
    }

    record MsrWrite(int index, long value) implements VmExit {
        public ExitKind kind() { return ExitKind.MSR_WRITE; }
    }

    /** Which nondeterministic instruction trapped. */
    enum Insn { RDTSC, RDTSCP, RDRAND, RDSEED, RDPMC }

    /** A trapped RDTSC-class instruction; {@code operand} is the RDPMC counter index, else 0. */
    record Nondeterministic(Insn insn, int operand) implements VmExit {
        public ExitKind kind() { return ExitKind.NONDETERMINISTIC_INSN; }
    }

    record Hypercall(long number, long arg0, long arg1, long arg2, long arg3) implements VmExit {
        public ExitKind kind() { return ExitKind.HYPERCALL; }
    }

    /** Single-step or breakpoint; {@code rip} is the next instruction to execute. */
    record Debug(long rip, long dr6, int exception) implements VmExit {
        public ExitKind kind() { return ExitKind.DEBUG; }
    }

    /** The hardware refused to enter the guest: fatal for this vCPU. */
    record EntryFailure(long hardwareReason, String detail) implements VmExit {
        public ExitKind kind() { return ExitKind.ENTRY_FAILURE; }
    }

    /** The backend could not go on (e.g. KVM's emulator failed on an instruction). */
    record InternalError(int suberror, String detail) implements VmExit {
        public ExitKind kind() { return ExitKind.INTERNAL_ERROR; }
    }

    record Interrupted() implements VmExit {
        public ExitKind kind() { return ExitKind.INTERRUPTED; }
    }

    record InterruptWindow() implements VmExit {
        public ExitKind kind() { return ExitKind.IRQ_WINDOW; }
    }
}
