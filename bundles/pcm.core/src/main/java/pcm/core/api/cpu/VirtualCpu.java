package pcm.core.api.cpu;

import org.osgi.annotation.versioning.ConsumerType;

import pcm.core.api.exit.ExitResult;
import pcm.core.api.vm.VmExit;

/**
 * One vCPU of a backend. All methods except {@link #kick()} must be called on the vCPU's own
 * thread (the thread that runs it); KVM requires that.
 */
@ConsumerType
public interface VirtualCpu extends AutoCloseable {

    int id();

    /**
     * Runs the guest until the next exit. The exit's data stays valid until the next call; an exit
     * that needs an answer (port/MMIO/MSR read, CPUID, RDTSC-class) must get it through
     * {@link #complete} before the next run.
     */
    VmExit run() throws BackendException;

    /** Gives the guest the result of the last exit (ignored for exits that need none). */
    void complete(VmExit exit, ExitResult result) throws BackendException;

    /** Makes a {@link #run()} in progress (or the next one) return {@link VmExit.Interrupted} soon. Any thread. */
    void kick();

    Registers registers() throws BackendException;

    void setRegisters(Registers regs) throws BackendException;

    SpecialRegisters specialRegisters() throws BackendException;

    void setSpecialRegisters(SpecialRegisters sregs) throws BackendException;

    /** The FXSAVE image (512 bytes) of the x87/SSE state. */
    byte[] fpuState() throws BackendException;

    void setFpuState(byte[] fxsave) throws BackendException;

    long readMsr(int index) throws BackendException;

    void writeMsr(int index, long value) throws BackendException;

    /** Sets the CPUID table (from the backend's supported table, minus the {@code hide} mask). */
    void setCpuid(CpuidMask hide) throws BackendException;

    /** True if an external interrupt can be injected now (interrupt window open: IF=1, no shadow). */
    boolean canInjectInterrupt() throws BackendException;

    /** Queues an external interrupt for the next entry. Only when {@link #canInjectInterrupt()}. */
    void injectInterrupt(int vector) throws BackendException;

    /** Asks for an {@link VmExit.InterruptWindow} exit as soon as the guest can take an interrupt. */
    void requestInterruptWindow(boolean request) throws BackendException;

    /** Single-step: each run executes at most one instruction and returns a {@link VmExit.Debug}. */
    void setSingleStep(boolean enabled) throws BackendException;

    /** Instructions retired since creation if the backend counts exactly, else -1. */
    default long instructionCount() { return -1; }

    /**
     * The CPU that executes this vCPU's instructions, as a replay must reproduce it (vendor, signature,
     * undefined-flag model). Hardware backends run on the host's CPU, the default.
     */
    default CpuIdentity identity() { return CpuIdentity.host(); }

    @Override
    void close();
}
