package pcm.softcpu.internal.x87;

/**
 * The vendor model of what the x87/SSE architecture leaves to the implementation (module README, "x87 and
 * FXSAVE/FXRSTOR: vendor model"): which instructions update the last-instruction pointers (FOP, FIP/FCS, FDP/FDS),
 * what the save instructions store of them, and MXCSR_MASK. Selected together with the undefined-flag model
 * (the same vendor, {@code SoftVcpu.setVendorModel}), so a window replays with its recording CPU's model.
 * Everything here was measured natively on the hosts named.
 */
public enum FpuVendor {

    /**
     * Intel (measured on a Xeon with CPUID.7.0:EBX[6] FDP_EXCPTN_ONLY and EBX[13] FCS/FDS deprecated): FIP is
     * updated by every non-control instruction, FOP and FDP only by one that raises an unmasked exception; FCS
     * and FDS are always 0; every save instruction stores the pointers; MXCSR_MASK 0xFFFF.
     */
    INTEL(0xFFFF),

    /**
     * AMD (measured on an EPYC, Zen, with CPUID 80000008h:EBX[2] XSAVEERPTR): every non-control instruction
     * updates FOP, FIP and FCS (the CS selector), every one with a memory operand also FDP and FDS (the
     * operand's segment selector: SS for an RSP/RBP base, else DS, or the FS/GS override); FXSAVE stores FOP,
     * FIP, FCS, FDP and FDS as zero while FSW.ES is clear (APM vol. 5, FXSAVE), FNSTENV/FNSAVE always store
     * them; FXRSTOR, FLDENV and FRSTOR load them whatever ES (the 64-bit FXRSTOR zeroes FCS/FDS and keeps 57 bits
     * of FIP/FDP, sign-extended); FXRSTOR loads FCW as FLDCW does and derives ES/B; a store checks its whole
     * destination before anything else (#PF before an unmasked exception, no partial m80); FSCALE by zero and
     * FPREM/FPREM1 by infinity round a denormal ST(0) (UE when unmasked); MXCSR_MASK 0x2FFFF: bit 17 (MM) lifts the
     * alignment check of packed SSE operands, not of the aligned moves, MOVNT* or FXSAVE/FXRSTOR.
     */
    AMD(0x2FFFF);

    /** MXCSR bits the CPU implements: FXSAVE's MXCSR_MASK; any other bit set by LDMXCSR/FXRSTOR is #GP(0). */
    public final int mxcsrMask;

    FpuVendor(int mxcsrMask) {
        this.mxcsrMask = mxcsrMask;
    }

    /** The model of a CPUID vendor string: AMD for "AuthenticAMD"/"HygonGenuine", Intel for anything else. */
    public static FpuVendor ofCpuidVendor(String vendor) {
        return "AuthenticAMD".equals(vendor) || "HygonGenuine".equals(vendor) ? AMD : INTEL;
    }
}
