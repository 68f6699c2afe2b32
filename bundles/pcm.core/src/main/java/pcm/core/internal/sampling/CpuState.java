package pcm.core.internal.sampling;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import pcm.core.api.cpu.BackendException;
import pcm.core.api.cpu.Registers;
import pcm.core.api.cpu.SpecialRegisters;
import pcm.core.api.cpu.VirtualCpu;

/**
 * The vCPU state of one snapshot: registers, special registers, the FXSAVE image, the MSRs the
 * guest can read (those the backend refused are listed, not guessed) and pending events where the
 * backend exposes them (the vCPU SPI does not yet: recorded as not exposed).
 *
 * @param fpu     FXSAVE image; empty if the backend refused it
 * @param refused MSRs the backend would not read
 * @param pending pending-event state in the backend's format, null if the backend does not expose it
 */
record CpuState(long position, Registers registers, SpecialRegisters specialRegisters, byte[] fpu,
                Map<Integer, Long> msrs, List<Integer> refused, byte[] pending) {

    static final int EFER = 0xC000_0080, STAR = 0xC000_0081, LSTAR = 0xC000_0082, CSTAR = 0xC000_0083,
            SFMASK = 0xC000_0084, FS_BASE = 0xC000_0100, GS_BASE = 0xC000_0101, KERNEL_GS_BASE = 0xC000_0102,
            TSC_AUX = 0xC000_0103, SYSENTER_CS = 0x174, SYSENTER_ESP = 0x175, SYSENTER_EIP = 0x176, PAT = 0x277;

    /** The MSRs a snapshot holds, in file order. */
    static final int[] MSRS = {EFER, STAR, LSTAR, CSTAR, SFMASK, FS_BASE, GS_BASE, KERNEL_GS_BASE, TSC_AUX,
        SYSENTER_CS, SYSENTER_ESP, SYSENTER_EIP, PAT};

    /** Captures the state of {@code vcpu} (on its thread, between runs). */
    static CpuState capture(VirtualCpu vcpu, long position) throws BackendException {
        Registers regs = vcpu.registers();
        SpecialRegisters sregs = vcpu.specialRegisters();
        byte[] fpu;
        try {
            fpu = vcpu.fpuState();
        } catch (BackendException | UnsupportedOperationException e) {
            fpu = new byte[0];
        }
        Map<Integer, Long> msrs = new LinkedHashMap<>();
        List<Integer> refused = new ArrayList<>();
        for (int index : MSRS) {
            try {
                msrs.put(index, vcpu.readMsr(index));
            } catch (BackendException | RuntimeException e) {
                refused.add(index);
            }
        }
        return new CpuState(position, regs, sregs, fpu, Map.copyOf(msrs), List.copyOf(refused), null);
    }
}
