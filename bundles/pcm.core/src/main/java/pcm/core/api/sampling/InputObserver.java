package pcm.core.api.sampling;

import org.osgi.annotation.versioning.ProviderType;

import pcm.core.api.cpu.Registers;
import pcm.core.api.event.EventKind;

/**
 * Where a position counter reports nondeterministic inputs the guest consumed without a VM exit
 * (implemented by the kernel's recorder).
 */
@ProviderType
public interface InputObserver {

    /**
     * @param position instructions retired before the consuming instruction (it is instruction
     *                 {@code position + 1} of the window)
     * @param value    the primary result (e.g. EDX:EAX of RDTSC, the RDRAND register value)
     * @param data     further result bytes (e.g. CPUID's EAX, EBX, ECX, EDX; RDRAND's CF), little endian
     */
    void observed(EventKind kind, long position, long rip, long rcx, long address, long value, byte[] data);

    /**
     * The registers after {@code position} instructions retired, reported by a counter at a position it
     * passes without stopping (see {@link PositionCounter#reportRegistersEveryInstruction()}). A counter
     * reports each position at most once, before any input event of the instruction there.
     *
     * @since 1.2
     */
    default void registers(long position, Registers registers) {
    }
}
