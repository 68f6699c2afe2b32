package pcm.core.api.verify;

import java.util.Map;

import pcm.core.api.cpu.Registers;
import pcm.core.api.cpu.SpecialRegisters;

/**
 * The vCPU state and memory at one point of a window.
 *
 * @param position instructions retired since the window began (0 for the initial snapshot)
 * @param fpu      FXSAVE image
 * @param msrs     the MSRs the guest can read, by index
 */
public record Snapshot(long position, Registers registers, SpecialRegisters specialRegisters, byte[] fpu,
                       Map<Integer, Long> msrs, MemoryImage memory) {
}
